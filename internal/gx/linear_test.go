package gx_test

import (
	"math/rand"
	"testing"

	"github.com/gorbert/gorbert/internal/gradcheck"
	"github.com/gorbert/gorbert/internal/gx"
	"gorgonia.org/tensor"
)

func check(t *testing.T, c gradcheck.Case) {
	t.Helper()
	res, err := gradcheck.Run(c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Compared == 0 {
		t.Fatal("nothing compared")
	}
	t.Logf("%d gradient elements, worst error %.2g", res.Compared, res.MaxErr)
}

func TestLinearGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	check(t, gradcheck.Case{
		Params: map[string]*tensor.Dense{"x": gradcheck.Rand(rng, 3, 4), "w": gradcheck.Rand(rng, 5, 4), "b": gradcheck.Rand(rng, 5)},
		Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
			return b.Linear(p["x"], p["w"], p["b"])
		},
	})
}

func TestMatMulGradientAllTransposes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ta, tb bool
		a, b   []int
	}{
		{"NN", false, false, []int{3, 4}, []int{4, 2}},
		{"NT", false, true, []int{3, 4}, []int{2, 4}},
		{"TN", true, false, []int{4, 3}, []int{4, 2}},
		{"TT", true, true, []int{4, 3}, []int{2, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(2))
			check(t, gradcheck.Case{
				Params: map[string]*tensor.Dense{"a": gradcheck.Rand(rng, tc.a...), "b": gradcheck.Rand(rng, tc.b...)},
				Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
					return b.MatMul(p["a"], p["b"], tc.ta, tc.tb)
				},
			})
		})
	}
}

func TestLayerNormGradient(t *testing.T) {
	for _, eps := range []float64{1e-12, 1e-5, 0.5} {
		rng := rand.New(rand.NewSource(3))
		check(t, gradcheck.Case{
			Params: map[string]*tensor.Dense{"x": gradcheck.Rand(rng, 3, 5), "g": gradcheck.Rand(rng, 5), "b": gradcheck.Rand(rng, 5)},
			Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
				return b.LayerNorm(p["x"], p["g"], p["b"], eps)
			},
			Tol: 1e-5,
		})
	}
}

func TestActivationGradients(t *testing.T) {
	for _, act := range []string{gx.GELU, gx.GELUTanh, gx.GELUPT, gx.ReLU} {
		t.Run(act, func(t *testing.T) {
			rng := rand.New(rand.NewSource(4))
			x := gradcheck.Rand(rng, 4, 6)
			x.Data().([]float64)[0] = 3.5 // far tails as well as the curved middle
			x.Data().([]float64)[1] = -3.5
			check(t, gradcheck.Case{
				Params: map[string]*tensor.Dense{"x": x},
				Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
					return b.Activation(p["x"], act)
				},
			})
		})
	}
}

func TestAddMulGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	check(t, gradcheck.Case{
		Params: map[string]*tensor.Dense{"x": gradcheck.Rand(rng, 3, 4), "y": gradcheck.Rand(rng, 3, 4), "z": gradcheck.Rand(rng, 3, 4)},
		Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
			return b.Mul(b.Add(p["x"], p["y"]), b.Add(p["z"], p["x"]))
		},
	})
}
