package gx

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Linear is HuggingFace's nn.Linear on rows: x·Wᵀ + b, with W stored
// [out, in] as in the checkpoints, so no transposed copy is ever made.
// x is (N, in); the result is (N, out). bias may be nil.
func (b *Builder) Linear(x, w, bias *Node) *Node {
	if !b.ok(x, w) {
		return nil
	}
	if x.Dims() != 2 || w.Dims() != 2 || x.Shape()[1] != w.Shape()[1] {
		b.Fail("linear: input %v does not fit weight %v ([out, in])", x.Shape(), w.Shape())
		return nil
	}
	if bias == nil {
		return b.apply(matMulOp(false, true), "linear", x, w) // (N, in)·(out, in)ᵀ -> (N, out)
	}
	if bias.Dims() != 1 || bias.Shape()[0] != w.Shape()[0] {
		b.Fail("linear: bias %v does not fit weight %v", bias.Shape(), w.Shape())
		return nil
	}
	return b.apply(linearOp(), "linear", x, w, bias) // (N, in)·(out, in)ᵀ + (out) -> (N, out)
}

// linearOp is x·Wᵀ + b in one product: the output rows start as copies of
// the bias and the gemm accumulates onto them (beta = 1), so the bias costs
// one pass over the output instead of a separate op and buffer.
// Gradients: dx = dy·W, dW = dyᵀ·x, db = the column sums of dy.
func linearOp() *kernelOp {
	op := &kernelOp{
		name:  "gx.Linear",
		arity: 3,
		typ:   fnType(tt(2), tt(2), tt(1), tt(2)),
		diff:  []bool{true, true, true},
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		if in[0].Dims() != 2 || in[1].Dims() != 2 || in[2].Dims() != 1 || in[0][1] != in[1][1] || in[2][0] != in[1][0] {
			return nil, fmt.Errorf("%s: input %v, weight %v, bias %v", op.name, in[0], in[1], in[2])
		}
		return tensor.Shape{in[0][0], in[1][0]}, nil
	}
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		w, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		bias, err := dense(in[2])
		if err != nil {
			return nil, err
		}
		m, k, n := x.Shape()[0], x.Shape()[1], w.Shape()[0]
		out := op.output(x.Dtype(), m, n)
		switch xd := x.Data().(type) {
		case []float32:
			o := out.Data().([]float32)
			fillRows(o, bias.Data().([]float32))
			pgemm(false, true, m, n, k, 1, xd, k, w.Data().([]float32), k, 1, o, n)
		case []float64:
			o := out.Data().([]float64)
			fillRows(o, bias.Data().([]float64))
			pgemm(false, true, m, n, k, 1, xd, k, w.Data().([]float64), k, 1, o, n)
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		dx, err := G.ApplyOp(matMulOp(false, false), dy, in[1]) // (N, out)·(out, in) -> (N, in)
		if err != nil {
			return nil, err
		}
		dw, err := G.ApplyOp(matMulOp(true, false), dy, in[0]) // (N, out)ᵀ·(N, in) -> (out, in)
		if err != nil {
			return nil, err
		}
		db, err := G.ApplyOp(colSumOp(), dy) // (N, out) -> (out)
		return Nodes{dx, dw, db}, err
	}
	return op
}

// fillRows copies v into every row of out, rows split over the workers.
func fillRows[T Float](out, v []T) {
	c := len(v)
	parallelRows(len(out)/c, c, func(lo, hi int) {
		for i := lo * c; i < hi*c; i += c {
			copy(out[i:i+c], v)
		}
	})
}

// MatMul is op(x)·op(y) for matrices, with optional transposes.
func (b *Builder) MatMul(x, y *Node, transX, transY bool) *Node {
	if !b.ok(x, y) {
		return nil
	}
	return b.apply(matMulOp(transX, transY), "matmul", x, y)
}

