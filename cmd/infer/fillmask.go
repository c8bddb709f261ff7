package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/pipeline"
)

func init() {
	commands.Register(cli.Command{Name: "fill-mask", Summary: "predict [MASK] tokens (HuggingFace fill-mask), JSON Lines out", Run: runFillMask})
}

// runFillMask: infer fill-mask --model DIR [--top-k 5] [--targets a,b] ("text with [MASK]"... | --in in.jsonl) [--out out.jsonl].
func runFillMask(args []string) error {
	fs := cli.FlagSet(commands.Binary, "fill-mask", `--model DIR [--top-k 5] [--targets a,b] ("text with [MASK]"... | --in in.jsonl) [--out out.jsonl]`)
	model := fs.String("model", "", "HuggingFace model folder of a masked-LM checkpoint")
	topK := fs.Int("top-k", 5, "candidates per mask")
	targets := fs.String("targets", "", "comma-separated candidate tokens to restrict the prediction to")
	in := fs.String("in", "", `input JSON Lines, {"text": ...} per line (default stdin, or the arguments)`)
	out := fs.String("out", "", "output JSON Lines (default stdout)")
	batch := fs.Int("batch", 256, "lines processed together on all cores")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *model == "" {
		return fmt.Errorf("--model required")
	}
	if fs.NArg() > 0 && *in != "" {
		return fmt.Errorf("give texts as arguments or --in, not both")
	}
	opts := pipeline.FillMaskOptions{TopK: *topK}
	if *targets != "" {
		opts.Targets = strings.Split(*targets, ",")
	}
	p, err := pipeline.Load(*model)
	if err != nil {
		return err
	}
	defer p.Close()
	run := func(texts []pipeline.TextInput) ([]pipeline.FillMaskResult, error) {
		return p.FillMask(pipeline.Texts(texts), opts)
	}
	if fs.NArg() > 0 {
		var lines strings.Builder
		for _, a := range fs.Args() {
			b, _ := json.Marshal(a)
			lines.Write(append(b, '\n'))
		}
		w, err := pipeline.Output(*out)
		if err != nil {
			return err
		}
		if err := pipeline.ProcessJSONL(strings.NewReader(lines.String()), "argument", w, *batch, run); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	}
	return pipeline.ProcessJSONLFiles(*in, *out, *batch, run)
}
