package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/data/tasks"
)

// synthTree writes a small source tree: areas alpha and beta of three
// packages each, every one with a documented function.
func synthTree(t *testing.T) string {
	root := t.TempDir()
	for _, area := range []string{"alpha", "beta"} {
		for _, sub := range []string{"one", "two", "three"} {
			dir := filepath.Join(root, area, sub)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			src := fmt.Sprintf("// Package %[1]s does %[2]s things for the %[1]s users.\npackage %[1]s\n\n"+
				"// Get returns the %[2]s value of %[1]s. It never fails.\nfunc Get() int { return 0 }\n\n"+
				"// Ok reports whether %[1]s is ready for %[2]s work.\nfunc Ok() bool { return true }\n", sub, area)
			if err := os.WriteFile(filepath.Join(dir, sub+".go"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func TestSynthCommand(t *testing.T) {
	root, out := synthTree(t), t.TempDir()
	if err := runSynth([]string{"--task", "qa", "--root", root, "--out", out, "--seed", "2"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"train.json", "dev.json"} {
		ex, stats, err := tasks.ReadSQuAD(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(ex) == 0 || len(stats.Mismatches) > 0 {
			t.Errorf("%s: %d questions, %d mismatches", name, len(ex), len(stats.Mismatches))
		}
	}
	if err := runSynth([]string{"--task", "classify", "--root", root, "--out", out, "--areas", "alpha,beta"}); err != nil {
		t.Fatal(err)
	}
	if ex, err := tasks.ReadTable(filepath.Join(out, "dev.tsv"), tasks.TableOptions{}); err != nil || len(ex) == 0 {
		t.Errorf("dev.tsv: %d examples, %v", len(ex), err)
	}
	for _, args := range [][]string{{"--task", "qa"}, {"--out", out}, {"--task", "pos", "--root", root, "--out", out}, {"--init-model", out}} {
		if err := runSynth(args); err == nil {
			t.Errorf("synth %q: no error", args)
		}
	}
}

func TestSynthInitModel(t *testing.T) {
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.txt")
	words := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "go", "doc"}
	if err := os.WriteFile(vocab, []byte(strings.Join(words, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "model")
	if err := runSynth([]string{"--init-model", out, "--vocab", vocab, "--max-position", "32"}); err != nil {
		t.Fatal(err)
	}
	m, err := checkpoint.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.VocabSize != len(words) || m.Config.MaxPositionEmbeddings != 32 || m.Config.NumHiddenLayers != 2 || m.Config.HiddenSize != 128 {
		t.Errorf("config %+v", m.Config)
	}
	if _, err := os.Stat(filepath.Join(out, "vocab.txt")); err != nil {
		t.Error(err)
	}
}
