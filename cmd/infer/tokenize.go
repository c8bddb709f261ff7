package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gorbert/gorbert/internal/atomicfile"
	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/tokenizer"
)

func init() {
	commands.Register(cli.Command{Name: "tokenize", Summary: "tokenize JSON Lines text into BERT ids, masks and offsets", Run: runTokenize})
}

func runTokenize(args []string) error {
	fs := cli.FlagSet(commands.Binary, "tokenize", "(--vocab FILE | --model DIR) [flags] < in.jsonl > out.jsonl")
	vocab := fs.String("vocab", "", "vocab.txt to use, with bert-base-uncased settings unless overridden")
	model := fs.String("model", "", "HuggingFace model folder (vocab.txt, tokenizer_config.json, tokenizer.json)")
	lower := fs.Bool("lower", true, "lower-case the text (do_lower_case)")
	noLower := fs.Bool("no-lower", false, "do not lower-case (same as --lower=false)")
	strip := fs.String("strip-accents", "", `strip accents: "true", "false", or "" to follow lower-casing`)
	chinese := fs.Bool("chinese-chars", true, "split CJK ideographs into single-character words")
	maxLen := fs.Int("max-length", 0, "maximum length including [CLS]/[SEP] (0: no limit)")
	trunc := fs.String("truncation", "", "longest_first, only_first or only_second (default longest_first when --max-length is set)")
	stride := fs.Int("stride", 0, "tokens repeated between overflowing windows")
	overflow := fs.Bool("overflow", false, "return overflowing windows (output has \"windows\")")
	padding := fs.String("padding", "", "longest (within each batch) or max_length")
	replace := fs.Bool("replace-invalid", false, "replace invalid UTF-8 with U+FFFD instead of failing")
	batch := fs.Int("batch", 256, "lines encoded together on all cores")
	in := fs.String("in", "", "input JSON Lines file (default stdin)")
	out := fs.String("out", "", "output JSON Lines file (default stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	opts := tokenizeOptions{
		vocab: *vocab, model: *model, maxLength: *maxLen, truncation: *trunc, stride: *stride,
		overflow: *overflow, padding: *padding, replaceInvalid: *replace, batch: *batch,
	}
	if set["lower"] || set["no-lower"] {
		l := *lower && !*noLower
		opts.lower = &l
	}
	if set["chinese-chars"] {
		opts.chinese = chinese
	}
	switch *strip {
	case "":
	case "true", "false":
		s := *strip == "true"
		opts.stripAccents = &s
	default:
		return fmt.Errorf("--strip-accents must be true, false or empty, not %q", *strip)
	}

	r, name := io.Reader(os.Stdin), "stdin"
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r, name = f, *in
	}
	if *out == "" {
		return tokenize(opts, r, name, os.Stdout)
	}
	return atomicfile.Write(*out, func(w io.Writer) error { return tokenize(opts, r, name, w) })
}

// tokenizeOptions are the parsed flags; nil pointers keep the model's setting.
type tokenizeOptions struct {
	vocab, model        string
	lower, stripAccents *bool
	chinese             *bool
	maxLength, stride   int
	truncation, padding string
	overflow            bool
	replaceInvalid      bool
	batch               int
}

// tokenize builds the tokenizer the flags describe and encodes r into w.
func tokenize(o tokenizeOptions, r io.Reader, name string, w io.Writer) error {
	var tok *tokenizer.Tokenizer
	var err error
	switch {
	case (o.vocab == "") == (o.model == ""):
		return errors.New("give exactly one of --vocab FILE and --model DIR")
	case o.model != "":
		tok, err = tokenizer.Load(o.model)
	default:
		tok, err = tokenizer.FromVocabFile(o.vocab, tokenizer.DefaultConfig())
	}
	if err != nil {
		return err
	}
	cfg := tok.Config()
	if o.lower != nil {
		cfg.Lowercase = *o.lower
	}
	if o.stripAccents != nil {
		cfg.StripAccents = o.stripAccents
	}
	if o.chinese != nil {
		cfg.ChineseChars = *o.chinese
	}
	cfg.ReplaceInvalidUTF8 = o.replaceInvalid
	if tok, err = tokenizer.New(tok.Vocab(), cfg); err != nil {
		return err
	}
	if o.truncation == "" && o.maxLength > 0 {
		o.truncation = tokenizer.LongestFirst
	}
	tok, err = tok.WithOptions(tokenizer.Options{
		MaxLength: o.maxLength, Truncation: o.truncation, Stride: o.stride,
		ReturnOverflowing: o.overflow, Padding: o.padding,
	})
	if err != nil {
		return err
	}
	return tok.EncodeJSONL(r, name, w, o.batch)
}
