package graph

import (
	"fmt"
	"math/rand"
	"strconv"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/internal/gx"
	"gorgonia.org/tensor"
)

// Run feeds a batch and evaluates the graph (compiling it on first use).
// A training graph's dropout masks are drawn from rng (nil: no dropout
// graph, or the caller filled them).
func (n *Net) Run(b Batch, rng *rand.Rand) error {
	if err := n.validate(b); err != nil {
		return err
	}
	if err := n.feed(b); err != nil {
		return err
	}
	if rng != nil {
		if err := gx.FillDropout(rng, n.DropoutMasks()); err != nil {
			return err
		}
	}
	if n.machine == nil {
		n.machine = gx.CompileKeeping(n.b.Graph(), n.readable())
	}
	return n.machine.Run()
}

// readable lists the nodes whose values Output, LossValues and Grad read
// after Run; the machine may reuse every other intermediate's memory.
func (n *Net) readable() []*gx.Node {
	keep := append(append([]*gx.Node{n.Pooled, n.Loss}, n.Hidden...), n.Attentions...)
	for _, m := range []map[string]*gx.Node{n.Outputs, n.LossTerms, n.Grads} {
		for _, node := range m {
			keep = append(keep, node)
		}
	}
	return keep
}

// Close releases the compiled machine.
func (n *Net) Close() error {
	if n.machine == nil {
		return nil
	}
	return n.machine.Close()
}

func intTensor(v []int) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))
}

func (n *Net) feed(b Batch) error {
	bs := b.Size * b.SeqLen
	types := b.TokenTypeIDs
	if types == nil {
		types = make([]int, bs)
	}
	mask := make([]float32, bs)
	for i := range mask {
		if b.AttentionMask == nil || b.AttentionMask[i] == 1 {
			mask[i] = 1
		}
	}
	lets := []struct {
		node *gx.Node
		v    *tensor.Dense
	}{
		{n.ids, intTensor(b.InputIDs)},
		{n.types, intTensor(types)},
		{n.mask, tensor.New(tensor.WithShape(b.Size, b.SeqLen), tensor.WithBacking(mask))},
	}
	if n.Loss != nil {
		labelLets, err := n.labelValues(b)
		if err != nil {
			return err
		}
		lets = append(lets, labelLets...)
	}
	for _, l := range lets {
		if err := gx.Let(l.node, l.v); err != nil {
			return fmt.Errorf("feed %s: %w", l.node.Name(), err)
		}
	}
	return nil
}

// labelValues checks and converts the batch's labels for the loss inputs.
func (n *Net) labelValues(b Batch) ([]struct {
	node *gx.Node
	v    *tensor.Dense
}, error) {
	type let = struct {
		node *gx.Node
		v    *tensor.Dense
	}
	var out []let
	need := func(name string, v []int, size int) error {
		if len(v) != size {
			return fmt.Errorf("%s has %d values, want %d", name, len(v), size)
		}
		return nil
	}
	bs := b.Size * b.SeqLen
	if n.mlmRows != nil { // gather the labelled positions
		if err := need("labels", b.Labels, bs); err != nil {
			return nil, err
		}
		rows := make([]int, n.MaskedPositions)
		labels := make([]int, n.MaskedPositions)
		k := 0
		for i, l := range b.Labels {
			if l == gx.IgnoreIndex {
				continue
			}
			if k == len(rows) {
				return nil, fmt.Errorf("batch has more than %d labelled MLM positions", len(rows))
			}
			rows[k], labels[k] = i, l
			k++
		}
		for ; k < len(rows); k++ {
			labels[k] = gx.IgnoreIndex
		}
		out = append(out, let{n.mlmRows, intTensor(rows)}, let{n.labels, intTensor(labels)})
	} else if n.labels != nil {
		size := bs
		if n.Task == gorbert.TaskClassify {
			size = b.Size
		}
		if err := need("labels", b.Labels, size); err != nil {
			return nil, err
		}
		out = append(out, let{n.labels, intTensor(append([]int(nil), b.Labels...))})
	}
	if n.targets != nil {
		if len(b.Targets) != b.Size {
			return nil, fmt.Errorf("regression targets have %d values, want %d", len(b.Targets), b.Size)
		}
		out = append(out, let{n.targets, tensor.New(tensor.WithShape(b.Size), tensor.WithBacking(append([]float32(nil), b.Targets...)))})
	}
	if n.nsp != nil {
		if err := need("next_sentence_label", b.NextSentenceLabels, b.Size); err != nil {
			return nil, err
		}
		out = append(out, let{n.nsp, intTensor(append([]int(nil), b.NextSentenceLabels...))})
	}
	if n.startPos != nil {
		for _, p := range []struct {
			name string
			v    []int
			node *gx.Node
		}{{"start_positions", b.StartPositions, n.startPos}, {"end_positions", b.EndPositions, n.endPos}} {
			if err := need(p.name, p.v, b.Size); err != nil {
				return nil, err
			}
			// HuggingFace clamps to [0, S] and ignores S.
			v := make([]int, b.Size)
			for i, x := range p.v {
				x = min(max(x, 0), b.SeqLen)
				if x == b.SeqLen {
					x = gx.IgnoreIndex
				}
				v[i] = x
			}
			out = append(out, let{p.node, intTensor(v)})
		}
	}
	return out, nil
}

