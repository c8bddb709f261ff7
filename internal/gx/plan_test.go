package gx

import (
	"math/rand"
	"testing"

	"gorgonia.org/tensor"
)

// buildPlanGraph is a two-layer stack of the ops a BERT layer uses, with
// residual adds (Gorgonia's op) in between, as float32.
func buildPlanGraph(t *testing.T, rng *rand.Rand) (*Builder, *Node, *Node, Nodes, Nodes) {
	const batch, seq, heads, hidden = 2, 4, 2, 8
	b := NewBuilder(tensor.Float32)
	randT := func(shape ...int) *tensor.Dense {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	x := b.Input("x", batch*seq, hidden)
	mask := b.Input("mask", batch, seq)
	h := x
	var probs, hiddens Nodes
	for l := 0; l < 2; l++ {
		p := func(name string, shape ...int) *Node { return b.Param(name+string(rune('0'+l)), randT(shape...)) }
		q := b.Linear(h, p("wq", hidden, hidden), p("bq", hidden))
		k := b.Linear(h, p("wk", hidden, hidden), p("bk", hidden))
		v := b.Linear(h, p("wv", hidden, hidden), p("bv", hidden))
		pr := b.MaskedSoftmax(b.AttentionScores(q, k, batch, seq, heads, 0.5), mask)
		ctx := b.AttentionContext(pr, v, batch, seq, heads)
		a := b.LayerNorm(b.Add(b.Linear(ctx, p("wo", hidden, hidden), p("bo", hidden)), h), p("g1", hidden), p("b1", hidden), 1e-12)
		f := b.Activation(b.Linear(a, p("wi", 3*hidden, hidden), p("bi", 3*hidden)), GELU)
		h = b.LayerNorm(b.Add(b.Linear(f, p("wf", hidden, 3*hidden), p("bf", hidden)), a), p("g2", hidden), p("b2", hidden), 1e-12)
		probs = append(probs, pr)
		hiddens = append(hiddens, h)
	}
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	return b, x, mask, probs, hiddens
}

func TestPlannedBuffersKeepResults(t *testing.T) {
	run := func(plan bool) [][]float32 {
		rng := rand.New(rand.NewSource(3))
		b, x, mask, probs, hiddens := buildPlanGraph(t, rng)
		keep := append(append(Nodes{}, probs...), hiddens...)
		var m *Machine
		if plan {
			m = CompileKeeping(b.Graph(), keep)
		} else {
			m = Compile(b.Graph())
		}
		defer m.Close()
		var out [][]float32
		for r := 0; r < 3; r++ { // new inputs each run: stale buffers must not leak through
			xv := make([]float32, 8*8)
			for i := range xv {
				xv[i] = float32(rng.NormFloat64())
			}
			mv := []float32{1, 1, 1, 0, 1, 1, 1, 1}
			if err := Let(x, tensor.New(tensor.WithShape(8, 8), tensor.WithBacking(xv))); err != nil {
				t.Fatal(err)
			}
			if err := Let(mask, tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(mv))); err != nil {
				t.Fatal(err)
			}
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
			for _, n := range keep {
				v, err := Value(n)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, append([]float32(nil), v.Data().([]float32)...))
			}
		}
		return out
	}
	want, got := run(false), run(true)
	for i := range want {
		for j := range want[i] {
			if want[i][j] != got[i][j] {
				t.Fatalf("kept value %d[%d]: planned %g, unplanned %g", i, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestPlanSharesBuffers(t *testing.T) {
	b, _, _, probs, hiddens := buildPlanGraph(t, rand.New(rand.NewSource(3)))
	planBuffers(b.Graph(), append(append(Nodes{}, probs...), hiddens...))
	ops, distinct := 0, map[*float32]bool{}
	for _, n := range b.Graph().AllNodes() {
		if op, ok := n.Op().(*kernelOp); ok && op.buf != nil {
			ops++
			distinct[&op.buf.Data().([]float32)[0]] = true
		}
	}
	if ops == 0 || len(distinct) >= ops {
		t.Fatalf("%d planned ops share %d buffers: nothing shared", ops, len(distinct))
	}
	t.Logf("%d planned ops on %d buffers", ops, len(distinct))
}
