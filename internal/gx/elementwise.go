package gx

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// elemOp is x + y or x ⊙ y for tensors of equal shape (Builder.Add and
// Builder.Mul on tensors: residual connections, embedding sums, dropout
// masks). As project ops they write into a reused buffer (Gorgonia's
// allocate a fresh result on every run) and take part in buffer planning.
func elemOp(mul bool) *kernelOp {
	name := "gx.Add"
	if mul {
		name = "gx.Mul"
	}
	op := &kernelOp{name: name, arity: 2, typ: fnType(tvA, tvA, tvA), diff: []bool{true, true}}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		if !sameDims(in[0], in[1]) {
			return nil, fmt.Errorf("%s: shapes %v and %v differ", name, in[0], in[1])
		}
		return in[0].Clone(), nil
	}
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		y, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		out := op.output(x.Dtype(), x.Shape()...) // every element is written
		switch xd := x.Data().(type) {
		case []float32:
			elementwise(out.Data().([]float32), xd, y.Data().([]float32), mul)
		case []float64:
			elementwise(out.Data().([]float64), xd, y.Data().([]float64), mul)
		default:
			return nil, fmt.Errorf("%s: unsupported dtype %v", name, x.Dtype())
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		if !mul { // d(x+y) = dy for both
			return Nodes{dy, dy}, nil
		}
		dx, err := G.ApplyOp(elemOp(true), dy, in[1])
		if err != nil {
			return nil, err
		}
		dyy, err := G.ApplyOp(elemOp(true), dy, in[0])
		return Nodes{dx, dyy}, err
	}
	return op
}

func elementwise[T Float](out, x, y []T, mul bool) {
	parallelRows(len(x), 1, func(lo, hi int) {
		o, a, b := out[lo:hi], x[lo:hi], y[lo:hi]
		if mul {
			for i := range o {
				o[i] = a[i] * b[i]
			}
			return
		}
		for i := range o {
			o[i] = a[i] + b[i]
		}
	})
}
