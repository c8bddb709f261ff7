package tasks

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gorbert/gorbert/tokenizer"
)

// sharedPath returns a folder or file of the read-only material beside the
// project (../../shared from this package, or $GORBERT_SHARED), or skips the
// test: it is absent in some checkouts, and the inline fixtures cover the
// rules there.
func sharedPath(t *testing.T, rel string) string {
	t.Helper()
	root := filepath.Join("..", "..", "shared")
	if env := os.Getenv("GORBERT_SHARED"); env != "" {
		root = env
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared material not available (%v); set GORBERT_SHARED to the shared/ folder to run this test", err)
	}
	return p
}

// sharedDatasets is the folder holding sst2/, conll2003/ and squad_v1.1/.
func sharedDatasets(t *testing.T) string {
	t.Helper()
	return sharedPath(t, "datasets")
}

// uncasedTokenizer is bert-base-uncased's tokenizer, from the shared vocabulary.
func uncasedTokenizer(t *testing.T) *tokenizer.Tokenizer {
	t.Helper()
	tok, err := tokenizer.FromVocabFile(sharedPath(t, "vocab/bert-base-uncased-vocab.txt"), tokenizer.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
