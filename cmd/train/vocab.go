package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/tokenizer"
)

func init() {
	commands.Register(cli.Command{Name: "vocab", Summary: "train a WordPiece vocab.txt from text files", Run: runVocab})
}

// fileList collects a repeatable flag, also accepting several files after one --corpus.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(s string) error { *f = append(*f, s); return nil }

func runVocab(args []string) error {
	fs := cli.FlagSet(commands.Binary, "vocab", "--corpus FILE... --size N --out vocab.txt [flags]")
	var corpus fileList
	fs.Var(&corpus, "corpus", "text file, one document or sentence per line (repeatable; extra file arguments are corpus files too)")
	size := fs.Int("size", 30522, "vocabulary size, special tokens included")
	out := fs.String("out", "", "vocab.txt to write")
	minFreq := fs.Int("min-frequency", 2, "minimum count of a pair to be merged")
	limit := fs.Int("limit-alphabet", 1000, "keep at most this many distinct characters (0: all)")
	lower := fs.Bool("lower", true, "lower-case and strip accents, as an uncased BERT")
	specials := fs.String("special-tokens", "[PAD],[UNK],[CLS],[SEP],[MASK]", "comma-separated special tokens placed first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	corpus = append(corpus, fs.Args()...)
	if len(corpus) == 0 || *out == "" {
		return fmt.Errorf("need --corpus FILE and --out FILE")
	}
	return trainVocab(corpus, *out, tokenizer.TrainOptions{
		VocabSize: *size, MinFrequency: *minFreq, LimitAlphabet: *limit,
		SpecialTokens: strings.Split(*specials, ","),
	}, *lower)
}

// trainVocab reads the corpus files in order and writes the vocabulary.
func trainVocab(files []string, out string, opts tokenizer.TrainOptions, lower bool) error {
	cfg := tokenizer.DefaultConfig()
	cfg.Lowercase = lower
	opts.Config = &cfg
	var readers []io.Reader
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		// A newline between files keeps the last line of one from joining the next.
		readers = append(readers, f, strings.NewReader("\n"))
	}
	v, err := tokenizer.Train(io.MultiReader(readers...), opts)
	if err != nil {
		return err
	}
	return v.Save(out)
}
