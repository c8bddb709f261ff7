package gx

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"
)

// DropoutMask is an input node that holds a dropout mask: each element is 0
// with probability P and 1/(1-P) otherwise (inverted dropout, as PyTorch).
type DropoutMask struct {
	Node *Node
	P    float64
}

// Dropout is x ⊙ mask, where mask is a new input of x's shape that the
// trainer fills before every step with FillDropout. Gorgonia's own Dropout
// has a wrong gradient, a clock-seeded RNG and a train flag shared by every
// machine on the graph (B4, B11); here the inference graph simply has none.
func (b *Builder) Dropout(x *Node, p float64) *Node {
	if !b.ok(x) {
		return nil
	}
	if p < 0 || p >= 1 {
		b.Fail("dropout probability %g is outside [0, 1)", p)
		return nil
	}
	mask := b.Input(fmt.Sprintf("dropout_mask.%d", len(b.dropout)), x.Shape()...)
	b.dropout = append(b.dropout, DropoutMask{Node: mask, P: p})
	return b.Mul(x, mask)
}

// DropoutMasks lists the masks the graph needs, in creation order.
func (b *Builder) DropoutMasks() []DropoutMask { return b.dropout }

// FillDropout draws fresh masks from rng (one draw per element, in order, so a
// seed reproduces a run exactly). The masks' backing arrays are reused.
func FillDropout(rng *rand.Rand, masks []DropoutMask) error {
	for _, m := range masks {
		t, ok := m.Node.Value().(*tensor.Dense)
		if !ok || t == nil {
			t = tensor.New(tensor.Of(m.Node.Dtype()), tensor.WithShape(m.Node.Shape().Clone()...))
		}
		keep := 1 / (1 - m.P)
		switch d := t.Data().(type) {
		case []float32:
			for i := range d {
				d[i] = 0
				if rng.Float64() >= m.P {
					d[i] = float32(keep)
				}
			}
		case []float64:
			for i := range d {
				d[i] = 0
				if rng.Float64() >= m.P {
					d[i] = keep
				}
			}
		}
		if err := Let(m.Node, t); err != nil {
			return err
		}
	}
	return nil
}