// matMulOp computes op(A)·op(B). Its gradients are matMulOps too:
// for C = A·Bᵀ, dA = dC·B and dB = dCᵀ·A, and so on for the other cases.
func matMulOp(tA, tB bool) *kernelOp {
	op := &kernelOp{
		name:  fmt.Sprintf("gx.MatMul{tA=%v,tB=%v}", tA, tB),
		arity: 2,
		typ:   fnType(tt(2), tt(2), tt(2)),
		diff:  []bool{true, true},
	}
	dims := func(a, bb tensor.Shape) (m, k, n, k2 int) {
		m, k = a[0], a[1]
		if tA {
			m, k = k, m
		}
		k2, n = bb[0], bb[1]
		if tB {
			k2, n = n, k2
		}
		return
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		if in[0].Dims() != 2 || in[1].Dims() != 2 {
			return nil, fmt.Errorf("%s: want matrices, got %v and %v", op.name, in[0], in[1])
		}
		m, k, n, k2 := dims(in[0], in[1])
		if k != k2 {
			return nil, fmt.Errorf("%s: inner sizes differ: %v and %v", op.name, in[0], in[1])
		}
		return tensor.Shape{m, n}, nil
	}
	op.do = func(in []G.Value) (G.Value, error) {
		a, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		bb, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		m, k, n, _ := dims(a.Shape(), bb.Shape())
		out := op.output(a.Dtype(), m, n) // beta = 0: the gemm never reads the stale values
		switch ad := a.Data().(type) {
		case []float32:
			pgemm(tA, tB, m, n, k, 1, ad, a.Shape()[1], bb.Data().([]float32), bb.Shape()[1], 0, out.Data().([]float32), n)
		case []float64:
			pgemm(tA, tB, m, n, k, 1, ad, a.Shape()[1], bb.Data().([]float64), bb.Shape()[1], 0, out.Data().([]float64), n)
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		a, bb := in[0], in[1]
		var da, db *Node
		var err error
		// The four cases of d(op(A)·op(B)).
		switch {
		case !tA && !tB: // C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC
			da, err = G.ApplyOp(matMulOp(false, true), dy, bb)
			if err == nil {
				db, err = G.ApplyOp(matMulOp(true, false), a, dy)
			}
		case !tA && tB: // C = A·Bᵀ: dA = dC·B, dB = dCᵀ·A
			da, err = G.ApplyOp(matMulOp(false, false), dy, bb)
			if err == nil {
				db, err = G.ApplyOp(matMulOp(true, false), dy, a)
			}
		case tA && !tB: // C = Aᵀ·B: dA = B·dCᵀ, dB = A·dC
			da, err = G.ApplyOp(matMulOp(false, true), bb, dy)
			if err == nil {
				db, err = G.ApplyOp(matMulOp(false, false), a, dy)
			}
		default: // C = Aᵀ·Bᵀ: dA = Bᵀ·dCᵀ, dB = dCᵀ·Aᵀ
			da, err = G.ApplyOp(matMulOp(true, true), bb, dy)
			if err == nil {
				db, err = G.ApplyOp(matMulOp(true, true), dy, a)
			}
		}
		return Nodes{da, db}, err
	}
	return op
}

// addRowOp adds a vector to every row of a matrix: (N, C) + (C) -> (N, C).
// Its gradients are dy itself and the column sums of dy.
func addRowOp() *kernelOp {
	op := &kernelOp{
		name:  "gx.AddRow",
		arity: 2,
		typ:   fnType(tt(2), tt(1), tt(2)),
		diff:  []bool{true, true},
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		if in[0].Dims() != 2 || in[1].Dims() != 1 || in[0][1] != in[1][0] {
			return nil, fmt.Errorf("%s: cannot add %v to rows of %v", op.name, in[1], in[0])
		}
		return in[0].Clone(), nil
	}
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		v, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		out := op.output(x.Dtype(), x.Shape()...)
		switch od := out.Data().(type) {
		case []float32:
			addRowsTo(od, x.Data().([]float32), v.Data().([]float32))
		case []float64:
			addRowsTo(od, x.Data().([]float64), v.Data().([]float64))
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		db, err := G.ApplyOp(colSumOp(), dy)
		return Nodes{dy, db}, err
	}
	return op
}

// addRowsTo sets out = x + v on every row, rows split over the workers.
func addRowsTo[T Float](out, x, v []T) {
	c := len(v)
	parallelRows(len(x)/c, c, func(lo, hi int) {
		for i := lo * c; i < hi*c; i += c {
			row, o := x[i:i+c], out[i:i+c]
			for j := range row {
				o[j] = row[j] + v[j]
			}
		}
	})
}

// colSumOp sums a matrix's rows: (N, C) -> (C). It is the gradient of a bias.
func colSumOp() *kernelOp {
	op := &kernelOp{
		name:  "gx.ColSum",
		arity: 1,
		typ:   fnType(tt(2), tt(1)),
		diff:  []bool{true},
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		if in[0].Dims() != 2 {
			return nil, fmt.Errorf("%s: want a matrix, got %v", op.name, in[0])
		}
		return tensor.Shape{in[0][1]}, nil
	}
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		c := x.Shape()[1]
		out := op.zeroOutput(x.Dtype(), c) // colSums accumulates
		switch xd := x.Data().(type) {
		case []float32:
			colSums(out.Data().([]float32), xd)
		case []float64:
			colSums(out.Data().([]float64), xd)
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		// d(colsum)/dx broadcasts dy to every row: a zero matrix plus dy per row.
		z, err := G.ApplyOp(zerosLikeOp(), in[0])
		if err != nil {
			return nil, err
		}
		dx, err := G.ApplyOp(addRowOp(), z, dy)
		return Nodes{dx}, err
	}
	return op
}

// colSums adds x's rows into out; workers own disjoint column ranges.
func colSums[T Float](out, x []T) {
	c := len(out)
	parallelRows(c, len(x)/c, func(lo, hi int) {
		o := out[lo:hi]
		for i := 0; i < len(x); i += c {
			row := x[i+lo : i+hi]
			for j, v := range row {
				o[j] += v
			}
		}
	})
}

// zerosLikeOp returns zeros of its input's shape; it has no gradient.
func zerosLikeOp() *kernelOp {
	op := &kernelOp{name: "gx.ZerosLike", arity: 1, typ: fnType(tvA, tvA), diff: []bool{false}}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		return op.zeroOutput(x.Dtype(), x.Shape()...), nil
	}
	return op
}
