package gx

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Activation names, as in HuggingFace's config.hidden_act.
const (
	GELU     = "gelu"              // exact: 0.5·x·(1 + erf(x/√2))
	GELUTanh = "gelu_new"          // tanh approximation, Google's BERT
	GELUPT   = "gelu_pytorch_tanh" // the same tanh formula
	ReLU     = "relu"
)

// Activation applies config.hidden_act elementwise.
func (b *Builder) Activation(x *Node, name string) *Node {
	if !b.ok(x) {
		return nil
	}
	if name == GELUPT {
		name = GELUTanh
	}
	switch name {
	case GELU, GELUTanh, ReLU:
	default:
		b.Fail("unknown activation %q", name)
		return nil
	}
	return b.apply(activationOp(name, false), name, x)
}

const (
	sqrt2       = 1.4142135623730951
	sqrt2OverPi = 0.7978845608028654
	invSqrt2Pi  = 0.3989422804014327
)

func activate(name string, x float64) float64 {
	switch name {
	case GELU:
		return 0.5 * x * (1 + math.Erf(x/sqrt2))
	case GELUTanh:
		return 0.5 * x * (1 + math.Tanh(sqrt2OverPi*(x+0.044715*x*x*x)))
	default: // relu
		return math.Max(x, 0)
	}
}

func activateGrad(name string, x float64) float64 {
	switch name {
	case GELU:
		return 0.5*(1+math.Erf(x/sqrt2)) + x*invSqrt2Pi*math.Exp(-0.5*x*x)
	case GELUTanh:
		t := math.Tanh(sqrt2OverPi * (x + 0.044715*x*x*x))
		return 0.5*(1+t) + 0.5*x*(1-t*t)*sqrt2OverPi*(1+3*0.044715*x*x)
	default:
		if x > 0 {
			return 1
		}
		return 0
	}
}

// activationOp applies the activation (grad=false: inputs x) or multiplies
// dy by its derivative (grad=true: inputs x, dy).
func activationOp(name string, grad bool) *kernelOp {
	op := &kernelOp{name: fmt.Sprintf("gx.Activation{%s,grad=%v}", name, grad), arity: 1, typ: fnType(tvA, tvA), diff: []bool{true}}
	if grad {
		op.arity, op.typ, op.diff = 2, fnType(tvA, tvA, tvA), []bool{false, false}
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		out := op.output(x.Dtype(), x.Shape()...)
		var dy *tensor.Dense
		if grad {
			if dy, err = dense(in[1]); err != nil {
				return nil, err
			}
		}
		switch xd := x.Data().(type) {
		case []float32:
			o, d := out.Data().([]float32), dyData[float32](dy)
			parallelRows(len(xd), 20, func(lo, hi int) {
				var dd []float32
				if d != nil {
					dd = d[lo:hi]
				}
				applyActivation32(o[lo:hi], xd[lo:hi], dd, name)
			})
		case []float64:
			o, d := out.Data().([]float64), dyData[float64](dy)
			parallelRows(len(xd), 40, func(lo, hi int) {
				var dd []float64
				if d != nil {
					dd = d[lo:hi]
				}
				applyActivation(o[lo:hi], xd[lo:hi], dd, name)
			})
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		dx, err := G.ApplyOp(activationOp(name, true), in[0], dy)
		return Nodes{dx}, err
	}
	return op
}

func dyData[T Float](d *tensor.Dense) []T {
	if d == nil {
		return nil
	}
	return d.Data().([]T)
}

func applyActivation[T Float](out, x, dy []T, name string) {
	if dy == nil {
		for i, v := range x {
			out[i] = T(activate(name, float64(v)))
		}
		return
	}
	for i, v := range x {
		out[i] = T(activateGrad(name, float64(v)) * float64(dy[i]))
	}
}

// applyActivation32 is applyActivation with float32 arithmetic (fastmath.go).
func applyActivation32(out, x, dy []float32, name string) {
	switch name {
	case GELU:
		geluSlice(out, x, dy)
	case GELUTanh:
		if dy == nil {
			for i, v := range x {
				out[i], _ = geluTanhf(v)
			}
			return
		}
		for i, v := range x {
			_, d := geluTanhf(v)
			out[i] = d * dy[i]
		}
	default:
		applyActivation(out, x, dy, name)
	}
}
