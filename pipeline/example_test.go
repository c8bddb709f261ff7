package pipeline_test

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/pipeline"
	"github.com/gorbert/gorbert/tokenizer"
)

// A fill-mask pipeline over a tiny randomly initialised model. Restricting
// the candidates with Targets makes the tokens (not the scores) certain.
func ExamplePipeline_FillMask() {
	vocab, _ := tokenizer.NewVocab([]string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "capital", "is", "paris", "rome", ".", "##s"})
	tok, _ := tokenizer.New(vocab, tokenizer.DefaultConfig())
	cfg := gorbert.Default()
	cfg.VocabSize, cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize = vocab.Size(), 16, 1, 2, 32
	p := pipeline.New(graph.Init(cfg, gorbert.TaskMLM, rand.New(rand.NewSource(1))), tok, 512, 0)
	defer p.Close()

	res, err := p.FillMask([]string{"The capital is [MASK].", "[MASK] is the [MASK]."}, pipeline.FillMaskOptions{Targets: []string{"paris", "Paris", "romes"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		for _, cands := range r.Masks {
			var seqs []string
			for _, c := range cands {
				seqs = append(seqs, c.Sequence)
			}
			sort.Strings(seqs) // the order depends on the random weights
			fmt.Println(len(cands), "candidates:", strings.Join(seqs, " | "))
		}
	}
	// Output:
	// 2 candidates: the capital is paris. | the capital is rome.
	// 2 candidates: [CLS] paris is the [MASK]. [SEP] | [CLS] rome is the [MASK]. [SEP]
	// 2 candidates: [CLS] [MASK] is the paris. [SEP] | [CLS] [MASK] is the rome. [SEP]
}

// ProcessJSONL is the JSON Lines loop of the infer commands: one output
// line per input line, errors naming the line.
func ExampleProcessJSONL() {
	in := strings.NewReader("{\"text\": \"Hello\"}\n\n{\"text\": \"world\"}\n")
	err := pipeline.ProcessJSONL(in, "in.jsonl", os.Stdout, 0, func(texts []pipeline.TextInput) ([]int, error) {
		lens := make([]int, len(texts))
		for i, t := range texts {
			lens[i] = len(t.Text)
		}
		return lens, nil
	})
	fmt.Println(err)
	// Output:
	// 5
	// 5
	// <nil>
}
