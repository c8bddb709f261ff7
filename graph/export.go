package graph

import (
	"fmt"

	"github.com/gorbert/gorbert/internal/gx"
)

// ToDot renders the built graph in Graphviz DOT (see gx.Dot): weight nodes
// carry their HuggingFace names, op nodes their op and the module whose
// weights they read, grouped in one cluster per module.
func (n *Net) ToDot() string {
	title := fmt.Sprintf("%s %s, batch %d x seq %d", n.Task.Architecture(), n.Config.HiddenAct, n.Batch, n.Seq)
	return gx.Dot(n.b.Graph(), title)
}
