package gx

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Attention works on activations kept in the (B·S, H) layout the dense layers
// produce. Head h of row block b is the strided sub-matrix
// X[b·S:(b+1)·S, h·D:(h+1)·D] (leading dimension H), which BLAS reads in
// place: there is no reshape to (B, heads, S, D), no transpose and no copy.

// AttentionScores is (Q_h·K_hᵀ)·scale for every batch row and head:
// q, k (B·S, H) -> (B, heads, S, S).
func (b *Builder) AttentionScores(q, k *Node, batch, seq, heads int, scale float64) *Node {
	if !b.ok(q, k) || !b.sameShape("attention scores", q, k) {
		return nil
	}
	if err := headShape(q.Shape(), batch, seq, heads); err != nil {
		b.Fail("attention scores: %v", err)
		return nil
	}
	return b.apply(headOp(headQKt, batch, seq, heads, scale), "attention scores", q, k)
}

// AttentionContext is P·V_h per batch row and head, written back into the
// (B·S, H) layout: p (B, heads, S, S), v (B·S, H) -> (B·S, H).
func (b *Builder) AttentionContext(p, v *Node, batch, seq, heads int) *Node {
	if !b.ok(p, v) {
		return nil
	}
	if err := headShape(v.Shape(), batch, seq, heads); err != nil {
		b.Fail("attention context: %v", err)
		return nil
	}
	if !sameDims(p.Shape(), tensor.Shape{batch, heads, seq, seq}) {
		b.Fail("attention context: probabilities %v, want %v", p.Shape(), []int{batch, heads, seq, seq})
		return nil
	}
	return b.apply(headOp(headPV, batch, seq, heads, 1), "attention context", p, v)
}

func headShape(s tensor.Shape, batch, seq, heads int) error {
	if s.Dims() != 2 || s[0] != batch*seq || heads <= 0 || s[1]%heads != 0 {
		return fmt.Errorf("activations %v do not split into batch %d x seq %d and %d heads", s, batch, seq, heads)
	}
	return nil
}

// The three head-wise products; each one's gradients are the other two.
const (
	headQKt = iota // (X, Y) -> α·X_h·Y_hᵀ          (B·S,H),(B·S,H) -> (B,nh,S,S)
	headPV         // (P, Y) -> α·P_bh·Y_h           (B,nh,S,S),(B·S,H) -> (B·S,H)
	headPtV        // (P, Y) -> α·P_bhᵀ·Y_h          (B,nh,S,S),(B·S,H) -> (B·S,H)
)

func headOp(kind, batch, seq, heads int, alpha float64) *kernelOp {
	op := &kernelOp{
		name:  fmt.Sprintf("gx.HeadProduct{kind=%d,B=%d,S=%d,heads=%d,alpha=%g}", kind, batch, seq, heads, alpha),
		arity: 2,
		diff:  []bool{true, true},
	}
	if kind == headQKt {
		op.typ = fnType(tt(2), tt(2), tt(4))
	} else {
		op.typ = fnType(tt(4), tt(2), tt(2))
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		if kind == headQKt {
			return tensor.Shape{batch, heads, seq, seq}, nil
		}
		return in[1].Clone(), nil
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
		hidden := y.Shape()[1]
		var out *tensor.Dense // every element is written by one gemm with beta = 0
		if kind == headQKt {
			out = op.output(x.Dtype(), batch, heads, seq, seq)
		} else {
			out = op.output(x.Dtype(), batch*seq, hidden)
		}
		switch xd := x.Data().(type) {
		case []float32:
			headProduct(kind, out.Data().([]float32), xd, y.Data().([]float32), batch, seq, heads, hidden, float32(alpha))
		case []float64:
			headProduct(kind, out.Data().([]float64), xd, y.Data().([]float64), batch, seq, heads, hidden, alpha)
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		x, y := in[0], in[1]
		var dx, dyy *Node
		var err error
		switch kind {
		case headQKt: // O = α·X·Yᵀ: dX = α·dO·Y, dY = α·dOᵀ·X
			if dx, err = G.ApplyOp(headOp(headPV, batch, seq, heads, alpha), dy, y); err == nil {
				dyy, err = G.ApplyOp(headOp(headPtV, batch, seq, heads, alpha), dy, x)
			}
		case headPV: // O = α·P·Y: dP = α·dO·Yᵀ, dY = α·Pᵀ·dO
			if dx, err = G.ApplyOp(headOp(headQKt, batch, seq, heads, alpha), dy, y); err == nil {
				dyy, err = G.ApplyOp(headOp(headPtV, batch, seq, heads, alpha), x, dy)
			}
		default: // O = α·Pᵀ·Y: dP = α·Y·dOᵀ, dY = α·P·dO
			if dx, err = G.ApplyOp(headOp(headQKt, batch, seq, heads, alpha), y, dy); err == nil {
				dyy, err = G.ApplyOp(headOp(headPV, batch, seq, heads, alpha), x, dy)
			}
		}
		return Nodes{dx, dyy}, err
	}
	return op
}

// headProduct runs one gemm per (batch row, head). Each writes its own block
// of out, so when the BLAS runs single-threaded (gemmSplit > 1) the pairs
// are spread over the workers instead.
func headProduct[T Float](kind int, out, x, y []T, batch, seq, heads, hidden int, alpha T) {
	d := hidden / heads
	one := func(i int) {
		bi, h := i/heads, i%heads
		rows := bi*seq*hidden + h*d      // start of head h in row block bi
		sq := (bi*heads + h) * seq * seq // start of the (S, S) block
		switch kind {
		case headQKt:
			gemm(false, true, seq, seq, d, alpha, x[rows:], hidden, y[rows:], hidden, 0, out[sq:], seq)
		case headPV:
			gemm(false, false, seq, d, seq, alpha, x[sq:], seq, y[rows:], hidden, 0, out[rows:], hidden)
		default:
			gemm(true, false, seq, d, seq, alpha, x[sq:], seq, y[rows:], hidden, 0, out[rows:], hidden)
		}
	}
	pairs := batch * heads
	if gemmSplit <= 1 {
		for i := 0; i < pairs; i++ {
			one(i)
		}
		return
	}
	parallelRows(pairs, 2*seq*seq*d, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			one(i)
		}
	})
}

