package gx

import (
	"fmt"
	"hash"
	"hash/fnv"

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
	switch a := any(a).(type) {
	case []float32:
		G.WhichBLAS().Sgemm(ta, tb, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		G.WhichBLAS().Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}
