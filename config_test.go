// External test package: internal/conformance imports checkpoint, which
// imports gorbert, so the fixtures can only be reached from gorbert_test.
package gorbert_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/internal/conformance"
)

// TestConfigRoundTrip: every config.json of the conformance fixtures loads,
// and saving it keeps every field with its value (transformers_version,
// dtype, add_cross_attention and the other fields Config does not model
// included); loading the saved file gives the same Config.
func TestConfigRoundTrip(t *testing.T) {
	root := filepath.Dir(conformance.Dir(t, "model"))
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "config.json" {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no config.json under %s", root)
	}
	for _, p := range paths {
		name, _ := filepath.Rel(root, p)
		t.Run(name, func(t *testing.T) {
			c, err := gorbert.LoadConfig(p)
			if err != nil {
				t.Fatal(err)
			}
			orig := readJSONMap(t, p)
			for _, k := range []string{"transformers_version", "dtype", "add_cross_attention"} {
				if _, ok := orig[k]; ok {
					if _, kept := c.Extra[k]; !kept {
						t.Errorf("%s not kept in Extra", k)
					}
				}
			}
			if id2label, ok := orig["id2label"].(map[string]any); ok {
				if c.NumLabels() != len(id2label) {
					t.Errorf("NumLabels %d, id2label has %d", c.NumLabels(), len(id2label))
				}
			} else if c.NumLabels() != 2 {
				t.Errorf("NumLabels %d without id2label, want 2", c.NumLabels())
			}
			if task, err := gorbert.TaskOf(c.Architectures[0]); err != nil {
				t.Error(err)
			} else if task == gorbert.TaskClassify || task == gorbert.TaskNER {
				for _, s := range c.ParamSpecs(task) {
					if s.Name == "classifier.weight" && s.Shape[0] != c.NumLabels() {
						t.Errorf("classifier shape %v for %d labels", s.Shape, c.NumLabels())
					}
				}
			}

			out := filepath.Join(t.TempDir(), "config.json")
			if err := c.Save(out); err != nil {
				t.Fatal(err)
			}
			saved := readJSONMap(t, out)
			for k, v := range orig {
				if !reflect.DeepEqual(saved[k], v) {
					t.Errorf("%s: saved %v, original %v", k, saved[k], v)
				}
			}
			for k := range saved {
				if _, ok := orig[k]; !ok {
					t.Errorf("saving added field %q = %v", k, saved[k])
				}
			}
			again, err := gorbert.LoadConfig(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, c) {
				t.Errorf("reloaded config differs:\n%+v\n%+v", again, c)
			}
		})
	}
	t.Logf("%d config files round-tripped", len(paths))
}

