package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/train"
	"github.com/sirupsen/logrus"
)

func init() {
	commands.Register(cli.Command{Name: "finetune", Summary: "fine-tune a pretrained model for classification, NER or QA", Run: runFinetune})
}

const finetuneUsage = `--task classify|ner|qa --model DIR --train FILE [--dev FILE] --out DIR [flags]

Fine-tunes a pretrained BERT folder (ours or HuggingFace's) and writes
OUT/best and OUT/final as HuggingFace folders, OUT/checkpoints for --resume and
OUT/metrics.jsonl. --config run.json sets the same fields by their JSON names
(task, model, train, dev, out_dir, epochs, batch_size, lr, ...); flags given
on the command line override it. SIGINT/SIGTERM writes a checkpoint and exits.
`

// finetuneFlags binds the flags to cfg's fields; their defaults are cfg's
// current values (the defaults with --config applied).
func finetuneFlags(cfg *train.FinetuneConfig) (*flag.FlagSet, *string, *bool) {
	fs := cli.FlagSet(commands.Binary, "finetune", finetuneUsage)
	fs.StringVar(&cfg.Task, "task", cfg.Task, "classify (sequence or pair classification, regression), ner or qa")
	fs.StringVar(&cfg.Model, "model", cfg.Model, "pretrained model folder (config.json, model.safetensors, vocab.txt)")
	fs.StringVar(&cfg.Train, "train", cfg.Train, "training file: TSV/CSV/JSONL (classify), CoNLL (ner), SQuAD JSON (qa)")
	fs.StringVar(&cfg.Dev, "dev", cfg.Dev, "dev file in the same format, evaluated each epoch or every --eval-every steps")
	fs.StringVar(&cfg.OutDir, "out", cfg.OutDir, "output folder")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "training epochs")
	fs.IntVar(&cfg.BatchSize, "batch-size", cfg.BatchSize, "examples per micro-batch")
	fs.IntVar(&cfg.EvalBatchSize, "eval-batch-size", cfg.EvalBatchSize, "examples per evaluation batch (0: --batch-size)")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate (BERT: 2e-5, 3e-5 or 5e-5)")
	fs.Float64Var(&cfg.WarmupRatio, "warmup-ratio", cfg.WarmupRatio, "fraction of the steps spent warming up")
	fs.IntVar(&cfg.WarmupSteps, "warmup-steps", cfg.WarmupSteps, "warmup steps (overrides --warmup-ratio when > 0)")
	fs.Float64Var(&cfg.WeightDecay, "weight-decay", cfg.WeightDecay, "AdamW weight decay (not on biases and LayerNorm weights)")
	fs.Float64Var(&cfg.Eps, "adam-eps", cfg.Eps, "AdamW epsilon (HF Trainer 1e-8; BERT's TF code 1e-6)")
	fs.Float64Var(&cfg.MaxGradNorm, "max-grad-norm", cfg.MaxGradNorm, "clip the gradient's global norm (0: no clipping)")
	fs.IntVar(&cfg.MaxLength, "max-length", cfg.MaxLength, "tokens per example, per window for qa (0: 128, qa 384)")
	fs.IntVar(&cfg.PadTo, "pad-to", cfg.PadTo, "round each batch's length up to a multiple of N: fewer graph shapes, each one compiled and kept (1: longest in the batch)")
	fs.IntVar(&cfg.BucketWindow, "bucket-window", cfg.BucketWindow, "examples sorted by length together before batching (0: 50 batches' worth)")
	fs.IntVar(&cfg.GradAccum, "grad-accum", cfg.GradAccum, "micro-batches per optimizer step")
	fs.IntVar(&cfg.EvalEvery, "eval-every", cfg.EvalEvery, "evaluate every N steps (0: each epoch)")
	fs.IntVar(&cfg.SaveEvery, "save-every", cfg.SaveEvery, "checkpoint every N steps (0: at each evaluation)")
	fs.StringVar(&cfg.Metric, "metric", cfg.Metric, "metric choosing the best checkpoint and driving early stopping (default: accuracy, pearson, f1 or f1)")
	fs.IntVar(&cfg.Patience, "patience", cfg.Patience, "stop after N evaluations without improvement (0: never)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the head initialisation, data order and dropout")
	fs.BoolVar(&cfg.Resume, "resume", cfg.Resume, "continue from the newest checkpoint under --out")
	fs.BoolVar(&cfg.Dropout, "dropout", cfg.Dropout, "train with the config's dropout rates")
	fs.StringVar(&cfg.TextColumn, "text-column", cfg.TextColumn, "classify: column of the text (default: detected)")
	fs.StringVar(&cfg.TextPairColumn, "text-pair-column", cfg.TextPairColumn, "classify: column of the second text of a pair")
	fs.StringVar(&cfg.LabelColumn, "label-column", cfg.LabelColumn, "classify: column of the label (default: label, gold_label or score)")
	fs.BoolVar(&cfg.Regression, "regression", cfg.Regression, "classify: one numeric output trained with MSE (STS-B)")
	fs.BoolVar(&cfg.IOB1, "iob1", cfg.IOB1, "ner: the file uses IOB1 tags")
	fs.BoolVar(&cfg.LabelAllTokens, "label-all-tokens", cfg.LabelAllTokens, "ner: train on every piece of a word, not only the first")
	fs.IntVar(&cfg.DocStride, "doc-stride", cfg.DocStride, "qa: context tokens shared by consecutive windows")
	fs.IntVar(&cfg.MaxQueryLength, "max-query-length", cfg.MaxQueryLength, "qa: question pieces kept (0: all)")
	fs.IntVar(&cfg.MaxAnswerLength, "max-answer-length", cfg.MaxAnswerLength, "qa: longest answer in tokens")
	fs.BoolVar(&cfg.SkipMisaligned, "skip-misaligned", cfg.SkipMisaligned, "qa: train without answers whose answer_start does not point at their text, with a warning (default: an error naming the question)")
	fs.IntVar(&cfg.Limit, "limit", cfg.Limit, "use only the first N training examples (0: all)")
	fs.IntVar(&cfg.DevLimit, "dev-limit", cfg.DevLimit, "use only the first N dev examples (0: all)")
	fs.IntVar(&cfg.LogEvery, "log-every", cfg.LogEvery, "log training metrics every N steps")
	fs.IntVar(&cfg.KeepLast, "keep-last", cfg.KeepLast, "checkpoints to keep")
	configPath := fs.String("config", "", "run.json with the same fields (flags override it)")
	quiet := fs.Bool("quiet", false, "log warnings only")
	return fs, configPath, quiet
}

