package graph_test

import (
	"fmt"
	"math/rand"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/graph"
)

// Build a freshly initialised BERT-Tiny encoder, run two sequences of
// different lengths through it, and list the outputs with their shapes.
func Example() {
	cfg, err := gorbert.Named("tiny", 1000) // L=2, H=128, A=2, vocabulary of 1000
	if err != nil {
		panic(err)
	}
	m := graph.NewModel(graph.Init(cfg, gorbert.TaskBase, rand.New(rand.NewSource(1))))
	defer m.Close()

	// Rows are padded to the longest with pad_token_id; the mask hides the padding.
	batch := graph.NewBatch([][]int{{101, 759, 208, 102}, {101, 274, 102}}, nil, 0, cfg.PadTokenID)
	out, err := m.Forward(batch)
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"hidden_states.0", "hidden_states.2", "last_hidden_state", "attentions.0", "pooler_output"} {
		fmt.Println(name, out[name].Shape)
	}
	fmt.Println(len(out), "outputs")
	// Output:
	// hidden_states.0 [2 4 128]
	// hidden_states.2 [2 4 128]
	// last_hidden_state [2 4 128]
	// attentions.0 [2 2 4 4]
	// pooler_output [2 128]
	// 7 outputs
}
