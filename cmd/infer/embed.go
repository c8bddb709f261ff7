package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/pipeline"
)

func init() {
	commands.Register(cli.Command{Name: "embed", Summary: "embed texts (HuggingFace feature-extraction, or CLS / mean pooling) as JSON Lines or safetensors", Run: runEmbed})
}

// runEmbed: infer embed --model DIR --pooling cls|mean|all [--format jsonl|safetensors] [--in in.jsonl] --out FILE.
func runEmbed(args []string) error {
	fs := cli.FlagSet(commands.Binary, "embed", `--model DIR --pooling cls|mean|all [--format jsonl|safetensors] [--in in.jsonl] --out FILE`)
	model := fs.String("model", "", "HuggingFace model folder (any BERT checkpoint)")
	pooling := fs.String("pooling", pipeline.PoolCLS, "cls (the [CLS] vector), mean (mean over the tokens) or all (every token: feature-extraction)")
	format := fs.String("format", "jsonl", "jsonl: one JSON array per line ([H], or [1][S][H] for all); safetensors: tensor embeddings [N,H], or features.<i> [1,S,H] per input i for all")
	in := fs.String("in", "", `input JSON Lines, {"text": ...} per line (default stdin)`)
	out := fs.String("out", "", "output file (default stdout for jsonl)")
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
	switch *pooling {
	case pipeline.PoolCLS, pipeline.PoolMean, pipeline.PoolAll:
	default:
		return fmt.Errorf("--pooling %q: want cls, mean or all", *pooling)
	}
	if *format != "jsonl" && *format != "safetensors" {
		return fmt.Errorf("--format %q: want jsonl or safetensors", *format)
	}
	if *format == "safetensors" && (*out == "" || *out == "-") {
		return fmt.Errorf("--format safetensors needs --out FILE")
	}
	p, err := pipeline.Load(*model)
	if err != nil {
		return err
	}
	defer p.Close()

	// embed returns one JSON value per text; for safetensors it also keeps
	// the tensors, and the JSON Lines go nowhere.
	tensors := map[string]checkpoint.Tensor{}
	var pooled []float32
	n, H := 0, p.Config.HiddenSize
	embed := func(in []pipeline.TextInput) ([]any, error) {
		res := make([]any, len(in))
		if *pooling == pipeline.PoolAll {
			feats, err := p.Features(pipeline.Texts(in))
			if err != nil {
				return nil, err
			}
			for i, f := range feats {
				res[i] = [][][]float32{f}
				if *format == "safetensors" {
					t := checkpoint.Tensor{Shape: []int{1, len(f), H}}
					for _, v := range f {
						t.Data = append(t.Data, v...)
					}
					tensors["features."+strconv.Itoa(n+i)] = t
				}
			}
		} else {
			vecs, err := p.Embed(pipeline.Texts(in), *pooling)
			if err != nil {
				return nil, err
			}
			for i, v := range vecs {
				res[i] = v
				pooled = append(pooled, v...)
			}
		}
		n += len(in)
		return res, nil
	}
	if *format == "jsonl" {
		return pipeline.ProcessJSONLFiles(*in, *out, *batch, embed)
	}
	r, name, err := pipeline.Input(*in)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := pipeline.ProcessJSONL(r, name, io.Discard, *batch, embed); err != nil {
		return err
	}
	if *pooling != pipeline.PoolAll {
		tensors["embeddings"] = checkpoint.Tensor{Shape: []int{n, H}, Data: pooled}
	}
	return checkpoint.WriteSafetensors(*out, tensors, map[string]string{"pooling": *pooling})
}