// configArg finds --config's value before the flags are parsed, so the file
// can supply the defaults that explicit flags then override.
func configArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasVal {
			return val
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// loadFinetuneConfig is the defaults, then --config's file, then the flags.
func loadFinetuneConfig(args []string) (train.FinetuneConfig, bool, error) {
	cfg := train.DefaultFinetuneConfig()
	if path := configArg(args); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, false, err
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return cfg, false, fmt.Errorf("%s: %w", path, err)
		}
	}
	fs, _, quiet := finetuneFlags(&cfg)
	if err := fs.Parse(args); err != nil {
		return cfg, false, err
	}
	if fs.NArg() > 0 {
		return cfg, false, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return cfg, *quiet, nil
}

func runFinetune(args []string) error {
	cfg, quiet, err := loadFinetuneConfig(args)
	if err != nil {
		return err
	}
	return finetune(cfg, quiet, os.Stderr)
}

func finetune(cfg train.FinetuneConfig, quiet bool, stderr io.Writer) error {
	log := logrus.New()
	log.SetOutput(stderr)
	if quiet {
		log.SetLevel(logrus.WarnLevel)
	}
	cfg.Log = log
	if f, ok := stderr.(*os.File); ok && train.IsTerminal(f) && !quiet {
		cfg.Progress = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := train.Finetune(ctx, cfg)
	if err != nil {
		return err
	}
	switch {
	case res.Interrupted:
		fmt.Fprintf(stderr, "interrupted at step %d/%d; continue with --resume\n", res.Steps, res.TotalSteps)
	case res.Best != "":
		fmt.Fprintf(stderr, "best %s %.4f at step %d: %s; last weights: %s\n", res.Metric, res.BestValue, res.BestStep, res.Best, res.Final)
	default:
		fmt.Fprintf(stderr, "weights: %s\n", res.Final)
	}
	return nil
}
