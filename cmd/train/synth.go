package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/data/corpus"
	"github.com/gorbert/gorbert/data/synth"
	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/tokenizer"
)

func init() {
	commands.Register(cli.Command{Name: "synth", Summary: "make a fine-tuning data set (classify, ner, qa) from the Go distribution's documentation", Run: runSynth})
}

const synthUsage = `--task classify|ner|qa --out DIR [flags]
   or: --init-model DIR --vocab vocab.txt [--model-size tiny] [--max-position N]

Writes OUT/train.* and OUT/dev.* for a fine-tuning task, made from the
documentation of the Go distribution's packages ($(go env GOROOT)/src), split
by package (see package data/synth), and prints the sizes and the dev score
of a trivial baseline. The second form writes a freshly initialised
BertForPreTraining folder with the vocabulary, to fine-tune from random
weights.
`

func runSynth(args []string) error {
	fs := cli.FlagSet(commands.Binary, "synth", synthUsage)
	task := fs.String("task", "", "classify, ner or qa")
	out := fs.String("out", "", "output folder")
	root := fs.String("root", "", "source tree (default: $(go env GOROOT)/src)")
	seed := fs.Int64("seed", 1, "seed of the package split and the samples")
	devFrac := fs.Float64("dev-frac", 0.2, "share of each area's packages held out for dev")
	maxTrain := fs.Int("max-train", 0, "training examples (0: the task's default; classify: over all labels)")
	maxDev := fs.Int("max-dev", 0, "dev examples, ner and qa (0: the task's default)")
	areas := fs.String("areas", strings.Join(synth.DefaultAreas, ","), "classify: comma-separated labels (top-level package areas)")
	initModel := fs.String("init-model", "", "write a freshly initialised model folder here instead")
	vocab := fs.String("vocab", "", "--init-model: vocab.txt")
	size := fs.String("model-size", "tiny", "--init-model: named size (tiny, mini, small, medium, base, large)")
	maxPos := fs.Int("max-position", 0, "--init-model: override max_position_embeddings")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *initModel != "" {
		if *vocab == "" {
			return fmt.Errorf("--init-model needs --vocab")
		}
		return writeInitModel(os.Stdout, *initModel, *vocab, *size, *maxPos, *seed)
	}
	if *task == "" || *out == "" {
		return fmt.Errorf("need --task and --out (or --init-model and --vocab)")
	}
	if *root == "" {
		r, err := corpus.GoRootSrc()
		if err != nil {
			return err
		}
		*root = r
	}
	st, err := synth.Generate(*task, synth.Options{Root: *root, OutDir: *out, Seed: *seed, DevFrac: *devFrac,
		MaxTrain: *maxTrain, MaxDev: *maxDev, Areas: strings.Split(*areas, ",")})
	if err != nil {
		return err
	}
	printSynthStats(os.Stdout, st)
	return nil
}

func printSynthStats(w io.Writer, st synth.Stats) {
	unit := "sentences"
	if st.Task == "qa" {
		unit = "questions"
	}
	fmt.Fprintf(w, "synth %s: train %d %s from %d packages -> %s; dev %d %s from %d other packages -> %s\n",
		st.Task, st.TrainExamples, unit, st.TrainPackages, st.Train, st.DevExamples, unit, st.DevPackages, st.Dev)
	if st.Task == "ner" {
		fmt.Fprintf(w, "entities: train %d, dev %d\n", st.TrainEntities, st.DevEntities)
	}
	if len(st.Labels) > 0 {
		fmt.Fprintf(w, "labels: %s\n", strings.Join(st.Labels, " "))
	}
	fmt.Fprintf(w, "baseline: %s\n", st.Baseline)
}

// writeInitModel saves a BertForPreTraining folder with fresh weights drawn
// from seed (HuggingFace's _init_weights) and the vocabulary's size.
func writeInitModel(w io.Writer, dir, vocab, size string, maxPos int, seed int64) error {
	tok, err := tokenizer.FromVocabFile(vocab, tokenizer.DefaultConfig())
	if err != nil {
		return err
	}
	params, err := initialModel("", "", size, tok.VocabSize(), 0, 0, maxPos, gorbert.TaskPretraining, seed)
	if err != nil {
		return err
	}
	if err := params.Save(dir, vocab); err != nil {
		return err
	}
	fmt.Fprintf(w, "model: BERT-%s, %d layers, hidden %d, %d positions, vocab %d, fresh weights (seed %d) -> %s\n",
		size, params.Config.NumHiddenLayers, params.Config.HiddenSize, params.Config.MaxPositionEmbeddings, tok.VocabSize(), seed, dir)
	return nil
}
