package gx

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// IgnoreIndex marks a target that takes no part in a loss (PyTorch's -100).
const IgnoreIndex = -100

// CrossEntropy is PyTorch's CrossEntropyLoss with ignore_index=-100: the mean
// over non-ignored rows of −log softmax(logits)[label]. logits (N, C), labels
// (N) -> scalar. It is computed as logits − max − log Σ exp(logits − max),
// never through Gorgonia's softmax. A batch whose targets are all ignored has
// loss 0 and no gradient (PyTorch would return NaN). A label outside [0, C)
// other than -100 is a run-time error.
func (b *Builder) CrossEntropy(logits, labels *Node) *Node {
	if !b.ok(logits, labels) {
		return nil
	}
	if logits.Dims() != 2 || labels.Dims() != 1 || labels.Shape()[0] != logits.Shape()[0] {
		b.Fail("cross entropy: logits %v, labels %v", logits.Shape(), labels.Shape())
		return nil
	}
	return b.apply(xentOp(false), "cross entropy", logits, labels)
}

func xentOp(grad bool) *kernelOp {
	op := &kernelOp{name: fmt.Sprintf("gx.CrossEntropy{grad=%v}", grad), arity: 2, typ: fnType(tt(2), intVec, tvA), diff: []bool{true, false}}
	if grad {
		op.arity, op.typ, op.diff = 3, fnType(tt(2), intVec, tvA, tt(2)), []bool{false, false, false}
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		if grad {
			return in[0].Clone(), nil
		}
		return tensor.ScalarShape(), nil
	}
	op.do = func(in []G.Value) (G.Value, error) {
		x, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		lv, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		labels := lv.Data().([]int)
		c := x.Shape()[1]
		count := 0
		for i, l := range labels {
			if l == IgnoreIndex {
				continue
			}
			if l < 0 || l >= c {
				return nil, fmt.Errorf("label %d at row %d is outside [0, %d)", l, i, c)
			}
			count++
		}
		if !grad {
			var loss float64
			switch xd := x.Data().(type) {
			case []float32:
				loss = xentForwardRows(xd, labels, c)
			case []float64:
				loss = xentForwardRows(xd, labels, c)
			}
			if count > 0 {
				loss /= float64(count)
			}
			return newScalar(x.Dtype(), loss), nil
		}
		dy, err := scalarValue(in[2])
		if err != nil {
			return nil, err
		}
		out := op.output(x.Dtype(), x.Shape()...) // xentBackward writes every row
		scale := 0.0
		if count > 0 {
			scale = dy / float64(count)
		}
		switch xd := x.Data().(type) {
		case []float32:
			o := out.Data().([]float32)
			parallelRows(len(labels), 8*c, func(lo, hi int) {
				xentBackward(o[lo*c:hi*c], xd[lo*c:hi*c], labels[lo:hi], c, scale)
			})
		case []float64:
			o := out.Data().([]float64)
			parallelRows(len(labels), 8*c, func(lo, hi int) {
				xentBackward(o[lo*c:hi*c], xd[lo*c:hi*c], labels[lo:hi], c, scale)
			})
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		dx, err := G.ApplyOp(xentOp(true), in[0], in[1], dy)
		return Nodes{dx, nil}, err
	}
	return op
}

// logSumExp of a row, shifted by its own maximum for stability. float32
// rows use expf (the sum is kept in float64).
func logSumExp[T Float](row []T) (max, lse float64) {
	if r32, ok := any(row).([]float32); ok {
		m := maxf(r32)
		s := expShiftSum(nil, r32, m)
		return float64(m), float64(m) + math.Log(s)
	}
	max = math.Inf(-1)
	for _, v := range row {
		max = math.Max(max, float64(v))
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - max)
	}
	return max, max + math.Log(s)
}

// maxf is the largest element; it skips NaNs, which still reach the loss
// through the sum of exponentials.
func maxf(row []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range row {
		if v > m {
			m = v
		}
	}
	return m
}

// xentForwardRows is xentForward over blocks of rows in parallel, the
// blocks' sums added in block order.
func xentForwardRows[T Float](x []T, labels []int, c int) float64 {
	parts := make([]float64, workers)
	parallelRowsIndexed(len(labels), 4*c, func(i, lo, hi int) {
		parts[i] = xentForward(x[lo*c:hi*c], labels[lo:hi], c)
	})
	var loss float64
	for _, p := range parts {
		loss += p
	}
	return loss
}

func xentForward[T Float](x []T, labels []int, c int) float64 {
	var loss float64
	for i, l := range labels {
		if l == IgnoreIndex {
			continue
		}
		row := x[i*c : (i+1)*c]
		_, lse := logSumExp(row)
		loss += lse - float64(row[l])
	}
	return loss
}

// xentBackward writes (softmax(row) − onehot(label))·scale into each row of
// out, and zeros for ignored rows.
func xentBackward[T Float](out, x []T, labels []int, c int, scale float64) {
	for i, l := range labels {
		row, o := x[i*c:(i+1)*c], out[i*c:(i+1)*c]
		if l == IgnoreIndex || scale == 0 {
			clear(o)
			continue
		}
		if r32, ok := any(row).([]float32); ok {
			// One exp pass: o = e^(x−max), then o·scale/Σo, minus scale at the label.
			o32 := any(o).([]float32)
			m := maxf(r32)
			sum := expShiftSum(o32, r32, m)
			f := float32(scale / sum)
			for j := range o32 {
				o32[j] *= f
			}
			o32[l] -= float32(scale)
			continue
		}
		_, lse := logSumExp(row)
		for j, v := range row {
			p := math.Exp(float64(v) - lse)
			if j == l {
				p--
			}
			o[j] = T(p * scale)
		}
	}
}
