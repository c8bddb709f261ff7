package tasks

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDatasets returns the folder of the real datasets, or skips the test:
// they live outside the repository (../../shared/datasets from this package,
// or $GORBERT_SHARED/datasets) and are absent in CI.
func sharedDatasets(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "datasets")
	if env := os.Getenv("GORBERT_SHARED"); env != "" {
		dir = filepath.Join(env, "datasets")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real datasets not available (%v); set GORBERT_SHARED to the folder holding datasets/ to run this test", err)
	}
	return dir
}
