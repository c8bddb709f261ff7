package export

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/atomicfile"
)

// DOT builds the model's inference graph for one batch × sequence shape
// (Gorgonia graphs have fixed shapes) and renders it in Graphviz DOT (see
// graph.Net.ToDot).
func DOT(p *graph.Params, batch, seq int) (string, error) {
	n, err := graph.Build(p, graph.Options{Batch: batch, Seq: seq})
	if err != nil {
		return "", err
	}
	defer n.Close()
	return n.ToDot(), nil
}

// ErrNoGraphviz is returned by RenderSVG when Graphviz's dot is not on PATH.
var ErrNoGraphviz = errors.New("graphviz's dot is not on PATH")

// WriteDOT writes the graph's DOT to path and, when Graphviz's dot is on
// PATH, an SVG beside it (path with its extension replaced by .svg). It
// returns the SVG's path, or "" when Graphviz is missing.
func WriteDOT(path string, p *graph.Params, batch, seq int) (svg string, err error) {
	dot, err := DOT(p, batch, seq)
	if err != nil {
		return "", err
	}
	if err := atomicfile.WriteBytes(path, []byte(dot)); err != nil {
		return "", err
	}
	svg, err = RenderSVG(path)
	if errors.Is(err, ErrNoGraphviz) {
		return "", nil
	}
	return svg, err
}

// RenderSVG runs `dot -Tsvg` on a DOT file and writes the SVG beside it.
func RenderSVG(dotPath string) (string, error) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return "", ErrNoGraphviz
	}
	svg := strings.TrimSuffix(dotPath, ".dot") + ".svg"
	if svg == dotPath {
		svg = dotPath + ".svg"
	}
	out, err := exec.Command(bin, "-Tsvg", "-o", svg, dotPath).CombinedOutput()
	if err != nil {
		os.Remove(svg)
		return "", fmt.Errorf("dot -Tsvg %s: %v: %s", dotPath, err, strings.TrimSpace(string(out)))
	}
	return svg, nil
}
