package pipeline

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
)

// Storage is where a job's work directory lives. Every stage reads and
// writes through it, with these calls only:
//
//   - a file is written whole by one task (Create) and read whole
//     (ReadFile), in sequence (Open) or at offsets (Object.ReadAt);
//   - a task's files are written under a temporary name (Begin) and made
//     visible together (Commit), or dropped (Discard); a task's output
//     exists (Exists) only once committed;
//   - the plan is one file replaced whole (WriteFile).
//
// Files, the local or shared file system, implements it with a directory
// renamed into place. An object store (s3://, gs://) would implement the
// same calls with whole-object puts, ranged gets, and a marker object
// written last by Commit, which Exists looks for; none is built into
// this binary.
type Storage interface {
	Create(path string) (io.WriteCloser, error)
	Open(path string) (Object, error)
	ReadFile(path string) ([]byte, error)
	WriteFile(path string, data []byte) error
	Exists(path string) bool
	Begin(final string) (tmp string, err error)
	Commit(tmp, final string) error
	Discard(tmp string)
}

// Object is a file opened for reading.
type Object interface {
	io.Reader
	io.ReaderAt
	io.Closer
	Size() int64
}

// OpenStorage returns the storage of a work directory and the directory's
// path in it: a path, or a file:// URL, is on the local (or a shared)
// file system; another scheme is refused, since no object store is built
// in.
func OpenStorage(work string) (Storage, string, error) {
	if u, err := url.Parse(work); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		if u.Scheme != "file" {
			return nil, "", fmt.Errorf("pipeline: %s: no %s:// storage is built into this binary (a work directory is a path on a file system every task sees; the Storage interface in package pipeline is what an object store would implement)", work, u.Scheme)
		}
		work = u.Path
	}
	if work == "" {
		return nil, "", errors.New("pipeline: no work directory")
	}
	return Files{}, work, nil
}

// Files is Storage on a local or shared file system.
type Files struct{}

// fileObject is an *os.File with its size.
type fileObject struct {
	*os.File
	size int64
}

func (f fileObject) Size() int64 { return f.size }

// syncedFile syncs the file before closing it: a task's outputs are on
// disk before the task commits them.
type syncedFile struct{ *os.File }

func (f syncedFile) Close() error {
	err := f.File.Sync()
	if e := f.File.Close(); err == nil {
		err = e
	}
	return err
}

func (Files) Create(path string) (io.WriteCloser, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return syncedFile{f}, nil
}

func (Files) Open(path string) (Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return fileObject{f, st.Size()}, nil
}

func (Files) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// WriteFile writes through a temporary file renamed over path.
func (Files) WriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return err
	}
	return writeAtomic(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}

func (Files) Exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// Begin makes a fresh temporary directory beside final, after removing
// those a killed run of the same task left.
func (Files) Begin(final string) (string, error) {
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o777); err != nil {
		return "", err
	}
	old, _ := filepath.Glob(final + ".tmp-*")
	for _, o := range old {
		os.RemoveAll(o)
	}
	return os.MkdirTemp(parent, filepath.Base(final)+".tmp-")
}

// Commit syncs the temporary directory and renames it to final.
func (fs Files) Commit(tmp, final string) error {
	if err := syncDir(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		if fs.Exists(final) {
			os.RemoveAll(tmp)
			return nil // another run of the same task finished first
		}
		return err
	}
	return syncDir(filepath.Dir(final))
}

func (Files) Discard(tmp string) { os.RemoveAll(tmp) }