// OutputNames lists what Output can return for this graph, with the names
// HuggingFace gives them.
func (n *Net) OutputNames() []string {
	var names []string
	for i := range n.Hidden {
		names = append(names, "hidden_states."+strconv.Itoa(i))
	}
	names = append(names, "last_hidden_state")
	for i := range n.Attentions {
		names = append(names, "attentions."+strconv.Itoa(i))
	}
	if n.Pooled != nil {
		names = append(names, "pooler_output")
	}
	for _, k := range []string{"prediction_logits", "seq_relationship_logits", "logits", "start_logits", "end_logits"} {
		if _, ok := n.Outputs[k]; ok {
			names = append(names, k)
		}
	}
	return names
}

// Output copies an output after Run, in HuggingFace's shape
// (hidden states (B, S, H), token logits (B, S, C), ...).
func (n *Net) Output(name string) (checkpoint.Tensor, error) {
	B, S, H := n.Batch, n.Seq, n.Config.HiddenSize
	var node *gx.Node
	shape := []int{B, S, H}
	switch {
	case name == "last_hidden_state":
		node = n.Hidden[len(n.Hidden)-1]
	case len(name) > 14 && name[:14] == "hidden_states.":
		i, err := strconv.Atoi(name[14:])
		if err != nil || i < 0 || i >= len(n.Hidden) {
			return checkpoint.Tensor{}, fmt.Errorf("no output %q", name)
		}
		node = n.Hidden[i]
	case len(name) > 11 && name[:11] == "attentions.":
		i, err := strconv.Atoi(name[11:])
		if err != nil || i < 0 || i >= len(n.Attentions) {
			return checkpoint.Tensor{}, fmt.Errorf("no output %q", name)
		}
		node, shape = n.Attentions[i], []int{B, n.Config.NumAttentionHeads, S, S}
	case name == "pooler_output" && n.Pooled != nil:
		node, shape = n.Pooled, []int{B, H}
	default:
		o, ok := n.Outputs[name]
		if !ok {
			return checkpoint.Tensor{}, fmt.Errorf("no output %q in a %s graph", name, n.Task)
		}
		node = o
		switch {
		case name == "prediction_logits" && n.mlmRows == nil:
			shape = []int{B, S, n.Config.VocabSize}
		case name == "logits" && n.Task == gorbert.TaskNER:
			shape = []int{B, S, n.Config.NumLabels()}
		default:
			shape = []int(node.Shape().Clone())
		}
	}
	v, err := gx.Value(node)
	if err != nil {
		return checkpoint.Tensor{}, err
	}
	data := append([]float32(nil), v.Data().([]float32)...)
	if checkpoint.NumElements(shape) != len(data) {
		return checkpoint.Tensor{}, fmt.Errorf("output %s: %d values for shape %v", name, len(data), shape)
	}
	return checkpoint.Tensor{Shape: shape, Data: data}, nil
}

// LossValues returns the loss and its terms after Run on a loss graph.
func (n *Net) LossValues() (map[string]float64, error) {
	if n.Loss == nil {
		return nil, fmt.Errorf("graph has no loss")
	}
	out := map[string]float64{}
	l, err := gx.ScalarOf(n.Loss)
	if err != nil {
		return nil, err
	}
	out["loss"] = l
	for k, node := range n.LossTerms {
		if out[k], err = gx.ScalarOf(node); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Grad returns the gradient of a parameter after Run on a gradient graph
// (the live buffer: copy it before the next Run).
func (n *Net) Grad(name string) ([]float32, error) {
	g, ok := n.Grads[name]
	if !ok {
		return nil, fmt.Errorf("no gradient for %q", name)
	}
	v, err := gx.Value(g)
	if err != nil {
		return nil, err
	}
	return v.Data().([]float32), nil
}
