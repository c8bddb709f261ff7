package metrics_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gorbert/gorbert/data/tasks"
	"github.com/gorbert/gorbert/metrics"
)

// TestSeqEvalCoNLL2003Dev scores CoNLL-2003 dev against itself and against a
// copy with known damage, on the real file when it is present.
func TestSeqEvalCoNLL2003Dev(t *testing.T) {
	root := filepath.Join("..", "shared")
	if env := os.Getenv("GORBERT_SHARED"); env != "" {
		root = env
	}
	path := filepath.Join(root, "datasets", "conll2003", "dev.txt")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("CoNLL-2003 not available (%v); set GORBERT_SHARED to the shared/ folder to run this test", err)
	}
	sents, err := tasks.ReadCoNLL(path, tasks.CoNLLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gold := make([][]string, len(sents))
	pred := make([][]string, len(sents))
	for i, s := range sents {
		gold[i] = s.Tags
		pred[i] = append([]string(nil), s.Tags...)
	}
	rep, err := metrics.SeqEval(gold, gold)
	if err != nil {
		t.Fatal(err)
	}
	// The dataset README's entity counts: PER 1842, LOC 1837, ORG 1341, MISC 922.
	want := map[string]int{"PER": 1842, "LOC": 1837, "ORG": 1341, "MISC": 922}
	for typ, n := range want {
		if rep.PerType[typ].Support != n {
			t.Errorf("%s: %d gold entities, want %d", typ, rep.PerType[typ].Support, n)
		}
	}
	if rep.Micro.F1 != 1 || rep.Micro.Support != 5942 {
		t.Errorf("self-comparison: %+v", rep.Micro)
	}
	// Relabel every PER entity as ORG: 1842 PER entities are missed and 1842
	// wrong ORG ones predicted, so micro precision = recall = (5942−1842)/5942.
	for _, tags := range pred {
		for j, tag := range tags {
			switch tag {
			case "B-PER":
				tags[j] = "B-ORG"
			case "I-PER":
				tags[j] = "I-ORG"
			}
		}
	}
	rep, err = metrics.SeqEval(gold, pred)
	if err != nil {
		t.Fatal(err)
	}
	p := float64(5942-1842) / 5942
	if rep.Micro.Correct != 4100 || rep.Micro.Precision != p || rep.Micro.Recall != p || rep.PerType["PER"].Recall != 0 {
		t.Errorf("PER→ORG: micro %+v, PER %+v", rep.Micro, rep.PerType["PER"])
	}
}
