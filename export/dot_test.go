package export_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/awalterschulze/gographviz"
	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/export"
)

var (
	dotNode    = regexp.MustCompile(`(?m)^\s*(n\d+) \[label="([^"]*)", shape=(\w+)\];$`)
	dotEdge    = regexp.MustCompile(`(?m)^\s*(n\d+) -> (n\d+)`)
	dotCluster = regexp.MustCompile(`(?m)^\s*subgraph cluster_\d+ \{\n\s*label="([^"]*)";`)
)

// TestDOTLayers: in the DOT of a 2-layer model both encoder layers have the
// same weight nodes and the same ops in their clusters, every parameter
// appears under its HuggingFace name, and every edge joins declared nodes.
func TestDOTLayers(t *testing.T) {
	for _, task := range gorbert.Tasks() {
		t.Run(string(task), func(t *testing.T) {
			p := tinyParams("gelu", task)
			dot, err := export.DOT(p, 2, 5)
			if err != nil {
				t.Fatal(err)
			}
			g, err := gographviz.Read([]byte(dot)) // Graphviz's grammar
			if err != nil {
				t.Fatalf("DOT does not parse: %v", err)
			}

			labels := map[string]string{}
			for _, m := range dotNode.FindAllStringSubmatch(dot, -1) {
				labels[m[1]] = m[2]
			}
			if !g.Directed || len(g.Nodes.Nodes) != len(labels) || len(labels) < 60 {
				t.Fatalf("Graphviz parses %d nodes (directed %v), the test reads %d", len(g.Nodes.Nodes), g.Directed, len(labels))
			}
			weights := map[string]int{} // "bert.encoder.layer.0." -> weight nodes
			for _, l := range labels {
				name, _, _ := strings.Cut(l, `\n`)
				for _, layer := range []string{"bert.encoder.layer.0.", "bert.encoder.layer.1."} {
					if strings.HasPrefix(name, layer) {
						weights[layer]++
					}
				}
			}
			if weights["bert.encoder.layer.0."] != 16 || weights["bert.encoder.layer.1."] != 16 {
				t.Errorf("weight nodes per layer: %v, want 16 each", weights)
			}
			for _, s := range p.Config.ParamSpecs(task) {
				if !strings.Contains(dot, `"`+s.Name+`\n`) {
					t.Errorf("parameter %s has no node", s.Name)
				}
			}
			// Ops per layer cluster: the same multiset in both layers.
			ops := map[string]map[string]int{}
			for _, block := range strings.Split(dot, "subgraph ")[1:] {
				cl := dotCluster.FindStringSubmatch("subgraph " + block)
				if cl == nil {
					continue
				}
				block, _, _ = strings.Cut(block, "\t}\n")
				ops[cl[1]] = map[string]int{}
				for _, m := range dotNode.FindAllStringSubmatch(block, -1) {
					if m[3] == "ellipse" {
						op, _, _ := strings.Cut(m[2], `\n`)
						ops[cl[1]][op]++
					}
				}
			}
			l0, l1 := ops["bert.encoder.layer.0"], ops["bert.encoder.layer.1"]
			if len(l0) == 0 || !equalCounts(l0, l1) {
				t.Errorf("ops per layer differ:\nlayer 0 %v\nlayer 1 %v", l0, l1)
			}
			if l0["gx.Linear"] != 6 || l0["gx.LayerNorm{eps=1e-12}"] != 2 || l0["gx.Softmax{masked=true}"] != 1 {
				t.Errorf("layer 0 ops %v: want 6 Linear ops, 2 LayerNorms, 1 masked softmax", l0)
			}
			for _, m := range dotEdge.FindAllStringSubmatch(dot, -1) {
				if labels[m[1]] == "" || labels[m[2]] == "" {
					t.Fatalf("edge %s -> %s joins an undeclared node", m[1], m[2])
				}
			}
		})
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestWriteDOT writes the file (and the SVG when Graphviz is installed).
func TestWriteDOT(t *testing.T) {
	path := filepath.Join(t.TempDir(), "graph.dot")
	svg, err := export.WriteDOT(path, tinyParams("gelu_new", gorbert.TaskQA), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "qa_outputs.weight") {
		t.Error("DOT lacks the QA head")
	}
	if _, lookErr := os.Stat(svg); svg != "" && lookErr != nil {
		t.Errorf("WriteDOT returned %s, which is not there", svg)
	}
	if _, err := export.DOT(tinyParams("gelu", gorbert.TaskBase), 1, 41); err == nil {
		t.Error("a sequence longer than max_position_embeddings was accepted")
	}
}
