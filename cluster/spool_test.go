package cluster

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/retold/retold"
)

func TestSpoolGivesBackWhatWasAdded(t *testing.T) {
	docs := []retold.Document{
		{ID: "a", Text: "One sentence."},
		{ID: "b", Title: "Tïtle — “quoted”", Text: "Zwei Sätze.\nНовая строка.", URL: "https://example.org/x", Outlet: "Wire", Date: "2024-05-27", Lang: "de"},
		{ID: "c", Text: strings.Repeat("long text ", 300000)}, // 3 MB, past the write buffer
		{ID: "", Text: ""}, // the spool does not judge records
		{ID: "e", Text: "x\x00y", Date: "2020-01-01T10:00:00Z"},
	}
	s, err := NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, d := range docs {
		if err := s.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Doc(0); err == nil {
		t.Fatal("Doc before Seal: no error")
	}
	if err := s.Seal(); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(docs[0]); !errors.Is(err, ErrSealed) {
		t.Fatalf("Add after Seal: %v, want ErrSealed", err)
	}
	if s.Len() != len(docs) {
		t.Fatalf("Len %d, want %d", s.Len(), len(docs))
	}
	// Readers at once, in any order, as Cluster's workers read.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := len(docs) - 1; i >= 0; i-- {
				got, err := s.Doc(i)
				if err != nil {
					t.Error(err)
					return
				}
				if got != docs[i] {
					t.Errorf("document %d: got %+v", i, got)
				}
				if s.ID(i) != docs[i].ID {
					t.Errorf("ID(%d) = %q, want %q", i, s.ID(i), docs[i].ID)
				}
			}
		})
	}
	wg.Wait()
}

func TestSpoolReportsACorruptRecord(t *testing.T) {
	s, err := NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Add(retold.Document{ID: "a", Text: "Some text."}); err != nil {
		t.Fatal(err)
	}
	if err := s.Seal(); err != nil {
		t.Fatal(err)
	}
	// Overwrite the text's length with one that runs past the record.
	if _, err := s.f.WriteAt([]byte{0, 0x7f}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Doc(0); err == nil || !strings.Contains(err.Error(), "document 0 is corrupt") {
		t.Fatalf("corrupt record: %v", err)
	}
	// A file cut short.
	if err := s.f.Truncate(3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Doc(0); err == nil || !strings.Contains(err.Error(), "read document 0") {
		t.Fatalf("short file: %v", err)
	}
}

func TestSpoolInMissingDirectory(t *testing.T) {
	if _, err := NewSpool(t.TempDir() + "/no/such/dir"); err == nil {
		t.Fatal("no error for a missing directory")
	}
}
