package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/tokenizer"
)

func TestVocabCommand(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	if err := os.WriteFile(a, []byte(strings.Repeat("The hugging huggers hug.\n", 20)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(strings.Repeat("Pugs hug PUGS\n", 20)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "vocab.txt")
	if err := runVocab([]string{"--corpus", a, "--corpus", b, "--size", "60", "--out", out}); err != nil {
		t.Fatal(err)
	}
	v, err := tokenizer.ReadVocab(out)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := v.ID("[PAD]"); !ok || id != 0 {
		t.Errorf("[PAD] has id %d (found %v), want 0", id, ok)
	}
	for _, w := range []string{"hug", "pugs", "the"} {
		if _, ok := v.ID(w); !ok {
			t.Errorf("trained vocabulary %q lacks %q", v.Tokens(), w)
		}
	}
	if _, ok := v.ID("P"); ok {
		t.Error("upper-case P in a lower-cased vocabulary")
	}
	if err := runVocab([]string{"--size", "60", "--out", out}); err == nil {
		t.Error("missing --corpus did not fail")
	}
}
