package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/retold/retold/extract"
	"github.com/retold/retold/store/sqlite"
)

// The helpers every command shares: where output goes, the index
// database, the terminal.

// writeFileAtomic writes a file through a temporary file in the same
// directory, renamed over path once complete and synced, so a failed
// write never leaves a half-written file and a crash leaves the old one
// or the new one. The file gets the permissions the umask allows (0666
// less the umask), like any file the shell creates. An output that exists
// and is not a regular file (/dev/null, a pipe, a terminal) is written in
// place: renaming over it would replace the device with a file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	dir := filepath.Dir(path)
	var tmp *os.File
	var err error
	for range 100 {
		name := filepath.Join(dir, "."+filepath.Base(path)+"."+strconv.FormatUint(rand.Uint64(), 36))
		// Created with 0666: the system takes the umask off, as for
		// any new file.
		tmp, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The rename itself is durable once the directory is synced.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// withOutput runs write on the file at path, written atomically (a
// temporary file renamed into place once write succeeds), gzipped if the
// name ends in .gz; "-" is standard output.
func withOutput(e *env, path string, write func(io.Writer) error) error {
	if path == "-" {
		bw := bufio.NewWriterSize(e.stdout, 1<<16)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		if !strings.HasSuffix(path, ".gz") {
			return write(w)
		}
		// BestSpeed: default compression would be slower than dedup.
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		if err := write(zw); err != nil {
			return err
		}
		return zw.Close()
	})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func openDB(ctx context.Context, path string) (*sqlite.Store, error) {
	return sqlite.Open(ctx, path, nil)
}

// openExisting opens an index that must exist already: reading commands
// should not create an empty one by a typo. readOnly also refuses to
// migrate an older schema: a command that only reads changes nothing.
func openExisting(ctx context.Context, path string, readOnly bool) (*sqlite.Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: no index there (retold add creates one): %w", path, err)
	}
	// Opening an SQLite file writes its schema into it: an empty file, or
	// one that is not SQLite at all, is refused before that happens.
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	head := make([]byte, len(sqliteMagic))
	n, _ := io.ReadFull(f, head)
	f.Close()
	switch {
	case n == 0:
		return nil, fmt.Errorf("%s: an empty file, not an index (retold add creates one)", path)
	case string(head[:n]) != sqliteMagic:
		return nil, fmt.Errorf("%s: not an index (not an SQLite file)", path)
	}
	if readOnly {
		return sqlite.Open(ctx, path, &sqlite.Options{NoMigrate: true})
	}
	return openDB(ctx, path)
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// peakRSS is the process's peak resident memory, from /proc (Linux);
// "?" elsewhere.
func peakRSS() string {
	if kb, ok := procKB("/proc/self/status", "VmHWM:"); ok {
		return fmt.Sprintf("%.0f MB", float64(kb)/1024)
	}
	return "?"
}

// procKB reads the "KEY  N kB" line of a /proc file.
func procKB(path, key string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			if f := strings.Fields(v); len(f) > 0 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb, true
				}
			}
		}
	}
	return 0, false
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// partial is the error of a run that processed every good record but
// skipped bad ones: it exits 1, so a script sees that something was left
// out, after the output was written in full. nil when none was skipped.
func partial(bad int) error {
	if bad == 0 {
		return nil
	}
	return fmt.Errorf("%d bad records skipped (reported above; everything else was processed)", bad)
}

// keyFlags adds --id-key and --text-key to fs: the fields of a JSONL
// record that hold its id and its text.
func keyFlags(fs *flag.FlagSet) *extract.Keys {
	k := &extract.Keys{}
	fs.StringVar(&k.ID, "id-key", "id", "the JSONL field that holds a record's id (a string, or a number taken as written)")
	fs.StringVar(&k.Text, "text-key", "text", "the JSONL field that holds a record's text")
	return k
}
