package retold

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDocMapNamesEveryPackage fails when a package of the module is
// missing from the map in doc.go.
func TestDocMapNamesEveryPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "./...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if f := strings.Fields(strings.TrimPrefix(line, "//")); strings.HasPrefix(line, "//\t") && len(f) > 0 {
			listed[f[0]] = true
		}
	}
	for _, p := range strings.Fields(string(out)) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p, "github.com/retold/retold"), "/")
		if rel == "" {
			continue
		}
		if !listed[rel] {
			t.Errorf("package %s is not in doc.go's map", rel)
		}
	}
}
