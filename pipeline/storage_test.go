package pipeline

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkDirectorySchemes: a work directory given as a file:// URL is
// the same as its path; an object-store scheme is refused with a message
// that says why, before anything is written.
func TestWorkDirectorySchemes(t *testing.T) {
	p, _ := plannedDedup(t, 300, 3, 2, 2)
	wantKept, wantDropped := singleProcess(t, p)
	dir := filepath.Join(t.TempDir(), "work")
	url := "file://" + dir
	if err := p.Write(url); err != nil {
		t.Fatal(err)
	}
	if err := RunLocal(context.Background(), url, 2, nil); err != nil {
		t.Fatal(err)
	}
	q, qdir, err := ReadPlan(url)
	if err != nil || qdir != dir {
		t.Fatalf("ReadPlan(%s): %q, %v", url, qdir, err)
	}
	var k, d bytes.Buffer
	if _, _, err := Merge(qdir, q, &k, &d); err != nil {
		t.Fatal(err)
	}
	if k.String() != wantKept || d.String() != wantDropped {
		t.Error("the job in a file:// work directory differs from the single process")
	}
	for _, work := range []string{"s3://bucket/jobs/w", "gs://bucket/w"} {
		err := p.Write(work)
		if err == nil || !strings.Contains(err.Error(), "storage is built into this binary") {
			t.Errorf("%s: %v, want a refusal naming the missing storage", work, err)
		}
	}
}
