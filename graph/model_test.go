package graph_test

import (
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/graph"
)

func tinyConfig() gorbert.Config {
	c := gorbert.Default()
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 50, 16, 2, 4, 32
	c.MaxPositionEmbeddings, c.InitializerRange = 32, 0.2
	return c
}

// TestPaddingAndBatchInvariance: a row's real tokens get the same outputs
// whether the row is padded, and whether it runs alone or in a batch.
func TestPaddingAndBatchInvariance(t *testing.T) {
	cfg := tinyConfig()
	m := graph.NewModel(graph.Init(cfg, gorbert.TaskPretraining, rand.New(rand.NewSource(1))))
	defer m.Close()
	rows := [][]int{{2, 7, 9, 11, 3}, {2, 5, 3}, {2, 8, 8, 8, 8, 8, 3}, {2, 40, 41, 3}}
	types := [][]int{{0, 0, 0, 1, 1}, {0, 0, 0}, {0, 0, 0, 0, 1, 1, 1}, {0, 1, 1, 1}}
	batched, err := m.Forward(graph.NewBatch(rows, types, 0, cfg.PadTokenID), "last_hidden_state")
	if err != nil {
		t.Fatal(err)
	}
	S, H := 7, cfg.HiddenSize
	for i, r := range rows {
		alone, err := m.Forward(graph.NewBatch([][]int{r}, [][]int{types[i]}, 0, cfg.PadTokenID), "last_hidden_state")
		if err != nil {
			t.Fatal(err)
		}
		padded, err := m.Forward(graph.NewBatch([][]int{r}, [][]int{types[i]}, 12, cfg.PadTokenID), "last_hidden_state")
		if err != nil {
			t.Fatal(err)
		}
		a, p, bt := alone["last_hidden_state"].Data, padded["last_hidden_state"].Data, batched["last_hidden_state"].Data[i*S*H:]
		for j := 0; j < len(r)*H; j++ {
			if d := math.Abs(float64(a[j] - p[j])); d > 1e-5 {
				t.Fatalf("row %d: padding changes value %d by %g", i, j, d)
			}
			if d := math.Abs(float64(a[j] - bt[j])); d > 1e-5 {
				t.Fatalf("row %d: batching changes value %d by %g", i, j, d)
			}
		}
	}
}

// TestSaveLoadRoundTrip: weights come back bit-exactly, under the names and
// layout HuggingFace's save_pretrained writes.
func TestSaveLoadRoundTrip(t *testing.T) {
	for _, task := range gorbert.Tasks() {
		t.Run(string(task), func(t *testing.T) {
			cfg := tinyConfig()
			cfg.SetLabels([]string{"neg", "neu", "pos"})
			p := graph.Init(cfg, task, rand.New(rand.NewSource(2)))
			dir := t.TempDir()
			if err := p.Save(dir, ""); err != nil {
				t.Fatal(err)
			}
			raw, meta, _, err := checkpoint.ReadSafetensors(filepath.Join(dir, "model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			if meta["format"] != "pt" {
				t.Errorf("metadata %v lacks format=pt", meta)
			}
			for name := range raw {
				if task == gorbert.TaskBase && strings.HasPrefix(name, "bert.") {
					t.Errorf("BertModel key %q has a bert. prefix", name)
				}
				if task != gorbert.TaskBase && !strings.HasPrefix(name, "bert.") && !strings.HasPrefix(name, "cls.") && !strings.HasPrefix(name, "classifier.") && !strings.HasPrefix(name, "qa_outputs.") {
					t.Errorf("unexpected key %q", name)
				}
			}
			q, m, err := graph.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.Task != task || q.Config.NumLabels() != cfg.NumLabels() {
				t.Fatalf("loaded task %s with %d labels", m.Task, q.Config.NumLabels())
			}
			for name, tt := range p.Tensors {
				if !slices.Equal(tt.Data().([]float32), q.Data(name)) {
					t.Fatalf("%s differs after the round trip", name)
				}
			}
		})
	}
}

// TestSavedLayoutMatchesHuggingFace: saving a HuggingFace checkpoint we loaded
// writes the same tensor names and the config fields HF needs.
func TestSavedLayoutMatchesHuggingFace(t *testing.T) {
	src := filepath.Join("..", "..", "shared", "conformance", "model", "pretrain_gelu")
	if _, err := os.Stat(src); err != nil {
		t.Skip("../shared/conformance absent: skipping")
	}
	p, _, err := graph.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := p.Save(dir, ""); err != nil {
		t.Fatal(err)
	}
	orig, _, _, _ := checkpoint.ReadSafetensors(filepath.Join(src, "model.safetensors"))
	ours, _, _, _ := checkpoint.ReadSafetensors(filepath.Join(dir, "model.safetensors"))
	for name, tt := range orig {
		o, ok := ours[name]
		if !ok || !slices.Equal(o.Data, tt.Data) || !slices.Equal(o.Shape, tt.Shape) {
			t.Errorf("tensor %s not written as HuggingFace wrote it", name)
		}
	}
	if len(ours) != len(orig) {
		t.Errorf("%d tensors written, HuggingFace has %d", len(ours), len(orig))
	}
	cfg, err := gorbert.LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Architectures[0] != "BertForPreTraining" || cfg.ModelType != "bert" || string(cfg.Extra["transformers_version"]) == "" {
		t.Errorf("config lost fields: %+v", cfg)
	}
}

func TestBadBatchErrors(t *testing.T) {
	cfg := tinyConfig()
	m := graph.NewModel(graph.Init(cfg, gorbert.TaskBase, rand.New(rand.NewSource(3))))
	defer m.Close()
	for _, tc := range []struct {
		name string
		b    graph.Batch
		want string
	}{
		{"id out of range", graph.NewBatch([][]int{{2, 50, 3}}, nil, 0, 0), "token id 50 at row 0 position 1 is outside the vocabulary (size 50)"},
		{"negative id", graph.NewBatch([][]int{{2, -1}}, nil, 0, 0), "token id -1 at row 0 position 1"},
		{"type out of range", graph.NewBatch([][]int{{2, 4}}, [][]int{{0, 2}}, 0, 0), "token type id 2 at row 0 position 1 is outside type_vocab_size 2"},
		{"too long", graph.NewBatch([][]int{make([]int, 33)}, nil, 0, 0), "sequence length 33 exceeds max_position_embeddings 32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Forward(tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
