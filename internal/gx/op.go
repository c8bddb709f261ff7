package gx

import (
	"fmt"
	"hash"
	"hash/fnv"
	"time"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernelOp is the one Op type behind every project op. Its name carries every
// parameter of the op, because Gorgonia deduplicates nodes by the op's hash:
// two ops that differ in a parameter but hash alike silently become one node
// (the SoftMax/LogSoftMax bug B1).
type kernelOp struct {
	name  string
	arity int
	typ   hm.Type
	shape func(in []tensor.Shape) (tensor.Shape, error)
	do    func(in []G.Value) (G.Value, error)
	// diff says which inputs have a gradient; grad builds their gradient nodes.
	diff []bool
	grad func(in Nodes, out, dy *Node) (Nodes, error)
	// buf is the output tensor, reused from run to run: an op instance
	// belongs to one node of one graph, and a graph runs on one machine at
	// a time, so the previous run's result is dead once the next run starts
	// (callers copy what they keep: Net.Output copies, gradients are read
	// before the next run). Kernels overwrite every element, or ask for a
	// zeroed buffer when they accumulate.
	buf *tensor.Dense
}

// output returns the op's output buffer for this run, allocating it on the
// first run (or if the dtype or shape changed). Its contents are stale.
func (op *kernelOp) output(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if d := op.buf; d != nil && d.Dtype() == dt && sameDims(d.Shape(), shape) {
		return d
	}
	op.buf = newDense(dt, shape...)
	return op.buf
}

// zeroOutput is output with every element set to zero.
func (op *kernelOp) zeroOutput(dt tensor.Dtype, shape ...int) *tensor.Dense {
	d := op.output(dt, shape...)
	switch v := d.Data().(type) {
	case []float32:
		parallelClear(v)
	case []float64:
		parallelClear(v)
	}
	return d
}

func (op *kernelOp) Arity() int            { return op.arity }
func (op *kernelOp) Type() hm.Type         { return op.typ }
func (op *kernelOp) ReturnsPtr() bool      { return false }
func (op *kernelOp) CallsExtern() bool     { return false }
func (op *kernelOp) OverwritesInput() int  { return -1 }
func (op *kernelOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.name) }
func (op *kernelOp) String() string        { return op.name }
func (op *kernelOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *kernelOp) InferShape(ds ...G.DimSizer) (tensor.Shape, error) {
	shapes := make([]tensor.Shape, len(ds))
	for i, d := range ds {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("%s: input %d has no shape (%T)", op.name, i, d)
		}
		shapes[i] = s
	}
	return op.shape(shapes)
}

func (op *kernelOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != op.arity {
		return nil, fmt.Errorf("%s: %d inputs, want %d", op.name, len(in), op.arity)
	}
	if opStats.on {
		defer recordOp(op.name, time.Now())
	}
	return op.do(in)
}

func (op *kernelOp) DiffWRT(n int) []bool { return op.diff }

func (op *kernelOp) SymDiff(in Nodes, out, dy *Node) (Nodes, error) {
	if op.grad == nil {
		return nil, fmt.Errorf("%s has no gradient", op.name)
	}
	return op.grad(in, out, dy)
}

// Types used by the ops' signatures.
var tvA = hm.TypeVariable('a')

func tt(dims int) hm.Type { return G.TensorType{Dims: dims, Of: tvA} }

var intVec hm.Type = G.TensorType{Dims: 1, Of: tensor.Int}

func fnType(ts ...hm.Type) hm.Type { return hm.NewFnType(ts...) }

// Float is the set of element types the kernels run on.
type Float interface{ ~float32 | ~float64 }

// dense returns the value as a *tensor.Dense.
func dense(v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("want a dense tensor, got %T", v)
	}
	return d, nil
}

// scalarValue reads a 0-d value (a Gorgonia scalar or a one-element tensor).
func scalarValue(v G.Value) (float64, error) {
	switch s := v.(type) {
	case *G.F32:
		return float64(*s), nil
	case *G.F64:
		return float64(*s), nil
	case *tensor.Dense:
		switch d := s.Data().(type) {
		case []float32:
			return float64(d[0]), nil
		case []float64:
			return d[0], nil
		case float32:
			return float64(d), nil
		case float64:
			return d, nil
		}
	}
	return 0, fmt.Errorf("want a scalar, got %T", v)
}

func newScalar(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}

// newDense allocates a zeroed tensor.
func newDense(dt tensor.Dtype, shape ...int) *tensor.Dense {
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
}

// gemm computes C = alpha·op(A)·op(B) + beta·C on row-major slices through
// the BLAS Gorgonia uses (pure Go by default, OpenBLAS with -tags openblas).
func gemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	countFLOPs(m, n, k)
	switch a := any(a).(type) {
	case []float32:
		G.WhichBLAS().Sgemm(ta, tb, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		G.WhichBLAS().Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// gemmSplit is how many goroutines one large gemm is split over. It is 1
// when the BLAS threads itself (gonum's native BLAS does; OpenBLAS does
// unless blas_openblas.go pins it to one thread and hands the splitting to
// Go, so that Go's elementwise kernels and the gemms share the cores
// without OpenBLAS's spinning worker threads).
var gemmSplit = 1

// minSplitFlops is the smallest gemm (2·m·n·k) worth splitting.
const minSplitFlops = 4 << 20

// pgemm is gemm, split into gemmSplit blocks of output rows or columns run
// in parallel; each block is an ordinary strided gemm over its own rows or
// columns of C, so the blocks never write the same element.
func pgemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	parts := gemmSplit
	if parts <= 1 || 2*m*n*k < minSplitFlops {
		gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if n >= m { // split the output's columns: B's columns (or rows of Bᵀ)
		parallelBlocks(n, parts, 16, func(lo, hi int) {
			bo := lo
			if tB {
				bo = lo * ldb
			}
			gemm(tA, tB, m, hi-lo, k, alpha, a, lda, b[bo:], ldb, beta, c[lo:], ldc)
		})
		return
	}
	parallelBlocks(m, parts, 16, func(lo, hi int) { // split the output's rows: A's rows (or columns of Aᵀ)
		ao := lo * lda
		if tA {
			ao = lo
		}
		gemm(tA, tB, hi-lo, n, k, alpha, a[ao:], lda, b, ldb, beta, c[lo*ldc:], ldc)
	})
}
