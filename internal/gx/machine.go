package gx

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Machine runs a compiled graph. It wraps Gorgonia's TapeMachine (the
// LispMachine's backward pass is wrong for several ops) and always resets
// before running: a second RunAll without Reset silently does nothing (B9).
type Machine struct {
	vm G.VM
}

// Compile compiles g. Gradients of the nodes in accumulate are added into
// their dual values on every run (gradient accumulation) until ZeroGrads.
func Compile(g *Graph, accumulate ...*Node) *Machine {
	var opts []G.VMOpt
	if len(accumulate) > 0 {
		opts = append(opts, G.BindDualValues(accumulate...))
	}
	return &Machine{vm: G.NewTapeMachine(g, opts...)}
}

// Run evaluates the graph once with the inputs' current values.
func (m *Machine) Run() error {
	m.vm.Reset()
	if err := m.vm.RunAll(); err != nil {
		return fmt.Errorf("run graph: %w", err)
	}
	return nil
}

// Close releases the machine.
func (m *Machine) Close() error { return m.vm.Close() }

// Value returns a node's value after Run as a dense tensor (scalars become
// 0-d tensors).
func Value(n *Node) (*tensor.Dense, error) {
	switch v := n.Value().(type) {
	case *tensor.Dense:
		return v, nil
	case nil:
		return nil, fmt.Errorf("node %s has no value (was the graph run?)", n.Name())
	default:
		f, err := scalarValue(v)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.Name(), err)
		}
		if v.Dtype() == tensor.Float32 {
			return tensor.New(tensor.FromScalar(float32(f))), nil
		}
		return tensor.New(tensor.FromScalar(f)), nil
	}
}

// ScalarOf returns a scalar node's value after Run.
func ScalarOf(n *Node) (float64, error) {
	if n.Value() == nil {
		return 0, fmt.Errorf("node %s has no value (was the graph run?)", n.Name())
	}
	return scalarValue(n.Value())
}

// GradOf returns the gradient accumulated for a node bound with Compile's
// accumulate list.
func GradOf(n *Node) (*tensor.Dense, error) {
	g, err := n.Grad()
	if err != nil {
		return nil, fmt.Errorf("gradient of %s: %w", n.Name(), err)
	}
	d, ok := g.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("gradient of %s is %T", n.Name(), g)
	}
	return d, nil
}

// SumAll sums every element of x into a scalar.
func (b *Builder) SumAll(x *Node) *Node {
	if !b.ok(x) {
		return nil
	}
	n, err := G.Sum(x)
	if !b.check("sum", err) {
		return nil
	}
	return n
}
