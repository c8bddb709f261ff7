package main

import (
	"fmt"
	"strings"

	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/pipeline"
)

func init() {
	commands.Register(cli.Command{Name: "ner", Summary: "label entities (HuggingFace token-classification), JSON Lines in and out", Run: runNER})
}

// runNER: infer ner --model DIR [--aggregation none|simple|first|average|max] [--ignore-labels O] [--in in.jsonl] [--out out.jsonl].
func runNER(args []string) error {
	fs := cli.FlagSet(commands.Binary, "ner", `--model DIR [--aggregation none|simple|first|average|max] [--ignore-labels O,...] [--in in.jsonl] [--out out.jsonl]`)
	model := fs.String("model", "", "HuggingFace model folder of a token-classification checkpoint")
	aggregation := fs.String("aggregation", pipeline.AggregateNone, "none, simple, first, average or max (HuggingFace aggregation_strategy)")
	ignore := fs.String("ignore-labels", "O", `comma-separated labels to drop ("" keeps all)`)
	in := fs.String("in", "", `input JSON Lines, {"text": ...} per line (default stdin)`)
	out := fs.String("out", "", "output JSON Lines, a list of entities per line (default stdout)")
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
	opts := pipeline.NEROptions{Aggregation: *aggregation, IgnoreLabels: []string{}}
	if *ignore != "" {
		opts.IgnoreLabels = strings.Split(*ignore, ",")
	}
	p, err := pipeline.Load(*model)
	if err != nil {
		return err
	}
	defer p.Close()
	return pipeline.ProcessJSONLFiles(*in, *out, *batch, func(in []pipeline.TextInput) ([][]pipeline.Entity, error) {
		return p.NER(pipeline.Texts(in), opts)
	})
}
