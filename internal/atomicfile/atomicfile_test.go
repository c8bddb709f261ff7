package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesOnlyOnSuccess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	if err := WriteBytes(path, []byte("good")); err != nil {
		t.Fatal(err)
	}
	// A failing writer (a simulated crash mid-save) must leave the old file.
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("crash")
	})
	if err == nil {
		t.Fatal("expected the error to be returned")
	}
	got, _ := os.ReadFile(path)
	if string(got) != "good" {
		t.Fatalf("file = %q, want the last good content", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}
