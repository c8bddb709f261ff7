package graph

import (
	"fmt"
	"sync"

	"github.com/gorbert/gorbert/checkpoint"
)

// Model is the inference entry point: weights plus one compiled inference
// graph per (batch, seq) shape, built on first use and reused after.
// A Model serialises its runs (a Gorgonia graph holds its values on its
// nodes); use one Model per goroutine, sharing Params, to run in parallel.
type Model struct {
	Params *Params
	mu     sync.Mutex
	nets   map[[2]int]*Net
}

// NewModel wraps weights for inference.
func NewModel(p *Params) *Model { return &Model{Params: p, nets: map[[2]int]*Net{}} }

// LoadModel reads a HuggingFace folder for inference.
func LoadModel(dir string) (*Model, error) {
	p, _, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return NewModel(p), nil
}

// Forward runs the batch and returns the named outputs (all of them when
// names is empty) in HuggingFace's shapes.
func (m *Model) Forward(b Batch, names ...string) (map[string]checkpoint.Tensor, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [2]int{b.Size, b.SeqLen}
	net, ok := m.nets[key]
	if !ok {
		var err error
		if net, err = Build(m.Params, Options{Batch: b.Size, Seq: b.SeqLen}); err != nil {
			return nil, err
		}
		m.nets[key] = net
	}
	if err := net.Run(b, nil); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		names = net.OutputNames()
	}
	out := make(map[string]checkpoint.Tensor, len(names))
	for _, name := range names {
		t, err := net.Output(name)
		if err != nil {
			return nil, fmt.Errorf("forward: %w", err)
		}
		out[name] = t
	}
	return out, nil
}

// Close releases every compiled graph.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, n := range m.nets {
		n.Close()
		delete(m.nets, k)
	}
	return nil
}