func readJSONMap(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// baseParams counts a BertModel's parameters by formula: embeddings (word,
// position, token type, LayerNorm), L layers (Q, K, V, attention output,
// two LayerNorms, intermediate, output), pooler.
func baseParams(V, P, T, L, H, I int) int {
	emb := V*H + P*H + T*H + 2*H
	layer := 4*(H*H+H) + 2*(2*H) + (H*I + I) + (I*H + H)
	return emb + L*layer + H*H + H
}

func TestNamedSizes(t *testing.T) {
	for _, c := range []struct {
		name       string
		L, H, A, I int
	}{
		{"tiny", 2, 128, 2, 512}, {"mini", 4, 256, 4, 1024}, {"small", 4, 512, 8, 2048},
		{"medium", 8, 512, 8, 2048}, {"base", 12, 768, 12, 3072}, {"large", 24, 1024, 16, 4096},
	} {
		cfg, err := gorbert.Named(c.name, 0)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.NumHiddenLayers != c.L || cfg.HiddenSize != c.H || cfg.NumAttentionHeads != c.A || cfg.IntermediateSize != c.I {
			t.Errorf("%s: L=%d H=%d A=%d I=%d, want %d %d %d %d", c.name, cfg.NumHiddenLayers, cfg.HiddenSize, cfg.NumAttentionHeads, cfg.IntermediateSize, c.L, c.H, c.A, c.I)
		}
		if cfg.VocabSize != 30522 || cfg.MaxPositionEmbeddings != 512 || cfg.TypeVocabSize != 2 || cfg.HeadDim()*c.A != c.H {
			t.Errorf("%s: vocab %d, positions %d, types %d, head dim %d", c.name, cfg.VocabSize, cfg.MaxPositionEmbeddings, cfg.TypeVocabSize, cfg.HeadDim())
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		want := baseParams(30522, 512, 2, c.L, c.H, c.I)
		if got := cfg.NumParams(gorbert.TaskBase); got != want {
			t.Errorf("%s: NumParams(base) = %d, want %d", c.name, got, want)
		}
		// Heads on top of the encoder: MLM transform + decoder bias (tied decoder), NSP, classifier.
		mlm := c.H*c.H + c.H + 2*c.H + 30522
		if got := cfg.NumParams(gorbert.TaskPretraining); got != want+mlm+2*c.H+2 {
			t.Errorf("%s: NumParams(pretraining) = %d, want %d", c.name, got, want+mlm+2*c.H+2)
		}
		if got := cfg.NumParams(gorbert.TaskQA); got != want-(c.H*c.H+c.H)+2*c.H+2 {
			t.Errorf("%s: NumParams(qa) = %d, want %d", c.name, got, want-(c.H*c.H+c.H)+2*c.H+2)
		}
	}
	for name, want := range map[string][2]int{"base": {109482240, 109_500_000}, "large": {335141888, 335_000_000}} {
		cfg, _ := gorbert.Named(name, 0)
		got := cfg.NumParams(gorbert.TaskBase)
		if got != want[0] || got < want[1]-500_000 || got > want[1]+500_000 {
			t.Errorf("%s: %d parameters, want %d (≈ %d)", name, got, want[0], want[1])
		}
	}
	if gorbert.Base().NumHiddenLayers != 12 || gorbert.Large().HiddenSize != 1024 || gorbert.Tiny().NumAttentionHeads != 2 || gorbert.Mini().HiddenSize != 256 {
		t.Error("Base/Large/Tiny/Mini disagree with Named")
	}
	if c, err := gorbert.Named("small", 8000); err != nil || c.VocabSize != 8000 {
		t.Errorf("vocab override: %d, %v", c.VocabSize, err)
	}
	if _, err := gorbert.Named("huge", 0); err == nil || !strings.Contains(err.Error(), `unknown model size "huge"`) {
		t.Errorf("Named(huge): %v", err)
	}
	if !slices.Equal(gorbert.SizeNames(), []string{"tiny", "mini", "small", "medium", "base", "large"}) {
		t.Errorf("SizeNames %v", gorbert.SizeNames())
	}
}

func TestValidate(t *testing.T) {
	no := false
	for _, c := range []struct {
		name string
		edit func(*gorbert.Config)
		want string // "" = valid
	}{
		{"default", func(*gorbert.Config) {}, ""},
		{"gelu_new", func(c *gorbert.Config) { c.HiddenAct = "gelu_new" }, ""},
		{"gelu_pytorch_tanh", func(c *gorbert.Config) { c.HiddenAct = "gelu_pytorch_tanh" }, ""},
		{"relu", func(c *gorbert.Config) { c.HiddenAct = "relu" }, ""},
		{"no position type", func(c *gorbert.Config) { c.PositionEmbeddingType = "" }, ""},
		{"no model type", func(c *gorbert.Config) { c.ModelType = "" }, ""},
		{"labels", func(c *gorbert.Config) { c.SetLabels([]string{"neg", "pos", "neutral"}) }, ""},
		{"zero vocab", func(c *gorbert.Config) { c.VocabSize = 0 }, "vocab_size must be positive, got 0"},
		{"negative hidden", func(c *gorbert.Config) { c.HiddenSize = -768 }, "hidden_size must be positive, got -768"},
		{"no layers", func(c *gorbert.Config) { c.NumHiddenLayers = 0 }, "num_hidden_layers must be positive, got 0"},
		{"no heads", func(c *gorbert.Config) { c.NumAttentionHeads = 0 }, "num_attention_heads must be positive, got 0"},
		{"negative intermediate", func(c *gorbert.Config) { c.IntermediateSize = -1 }, "intermediate_size must be positive, got -1"},
		{"no positions", func(c *gorbert.Config) { c.MaxPositionEmbeddings = 0 }, "max_position_embeddings must be positive, got 0"},
		{"no types", func(c *gorbert.Config) { c.TypeVocabSize = 0 }, "type_vocab_size must be positive, got 0"},
		{"heads do not divide", func(c *gorbert.Config) { c.HiddenSize, c.NumAttentionHeads = 30, 4 }, "hidden_size 30 is not a multiple of num_attention_heads 4"},
		{"unknown act", func(c *gorbert.Config) { c.HiddenAct = "swish" }, `hidden_act "swish" is not supported`},
		{"empty act", func(c *gorbert.Config) { c.HiddenAct = "" }, `hidden_act "" is not supported`},
		{"zero eps", func(c *gorbert.Config) { c.LayerNormEps = 0 }, "layer_norm_eps must be positive, got 0"},
		{"dropout 1", func(c *gorbert.Config) { c.HiddenDropoutProb = 1 }, "hidden_dropout_prob must be in [0, 1), got 1"},
		{"negative attention dropout", func(c *gorbert.Config) { c.AttentionDropoutProb = -0.1 }, "attention_probs_dropout_prob must be in [0, 1), got -0.1"},
		{"pad past vocab", func(c *gorbert.Config) { c.PadTokenID = 30522 }, "pad_token_id 30522 is outside the vocabulary (size 30522)"},
		{"negative pad", func(c *gorbert.Config) { c.PadTokenID = -1 }, "pad_token_id -1 is outside the vocabulary"},
		{"relative positions", func(c *gorbert.Config) { c.PositionEmbeddingType = "relative_key" }, `position_embedding_type "relative_key" is not supported`},
		{"not bert", func(c *gorbert.Config) { c.ModelType = "roberta" }, `model_type "roberta" is not bert`},
		{"untied", func(c *gorbert.Config) { c.TieWordEmbeddings = &no }, "tie_word_embeddings=false is not supported"},
		{"label gap", func(c *gorbert.Config) { c.ID2Label = map[string]string{"0": "a", "2": "c"} }, "id2label has 2 entries but no id 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := gorbert.Default()
			c.edit(&cfg)
			err := cfg.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case c.want != "" && err == nil:
				t.Errorf("no error, want %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Errorf("error %q, want %q", err, c.want)
			}
		})
	}
}

// TestNumLabelsField: transformers 4 wrote num_labels instead of (or besides)
// id2label; it is honoured when id2label is absent and kept on save.
func TestNumLabelsField(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) gorbert.Config {
		t.Helper()
		p := filepath.Join(dir, "config.json")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := gorbert.LoadConfig(p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := write(`{"architectures": ["BertForSequenceClassification"], "num_labels": 4, "vocab_size": 100}`)
	if c.NumLabels() != 4 || !slices.Equal(c.Labels(), []string{"LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"}) {
		t.Errorf("num_labels 4: NumLabels %d, labels %v", c.NumLabels(), c.Labels())
	}
	if c.Label2ID["LABEL_3"] != 3 || c.VocabSize != 100 || c.HiddenSize != 768 {
		t.Errorf("label2id %v, vocab %d, hidden %d", c.Label2ID, c.VocabSize, c.HiddenSize)
	}
	out := filepath.Join(dir, "saved.json")
	if err := c.Save(out); err != nil {
		t.Fatal(err)
	}
	saved := readJSONMap(t, out)
	if saved["num_labels"] != 4.0 || len(saved["id2label"].(map[string]any)) != 4 {
		t.Errorf("saved num_labels %v, id2label %v", saved["num_labels"], saved["id2label"])
	}
	// id2label wins over num_labels.
	c = write(`{"num_labels": 5, "id2label": {"0": "O", "1": "B-PER", "2": "I-PER"}}`)
	if c.NumLabels() != 3 || c.Labels()[1] != "B-PER" {
		t.Errorf("id2label with num_labels 5: NumLabels %d, labels %v", c.NumLabels(), c.Labels())
	}
	// Without either, HuggingFace's default of 2.
	c = write(`{}`)
	if c.NumLabels() != 2 || !slices.Equal(c.Labels(), []string{"LABEL_0", "LABEL_1"}) {
		t.Errorf("default: NumLabels %d, labels %v", c.NumLabels(), c.Labels())
	}
	if !reflect.DeepEqual(withoutExtra(c), withoutExtra(gorbert.Default())) {
		t.Errorf("{} is not the default config:\n%+v", c)
	}
}

func withoutExtra(c gorbert.Config) gorbert.Config {
	c.Extra = nil
	c.PositionEmbeddingType = ""
	return c
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, body, want string }{
		{"empty", "", "empty file"},
		{"blank", "\n\t ", "empty file"},
		{"malformed", `{"vocab_size": 10,}`, "malformed config"},
		{"array", `[1]`, "malformed config"},
		{"wrong type", `{"num_hidden_layers": "two"}`, "malformed config"},
		{"invalid", `{"hidden_size": 30, "num_attention_heads": 4}`, "hidden_size 30 is not a multiple of num_attention_heads 4"},
	} {
		p := filepath.Join(dir, c.name+".json")
		if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := gorbert.LoadConfig(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want %q naming the file", c.name, err, c.want)
		}
	}
	if _, err := gorbert.LoadConfig(filepath.Join(dir, "absent.json")); err == nil {
		t.Error("absent file: no error")
	}
}

func ExampleNamed() {
	for _, name := range []string{"tiny", "base", "large"} {
		c, err := gorbert.Named(name, 0)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-5s L=%-2d H=%-4d A=%-2d I=%-4d %.1fM parameters\n", name,
			c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize,
			float64(c.NumParams(gorbert.TaskBase))/1e6)
	}
	// Output:
	// tiny  L=2  H=128  A=2  I=512  4.4M parameters
	// base  L=12 H=768  A=12 I=3072 109.5M parameters
	// large L=24 H=1024 A=16 I=4096 335.1M parameters
}
