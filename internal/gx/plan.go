package gx

import (
	"gorgonia.org/tensor"
)

// CompileKeeping is Compile for callers that, after each Run, read only the
// values of keep (and of the graph's inputs and parameters). The project's
// ops whose results are read by nothing but other project ops then share
// output buffers wherever their lifetimes cannot overlap, so a graph's
// activations take about as much memory as the largest few live at once
// instead of one buffer per node. The values of other nodes are undefined
// after Run.
// With accumulate (dual values read by the tape at its own time) nothing is
// shared.
func CompileKeeping(g *Graph, keep Nodes, accumulate ...*Node) *Machine {
	if len(accumulate) == 0 {
		planBuffers(g, keep)
	}
	return Compile(g, accumulate...)
}

// planBuffers assigns shared output buffers to the kernelOp nodes of g.
//
// A node C may take over the buffer of an earlier node A only when every
// consumer of A is an ancestor of C: then in any topological order (the
// tape's included) A's value is dead before C writes. Buffers read by
// Gorgonia's own ops are never shared: those ops may write their result in
// place into their first input (OverwritesInput), which extends the
// buffer's life past anything this plan can see. Nodes in keep, nodes no
// one reads (outputs) and scalar results are left alone as well.
func planBuffers(g *Graph, keep Nodes) {
	all := g.AllNodes()
	n := len(all)
	index := make(map[*Node]int, n)
	for i, nd := range all {
		index[nd] = i
	}
	inputs := make([][]int, n)
	consumers := make([][]int, n)
	for i, nd := range all {
		it := g.From(nd.ID())
		for it.Next() {
			c, ok := it.Node().(*Node)
			if !ok {
				continue
			}
			j, ok := index[c]
			if !ok {
				continue
			}
			inputs[i] = append(inputs[i], j)
			consumers[j] = append(consumers[j], i)
		}
	}
	// Topological order, inputs first (Kahn).
	pending := make([]int, n)
	var order, ready []int
	for i := range all {
		pending[i] = len(inputs[i])
		if pending[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		i := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		order = append(order, i)
		for _, c := range consumers[i] {
			if pending[c]--; pending[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	if len(order) != n {
		return // not a DAG as far as we can see: leave every op on its own buffer
	}
	words := (n + 63) / 64
	anc := make([]uint64, n*words) // anc[i] = bitset of i's ancestors
	row := func(i int) []uint64 { return anc[i*words : (i+1)*words] }
	for _, i := range order {
		a := row(i)
		for _, c := range inputs[i] {
			ac := row(c)
			for w := range a {
				a[w] |= ac[w]
			}
			a[c/64] |= 1 << (c % 64)
		}
	}
	kept := make(map[*Node]bool, len(keep))
	for _, k := range keep {
		kept[k] = true
	}
	shareable := func(i int) (*kernelOp, bool) {
		nd := all[i]
		op, ok := nd.Op().(*kernelOp)
		if !ok || kept[nd] || len(consumers[i]) == 0 || nd.Shape().IsScalar() {
			return nil, false
		}
		if dt := nd.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
			return nil, false
		}
		for _, c := range consumers[i] {
			if _, ours := all[c].Op().(*kernelOp); !ours {
				return nil, false
			}
		}
		return op, true
	}
	type buffer struct {
		data any // []float32 or []float64
		last int // the node that holds it now
	}
	type key struct {
		dt   tensor.Dtype
		size int
	}
	pools := map[key][]*buffer{}
	for _, i := range order {
		op, ok := shareable(i)
		if !ok {
			continue
		}
		nd := all[i]
		shape := nd.Shape()
		k := key{nd.Dtype(), shape.TotalSize()}
		a := row(i)
		var buf *buffer
		for _, b := range pools[k] {
			free := true
			for _, c := range consumers[b.last] {
				if a[c/64]&(1<<(c%64)) == 0 {
					free = false
					break
				}
			}
			if free {
				buf = b
				break
			}
		}
		if buf == nil {
			buf = &buffer{}
			if k.dt == tensor.Float32 {
				buf.data = make([]float32, k.size)
			} else {
				buf.data = make([]float64, k.size)
			}
			pools[k] = append(pools[k], buf)
		}
		buf.last = i
		op.buf = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(buf.data))
	}
}
