package storyindex

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/store/sqlite"
)

// openStore opens (or creates) the SQLite store at path.
func openStore(t testing.TB, path string) retold.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// snapshotDocs are the invented corpus and some versions of one story:
// enough for keys held by one document, by a few, and by more than
// MaxPostings.
func snapshotDocs(t *testing.T) []retold.Document {
	docs := inventedDocs(t)
	for i := range 80 {
		docs = append(docs, storyVersion(i))
	}
	return docs
}

func addDocs(t testing.TB, x *Index, docs []retold.Document) {
	t.Helper()
	if _, err := x.AddBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
}

// loaded is a new Index over st with the snapshot at path, loaded.
func loaded(t testing.TB, st retold.Store, path string) *Index {
	t.Helper()
	x := New(st, &Options{Snapshot: path})
	if err := x.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return x
}

// keysOf lists every key an index holds.
func keysOf(p *postings) []uint64 {
	var ks []uint64
	for i := range p.parts {
		for _, s := range p.parts[i].slots {
			if s.key != 0 {
				ks = append(ks, s.key)
			}
		}
	}
	return ks
}

// sameIndex checks that got answers every key as a rebuild from st's
// rows does, and holds what it holds.
func sameIndex(t *testing.T, got *Index, st retold.Store) {
	t.Helper()
	want := New(st, nil)
	if err := want.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	gs, ws := got.Stats(), want.Stats()
	if gs.Documents != ws.Documents || gs.Keys != ws.Keys || gs.Postings != ws.Postings || gs.Bytes != ws.Bytes {
		t.Errorf("stats %+v, a rebuild's %+v", gs, ws)
	}
	for _, k := range keysOf(want.post) {
		if g, w := got.post.count(k), want.post.count(k); g != w {
			t.Fatalf("count(%#x) = %d, a rebuild's %d", k, g, w)
		}
		g, w := got.post.appendSeqs(nil, k, retold.MaxPostings), want.post.appendSeqs(nil, k, retold.MaxPostings)
		if !slices.Equal(g, w) {
			t.Fatalf("appendSeqs(%#x) = %v, a rebuild's %v", k, g, w)
		}
	}
	if len(keysOf(got.post)) != ws.Keys {
		t.Errorf("%d keys, a rebuild's %d", len(keysOf(got.post)), ws.Keys)
	}
}

// TestSnapshotIsARebuild saves the index of the process that added the
// documents and loads it in another: the same answers for every key as
// a rebuild from the store's rows, and the very file a rebuild saves.
func TestSnapshotIsARebuild(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "retold.db"))
	snap := filepath.Join(dir, "retold.db.postings")
	docs := snapshotDocs(t)
	adder := New(st, &Options{Snapshot: snap})
	for i := 0; i < len(docs); i += 16 {
		addDocs(t, adder, docs[i:min(i+16, len(docs))])
	}
	if err := adder.SaveSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	x := loaded(t, st, snap)
	s := x.Stats()
	if s.FromSnapshot == 0 || s.FromSnapshot != s.Documents || s.SnapshotNote != "" {
		t.Fatalf("not loaded from the snapshot: %+v", s)
	}
	sameIndex(t, x, st)
	// A rebuild's snapshot, byte for byte.
	other := filepath.Join(dir, "rebuilt.postings")
	rebuilt := New(st, &Options{Snapshot: other})
	if err := rebuilt.SaveSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(snap)
	b, _ := os.ReadFile(other)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("the adding process's snapshot (%d bytes) is not a rebuild's (%d bytes)", len(a), len(b))
	}
	// And it matches as a rebuilt index does.
	probe := docs[3]
	probe.ID, probe.Text = "probe", probe.Text+"\n\nA sentence a later edition added."
	m1, err := x.Match(context.Background(), probe)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := New(st, nil).Match(context.Background(), probe)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(m1.Summary()) != fmt.Sprint(m2.Summary()) || len(m1.Edges) == 0 {
		t.Errorf("match from the snapshot %+v, from a rebuild %+v", m1.Summary(), m2.Summary())
	}
}

