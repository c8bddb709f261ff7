package gx

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Node is a node of the symbolic graph.
type Node = G.Node

// Nodes is a list of nodes.
type Nodes = G.Nodes

// Graph is a symbolic expression graph.
type Graph = G.ExprGraph

// Builder adds nodes to one graph. The first error sticks: every later call
// returns nil and does nothing, so builders read like straight-line math and
// the caller checks Err once (as bufio.Scanner does).
type Builder struct {
	g   *G.ExprGraph
	dt  tensor.Dtype
	err error
	// dropout lists the dropout masks the caller must fill before each run.
	dropout []DropoutMask
}

// NewBuilder starts a graph whose floating-point values have type dt
// (tensor.Float32 for models, tensor.Float64 for gradient checks).
func NewBuilder(dt tensor.Dtype) *Builder {
	return &Builder{g: G.NewGraph(), dt: dt}
}

// Graph returns the graph being built.
func (b *Builder) Graph() *G.ExprGraph { return b.g }

// Dtype is the graph's floating-point type.
func (b *Builder) Dtype() tensor.Dtype { return b.dt }

// Err returns the first error met while building.
func (b *Builder) Err() error { return b.err }

// Fail records err (with context) unless an error is already recorded.
func (b *Builder) Fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf(format, args...)
	}
}

func (b *Builder) ok(ns ...*Node) bool {
	if b.err != nil {
		return false
	}
	for _, n := range ns {
		if n == nil {
			b.err = fmt.Errorf("gx: nil node")
			return false
		}
	}
	return true
}

// check records err with the op name; it returns whether building may go on.
func (b *Builder) check(op string, err error) bool {
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("%s: %w", op, err)
	}
	return b.err == nil
}

// Input declares a floating-point input of the given shape; its value is set
// with Let before each run.
func (b *Builder) Input(name string, shape ...int) *Node {
	if b.err != nil {
		return nil
	}
	return G.NewTensor(b.g, b.dt, len(shape), G.WithShape(shape...), G.WithName(name))
}

// IntInput declares a 1-D integer input (token ids, positions, labels).
func (b *Builder) IntInput(name string, n int) *Node {
	if b.err != nil {
		return nil
	}
	return G.NewTensor(b.g, tensor.Int, 1, G.WithShape(n), G.WithName(name))
}

// IntConst is a constant 1-D integer node (e.g. the row of each [CLS] token).
func (b *Builder) IntConst(name string, values []int) *Node {
	if b.err != nil {
		return nil
	}
	t := tensor.New(tensor.WithShape(len(values)), tensor.WithBacking(append([]int(nil), values...)))
	return G.NewTensor(b.g, tensor.Int, 1, G.WithShape(len(values)), G.WithName(name), G.WithValue(t))
}

// Param binds a weight tensor to a named node. Graphs built from the same
// tensors share them: an optimizer step seen by one is seen by all.
func (b *Builder) Param(name string, t *tensor.Dense) *Node {
	if b.err != nil {
		return nil
	}
	if t.Dtype() != b.dt {
		b.Fail("param %s: dtype %v, graph is %v", name, t.Dtype(), b.dt)
		return nil
	}
	return G.NewTensor(b.g, b.dt, t.Dims(), G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
}

// Scalar is a constant of the graph's dtype (Gorgonia rejects mixed dtypes).
func (b *Builder) Scalar(v float64) *Node {
	if b.err != nil {
		return nil
	}
	if b.dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// Let sets an input node's value.
func Let(n *Node, v any) error { return G.Let(n, v) }

// sameShape guards elementwise ops: Gorgonia accepts (N,1) with (N) and then
// swaps the two gradients' shapes (bug B8), so we insist on equal shapes.
func (b *Builder) sameShape(op string, x, y *Node) bool {
	if !sameDims(x.Shape(), y.Shape()) {
		b.Fail("%s: shapes %v and %v differ", op, x.Shape(), y.Shape())
		return false
	}
	return true
}

// Add is x + y for equal shapes, or for two scalars.
func (b *Builder) Add(x, y *Node) *Node {
	if !b.ok(x, y) || !b.sameShape("add", x, y) {
		return nil
	}
	if x.Dims() > 0 {
		return b.apply(elemOp(false), "add", x, y)
	}
	n, err := G.Add(x, y)
	if !b.check("add", err) {
		return nil
	}
	return n
}

// Mul is the elementwise product for equal shapes (dropout masks, weights).
func (b *Builder) Mul(x, y *Node) *Node {
	if !b.ok(x, y) || !b.sameShape("mul", x, y) {
		return nil
	}
	if x.Dims() > 0 {
		return b.apply(elemOp(true), "mul", x, y)
	}
	n, err := G.HadamardProd(x, y)
	if !b.check("mul", err) {
		return nil
	}
	return n
}

// Scale is x * c for a constant c.
func (b *Builder) Scale(x *Node, c float64) *Node {
	if !b.ok(x) {
		return nil
	}
	n, err := G.Mul(x, b.Scalar(c))
	if !b.check("scale", err) {
		return nil
	}
	return n
}

// Tanh is the elementwise hyperbolic tangent (the pooler's activation).
func (b *Builder) Tanh(x *Node) *Node {
	if !b.ok(x) {
		return nil
	}
	n, err := G.Tanh(x)
	if !b.check("tanh", err) {
		return nil
	}
	return n
}

// Reshape changes the shape without moving data.
func (b *Builder) Reshape(x *Node, shape ...int) *Node {
	if !b.ok(x) {
		return nil
	}
	n, err := G.Reshape(x, tensor.Shape(append([]int(nil), shape...)))
	if !b.check("reshape", err) {
		return nil
	}
	return n
}

// Column takes column j of a matrix: (N, C) -> (N).
func (b *Builder) Column(x *Node, j int) *Node {
	if !b.ok(x) {
		return nil
	}
	if x.Dims() != 2 || j < 0 || j >= x.Shape()[1] {
		b.Fail("column %d of shape %v", j, x.Shape())
		return nil
	}
	n, err := G.Slice(x, nil, G.S(j))
	if !b.check("column", err) {
		return nil
	}
	return n
}

// Square sums: 0.5·mean((x-y)²) is not what HF does; MSE is mean((x-y)²).
// MSE is the regression loss of a one-label classification head.
func (b *Builder) MSE(pred, target *Node) *Node {
	if !b.ok(pred, target) || !b.sameShape("mse", pred, target) {
		return nil
	}
	d, err := G.Sub(pred, target)
	if !b.check("mse", err) {
		return nil
	}
	sq, err := G.Square(d)
	if !b.check("mse", err) {
		return nil
	}
	m, err := G.Mean(sq)
	if !b.check("mse", err) {
		return nil
	}
	return m
}

// Grad adds the symbolic gradients of the scalar cost with respect to wrt.
func (b *Builder) Grad(cost *Node, wrt ...*Node) Nodes {
	if !b.ok(cost) {
		return nil
	}
	gs, err := G.Grad(cost, wrt...)
	if !b.check("grad", err) {
		return nil
	}
	return gs
}

// apply runs a project op on inputs.
func (b *Builder) apply(op G.Op, name string, inputs ...*Node) *Node {
	if !b.ok(inputs...) {
		return nil
	}
	n, err := G.ApplyOp(op, inputs...)
	if !b.check(name, err) {
		return nil
	}
	return n
}

// sameDims is strict shape equality: tensor.Shape.Eq calls (3, 1) and (3) equal.
func sameDims(a, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
