package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/internal/atomicfile"
)

// File names of a HuggingFace model folder.
const (
	ConfigFile  = "config.json"
	WeightsFile = "model.safetensors"
	VocabFile   = "vocab.txt"
)

// Model is a checkpoint in memory: its configuration, its task, and its
// weights under canonical HuggingFace names ("bert." prefix, LayerNorm
// weight/bias, decoder bias as cls.predictions.bias, tied decoder absent).
type Model struct {
	Config  gorbert.Config
	Task    gorbert.Task
	Weights map[string]Tensor
	// Vocab is the path of the folder's vocab.txt, or "" when it has none.
	Vocab string
	// Missing lists the parameters of Task that the checkpoint did not have
	// (only after LoadFor with another task: fresh heads to initialise).
	Missing []string
}

// Load reads a HuggingFace BERT folder for the task its config.json names
// (architectures[0]; BertModel when absent). Every parameter must be present
// with the right shape and nothing unexpected may be there.
func Load(dir string) (*Model, error) {
	return load(dir, "")
}

// LoadFor reads a folder for another task, as from_pretrained does when
// fine-tuning: the encoder must be complete; the checkpoint's own heads that
// the task does not use are dropped, and the task's parameters the folder
// lacks are listed in Missing for the caller to initialise.
func LoadFor(dir string, task gorbert.Task) (*Model, error) {
	return load(dir, task)
}

func load(dir string, want gorbert.Task) (*Model, error) {
	cfgPath := filepath.Join(dir, ConfigFile)
	cfg, err := gorbert.LoadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	have := gorbert.TaskBase
	if len(cfg.Architectures) > 0 {
		if have, err = gorbert.TaskOf(cfg.Architectures[0]); err != nil {
			return nil, fmt.Errorf("%s: %w", cfgPath, err)
		}
	}
	wPath := filepath.Join(dir, WeightsFile)
	if _, err := os.Stat(wPath); errors.Is(err, os.ErrNotExist) {
		if _, err2 := os.Stat(filepath.Join(dir, "pytorch_model.bin")); err2 == nil {
			return nil, fmt.Errorf("%s: only model.safetensors is supported; convert pytorch_model.bin with save_pretrained(safe_serialization=True)", dir)
		}
		return nil, fmt.Errorf("%s: no %s", dir, WeightsFile)
	}
	raw, _, _, err := ReadSafetensors(wPath)
	if err != nil {
		return nil, err
	}
	weights, err := canonicalize(wPath, raw)
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Task: have, Weights: weights}
	if err := checkAgainst(wPath, cfg, have, weights); err != nil {
		return nil, err
	}
	if want != "" && want != have {
		m.retarget(want)
	}
	if _, err := os.Stat(filepath.Join(dir, VocabFile)); err == nil {
		m.Vocab = filepath.Join(dir, VocabFile)
	}
	return m, nil
}

// canonicalize maps the names real checkpoints use onto canonical ones.
func canonicalize(path string, raw map[string]Tensor) (map[string]Tensor, error) {
	out := map[string]Tensor{}
	var decoder *Tensor
	for name, t := range raw {
		n := name
		for _, p := range []string{"embeddings.", "encoder.", "pooler."} {
			if strings.HasPrefix(n, p) { // a bare BertModel checkpoint
				n = "bert." + n
			}
		}
		n = strings.Replace(n, "LayerNorm.gamma", "LayerNorm.weight", 1)
		n = strings.Replace(n, "LayerNorm.beta", "LayerNorm.bias", 1)
		switch n {
		case "cls.predictions.decoder.weight":
			t := t
			decoder = &t
			continue
		case "cls.predictions.decoder.bias":
			n = "cls.predictions.bias"
		}
		if prev, dup := out[n]; dup {
			if !equal(prev, t) {
				return nil, fmt.Errorf("%s: tensor %q is stored twice (as %q too) with different values", path, n, name)
			}
			continue
		}
		out[n] = t
	}
	if decoder != nil {
		word, ok := out["bert.embeddings.word_embeddings.weight"]
		if ok && !equal(word, *decoder) {
			return nil, fmt.Errorf("%s: cls.predictions.decoder.weight differs from the word embeddings; untied decoders are not supported", path)
		}
	}
	return out, nil
}

func equal(a, b Tensor) bool {
	return slices.Equal(a.Shape, b.Shape) && slices.Equal(a.Data, b.Data)
}

// checkAgainst verifies that weights are exactly the task's parameters.
func checkAgainst(path string, cfg gorbert.Config, task gorbert.Task, weights map[string]Tensor) error {
	specs := cfg.ParamSpecs(task)
	known := map[string]bool{}
	for _, s := range specs {
		known[s.Name] = true
		t, ok := weights[s.Name]
		if !ok {
			return fmt.Errorf("%s: missing tensor %q (shape %v) for %s", path, s.Name, s.Shape, task.Architecture())
		}
		if !slices.Equal(t.Shape, s.Shape) {
			return fmt.Errorf("%s: tensor %q has shape %v, config.json implies %v", path, s.Name, t.Shape, s.Shape)
		}
	}
	var extra []string
	for n := range weights {
		if !known[n] {
			extra = append(extra, n)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("%s: unexpected tensor %q (not a parameter of %s)", path, extra[0], task.Architecture())
	}
	return nil
}

// retarget keeps what the new task uses and lists what it lacks.
func (m *Model) retarget(task gorbert.Task) {
	kept := map[string]Tensor{}
	for _, s := range m.Config.ParamSpecs(task) {
		if t, ok := m.Weights[s.Name]; ok && slices.Equal(t.Shape, s.Shape) {
			kept[s.Name] = t
		} else {
			m.Missing = append(m.Missing, s.Name)
		}
	}
	m.Weights, m.Task = kept, task
}

// Save writes a folder HuggingFace's from_pretrained loads: config.json with
// architectures and model_type, model.safetensors under the names
// save_pretrained uses (no "bert." prefix for a bare BertModel), and a copy
// of the vocab when vocab is not empty. Each file is written atomically.
func Save(dir string, cfg gorbert.Config, task gorbert.Task, weights map[string]Tensor, vocab string) error {
	if err := checkAgainst(filepath.Join(dir, WeightsFile), cfg, task, weights); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg.Architectures = []string{task.Architecture()}
	cfg.ModelType = "bert"
	tied := true
	cfg.TieWordEmbeddings = &tied
	out := make(map[string]Tensor, len(weights))
	for n, t := range weights {
		if task == gorbert.TaskBase {
			n = strings.TrimPrefix(n, "bert.")
		}
		out[n] = t
	}
	// safetensors' PyTorch loader insists on format metadata.
	if err := WriteSafetensors(filepath.Join(dir, WeightsFile), out, map[string]string{"format": "pt"}); err != nil {
		return err
	}
	if vocab != "" && filepath.Clean(vocab) != filepath.Clean(filepath.Join(dir, VocabFile)) {
		data, err := os.ReadFile(vocab)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(filepath.Join(dir, VocabFile), data); err != nil {
			return err
		}
	}
	return cfg.Save(filepath.Join(dir, ConfigFile))
}