// TestSnapshotCatchesUp loads a snapshot taken before another process
// added more: the rows after it are filed on top.
func TestSnapshotCatchesUp(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "retold.db"))
	snap := filepath.Join(dir, "retold.db.postings")
	docs := snapshotDocs(t)
	half := len(docs) / 2
	first := New(st, &Options{Snapshot: snap})
	addDocs(t, first, docs[:half])
	if err := first.SaveSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	at := first.Stats().Documents
	addDocs(t, New(st, nil), docs[half:])
	x := loaded(t, st, snap)
	if s := x.Stats(); s.FromSnapshot != at || s.Documents <= at || s.SnapshotNote != "" {
		t.Fatalf("stats %+v, want loaded to %d and caught up past it", s, at)
	}
	sameIndex(t, x, st)
	// Saving again moves the snapshot on.
	if err := x.SaveSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := loaded(t, st, snap).Stats(); s.FromSnapshot != s.Documents {
		t.Errorf("after a save: %+v", s)
	}
}

// rewriteHeader applies edit to the header of the snapshot at path and
// seals it again with a good checksum.
func rewriteHeader(t *testing.T, path string, edit func([]byte)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := readSnapHeader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	end := h.headerLen - 4
	edit(b[:end])
	binary.LittleEndian.PutUint32(b[end:], crc32.Checksum(b[:end], castagnoli))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotNotUsed spoils a snapshot in each way a user could meet
// one: each is noted and ignored, and the index is a rebuild's.
func TestSnapshotNotUsed(t *testing.T) {
	docs := snapshotDocs(t)
	const half = 60
	for _, tc := range []struct {
		name, note string
		spoil      func(t *testing.T, dir, snap string, st retold.Store) retold.Store
	}{
		{"stale after a delete", "stale", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			if err := New(st, nil).Delete(context.Background(), docs[5].ID); err != nil {
				t.Fatal(err)
			}
			return st
		}},
		{"a byte of the body changed", "damaged body", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			b, _ := os.ReadFile(snap)
			b[len(b)/2] ^= 0x10
			os.WriteFile(snap, b, 0o644)
			return st
		}},
		{"a byte of the header changed", "checksum", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			b, _ := os.ReadFile(snap)
			b[20] ^= 1
			os.WriteFile(snap, b, 0o644)
			return st
		}},
		{"truncated", "truncated", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			b, _ := os.ReadFile(snap)
			os.WriteFile(snap, b[:len(b)-1000], 0o644)
			return st
		}},
		{"cut inside its header", "truncated", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			b, _ := os.ReadFile(snap)
			os.WriteFile(snap, b[:30], 0o644)
			return st
		}},
		{"not a snapshot", "not a postings snapshot", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			os.WriteFile(snap, bytes.Repeat([]byte("SQLite format 3\x00"), 100), 0o644)
			return st
		}},
		{"another format version", "format version 99", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			rewriteHeader(t, snap, func(h []byte) { binary.LittleEndian.PutUint32(h[8:], 99) })
			return st
		}},
		{"damaged counts", "damaged", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			rewriteHeader(t, snap, func(h []byte) { binary.LittleEndian.PutUint64(h[40:], 12345) })
			return st
		}},
		{"more documents stored, then restored from a backup", "another database", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			// The snapshot is of a store that went on past the backup:
			// its last document is not in the restored one.
			addDocs(t, New(st, &Options{Snapshot: snap}), docs[half:half+5])
			if err := New(st, &Options{Snapshot: snap}).SaveSnapshot(context.Background()); err != nil {
				t.Fatal(err)
			}
			st.Close()
			other := openStore(t, filepath.Join(dir, "restored.db"))
			addDocs(t, New(other, nil), docs[:half])
			return other
		}},
		{"a copy that took other documents", "another database", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			// Same documents up to the split, as many after it, as many
			// deletions: only the rows tell them apart.
			addDocs(t, New(st, nil), docs[half:half+5])
			if err := New(st, &Options{Snapshot: snap}).SaveSnapshot(context.Background()); err != nil {
				t.Fatal(err)
			}
			other := openStore(t, filepath.Join(dir, "copy.db"))
			addDocs(t, New(other, nil), docs[:half])
			addDocs(t, New(other, nil), docs[half+5:half+10])
			return other
		}},
		{"another database", "another database", func(t *testing.T, dir, snap string, st retold.Store) retold.Store {
			other := openStore(t, filepath.Join(dir, "other.db"))
			addDocs(t, New(other, nil), docs[half:])
			return other
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st := openStore(t, filepath.Join(dir, "retold.db"))
			snap := filepath.Join(dir, "retold.db.postings")
			first := New(st, &Options{Snapshot: snap})
			addDocs(t, first, docs[:half])
			if err := first.SaveSnapshot(context.Background()); err != nil {
				t.Fatal(err)
			}
			st = tc.spoil(t, dir, snap, st)
			x := loaded(t, st, snap)
			s := x.Stats()
			if s.FromSnapshot != 0 || !strings.Contains(s.SnapshotNote, tc.note) {
				t.Errorf("stats %+v, want the snapshot ignored with a note saying %q", s, tc.note)
			}
			sameIndex(t, x, st)
			// Saved again, it is good.
			if err := x.SaveSnapshot(context.Background()); err != nil {
				t.Fatal(err)
			}
			if s := loaded(t, st, snap).Stats(); s.FromSnapshot != s.Documents || s.SnapshotNote != "" {
				t.Errorf("saved again, not loaded: %+v", s)
			}
		})
	}
}

