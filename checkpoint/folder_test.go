package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorbert/gorbert"
)

func folderTestConfig() gorbert.Config {
	c := gorbert.Default()
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 20, 8, 1, 2, 16
	c.MaxPositionEmbeddings = 16
	return c
}

// folderTestWeights fills every parameter of the task with distinct values
// k/256, exactly representable in F16 and BF16.
func folderTestWeights(cfg gorbert.Config, task gorbert.Task) map[string]Tensor {
	w := map[string]Tensor{}
	k := 0
	for _, s := range cfg.ParamSpecs(task) {
		d := make([]float32, NumElements(s.Shape))
		for i := range d {
			d[i] = float32(k%255-127) / 256
			k++
		}
		w[s.Name] = Tensor{Shape: slices.Clone(s.Shape), Data: d}
	}
	return w
}

// writeFolder writes config.json (architectures set from task unless task is
// "") and model.safetensors.
func writeFolder(t *testing.T, dir string, cfg gorbert.Config, task gorbert.Task, weights map[string]Tensor) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg.Architectures = nil
	if task != "" {
		cfg.Architectures = []string{task.Architecture()}
	}
	if err := cfg.Save(filepath.Join(dir, ConfigFile)); err != nil {
		t.Fatal(err)
	}
	if err := WriteSafetensors(filepath.Join(dir, WeightsFile), weights, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
}

