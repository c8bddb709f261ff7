package gx

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gather takes rows of a table: (V, H) rows picked by ids (N) -> (N, H).
// It serves embeddings, the [CLS] rows for the pooler and the masked
// positions for the MLM head. A row id equal to skipGrad (the embedding's
// padding_idx; -1 for none) sends no gradient back into the table, as
// PyTorch's nn.Embedding(padding_idx=...) does. An id outside the table is
// an error at run time, never a silent read of another row.
func (b *Builder) Gather(table, ids *Node, skipGrad int) *Node {
	if !b.ok(table, ids) {
		return nil
	}
	if table.Dims() != 2 || ids.Dims() != 1 {
		b.Fail("gather: table %v, ids %v", table.Shape(), ids.Shape())
		return nil
	}
	return b.apply(gatherOp(table.Name(), skipGrad), "gather "+table.Name(), table, ids)
}

func gatherOp(table string, skip int) *kernelOp {
	op := &kernelOp{
		name:  fmt.Sprintf("gx.Gather{%s,skip=%d}", table, skip),
		arity: 2,
		typ:   fnType(tt(2), intVec, tt(2)),
		diff:  []bool{true, false},
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) {
		return tensor.Shape{in[1][0], in[0][1]}, nil
	}
	op.do = func(in []G.Value) (G.Value, error) {
		t, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		idv, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		ids := idv.Data().([]int)
		v, h := t.Shape()[0], t.Shape()[1]
		if err := checkIDs(table, ids, v); err != nil {
			return nil, err
		}
		out := op.output(t.Dtype(), len(ids), h) // every row is copied over
		switch td := t.Data().(type) {
		case []float32:
			o := out.Data().([]float32)
			parallelRows(len(ids), h, func(lo, hi int) { gatherRows(o[lo*h:hi*h], td, ids[lo:hi], h) })
		case []float64:
			o := out.Data().([]float64)
			parallelRows(len(ids), h, func(lo, hi int) { gatherRows(o[lo*h:hi*h], td, ids[lo:hi], h) })
		}
		return out, nil
	}
	op.grad = func(in Nodes, out, dy *Node) (Nodes, error) {
		dt, err := G.ApplyOp(scatterAddOp(table, in[0].Shape()[0], skip), dy, in[1])
		return Nodes{dt, nil}, err
	}
	return op
}

func checkIDs(table string, ids []int, n int) error {
	for i, id := range ids {
		if id < 0 || id >= n {
			return fmt.Errorf("%s: id %d at position %d is outside [0, %d)", table, id, i, n)
		}
	}
	return nil
}

func gatherRows[T Float](out, table []T, ids []int, h int) {
	for i, id := range ids {
		copy(out[i*h:(i+1)*h], table[id*h:(id+1)*h])
	}
}

// scatterAddOp is Gather's gradient: dy's rows added into a zero (V, H) table.
func scatterAddOp(table string, rows, skip int) *kernelOp {
	op := &kernelOp{
		name:  fmt.Sprintf("gx.ScatterAdd{%s,rows=%d,skip=%d}", table, rows, skip),
		arity: 2,
		typ:   fnType(tt(2), intVec, tt(2)),
		diff:  []bool{false, false},
	}
	op.shape = func(in []tensor.Shape) (tensor.Shape, error) { return tensor.Shape{rows, in[0][1]}, nil }
	op.do = func(in []G.Value) (G.Value, error) {
		dy, err := dense(in[0])
		if err != nil {
			return nil, err
		}
		idv, err := dense(in[1])
		if err != nil {
			return nil, err
		}
		ids := idv.Data().([]int)
		if err := checkIDs(table, ids, rows); err != nil {
			return nil, err
		}
		h := dy.Shape()[1]
		out := op.zeroOutput(dy.Dtype(), rows, h) // scatterRows accumulates
		switch d := dy.Data().(type) {
		case []float32:
			scatterRows(out.Data().([]float32), d, ids, h, skip)
		case []float64:
			scatterRows(out.Data().([]float64), d, ids, h, skip)
		}
		return out, nil
	}
	return op
}

// scatterRows adds dy's rows into out's rows ids (in order, so repeated ids
// sum the same way every time); workers own disjoint column ranges.
func scatterRows[T Float](out, dy []T, ids []int, h, skip int) {
	parallelRows(h, len(ids), func(lo, hi int) {
		for i, id := range ids {
			if id == skip {
				continue
			}
			o, d := out[id*h+lo:id*h+hi], dy[i*h+lo:i*h+hi]
			for j, v := range d {
				o[j] += v
			}
		}
	})
}
