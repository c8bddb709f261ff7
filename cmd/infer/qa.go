package main

import (
	"fmt"

	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/pipeline"
)

func init() {
	commands.Register(cli.Command{Name: "qa", Summary: "answer questions from contexts of any length (HuggingFace question-answering), JSON Lines in and out", Run: runQA})
}

// runQA: infer qa --model DIR [--top-k 1] [--doc-stride N] [--max-seq-len N] [--max-question-len N] [--max-answer-len 15] [--handle-impossible] [--no-align] [--in in.jsonl] [--out out.jsonl].
func runQA(args []string) error {
	fs := cli.FlagSet(commands.Binary, "qa", `--model DIR [--top-k 1] [--doc-stride N] [--max-seq-len N] [--max-question-len N] [--max-answer-len 15] [--handle-impossible] [--no-align] [--in in.jsonl] [--out out.jsonl]`)
	model := fs.String("model", "", "HuggingFace model folder of a question-answering checkpoint")
	var o pipeline.QAOptions
	fs.IntVar(&o.TopK, "top-k", 1, "answers per question (one is written as an object, several as a list)")
	fs.IntVar(&o.DocStride, "doc-stride", 0, "context tokens shared by consecutive windows (0: min(max-seq-len/2, 128))")
	fs.IntVar(&o.MaxSeqLen, "max-seq-len", 0, "window length in tokens (0: min(model_max_length, 384))")
	fs.IntVar(&o.MaxQuestionLen, "max-question-len", 64, "accepted for HuggingFace compatibility; the question is never cut")
	fs.IntVar(&o.MaxAnswerLen, "max-answer-len", 15, "longest answer in tokens")
	fs.BoolVar(&o.HandleImpossible, "handle-impossible", false, `also score the empty "no answer"`)
	fs.BoolVar(&o.NoAlignToWords, "no-align", false, "answer with token boundaries instead of whole words (align_to_words=False)")
	in := fs.String("in", "", `input JSON Lines, {"question": ..., "context": ...} per line (default stdin)`)
	out := fs.String("out", "", "output JSON Lines (default stdout)")
	batch := fs.Int("batch", 64, "lines processed together on all cores")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *model == "" {
		return fmt.Errorf("--model required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.TopK < 1 || o.MaxAnswerLen < 1 {
		return fmt.Errorf("--top-k and --max-answer-len must be at least 1")
	}
	p, err := pipeline.Load(*model)
	if err != nil {
		return err
	}
	defer p.Close()
	return pipeline.ProcessJSONLFiles(*in, *out, *batch, func(in []pipeline.QAInput) ([]pipeline.QAResult, error) {
		return p.AnswerQuestions(in, o)
	})
}