// MaskedSoftmax is the attention softmax over keys: scores (B, heads, S, S)
// and a key mask (B, S) with 1 for real tokens and 0 for padding. Masked keys
// get probability exactly 0 (as HuggingFace's additive finfo.min mask gives).
// The kernel takes each row's own maximum, unlike Gorgonia's (B2).
func (b *Builder) MaskedSoftmax(scores, mask *Node) *Node {
	if !b.ok(scores, mask) {
		return nil
	}
	s := scores.Shape()
	if s.Dims() != 4 || s[2] != s[3] || !sameDims(mask.Shape(), tensor.Shape{s[0], s[3]}) {
		b.Fail("masked softmax: scores %v, mask %v", s, mask.Shape())
		return nil
	}
	return b.apply(softmaxOp(true), "masked softmax", scores, mask)
}

// Softmax over the last axis of a matrix (N, C) -> (N, C).
func (b *Builder) Softmax(x *Node) *Node {
	if !b.ok(x) {
		return nil
	}
	if x.Dims() != 2 {
		b.Fail("softmax: want a matrix, got %v", x.Shape())
		return nil
	}
	return b.apply(softmaxOp(false), "softmax", x)
}

func softmaxOp(masked bool) *kernelOp {
	op := &kernelOp{name: fmt.Sprintf("gx.Softmax{masked=%v}", masked), arity: 1, typ: fnType(tt(2), tt(2)), diff: []bool{true}}
	if masked {
		op.arity, op.typ, op.diff = 2, fnType(tt(4), tt(2), tt(4)), []bool{true, false}
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		s := x.Shape()
		cols := s[len(s)-1]
		out := op.output(x.Dtype(), s...) // every element is written
		var keep []bool                   // per batch row and key
		rowsPerBatch := x.Shape().TotalSize() / cols
		if masked {
			m, err := dense(in[1])
			if err != nil {
				return nil, err
			}
			keep = maskToKeep(m)
			rowsPerBatch = s[1] * s[2]
		}
		rows := x.Shape().TotalSize() / cols
		switch xd := x.Data().(type) {
		case []float32:
			o := out.Data().([]float32)
			parallelRows(rows, 8*cols, func(lo, hi int) {
				softmaxRows32(o, xd, cols, keep, rowsPerBatch, lo, hi)
			})
		case []float64:
			o := out.Data().([]float64)
			parallelRows(rows, 20*cols, func(lo, hi int) {
				softmaxRows(o[lo*cols:hi*cols], xd[lo*cols:hi*cols], cols, keep, rowsPerBatch, lo)
			})
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		dx, err := G.ApplyOp(softmaxGradOp(in[0].Dims()), out, dy)
		if masked {
			return Nodes{dx, nil}, err
		}
		return Nodes{dx}, err
	}
	return op
}

func maskToKeep(m *tensor.Dense) []bool {
	keep := make([]bool, m.Shape().TotalSize())
	switch md := m.Data().(type) {
	case []float32:
		for i, v := range md {
			keep[i] = v != 0
		}
	case []float64:
		for i, v := range md {
			keep[i] = v != 0
		}
	}
	return keep
}

// softmaxRows normalises each row of length cols. With keep, row r belongs to
// batch row (first+r)/rowsPerBatch and only its kept columns take part.
func softmaxRows[T Float](out, x []T, cols int, keep []bool, rowsPerBatch, first int) {
	for r := 0; r*cols < len(x); r++ {
		row, o := x[r*cols:(r+1)*cols], out[r*cols:(r+1)*cols]
		var k []bool
		if keep != nil {
			bi := (first + r) / rowsPerBatch
			k = keep[bi*cols : (bi+1)*cols]
		}
		max := math.Inf(-1)
		for j, v := range row {
			if (k == nil || k[j]) && float64(v) > max {
				max = float64(v)
			}
		}
		if math.IsInf(max, -1) { // every key masked: HF gives a uniform row; we give zeros
			for j := range o {
				o[j] = 0
			}
			continue
		}
		var sum float64
		for j, v := range row {
			if k != nil && !k[j] {
				o[j] = 0
				continue
			}
			e := math.Exp(float64(v) - max)
			o[j] = T(e)
			sum += e
		}
		inv := 1 / sum
		for j := range o {
			o[j] = T(float64(o[j]) * inv)
		}
	}
}

// softmaxRows32 is softmaxRows for rows [lo, hi) in float32 arithmetic with
// expf (the sum is kept in float64).
func softmaxRows32(out, x []float32, cols int, keep []bool, rowsPerBatch, lo, hi int) {
	for r := lo; r < hi; r++ {
		row, o := x[r*cols:(r+1)*cols], out[r*cols:(r+1)*cols]
		var k []bool
		if keep != nil {
			bi := r / rowsPerBatch
			k = keep[bi*cols : (bi+1)*cols]
		}
		max := float32(math.Inf(-1))
		for j, v := range row {
			if (k == nil || k[j]) && v > max {
				max = v
			}
		}
		if math.IsInf(float64(max), -1) { // every key masked: zeros (see softmaxRows)
			clear(o)
			continue
		}
		sum := expShiftSum(o, row, max)
		if k != nil { // masked keys: probability exactly 0, out of the sum
			sum = 0
			for j := range o {
				if !k[j] {
					o[j] = 0
				} else {
					sum += float64(o[j])
				}
			}
		}
		inv := float32(1 / sum)
		for j := range o {
			o[j] *= inv
		}
	}
}

// softmaxGradOp: from (p, dp), dx = p ⊙ (dp − Σ p·dp) row by row.
func softmaxGradOp(dims int) *kernelOp {
	op := &kernelOp{name: fmt.Sprintf("gx.SoftmaxGrad{dims=%d}", dims), arity: 2, typ: fnType(tt(dims), tt(dims), tt(dims)), diff: []bool{false, false}}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	op.do = func(in []G.Value) (G.Value, error) {
		p, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		dp, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		s := p.Shape()
		cols := s[len(s)-1]
		out := op.output(p.Dtype(), s...) // every element is written
		switch pd := p.Data().(type) {
		case []float32:
			o, d := out.Data().([]float32), dp.Data().([]float32)
			parallelRows(len(pd)/cols, 4*cols, func(lo, hi int) {
				softmaxGrad(o[lo*cols:hi*cols], pd[lo*cols:hi*cols], d[lo*cols:hi*cols], cols)
			})
		case []float64:
			o, d := out.Data().([]float64), dp.Data().([]float64)
			parallelRows(len(pd)/cols, 4*cols, func(lo, hi int) {
				softmaxGrad(o[lo*cols:hi*cols], pd[lo*cols:hi*cols], d[lo*cols:hi*cols], cols)
			})
		}
		return out, nil
	}
	return op
}

func softmaxGrad[T Float](out, p, dp []T, cols int) {
	for i := 0; i < len(p); i += cols {
		pr, dr, o := p[i:i+cols], dp[i:i+cols], out[i:i+cols]
		var dot float64
		for j := range pr {
			dot += float64(pr[j]) * float64(dr[j])
		}
		for j := range pr {
			o[j] = T(float64(pr[j]) * (float64(dr[j]) - dot))
		}
	}
}
