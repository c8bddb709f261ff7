package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorbert/gorbert/data/corpus"
	"github.com/gorbert/gorbert/data/pretrain"
	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/tokenizer"
)

func init() {
	commands.Register(cli.Command{Name: "prepare", Summary: "turn a text corpus into pretraining shards (MLM + NSP/SOP instances)", Run: runPrepare})
}

func runPrepare(args []string) error {
	fs := cli.FlagSet(commands.Binary, "prepare", "--corpus FILE... --vocab vocab.txt --out DIR [flags]")
	var files fileList
	fs.Var(&files, "corpus", "plain text, one sentence per line, blank line between documents (repeatable)")
	vocab := fs.String("vocab", "", "vocab.txt (or use --model)")
	model := fs.String("model", "", "model or tokenizer folder whose tokenizer to use")
	lower := fs.Bool("lower", true, "lower-case and strip accents (uncased); ignored with --model")
	out := fs.String("out", "", "folder for the shards")
	prefix := fs.String("prefix", "pretrain", "shard file name prefix")
	o := pretrain.DefaultOptions()
	fs.IntVar(&o.MaxSeqLength, "max-seq-length", o.MaxSeqLength, "tokens per instance, [CLS] and [SEP]s included")
	fs.IntVar(&o.MaxPredictionsPerSeq, "max-predictions", o.MaxPredictionsPerSeq, "masked positions per instance at most")
	fs.Float64Var(&o.MaskedLMProb, "masked-lm-prob", o.MaskedLMProb, "fraction of tokens to mask")
	fs.Float64Var(&o.ShortSeqProb, "short-seq-prob", o.ShortSeqProb, "probability of a shorter target length")
	fs.IntVar(&o.DupeFactor, "dupe-factor", o.DupeFactor, "instances per document pass (static masking: each masked differently)")
	fs.BoolVar(&o.StaticMasking, "static-masking", false, "mask once when preparing (Google's BERT) instead of every time an instance is served")
	fs.BoolVar(&o.WholeWordMask, "whole-word-mask", false, "mask all pieces of a word together")
	objective := fs.String("objective", "nsp", "sentence objective: nsp (BERT), sop (ALBERT) or none (RoBERTa)")
	split := fs.Bool("split-sentences", false, "the corpus is running text: split lines into sentences")
	seed := fs.Uint64("seed", 12345, "random seed")
	chunk := fs.Int("chunk-docs", 10000, "documents processed at a time (bounds memory)")
	perShard := fs.Int("per-shard", 10000, "instances per shard file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files = append(files, fs.Args()...)
	if len(files) == 0 || *out == "" || (*vocab == "" && *model == "") {
		return fmt.Errorf("need --corpus FILE, --vocab FILE (or --model DIR) and --out DIR")
	}
	var err error
	if o.Objective, err = pretrain.ParseObjective(*objective); err != nil {
		return err
	}
	tok, vocabPath, err := loadTokenizer(*vocab, *model, *lower)
	if err != nil {
		return err
	}
	vb, err := os.ReadFile(vocabPath)
	if err != nil {
		return err
	}
	v, err := pretrain.ParseVocab(vb)
	if err != nil {
		return fmt.Errorf("%s: %w", vocabPath, err)
	}
	var tokErr error
	tokenize := func(s string) []string {
		e, err := tok.Encode(s)
		if err != nil {
			if tokErr == nil {
				tokErr = err
			}
			return nil
		}
		return e.Tokens[1 : len(e.Tokens)-1] // drop the [CLS] and [SEP] the template adds
	}
	st, err := pretrain.Prepare(pretrain.PrepareConfig{Inputs: files, Scan: corpus.ScanOptions{SplitSentences: *split}, Tokenize: tokenize,
		Vocab: v, VocabSHA256: pretrain.VocabChecksum(vb), Options: o, Seed: *seed, ChunkDocuments: *chunk,
		OutDir: *out, Prefix: *prefix, InstancesPerShard: *perShard})
	if err != nil {
		return err
	}
	if tokErr != nil {
		return tokErr
	}
	fmt.Printf("prepare: %d documents, %d sentences, %d tokens -> %d instances in %d shards under %s\n",
		st.Documents, st.Sentences, st.Tokens, st.Instances, len(st.Shards), filepath.Clean(*out))
	return nil
}

// loadTokenizer opens a model folder's tokenizer, or a bare vocab.txt.
func loadTokenizer(vocab, model string, lower bool) (*tokenizer.Tokenizer, string, error) {
	if model != "" {
		t, err := tokenizer.Load(model)
		return t, filepath.Join(model, "vocab.txt"), err
	}
	cfg := tokenizer.DefaultConfig()
	cfg.Lowercase = lower
	t, err := tokenizer.FromVocabFile(vocab, cfg)
	return t, vocab, err
}