// editConfig rewrites one field of a folder's config.json (nil deletes it).
func editConfig(t *testing.T, dir, key string, value any) {
	t.Helper()
	p := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if value == nil {
		delete(m, key)
	} else {
		m[key] = value
	}
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sameWeights(t *testing.T, got, want map[string]Tensor) {
	t.Helper()
	gk, wk := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))
	if !slices.Equal(gk, wk) {
		t.Fatalf("weights %v,\nwant %v", gk, wk)
	}
	for n, w := range want {
		if !equal(got[n], w) {
			t.Errorf("%s differs", n)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	cfg := folderTestConfig()
	const task = gorbert.TaskPretraining
	key := "bert.encoder.layer.0.attention.self.key.bias"
	for _, c := range []struct {
		name  string
		edit  func(t *testing.T, dir string, w map[string]Tensor) // w: the weights to write; edits after writing go to dir
		after func(t *testing.T, dir string)
		want  []string
	}{
		{name: "missing config", after: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, ConfigFile)) },
			want: []string{"config.json", "no such file"}},
		{name: "empty config", after: func(t *testing.T, dir string) { os.WriteFile(filepath.Join(dir, ConfigFile), []byte(" \n"), 0o644) },
			want: []string{"config.json", "empty file"}},
		{name: "malformed config", after: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"hidden_size": 8,`), 0o644)
		}, want: []string{"config.json", "malformed config"}},
		{name: "config of the wrong type", after: func(t *testing.T, dir string) { editConfig(t, dir, "hidden_size", "eight") },
			want: []string{"config.json", "malformed config", "hidden_size"}},
		{name: "heads do not divide hidden", after: func(t *testing.T, dir string) {
			editConfig(t, dir, "hidden_size", 30)
			editConfig(t, dir, "num_attention_heads", 4)
		}, want: []string{"config.json", "hidden_size 30 is not a multiple of num_attention_heads 4"}},
		{name: "unknown hidden_act", after: func(t *testing.T, dir string) { editConfig(t, dir, "hidden_act", "swish") },
			want: []string{"config.json", `hidden_act "swish" is not supported`}},
		{name: "pad id out of range", after: func(t *testing.T, dir string) { editConfig(t, dir, "pad_token_id", 20) },
			want: []string{"config.json", "pad_token_id 20 is outside the vocabulary (size 20)"}},
		{name: "negative pad id", after: func(t *testing.T, dir string) { editConfig(t, dir, "pad_token_id", -1) },
			want: []string{"config.json", "pad_token_id -1"}},
		{name: "negative layers", after: func(t *testing.T, dir string) { editConfig(t, dir, "num_hidden_layers", -1) },
			want: []string{"config.json", "num_hidden_layers must be positive, got -1"}},
		{name: "negative intermediate", after: func(t *testing.T, dir string) { editConfig(t, dir, "intermediate_size", -5) },
			want: []string{"config.json", "intermediate_size must be positive, got -5"}},
		{name: "zero vocab", after: func(t *testing.T, dir string) { editConfig(t, dir, "vocab_size", 0) },
			want: []string{"config.json", "vocab_size must be positive, got 0"}},
		{name: "unknown architecture", after: func(t *testing.T, dir string) {
			editConfig(t, dir, "architectures", []string{"BertForMultipleChoice"})
		}, want: []string{"config.json", `architecture "BertForMultipleChoice" is not supported`}},
		{name: "missing weights", after: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, WeightsFile)) },
			want: []string{"no model.safetensors"}},
		{name: "pytorch weights only", after: func(t *testing.T, dir string) {
			os.Rename(filepath.Join(dir, WeightsFile), filepath.Join(dir, "pytorch_model.bin"))
		}, want: []string{"only model.safetensors is supported", "pytorch_model.bin"}},
		{name: "truncated weights", after: func(t *testing.T, dir string) {
			p := filepath.Join(dir, WeightsFile)
			st, _ := os.Stat(p)
			os.Truncate(p, st.Size()-3)
		}, want: []string{"model.safetensors", "truncated"}},
		{name: "missing tensor", edit: func(t *testing.T, dir string, w map[string]Tensor) { delete(w, key) },
			want: []string{"model.safetensors", `missing tensor "` + key + `"`, "(shape [8])", "BertForPreTraining"}},
		{name: "missing head", edit: func(t *testing.T, dir string, w map[string]Tensor) { delete(w, "cls.seq_relationship.weight") },
			want: []string{"model.safetensors", `missing tensor "cls.seq_relationship.weight"`, "(shape [2 8])"}},
		{name: "unexpected tensor", edit: func(t *testing.T, dir string, w map[string]Tensor) {
			w["bert.encoder.layer.1.attention.self.key.bias"] = w[key]
		}, want: []string{"model.safetensors", `unexpected tensor "bert.encoder.layer.1.attention.self.key.bias"`, "BertForPreTraining"}},
		{name: "shape mismatch", edit: func(t *testing.T, dir string, w map[string]Tensor) {
			w["bert.embeddings.word_embeddings.weight"] = Tensor{Shape: []int{21, 8}, Data: make([]float32, 168)}
		}, want: []string{"model.safetensors", `"bert.embeddings.word_embeddings.weight" has shape [21 8], config.json implies [20 8]`}},
		{name: "untied decoder", edit: func(t *testing.T, dir string, w map[string]Tensor) {
			d := slices.Clone(w["bert.embeddings.word_embeddings.weight"].Data)
			d[5] += 1
			w["cls.predictions.decoder.weight"] = Tensor{Shape: []int{20, 8}, Data: d}
		}, want: []string{"model.safetensors", "cls.predictions.decoder.weight differs from the word embeddings"}},
		{name: "twice with different values", edit: func(t *testing.T, dir string, w map[string]Tensor) {
			g := w["bert.embeddings.LayerNorm.weight"]
			g = Tensor{Shape: g.Shape, Data: slices.Clone(g.Data)}
			g.Data[0] = 42
			w["bert.embeddings.LayerNorm.gamma"] = g
		}, want: []string{"model.safetensors", `"bert.embeddings.LayerNorm.weight" is stored twice`, "different values"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			w := folderTestWeights(cfg, task)
			if c.edit != nil {
				c.edit(t, dir, w)
			}
			writeFolder(t, dir, cfg, task, w)
			if c.after != nil {
				c.after(t, dir)
			}
			m, err := Load(dir)
			wantErr(t, err, c.want...)
			if m != nil {
				t.Error("model returned with the error")
			}
			_, err = LoadFor(dir, gorbert.TaskClassify)
			wantErr(t, err, c.want...)
		})
	}
}

func TestLoadCanonicalisesNames(t *testing.T) {
	cfg := folderTestConfig()
	rename := func(w map[string]Tensor, f func(string) string) map[string]Tensor {
		out := map[string]Tensor{}
		for n, t := range w {
			out[f(n)] = t
		}
		return out
	}
	for _, c := range []struct {
		name  string
		task  gorbert.Task // written to config.json ("" = no architectures)
		want  gorbert.Task
		write func(w map[string]Tensor) map[string]Tensor
	}{
		{"canonical", gorbert.TaskPretraining, gorbert.TaskPretraining, func(w map[string]Tensor) map[string]Tensor { return w }},
		{"bare BertModel", gorbert.TaskBase, gorbert.TaskBase, func(w map[string]Tensor) map[string]Tensor {
			return rename(w, func(n string) string { return strings.TrimPrefix(n, "bert.") })
		}},
		{"no architectures", "", gorbert.TaskBase, func(w map[string]Tensor) map[string]Tensor {
			return rename(w, func(n string) string { return strings.TrimPrefix(n, "bert.") })
		}},
		{"legacy gamma and beta", gorbert.TaskPretraining, gorbert.TaskPretraining, func(w map[string]Tensor) map[string]Tensor {
			return rename(w, func(n string) string {
				n = strings.Replace(n, "LayerNorm.weight", "LayerNorm.gamma", 1)
				return strings.Replace(n, "LayerNorm.bias", "LayerNorm.beta", 1)
			})
		}},
		{"bare legacy", gorbert.TaskBase, gorbert.TaskBase, func(w map[string]Tensor) map[string]Tensor {
			return rename(w, func(n string) string {
				return strings.Replace(strings.TrimPrefix(n, "bert."), "LayerNorm.weight", "LayerNorm.gamma", 1)
			})
		}},
		{"decoder bias", gorbert.TaskMLM, gorbert.TaskMLM, func(w map[string]Tensor) map[string]Tensor {
			return rename(w, func(n string) string {
				if n == "cls.predictions.bias" {
					return "cls.predictions.decoder.bias"
				}
				return n
			})
		}},
		{"decoder bias stored twice", gorbert.TaskPretraining, gorbert.TaskPretraining, func(w map[string]Tensor) map[string]Tensor {
			w["cls.predictions.decoder.bias"] = w["cls.predictions.bias"]
			return w
		}},
		{"explicit tied decoder", gorbert.TaskPretraining, gorbert.TaskPretraining, func(w map[string]Tensor) map[string]Tensor {
			e := w["bert.embeddings.word_embeddings.weight"]
			w["cls.predictions.decoder.weight"] = Tensor{Shape: slices.Clone(e.Shape), Data: slices.Clone(e.Data)}
			return w
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			want := folderTestWeights(cfg, c.want)
			writeFolder(t, dir, cfg, c.task, c.write(folderTestWeights(cfg, c.want)))
			m, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.Task != c.want || len(m.Missing) != 0 || m.Vocab != "" {
				t.Errorf("task %s, missing %v, vocab %q; want %s, none, none", m.Task, m.Missing, m.Vocab, c.want)
			}
			sameWeights(t, m.Weights, want)
		})
	}
}

// writeHalfFolder writes model.safetensors with every weight as F16 or BF16
// (plus the integer position_ids buffer old checkpoints carry).
func writeHalfFolder(t *testing.T, dir, dtype string, cfg gorbert.Config, task gorbert.Task, w map[string]Tensor) {
	t.Helper()
	writeFolder(t, dir, cfg, task, map[string]Tensor{})
	half := map[float32]uint16{}
	for h := 0; h < 1<<16; h++ {
		if f := halfToFloat(uint16(h)); h&0x8000 == 0 || f != 0 {
			half[f] = uint16(h)
		}
	}
	names := slices.Sorted(maps.Keys(w))
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var data []byte
	for _, n := range names {
		begin := len(data)
		for _, v := range w[n].Data {
			var h uint16
			if dtype == "BF16" {
				bits := math.Float32bits(v)
				if bits&0xffff != 0 {
					t.Fatalf("%g is not a bfloat16", v)
				}
				h = uint16(bits >> 16)
			} else {
				var ok bool
				if h, ok = half[v]; !ok {
					t.Fatalf("%g is not a float16", v)
				}
			}
			data = binary.LittleEndian.AppendUint16(data, h)
		}
		header[n] = map[string]any{"dtype": dtype, "shape": w[n].Shape, "data_offsets": []int{begin, len(data)}}
	}
	begin := len(data)
	for i := 0; i < cfg.MaxPositionEmbeddings; i++ {
		data = binary.LittleEndian.AppendUint64(data, uint64(i))
	}
	header["bert.embeddings.position_ids"] = map[string]any{"dtype": "I64", "shape": []int{1, cfg.MaxPositionEmbeddings}, "data_offsets": []int{begin, len(data)}}
	hdr, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	writeRawST(t, filepath.Join(dir, WeightsFile), string(hdr), data)
}

func TestLoadHalfPrecisionExactly(t *testing.T) {
	cfg := folderTestConfig()
	for _, dtype := range []string{"F16", "BF16"} {
		t.Run(dtype, func(t *testing.T) {
			dir := t.TempDir()
			want := folderTestWeights(cfg, gorbert.TaskQA)
			writeHalfFolder(t, dir, dtype, cfg, gorbert.TaskQA, want)
			m, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			sameWeights(t, m.Weights, want) // exact: every value is representable
		})
	}
}

func TestLoadForAnotherTask(t *testing.T) {
	cfg := folderTestConfig()
	dir := t.TempDir()
	pre := folderTestWeights(cfg, gorbert.TaskPretraining)
	writeFolder(t, dir, cfg, gorbert.TaskPretraining, pre)
	if err := os.WriteFile(filepath.Join(dir, VocabFile), []byte("[PAD]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		task    gorbert.Task
		missing []string
	}{
		{gorbert.TaskPretraining, nil},
		{gorbert.TaskClassify, []string{"classifier.weight", "classifier.bias"}},
		{gorbert.TaskNER, []string{"classifier.weight", "classifier.bias"}},
		{gorbert.TaskQA, []string{"qa_outputs.weight", "qa_outputs.bias"}},
		{gorbert.TaskMLM, nil},
		{gorbert.TaskBase, nil},
	} {
		t.Run(string(c.task), func(t *testing.T) {
			m, err := LoadFor(dir, c.task)
			if err != nil {
				t.Fatal(err)
			}
			if m.Task != c.task || !slices.Equal(m.Missing, c.missing) {
				t.Errorf("task %s, missing %v; want %s, %v", m.Task, m.Missing, c.task, c.missing)
			}
			if m.Vocab != filepath.Join(dir, VocabFile) {
				t.Errorf("vocab %q", m.Vocab)
			}
			// Kept: exactly the task's parameters the checkpoint has, unchanged.
			want := map[string]Tensor{}
			for _, s := range cfg.ParamSpecs(c.task) {
				if !slices.Contains(c.missing, s.Name) {
					want[s.Name] = pre[s.Name]
				}
			}
			sameWeights(t, m.Weights, want)
			for n := range m.Weights {
				if strings.HasPrefix(n, "cls.") && !c.task.HasMLM() && c.task != gorbert.TaskPretraining {
					t.Errorf("%s kept for %s", n, c.task)
				}
				if strings.HasPrefix(n, "bert.pooler.") && !c.task.HasPooler() {
					t.Errorf("%s kept for %s", n, c.task)
				}
			}
		})
	}
	// A bare encoder fine-tuned for pretraining lacks every head parameter.
	base := t.TempDir()
	writeFolder(t, base, cfg, gorbert.TaskBase, folderTestWeights(cfg, gorbert.TaskBase))
	m, err := LoadFor(base, gorbert.TaskPretraining)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
		"cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias",
		"cls.predictions.bias", "cls.seq_relationship.weight", "cls.seq_relationship.bias"}
	if !slices.Equal(m.Missing, want) {
		t.Errorf("missing %v, want %v", m.Missing, want)
	}
	// A 3-label classifier retargeted to QA drops the classifier and lacks qa_outputs.
	cls := t.TempDir()
	cfg3 := cfg
	cfg3.SetLabels([]string{"a", "b", "c"})
	writeFolder(t, cls, cfg3, gorbert.TaskClassify, folderTestWeights(cfg3, gorbert.TaskClassify))
	if m, err = LoadFor(cls, gorbert.TaskQA); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Weights["classifier.weight"]; ok || !slices.Equal(m.Missing, []string{"qa_outputs.weight", "qa_outputs.bias"}) {
		t.Errorf("classify→qa: missing %v, weights %d", m.Missing, len(m.Weights))
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	cfg := folderTestConfig()
	for _, task := range gorbert.Tasks() {
		t.Run(string(task), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			w := folderTestWeights(cfg, task)
			vocab := filepath.Join(t.TempDir(), "vocab.txt")
			if err := os.WriteFile(vocab, []byte("[PAD]\n[UNK]\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := Save(dir, cfg, task, w, vocab); err != nil {
				t.Fatal(err)
			}
			raw, _, _, err := ReadSafetensors(filepath.Join(dir, WeightsFile))
			if err != nil {
				t.Fatal(err)
			}
			for n := range raw { // save_pretrained: a BertModel's keys have no "bert." prefix, the others' encoder keys do
				prefixed := strings.HasPrefix(n, "bert.")
				bare := strings.HasPrefix(n, "embeddings.") || strings.HasPrefix(n, "encoder.") || strings.HasPrefix(n, "pooler.")
				if task == gorbert.TaskBase && !bare || task != gorbert.TaskBase && bare || prefixed && task == gorbert.TaskBase {
					t.Errorf("saved name %q for %s", n, task)
				}
			}
			m, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.Task != task || m.Vocab == "" {
				t.Errorf("task %s vocab %q", m.Task, m.Vocab)
			}
			sameWeights(t, m.Weights, w)
		})
	}
	w := folderTestWeights(cfg, gorbert.TaskQA)
	delete(w, "qa_outputs.bias")
	err := Save(t.TempDir(), cfg, gorbert.TaskQA, w, "")
	wantErr(t, err, "save", `missing tensor "qa_outputs.bias"`)
}