// TestSnapshotNoneYet: without a file there is nothing to note, and an
// empty store saves nothing.
func TestSnapshotNoneYet(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "retold.db"))
	snap := filepath.Join(dir, "retold.db.postings")
	x := loaded(t, st, snap)
	if s := x.Stats(); s.SnapshotNote != "" || s.FromSnapshot != 0 {
		t.Errorf("stats %+v", s)
	}
	if err := x.SaveSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(snap); !os.IsNotExist(err) {
		t.Errorf("an empty store saved a snapshot: %v", err)
	}
}

// TestSnapshotConcurrentSavers has several processes' Indexes save the
// snapshot over and over while documents are added and others load it:
// every load finds a whole snapshot or none, and no temporary file is
// left.
func TestSnapshotConcurrentSavers(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "retold.db"))
	snap := filepath.Join(dir, "retold.db.postings")
	docs := snapshotDocs(t)
	addDocs(t, New(st, nil), docs[:20])
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 100)
	// repeat runs f in a goroutine until done is closed or f fails.
	repeat := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := f(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 3 {
		repeat(func() error { return New(st, &Options{Snapshot: snap}).SaveSnapshot(context.Background()) })
	}
	repeat(func() error {
		x := New(st, &Options{Snapshot: snap})
		if err := x.Load(context.Background()); err != nil {
			return err
		}
		if n := x.Stats().SnapshotNote; n != "" {
			return fmt.Errorf("a reader found a spoilt snapshot: %s", n)
		}
		return nil
	})
	adder := New(st, nil)
	for i := 20; i < len(docs); i += 10 {
		addDocs(t, adder, docs[i:min(i+10, len(docs))])
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	x := loaded(t, st, snap)
	if s := x.Stats(); s.FromSnapshot == 0 || s.SnapshotNote != "" {
		t.Errorf("after the savers: %+v", s)
	}
	sameIndex(t, x, st)
	left, _ := filepath.Glob(filepath.Join(dir, "*.tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSnapshotBodyRoundTrip writes a random index and reads it back: the
// same bytes written again, the same answers; and no cut or changed byte
// reads back as an index.
func TestSnapshotBodyRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var x postings
	for seq := int64(1); seq <= 2000; seq++ {
		var keys []uint64
		for range 10 {
			keys = append(keys, rng.Uint64())
		}
		keys = append(keys, uint64(rng.IntN(300))<<40, uint64(rng.IntN(3)))
		if err := x.add(seq, slices.Compact(slices.Sorted(slices.Values(keys)))); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p *postings) ([]byte, *snapHeader) {
		var buf bytes.Buffer
		bw := &bodyWriter{w: bufio.NewWriter(&buf), buf: make([]byte, 0, 64)}
		if err := p.writeBody(bw); err != nil {
			t.Fatal(err)
		}
		bw.w.Flush()
		return buf.Bytes(), &snapHeader{bodyLen: bw.n, bodyCRC: bw.crc, keys: int64(p.keys), postings: int64(p.n)}
	}
	body, h := write(&x)
	// Straight into memory (on this machine, most likely), and decoded
	// number by number as on a big-endian one: the same index.
	defer func(le bool) { littleEndian = le }(littleEndian)
	littleEndian = false
	portable, err := readBody(bytes.NewReader(body), h)
	if err != nil {
		t.Fatal(err)
	}
	littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
	y, err := readBody(bytes.NewReader(body), h)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := write(portable); !bytes.Equal(body, a) {
		t.Error("read number by number and written again, the body differs")
	}
	if again, _ := write(y); !bytes.Equal(body, again) {
		t.Error("read back and written again, the body differs")
	}
	if x.bytes() != y.bytes() || x.keys != y.keys || x.n != y.n {
		t.Errorf("read back: %d bytes %d keys %d postings, want %d %d %d", y.bytes(), y.keys, y.n, x.bytes(), x.keys, x.n)
	}
	for _, k := range keysOf(&x) {
		if !slices.Equal(x.appendSeqs(nil, k, 64), y.appendSeqs(nil, k, 64)) {
			t.Fatalf("key %#x: %v, read back %v", k, x.appendSeqs(nil, k, 64), y.appendSeqs(nil, k, 64))
		}
	}
	// Carved from huge-page buffers (as a big snapshot is): the same
	// index, which then grows like any other.
	defer func(n uint64) { hugeBody = n }(hugeBody)
	hugeBody = 0
	z, err := readBody(bytes.NewReader(body), h)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := write(z); !bytes.Equal(body, again) {
		t.Error("carved, read back and written again, the body differs")
	}
	var more [][]uint64
	for seq := int64(2001); seq <= 3000; seq++ {
		keys := []uint64{uint64(rng.IntN(300)) << 40, uint64(seq) * 0x9E3779B97F4A7C15}
		more = append(more, slices.Compact(slices.Sorted(slices.Values(keys))))
	}
	for _, p := range []*postings{&x, z} {
		for i, keys := range more {
			if err := p.add(int64(2001+i), keys); err != nil {
				t.Fatal(err)
			}
		}
	}
	if a, _ := write(&x); !bytes.Equal(a, func() []byte { b, _ := write(z); return b }()) {
		t.Error("carved and grown, the index differs from the one grown in the heap")
	}
	z = nil
	runtime.GC() // the cleanup gives the buffers back; nothing may touch them
	runtime.GC()
	// Damaged bodies are refused both ways, and the carved one gives its
	// buffers back.
	for _, huge := range []uint64{1 << 62, 0} {
		hugeBody = huge
		for range 100 {
			b := slices.Clone(body)
			if rng.IntN(2) == 0 {
				b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
			} else {
				b = b[:rng.IntN(len(b))]
			}
			if _, err := readBody(bytes.NewReader(b), h); err == nil {
				t.Fatalf("a damaged body read back (carved: %v)", huge == 0)
			}
		}
	}
}
