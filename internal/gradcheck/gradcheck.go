// Package gradcheck compares the symbolic gradients Gorgonia computes for a
// graph with central finite differences. Every op and composite in gx,
// layers and heads is tested through it, in float64 on tiny shapes.
package gradcheck

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/gorbert/gorbert/internal/gx"
	"gorgonia.org/tensor"
)

// Case describes one check.
type Case struct {
	// Params are the differentiable inputs, float64, with their values.
	Params map[string]*tensor.Dense
	// Build makes the output from the parameter nodes (same keys as Params).
	// A non-scalar output is reduced with fixed random weights, so every
	// output element's gradient matters.
	Build func(b *gx.Builder, p map[string]*gx.Node) *gx.Node
	// Eps is the finite-difference step (default 1e-6); Tol the allowed
	// error |num-ana| <= Tol·max(1, |num|, |ana|) (default 1e-6).
	Eps, Tol float64
}

// Result is the worst disagreement found.
type Result struct {
	Compared int
	MaxErr   float64
	Where    string
}

// Run performs the check and returns an error describing the worst element
// when it exceeds the tolerance.
func Run(c Case) (Result, error) {
	if c.Eps == 0 {
		c.Eps = 1e-6
	}
	if c.Tol == 0 {
		c.Tol = 1e-6
	}
	b := gx.NewBuilder(tensor.Float64)
	names := sortedKeys(c.Params)
	nodes := map[string]*gx.Node{}
	var wrt []*gx.Node
	for _, n := range names {
		nodes[n] = b.Param(n, c.Params[n])
		wrt = append(wrt, nodes[n])
	}
	out := c.Build(b, nodes)
	if err := b.Err(); err != nil {
		return Result{}, err
	}
	cost := out
	if out.Shape().TotalSize() > 1 || out.Dims() > 0 {
		rng := rand.New(rand.NewSource(7))
		w := tensor.New(tensor.WithShape(out.Shape().Clone()...), tensor.WithBacking(randSlice(rng, out.Shape().TotalSize())))
		cost = b.SumAll(b.Mul(out, b.Param("gradcheck.weights", w)))
	}
	grads := b.Grad(cost, wrt...)
	if err := b.Err(); err != nil {
		return Result{}, err
	}
	m := gx.Compile(b.Graph())
	defer m.Close()
	if err := m.Run(); err != nil {
		return Result{}, err
	}
	analytic := make([][]float64, len(grads))
	for i, g := range grads {
		v, err := gx.Value(g)
		if err != nil {
			return Result{}, err
		}
		analytic[i] = append([]float64(nil), v.Data().([]float64)...)
	}
	eval := func() (float64, error) {
		if err := m.Run(); err != nil {
			return 0, err
		}
		return gx.ScalarOf(cost)
	}
	var res Result
	for i, name := range names {
		data := c.Params[name].Data().([]float64)
		for j := range data {
			orig := data[j]
			data[j] = orig + c.Eps
			up, err := eval()
			if err != nil {
				return res, err
			}
			data[j] = orig - c.Eps
			down, err := eval()
			if err != nil {
				return res, err
			}
			data[j] = orig
			num := (up - down) / (2 * c.Eps)
			ana := analytic[i][j]
			e := math.Abs(num-ana) / math.Max(1, math.Max(math.Abs(num), math.Abs(ana)))
			if math.IsNaN(e) {
				e = math.Inf(1)
			}
			res.Compared++
			if e > res.MaxErr {
				res.MaxErr = e
				res.Where = fmt.Sprintf("%s[%d]: analytic %.8g, numeric %.8g", name, j, ana, num)
			}
		}
	}
	if res.MaxErr > c.Tol {
		return res, fmt.Errorf("gradient mismatch (error %.3g > %.3g) at %s", res.MaxErr, c.Tol, res.Where)
	}
	return res, nil
}

// Rand returns a float64 tensor with values uniform in [-1, 1).
func Rand(rng *rand.Rand, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(randSlice(rng, n)))
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = 2*rng.Float64() - 1
	}
	return s
}

func sortedKeys(m map[string]*tensor.Dense) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
