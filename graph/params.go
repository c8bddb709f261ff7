package graph

import (
	"fmt"
	"math/rand"
	"slices"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/checkpoint"
	"gorgonia.org/tensor"
)

// Params are a model's weights: float32 tensors under canonical HuggingFace
// names (see gorbert.Config.ParamSpecs). Graphs read them in place.
type Params struct {
	Config  gorbert.Config
	Task    gorbert.Task
	Tensors map[string]*tensor.Dense
}

// FromCheckpoint wraps a loaded checkpoint's weights without copying them.
// Parameters the checkpoint lacks (fresh heads after LoadFor) are
// initialised as HuggingFace does, from rng.
func FromCheckpoint(m *checkpoint.Model, rng *rand.Rand) (*Params, error) {
	p := &Params{Config: m.Config, Task: m.Task, Tensors: map[string]*tensor.Dense{}}
	for _, s := range m.Config.ParamSpecs(m.Task) {
		t, ok := m.Weights[s.Name]
		if !ok {
			if !slices.Contains(m.Missing, s.Name) {
				return nil, fmt.Errorf("checkpoint has no tensor %q", s.Name)
			}
			p.Tensors[s.Name] = initTensor(s, m.Config, rng)
			continue
		}
		p.Tensors[s.Name] = tensor.New(tensor.WithShape(t.Shape...), tensor.WithBacking(t.Data))
	}
	return p, nil
}

// Init creates fresh weights as HuggingFace's BertPreTrainedModel._init_weights
// does: dense and embedding weights ~ N(0, initializer_range), biases 0,
// LayerNorm weights 1 and biases 0, the padding row of the word embeddings 0.
func Init(cfg gorbert.Config, task gorbert.Task, rng *rand.Rand) *Params {
	p := &Params{Config: cfg, Task: task, Tensors: map[string]*tensor.Dense{}}
	for _, s := range cfg.ParamSpecs(task) {
		p.Tensors[s.Name] = initTensor(s, cfg, rng)
	}
	return p
}

func initTensor(s gorbert.ParamSpec, cfg gorbert.Config, rng *rand.Rand) *tensor.Dense {
	data := make([]float32, checkpoint.NumElements(s.Shape))
	switch {
	case hasSuffix(s.Name, "LayerNorm.weight"):
		for i := range data {
			data[i] = 1
		}
	case len(s.Shape) == 2: // dense kernels and embedding tables
		for i := range data {
			data[i] = float32(rng.NormFloat64() * cfg.InitializerRange)
		}
		if s.Name == "bert.embeddings.word_embeddings.weight" {
			h := s.Shape[1]
			clear(data[cfg.PadTokenID*h : (cfg.PadTokenID+1)*h])
		}
	}
	return tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(data))
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// Names lists the parameters in HuggingFace's module order.
func (p *Params) Names() []string {
	specs := p.Config.ParamSpecs(p.Task)
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return names
}

// Data returns a parameter's live float32 backing array.
func (p *Params) Data(name string) []float32 { return p.Tensors[name].Data().([]float32) }

// Weights views the tensors as checkpoint tensors (no copy), for saving.
func (p *Params) Weights() map[string]checkpoint.Tensor {
	out := make(map[string]checkpoint.Tensor, len(p.Tensors))
	for n, t := range p.Tensors {
		out[n] = checkpoint.Tensor{Shape: []int(t.Shape().Clone()), Data: t.Data().([]float32)}
	}
	return out
}

// Save writes the weights as a HuggingFace folder (see checkpoint.Save).
func (p *Params) Save(dir, vocab string) error {
	return checkpoint.Save(dir, p.Config, p.Task, p.Weights(), vocab)
}

// Load reads a HuggingFace folder for its own task.
func Load(dir string) (*Params, *checkpoint.Model, error) {
	m, err := checkpoint.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	p, err := FromCheckpoint(m, nil)
	return p, m, err
}

// Clone copies the weights into new tensors (the copy shares nothing).
func (p *Params) Clone() *Params {
	q := &Params{Config: p.Config, Task: p.Task, Tensors: make(map[string]*tensor.Dense, len(p.Tensors))}
	for n, t := range p.Tensors {
		q.Tensors[n] = t.Clone().(*tensor.Dense)
	}
	return q
}
