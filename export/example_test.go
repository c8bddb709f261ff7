package export_test

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/export"
	"github.com/gorbert/gorbert/graph"
)

// Export a (random, tiny) question-answering model to ONNX.
func ExampleWriteONNX() {
	cfg := gorbert.Default()
	cfg.VocabSize, cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize = 99, 32, 2, 4, 37
	p := graph.Init(cfg, gorbert.TaskQA, rand.New(rand.NewSource(1)))

	dir, _ := os.MkdirTemp("", "onnx")
	defer os.RemoveAll(dir)
	res, err := export.WriteONNX(filepath.Join(dir, "model.onnx"), p, export.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("opset", res.Opset, "outputs", res.Outputs, "external data:", res.DataPath != "")
	// Output: opset 17 outputs [start_logits end_logits] external data: false
}
