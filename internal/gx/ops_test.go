package gx_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/internal/gradcheck"
	"github.com/gorbert/gorbert/internal/gx"
	"gorgonia.org/tensor"
)

func intInput(b *gx.Builder, name string, v []int) *gx.Node {
	n := b.IntInput(name, len(v))
	if n != nil {
		if err := gx.Let(n, tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))); err != nil {
			b.Fail("%v", err)
		}
	}
	return n
}

func floatInput(b *gx.Builder, name string, v []float64, shape ...int) *gx.Node {
	n := b.Input(name, shape...)
	if n != nil {
		if err := gx.Let(n, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))); err != nil {
			b.Fail("%v", err)
		}
	}
	return n
}

func TestGatherGradientSkipsPadding(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	ids := []int{3, 0, 3, 1, 0} // repeated ids accumulate; id 0 is the padding row
	check(t, gradcheck.Case{
		Params: map[string]*tensor.Dense{"table": gradcheck.Rand(rng, 4, 3)},
		Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
			// Row 0's gradient is dropped by the padding rule, so compare
			// against a cost where row 0 is not read at all for gradients:
			// gather twice and subtract the padding rows' contribution.
			return b.Gather(p["table"], intInput(b, "ids", ids), -1)
		},
	})
	// With skip=0 the gradient of row 0 must be exactly zero.
	b := gx.NewBuilder(tensor.Float64)
	table := b.Param("table", gradcheck.Rand(rng, 4, 3))
	out := b.Gather(table, intInput(b, "ids", ids), 0)
	g := b.Grad(b.SumAll(out), table)
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	m := gx.Compile(b.Graph())
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	gv, _ := gx.Value(g[0])
	want := []float64{0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2}
	for i, v := range gv.Data().([]float64) {
		if v != want[i] {
			t.Fatalf("grad = %v, want %v", gv.Data(), want)
		}
	}
}

func TestGatherRejectsOutOfRangeID(t *testing.T) {
	b := gx.NewBuilder(tensor.Float64)
	out := b.Gather(b.Param("bert.embeddings.word_embeddings.weight", gradcheck.Rand(rand.New(rand.NewSource(1)), 4, 3)), intInput(b, "ids", []int{1, 4}), -1)
	_ = out
	m := gx.Compile(b.Graph())
	err := m.Run()
	if err == nil || !strings.Contains(err.Error(), "id 4 at position 1 is outside [0, 4)") {
		t.Fatalf("err = %v", err)
	}
}

func TestAttentionProductsGradient(t *testing.T) {
	const batch, seq, heads, hidden = 2, 3, 2, 4
	rng := rand.New(rand.NewSource(6))
	mask := []float64{1, 1, 0, 1, 1, 1}
	check(t, gradcheck.Case{
		Params: map[string]*tensor.Dense{
			"q": gradcheck.Rand(rng, batch*seq, hidden), "k": gradcheck.Rand(rng, batch*seq, hidden), "v": gradcheck.Rand(rng, batch*seq, hidden),
		},
		Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
			s := b.AttentionScores(p["q"], p["k"], batch, seq, heads, 0.7)
			pr := b.MaskedSoftmax(s, floatInput(b, "mask", mask, batch, seq))
			return b.AttentionContext(pr, p["v"], batch, seq, heads)
		},
	})
}

func TestHeadProductMatchesNaiveAttention(t *testing.T) {
	const batch, seq, heads, hidden = 2, 3, 2, 4
	rng := rand.New(rand.NewSource(8))
	q, k := gradcheck.Rand(rng, batch*seq, hidden), gradcheck.Rand(rng, batch*seq, hidden)
	b := gx.NewBuilder(tensor.Float64)
	s := b.AttentionScores(b.Param("q", q), b.Param("k", k), batch, seq, heads, 0.5)
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	if err := gx.Compile(b.Graph()).Run(); err != nil {
		t.Fatal(err)
	}
	got, _ := gx.Value(s)
	qd, kd, gd := q.Data().([]float64), k.Data().([]float64), got.Data().([]float64)
	d := hidden / heads
	for bi := 0; bi < batch; bi++ {
		for h := 0; h < heads; h++ {
			for i := 0; i < seq; i++ {
				for j := 0; j < seq; j++ {
					var want float64
					for e := 0; e < d; e++ {
						want += qd[(bi*seq+i)*hidden+h*d+e] * kd[(bi*seq+j)*hidden+h*d+e]
					}
					want *= 0.5
					if g := gd[((bi*heads+h)*seq+i)*seq+j]; math.Abs(g-want) > 1e-12 {
						t.Fatalf("scores[%d,%d,%d,%d] = %g, want %g", bi, h, i, j, g, want)
					}
				}
			}
		}
	}
}

func TestSoftmaxStableAndMasked(t *testing.T) {
	// A row whose first element dominates by far: Gorgonia's kernel gives NaN here (B2).
	b := gx.NewBuilder(tensor.Float32)
	x := b.Input("x", 2, 3)
	gx.Let(x, tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0, 0, 0, 200, 0, 0})))
	p := b.Softmax(x)
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	if err := gx.Compile(b.Graph()).Run(); err != nil {
		t.Fatal(err)
	}
	v, _ := gx.Value(p)
	want := []float32{1. / 3, 1. / 3, 1. / 3, 1, 0, 0}
	for i, g := range v.Data().([]float32) {
		if math.Abs(float64(g-want[i])) > 1e-6 {
			t.Fatalf("softmax = %v, want %v", v.Data(), want)
		}
	}
}

func TestSoftmaxGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	check(t, gradcheck.Case{
		Params: map[string]*tensor.Dense{"x": gradcheck.Rand(rng, 3, 4)},
		Build:  func(b *gx.Builder, p map[string]*gx.Node) *gx.Node { return b.Softmax(p["x"]) },
	})
}

func TestCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	labels := []int{2, gx.IgnoreIndex, 0, 3}
	check(t, gradcheck.Case{
		Params: map[string]*tensor.Dense{"x": gradcheck.Rand(rng, 4, 4)},
		Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
			return b.CrossEntropy(p["x"], intInput(b, "labels", labels))
		},
	})
	// Value: logits [0, ln 3] with label 1 -> -log(3/4).
	b := gx.NewBuilder(tensor.Float64)
	loss := b.CrossEntropy(floatInput(b, "x", []float64{0, math.Log(3), 1e4, 0}, 2, 2), intInput(b, "l", []int{1, gx.IgnoreIndex}))
	if err := gx.Compile(b.Graph()).Run(); err != nil {
		t.Fatal(err)
	}
	got, _ := gx.ScalarOf(loss)
	if want := -math.Log(0.75); math.Abs(got-want) > 1e-12 {
		t.Fatalf("loss = %g, want %g", got, want)
	}
}

func TestMSEAndColumnGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	check(t, gradcheck.Case{
		Params: map[string]*tensor.Dense{"x": gradcheck.Rand(rng, 3, 2), "y": gradcheck.Rand(rng, 3)},
		Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
			return b.Add(b.MSE(b.Column(p["x"], 1), p["y"]), b.SumAll(b.Tanh(b.Column(p["x"], 0))))
		},
	})
}

func TestElementwiseShapesMustMatch(t *testing.T) {
	b := gx.NewBuilder(tensor.Float64)
	b.Mul(b.Input("a", 3, 1), b.Input("b", 3))
	if err := b.Err(); err == nil || !strings.Contains(err.Error(), "shapes (3, 1) and (3) differ") {
		t.Fatalf("err = %v", err)
	}
}
