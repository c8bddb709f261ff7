package main

import (
	"fmt"

	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/pipeline"
)

func init() {
	commands.Register(cli.Command{Name: "classify", Summary: "classify texts or pairs (HuggingFace text-classification), JSON Lines in and out", Run: runClassify})
}

// runClassify: infer classify --model DIR [--top-k N | --all] [--function softmax|sigmoid|none] [--in in.jsonl] [--out out.jsonl].
func runClassify(args []string) error {
	fs := cli.FlagSet(commands.Binary, "classify", `--model DIR [--top-k N | --all] [--function softmax|sigmoid|none] [--in in.jsonl] [--out out.jsonl]`)
	model := fs.String("model", "", "HuggingFace model folder of a sequence-classification checkpoint")
	topK := fs.Int("top-k", 0, "labels to return, best first (0: only the best one, in HuggingFace's top_k-less shape)")
	all := fs.Bool("all", false, "return every label, best first (top_k=None)")
	function := fs.String("function", "", "softmax, sigmoid or none (default: from the config)")
	in := fs.String("in", "", `input JSON Lines, {"text": ...} or {"text": ..., "text_pair": ...} per line (default stdin)`)
	out := fs.String("out", "", "output JSON Lines (default stdout)")
	batch := fs.Int("batch", 256, "lines processed together on all cores")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *model == "" {
		return fmt.Errorf("--model required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	opts := pipeline.ClassifyOptions{TopK: *topK, Function: *function}
	switch {
	case *all && *topK != 0:
		return fmt.Errorf("--all and --top-k exclude each other")
	case *all:
		opts.TopK = pipeline.AllLabels
	case *topK < 0:
		return fmt.Errorf("--top-k must not be negative")
	}
	p, err := pipeline.Load(*model)
	if err != nil {
		return err
	}
	defer p.Close()
	return pipeline.ProcessJSONLFiles(*in, *out, *batch, func(in []pipeline.ClassifyInput) ([]pipeline.ClassifyResult, error) {
		return p.Classify(in, opts)
	})
}
