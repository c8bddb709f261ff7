package gx

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	G "gorgonia.org/gorgonia"
)

// Dot renders a graph in Graphviz DOT, for people to read. Unlike Gorgonia's
// own ToDot (HTML tables keyed by pointers, weights printed inline) it is
// deterministic and short:
//
//   - a node is named n<k>, k its place in the graph (inputs come first);
//   - a weight node is labelled with its HuggingFace name and shape, an input
//     with its name and shape, an op node with its op (gx.MatMul{...},
//     gx.LayerNorm{eps=...}, ...), the module whose weights it reads, and its
//     output shape;
//   - nodes are grouped into one cluster per module (bert.embeddings,
//     bert.encoder.layer.<i>, bert.pooler, cls.predictions, ...): a weight by
//     its name, an op by the first weight it reads or else by its first
//     operand's cluster;
//   - edges run from operand to result (the direction data flows), labelled
//     with the operand's position when an op has several.
func Dot(g *Graph, title string) string {
	all := g.AllNodes()
	id := make(map[*Node]string, len(all))
	operands := make(map[*Node][]*Node, len(all))
	consumers := make(map[*Node][]*Node, len(all))
	for k, n := range all {
		id[n] = "n" + strconv.Itoa(k)
		operands[n] = children(g, n)
		for _, ch := range operands[n] {
			consumers[ch] = append(consumers[ch], n)
		}
	}

	// Pass 1, in graph order (operands first): weights and inputs by name;
	// an op in the latest cluster among its operands, so that a layer's
	// query projection (reading the previous layer's output) and the MLM
	// decoder (reading the tied word embeddings) sit in their own module.
	cluster := make(map[*Node]string, len(all))
	rank := map[string]int{"": -1}
	var clusters []string
	label := make(map[*Node]string, len(all))
	for _, n := range all {
		var c string
		if n.Op() == nil || n.IsVar() { // an input or a weight
			c = clusterOf(n.Name())
			label[n] = n.Name() + "\n" + fmt.Sprint(n.Shape())
		} else {
			for _, ch := range operands[n] {
				if rank[cluster[ch]] > rank[c] {
					c = cluster[ch]
				}
			}
			label[n] = opLabel(n.Op())
			if m := weightModule(operands[n]); m != "" {
				label[n] += "\n" + m
			}
			label[n] += "\n" + fmt.Sprint(n.Shape())
		}
		if _, seen := rank[c]; !seen {
			rank[c] = len(clusters)
			clusters = append(clusters, c)
		}
		cluster[n] = c
	}
	// Pass 2: an op that reads no weight and feeds a single op that does
	// (the pooler's [CLS] row gather) belongs to that op's module.
	for _, n := range all {
		if n.Op() == nil || n.IsVar() || weightModule(operands[n]) != "" || len(consumers[n]) != 1 {
			continue
		}
		if next := consumers[n][0]; weightModule(operands[next]) != "" {
			cluster[n] = cluster[next]
		}
	}
	byCluster := map[string][]*Node{}
	for _, n := range all {
		byCluster[cluster[n]] = append(byCluster[cluster[n]], n)
	}

	var sb strings.Builder
	fmt.Fprintf(&sb, "digraph %s {\n", quote(title))
	sb.WriteString("\tlabel=" + quote(title) + ";\n\trankdir=TB;\n\tnode [fontname=\"monospace\", fontsize=10];\n")
	for i, c := range append([]string{""}, clusters...) { // "": inputs and constants
		indent := "\t"
		if c != "" {
			fmt.Fprintf(&sb, "\tsubgraph cluster_%d {\n\t\tlabel=%s;\n", i, quote(c))
			indent = "\t\t"
		}
		for _, n := range byCluster[c] {
			fmt.Fprintf(&sb, "%s%s [label=%s, shape=%s];\n", indent, id[n], quote(label[n]), shapeOf(n))
		}
		if c != "" {
			sb.WriteString("\t}\n")
		}
	}
	for _, n := range all {
		for i, ch := range operands[n] {
			if _, ok := id[ch]; !ok {
				continue
			}
			if len(operands[n]) > 1 {
				fmt.Fprintf(&sb, "\t%s -> %s [taillabel=\"%d\"];\n", id[ch], id[n], i)
			} else {
				fmt.Fprintf(&sb, "\t%s -> %s;\n", id[ch], id[n])
			}
		}
	}
	sb.WriteString("}\n")
	return sb.String()
}

// opLabel names an op: the project's ops print themselves fully
// (gx.MatMul{tA=false,tB=true}); Gorgonia's arithmetic prints as a symbol
// and a flag ("+ false"), which is named here.
func opLabel(op G.Op) string {
	s := op.String()
	if strings.HasPrefix(s, "gx.") {
		// A gather names its table; an unnamed table is an expression
		// such as gx.AddRow(%5a, %59): call it "rows".
		return exprName.ReplaceAllString(s, "rows")
	}
	names := map[string]string{"+": "Add", "-": "Sub", "×": "Mul", "*": "Mul", "⊙": "Mul"}
	sym, _, _ := strings.Cut(s, " ")
	if name, ok := names[sym]; ok {
		return name + " (" + s + ")"
	}
	return s
}

// weightModule is the module of the first weight among an op's operands.
func weightModule(operands []*Node) string {
	for _, ch := range operands {
		if isWeight(ch) {
			return moduleOf(ch.Name())
		}
	}
	return ""
}

var exprName = regexp.MustCompile(`[\w.]+\((%[0-9a-f]+(, )?)*\)`)

// children lists a node's operands in order.
func children(g *Graph, n *Node) []*Node {
	from := g.From(n.ID())
	var out []*Node
	for from.Next() {
		out = append(out, from.Node().(*Node))
	}
	return out
}

// isWeight: a named variable that holds a value before any run (Param).
func isWeight(n *Node) bool {
	return n.IsVar() && n.Value() != nil && strings.Contains(n.Name(), ".")
}

// moduleOf strips the parameter's own name: "....query.weight" -> "....query".
func moduleOf(param string) string {
	for _, leaf := range []string{".weight", ".bias"} {
		if s, ok := strings.CutSuffix(param, leaf); ok {
			return s
		}
	}
	return param
}

// clusterOf groups a module or parameter name: encoder layers by their index
// (bert.encoder.layer.3), everything else by its first two components
// (bert.embeddings, bert.pooler, cls.predictions, classifier). Names without
// a dot (graph inputs, constants) belong to no cluster.
func clusterOf(name string) string {
	parts := strings.Split(moduleOf(name), ".")
	if len(parts) == 1 && !strings.Contains(name, ".") {
		return ""
	}
	n := 2
	if len(parts) >= 4 && parts[0] == "bert" && parts[1] == "encoder" && parts[2] == "layer" {
		n = 4
	}
	return strings.Join(parts[:min(n, len(parts))], ".")
}

func shapeOf(n *Node) string {
	switch {
	case isWeight(n):
		return "box"
	case n.Op() == nil || n.IsVar():
		return "invhouse"
	}
	if n.Op().Arity() == 0 {
		return "plaintext" // constants
	}
	return "ellipse"
}

// quote makes a DOT double-quoted string; \n stays a line break.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
