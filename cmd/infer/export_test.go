package main

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/graph"
)

// tinyModelDir saves a small random BertModel folder.
func tinyModelDir(t *testing.T) string {
	t.Helper()
	cfg := gorbert.Default()
	cfg.VocabSize, cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads = 99, 32, 2, 4
	cfg.IntermediateSize, cfg.MaxPositionEmbeddings = 37, 40
	dir := filepath.Join(t.TempDir(), "model")
	if err := graph.Init(cfg, gorbert.TaskBase, rand.New(rand.NewSource(1))).Save(dir, ""); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestExportCommand(t *testing.T) {
	model := tinyModelDir(t)
	cases := []struct {
		name  string
		args  []string
		out   string
		want  []string // byte strings the written file contains
		data  bool     // an external .data file is written
		noOut []string // byte strings it must not contain
	}{
		{name: "onnx", args: nil, out: "m.onnx",
			want: []string{"last_hidden_state", "pooler_output", "batch_size", "sequence_length", "LayerNormalization", "Erf"}},
		{name: "onnx opset 14 as qa", args: []string{"--task", "qa", "--opset", "14", "--format", "onnx"}, out: "qa.bin",
			want: []string{"start_logits", "end_logits", "qa_outputs.weight.T", "ReduceMean"}, noOut: []string{"LayerNormalization", "pooler_output"}},
		{name: "onnx external", args: []string{"--external-data-threshold", "1"}, out: "ext.onnx",
			want: []string{"ext.onnx.data", "location", "offset"}, data: true},
		{name: "dot", args: []string{"--batch", "2", "--seq", "6"}, out: "g.dot",
			want: []string{"digraph", "batch 2 x seq 6", "bert.encoder.layer.1.output.LayerNorm.weight", "bert.pooler.dense"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), c.out)
			if err := runExport(append([]string{"--model", model, "--out", out}, c.args...)); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !bytes.Contains(data, []byte(w)) {
					t.Errorf("%s lacks %q", c.out, w)
				}
			}
			for _, w := range c.noOut {
				if bytes.Contains(data, []byte(w)) {
					t.Errorf("%s contains %q", c.out, w)
				}
			}
			_, err = os.Stat(out + ".data")
			if c.data != (err == nil) {
				t.Errorf("%s.data exists: %v, want %v", c.out, err == nil, c.data)
			}
		})
	}
}

func TestExportCommandErrors(t *testing.T) {
	model := tinyModelDir(t)
	out := filepath.Join(t.TempDir(), "x.onnx")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--out", out}, "--model and --out are required"},
		{[]string{"--model", model, "--out", filepath.Join(t.TempDir(), "x.png")}, `--format "png"`},
		{[]string{"--model", model, "--out", out, "--batch", "2"}, "--batch applies to --format dot only"},
		{[]string{"--model", model, "--out", out, "--format", "dot", "--opset", "14"}, "--opset applies to --format onnx only"},
		{[]string{"--model", model, "--out", out, "--opset", "13"}, "opset 13"},
		{[]string{"--model", model, "--out", out, "--task", "summarize"}, `unknown task "summarize"`},
		{[]string{"--model", filepath.Join(model, "nope"), "--out", out}, "config.json"},
		{[]string{"--model", model, "--out", out, "--format", "dot", "--seq", "41"}, "exceeds max_position_embeddings"},
	}
	for _, c := range cases {
		err := runExport(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
	}
}
