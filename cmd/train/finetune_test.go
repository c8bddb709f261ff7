package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/graph"
)

func TestFinetuneConfigFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run.json")
	os.WriteFile(run, []byte(`{"task": "ner", "epochs": 7, "lr": 3e-5, "batch_size": 4, "patience": 2}`), 0o644)
	cfg, _, err := loadFinetuneConfig([]string{"--config", run, "--epochs", "2", "-limit=10"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Task != "ner" || cfg.Epochs != 2 || cfg.LR != 3e-5 || cfg.BatchSize != 4 || cfg.Patience != 2 || cfg.Limit != 10 || cfg.Eps != 1e-8 {
		t.Fatalf("config %+v", cfg)
	}
	if _, _, err := loadFinetuneConfig([]string{"--config=" + run, "--lr", "1e-4"}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(run, []byte(`{"task": "ner", "epoch": 7}`), 0o644)
	if _, _, err := loadFinetuneConfig([]string{"--config", run}); err == nil || !strings.Contains(err.Error(), "epoch") {
		t.Fatalf("a misspelt field: err = %v", err)
	}
}

func TestFinetuneCommand(t *testing.T) {
	dir := t.TempDir()
	words := []string{"the", "film", "was", "very", "good", "great", "bad", "awful"}
	vocab := append([]string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}, words...)
	vocabPath := filepath.Join(dir, "vocab.txt")
	os.WriteFile(vocabPath, []byte(strings.Join(vocab, "\n")+"\n"), 0o644)
	mc := gorbert.Default()
	mc.VocabSize, mc.HiddenSize, mc.NumHiddenLayers, mc.NumAttentionHeads, mc.IntermediateSize, mc.MaxPositionEmbeddings = len(vocab), 16, 1, 2, 32, 32
	model := filepath.Join(dir, "model")
	if err := graph.Init(mc, gorbert.TaskPretraining, rand.New(rand.NewSource(1))).Save(model, vocabPath); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(2))
	var data strings.Builder
	data.WriteString("text,sentiment\n")
	for i := 0; i < 24; i++ {
		w, label := words[4+rng.Intn(2)], "positive"
		if i%2 == 1 {
			w, label = words[6+rng.Intn(2)], "negative"
		}
		fmt.Fprintf(&data, "the film was %s,%s\n", w, label)
	}
	csv := filepath.Join(dir, "train.csv")
	os.WriteFile(csv, []byte(data.String()), 0o644)
	run := filepath.Join(dir, "run.json")
	os.WriteFile(run, []byte(`{"task": "classify", "epochs": 2, "batch_size": 8, "lr": 1e-3}`), 0o644)
	out := filepath.Join(dir, "out")
	cfg, quiet, err := loadFinetuneConfig([]string{"--config", run, "--model", model, "--train", csv, "--dev", csv,
		"--out", out, "--text-column", "text", "--label-column", "sentiment", "--quiet"})
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := finetune(cfg, quiet, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "best accuracy") {
		t.Fatalf("output %q", stderr.String())
	}
	p, _, err := graph.Load(filepath.Join(out, "best"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Config.Labels(), []string{"negative", "positive"}) {
		t.Fatalf("labels %v", p.Config.Labels())
	}
	if code := commands.Run([]string{"finetune", "--task", "pretraining", "--model", model, "--train", csv, "--out", out}, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "classify, ner or qa") {
		t.Fatalf("exit %d, %q", code, stderr.String())
	}
}

func TestFinetuneCommandSkipMisaligned(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run.json")
	os.WriteFile(run, []byte(`{"task": "qa", "skip_misaligned": true}`), 0o644)
	if cfg, _, err := loadFinetuneConfig([]string{"--config", run}); err != nil || !cfg.SkipMisaligned {
		t.Fatalf("skip_misaligned from the config file: %v, %v", cfg.SkipMisaligned, err)
	}
	if cfg, _, err := loadFinetuneConfig([]string{"--config", run, "--skip-misaligned=false"}); err != nil || cfg.SkipMisaligned {
		t.Fatalf("--skip-misaligned=false over the file: %v, %v", cfg.SkipMisaligned, err)
	}

	words := []string{"what", "color", "is", "the", "sky", "blue", "grass", "green", "?"}
	vocab := append([]string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}, words...)
	vocabPath := filepath.Join(dir, "vocab.txt")
	os.WriteFile(vocabPath, []byte(strings.Join(vocab, "\n")+"\n"), 0o644)
	mc := gorbert.Default()
	mc.VocabSize, mc.HiddenSize, mc.NumHiddenLayers, mc.NumAttentionHeads, mc.IntermediateSize, mc.MaxPositionEmbeddings = len(vocab), 16, 1, 2, 32, 32
	model := filepath.Join(dir, "model")
	if err := graph.Init(mc, gorbert.TaskPretraining, rand.New(rand.NewSource(1))).Save(model, vocabPath); err != nil {
		t.Fatal(err)
	}
	// The second answer_start is off by one.
	squad := filepath.Join(dir, "train.json")
	os.WriteFile(squad, []byte(`{"version": "1.1", "data": [{"title": "t", "paragraphs": [
		{"context": "the sky is blue", "qas": [{"id": "sky", "question": "what color is the sky ?", "answers": [{"text": "blue", "answer_start": 11}]}]},
		{"context": "the grass is green", "qas": [{"id": "grass", "question": "what color is the grass ?", "answers": [{"text": "green", "answer_start": 12}]}]}]}]}`), 0o644)
	args := []string{"--task", "qa", "--model", model, "--train", squad, "--dev", squad, "--out", filepath.Join(dir, "out"),
		"--epochs", "1", "--batch-size", "2", "--max-length", "32", "--doc-stride", "4", "--quiet"}
	cfg, quiet, err := loadFinetuneConfig(args)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	err = finetune(cfg, quiet, &stderr)
	if want := squad + `: data[0].paragraphs[1].qas[0].answers[0] (question grass): answer "green" but context has " gree"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want one containing %q", err, want)
	}
	if cfg, quiet, err = loadFinetuneConfig(append(args, "--skip-misaligned")); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if err := finetune(cfg, quiet, &stderr); err != nil {
		t.Fatal(err)
	}
	if out := stderr.String(); !strings.Contains(out, "answer_start") || !strings.Contains(out, "train=1") || !strings.Contains(out, "dev=1") {
		t.Errorf("no warning with the counts in %q", out)
	}
}
