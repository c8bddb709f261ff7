package gx

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LayerNorm normalises each row of x (N, H) to zero mean and unit variance
// (biased variance, eps inside the square root, as PyTorch), then scales by
// gamma and shifts by beta, in one pass. It is one fused op: Gorgonia's
// composite would need InverseSqrt, whose gradient is wrong (B3), and
// materialises broadcasts.
func (b *Builder) LayerNorm(x, gamma, beta *Node, eps float64) *Node {
	if !b.ok(x, gamma, beta) {
		return nil
	}
	if x.Dims() != 2 || !sameDims(gamma.Shape(), tensor.Shape{x.Shape()[1]}) || !sameDims(beta.Shape(), gamma.Shape()) {
		b.Fail("layer norm: input %v, gamma %v, beta %v", x.Shape(), gamma.Shape(), beta.Shape())
		return nil
	}
	return b.apply(layerNormOp(eps), "layer norm", x, gamma, beta) // (N, H)
}

// layerNormOp is y = (x - mean)/sqrt(var + eps) · gamma + beta, row by row.
func layerNormOp(eps float64) *kernelOp {
	op := &kernelOp{
		name:  fmt.Sprintf("gx.LayerNorm{eps=%g}", eps),
		arity: 3,
		typ:   fnType(tt(2), tt(1), tt(1), tt(2)),
		diff:  []bool{true, true, true},
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		g, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		beta, err := dense(in[2])
		if err != nil {
			return nil, err
		}
		out := op.output(x.Dtype(), x.Shape()...) // every element is written
		h := x.Shape()[1]
		switch xd := x.Data().(type) {
		case []float32:
			o, gd, bd := out.Data().([]float32), g.Data().([]float32), beta.Data().([]float32)
			parallelRows(len(xd)/h, 6*h, func(lo, hi int) { layerNorm(o[lo*h:hi*h], xd[lo*h:hi*h], gd, bd, eps) })
		case []float64:
			o, gd, bd := out.Data().([]float64), g.Data().([]float64), beta.Data().([]float64)
			parallelRows(len(xd)/h, 6*h, func(lo, hi int) { layerNorm(o[lo*h:hi*h], xd[lo*h:hi*h], gd, bd, eps) })
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		dx, err := G.ApplyOp(layerNormGradOp(eps, false), in[0], in[1], dy)
		if err != nil {
			return nil, err
		}
		dg, err := G.ApplyOp(layerNormGradOp(eps, true), in[0], in[1], dy)
		if err != nil {
			return nil, err
		}
		db, err := G.ApplyOp(colSumOp(), dy) // (N, H) -> (H)
		return Nodes{dx, dg, db}, err
	}
	return op
}

// rowStats returns a row's mean and 1/sqrt(var + eps), accumulated in float64.
func rowStats[T Float](row []T, eps float64) (mean, rstd float64) {
	var s float64
	for _, v := range row {
		s += float64(v)
	}
	mean = s / float64(len(row))
	var q float64
	for _, v := range row {
		d := float64(v) - mean
		q += d * d
	}
	return mean, 1 / math.Sqrt(q/float64(len(row))+eps)
}

func layerNorm[T Float](out, x, gamma, beta []T, eps float64) {
	h := len(gamma)
	for i := 0; i < len(x); i += h {
		row, o := x[i:i+h], out[i:i+h]
		mean, rstd := rowStats(row, eps)
		for j, v := range row {
			o[j] = T((float64(v)-mean)*rstd)*gamma[j] + beta[j]
		}
	}
}

// layerNormGradOp computes, from (x, gamma, dy), either dx or dgamma:
//
//	x̂ = (x-μ)·r,  g = dy·γ,  dx = r·(g - mean(g) - x̂·mean(g·x̂)),  dγ = Σ_rows dy·x̂
func layerNormGradOp(eps float64, wrtGamma bool) *kernelOp {
	op := &kernelOp{
		name:  fmt.Sprintf("gx.LayerNormGrad{eps=%g,gamma=%v}", eps, wrtGamma),
		arity: 3,
		typ:   fnType(tt(2), tt(1), tt(2), tt(2)),
		diff:  []bool{false, false, false},
	}
	if wrtGamma {
		op.typ = fnType(tt(2), tt(1), tt(2), tt(1))
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		if wrtGamma {
			return in[1].Clone(), nil
		}
		return in[0].Clone(), nil
	}
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		g, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		dy, err := dense(in[2])
		if err != nil {
			return nil, err
		}
		shape := x.Shape()
		if wrtGamma {
			shape = g.Shape()
		}
		out := op.output(x.Dtype(), shape...) // every element is written
		switch xd := x.Data().(type) {
		case []float32:
			layerNormGradRows(out.Data().([]float32), xd, g.Data().([]float32), dy.Data().([]float32), eps, wrtGamma)
		case []float64:
			layerNormGradRows(out.Data().([]float64), xd, g.Data().([]float64), dy.Data().([]float64), eps, wrtGamma)
		}
		return out, nil
	}
	return op
}

// layerNormGradRows splits layerNormGrad's rows over the workers: each
// writes its own rows of dx, or sums dγ over its rows into its own
// accumulator, added up at the end.
func layerNormGradRows[T Float](out, x, gamma, dy []T, eps float64, wrtGamma bool) {
	h := len(gamma)
	rows := len(x) / h
	if !wrtGamma {
		parallelRows(rows, 8*h, func(lo, hi int) {
			layerNormGrad(out[lo*h:hi*h], x[lo*h:hi*h], gamma, dy[lo*h:hi*h], eps, false, nil)
		})
		return
	}
	accs := make([][]float64, workers)
	parallelRowsIndexed(rows, 8*h, func(i, lo, hi int) {
		acc := make([]float64, h)
		layerNormGrad(out, x[lo*h:hi*h], gamma, dy[lo*h:hi*h], eps, true, acc)
		accs[i] = acc
	})
	for j := range out {
		var s float64
		for _, acc := range accs {
			if acc != nil {
				s += acc[j]
			}
		}
		out[j] = T(s)
	}
}

// layerNormGrad computes dx rows into out, or (wrtGamma) adds Σ_rows dy·x̂
// into acc.
func layerNormGrad[T Float](out, x, gamma, dy []T, eps float64, wrtGamma bool, acc []float64) {
	h := len(gamma)
	for i := 0; i < len(x); i += h {
		row, d := x[i:i+h], dy[i:i+h]
		mean, rstd := rowStats(row, eps)
		if wrtGamma {
			for j, v := range row {
				acc[j] += float64(d[j]) * (float64(v) - mean) * rstd
			}
			continue
		}
		var mg, mgx float64
		for j, v := range row {
			g := float64(d[j]) * float64(gamma[j])
			mg += g
			mgx += g * (float64(v) - mean) * rstd
		}
		mg /= float64(h)
		mgx /= float64(h)
		o := out[i : i+h]
		for j, v := range row {
			xh := (float64(v) - mean) * rstd
			o[j] = T(rstd * (float64(d[j])*float64(gamma[j]) - mg - xh*mgx))
		}
	}
}
