package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/data/pretrain"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/train"
	"github.com/sirupsen/logrus"
)

func init() {
	commands.Register(cli.Command{Name: "pretrain", Summary: "pretrain BERT (masked LM + next sentence) on prepared shards", Run: runPretrain})
}

func runPretrain(args []string) error {
	fs := cli.FlagSet(commands.Binary, "pretrain", "--shards 'DIR/*.shard' --vocab vocab.txt --out DIR [flags]")
	runConfig := fs.String("config", "", "JSON run-config file (train.PretrainConfig fields); flags given explicitly override it")
	size := fs.String("model-size", "mini", "named size: tiny, mini, small, medium, base, large")
	modelConfig := fs.String("model-config", "", "config.json of the model to train (instead of --model-size)")
	initFrom := fs.String("init-from", "", "continue pretraining from this checkpoint folder")
	layers := fs.Int("layers", 0, "override the number of layers")
	hidden := fs.Int("hidden", 0, "override the hidden size (intermediate = 4x, heads = hidden/64)")
	maxPos := fs.Int("max-position", 0, "override max_position_embeddings")
	shards := fs.String("shards", "", "glob of training shards")
	evalShards := fs.String("eval-shards", "", "glob of held-out shards")
	phase2 := fs.String("phase2-shards", "", "glob of the second phase's shards (e.g. sequence length 512)")
	phase2Steps := fs.Int("phase2-steps", 0, "optimizer steps of the second phase")
	phase2Batch := fs.Int("phase2-batch-size", 0, "batch size of the second phase (default: --batch-size)")
	cfg := train.DefaultPretrainConfig()
	fs.StringVar(&cfg.Vocab, "vocab", "", "vocab.txt the shards were prepared with")
	fs.StringVar(&cfg.OutDir, "out", "", "output folder (checkpoints, metrics.jsonl, final/)")
	steps := fs.Int("steps", 1000, "optimizer steps (first phase)")
	batch := fs.Int("batch-size", 32, "sequences per micro-batch")
	fs.IntVar(&cfg.GradAccum, "grad-accum", cfg.GradAccum, "micro-batches per optimizer step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate")
	fs.IntVar(&cfg.WarmupSteps, "warmup", 0, "warmup steps (default: 1% of all steps)")
	fs.StringVar(&cfg.Schedule, "schedule", cfg.Schedule, "linear, cosine or constant")
	fs.Float64Var(&cfg.WeightDecay, "weight-decay", cfg.WeightDecay, "decoupled weight decay (not on biases and LayerNorm)")
	fs.Float64Var(&cfg.MaxGradNorm, "max-grad-norm", cfg.MaxGradNorm, "global gradient-norm clip (0: off)")
	tfAdam := fs.Bool("tf-adam", false, "Google BERT's AdamWeightDecayOptimizer (no bias correction)")
	fs.BoolVar(&cfg.Dropout, "dropout", true, "apply the config's dropout rates")
	fs.IntVar(&cfg.LogEvery, "log-every", cfg.LogEvery, "steps between metric records")
	fs.IntVar(&cfg.EvalEvery, "eval-every", cfg.EvalEvery, "steps between evaluations")
	fs.IntVar(&cfg.EvalBatches, "eval-batches", cfg.EvalBatches, "held-out batches per evaluation (0: all)")
	fs.IntVar(&cfg.SaveEvery, "save-every", cfg.SaveEvery, "steps between checkpoints")
	fs.IntVar(&cfg.KeepLast, "keep-last", cfg.KeepLast, "checkpoints to keep")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed (weights, data order, masks, dropout)")
	fs.BoolVar(&cfg.Resume, "resume", false, "continue from the newest checkpoint under --out")
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *runConfig != "" {
		if err := mergeRunConfig(*runConfig, &cfg, set); err != nil {
			return err
		}
	}
	if *shards != "" {
		paths, err := globShards(*shards)
		if err != nil {
			return err
		}
		cfg.Phases = []train.Phase{{Shards: paths, Steps: *steps, BatchSize: *batch}}
	}
	if *phase2 != "" {
		paths, err := globShards(*phase2)
		if err != nil {
			return err
		}
		b := *phase2Batch
		if b == 0 {
			b = *batch
		}
		cfg.Phases = append(cfg.Phases, train.Phase{Shards: paths, Steps: *phase2Steps, BatchSize: b})
	}
	if *evalShards != "" {
		paths, err := globShards(*evalShards)
		if err != nil {
			return err
		}
		cfg.EvalShards = paths
	}
	if len(cfg.Phases) == 0 || cfg.Vocab == "" || cfg.OutDir == "" {
		return fmt.Errorf("need --shards, --vocab and --out (or a --config that sets them)")
	}
	if !set["warmup"] && cfg.WarmupSteps == 0 {
		cfg.WarmupSteps = max(1, cfg.TotalSteps()/100)
	}
	if *tfAdam {
		f := false
		cfg.BiasCorrection = &f
	}

	header, err := pretrain.ReadShardHeader(cfg.Phases[0].Shards[0])
	if err != nil {
		return err
	}
	task := gorbert.TaskPretraining
	if header.Options.Objective == pretrain.NoSentenceObjective {
		task = gorbert.TaskMLM
	}
	var params *graph.Params
	switch {
	case cfg.Resume:
		if _, ok := train.LatestCheckpoint(cfg.OutDir); ok {
			break // the trainer loads the checkpoint
		}
		fallthrough
	default:
		if params, err = initialModel(*initFrom, *modelConfig, *size, header.VocabSize, *layers, *hidden, *maxPos, task, cfg.Seed); err != nil {
			return err
		}
		if params.Config.MaxPositionEmbeddings < header.Options.MaxSeqLength {
			return fmt.Errorf("shards hold sequences of %d tokens, the model has %d positions", header.Options.MaxSeqLength, params.Config.MaxPositionEmbeddings)
		}
	}

	log := logrus.New()
	log.SetFormatter(&logrus.TextFormatter{FullTimestamp: true})
	cfg.Log = log
	if train.IsTerminal(os.Stderr) {
		cfg.Progress = os.Stderr
		log.SetLevel(logrus.WarnLevel) // the progress bar shows the steps
	}
	if params != nil {
		log.WithFields(logrus.Fields{"task": params.Task, "layers": params.Config.NumHiddenLayers, "hidden": params.Config.HiddenSize,
			"params": params.Config.NumParams(params.Task), "steps": cfg.TotalSteps()}).Warn("pretraining")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := train.Pretrain(ctx, cfg, params)
	if err != nil {
		return err
	}
	if res.Interrupted {
		fmt.Printf("interrupted at step %d; checkpoint written; continue with --resume\n", res.Steps)
		return nil
	}
	fmt.Printf("pretrain: %d steps in %s (%.0f tokens/s, peak RSS %d MiB); model in %s\n", res.Steps, res.Elapsed.Round(1e9), res.TokensPerS, peakRSSMiB(), res.Final)
	if e := res.LastEval; e != nil {
		fmt.Printf("held-out: masked-token accuracy %.4f (most-frequent-token baseline %.4f), MLM loss %.4f, perplexity %.2f",
			e.MLMAccuracy, e.BaselineAccuracy, e.MLMLoss, e.Perplexity)
		if e.NSPAccuracy == e.NSPAccuracy {
			fmt.Printf(", next-sentence accuracy %.4f", e.NSPAccuracy)
		}
		fmt.Printf(" over %d predictions\n", e.Predictions)
	}
	return nil
}

// initialModel builds the starting weights: a checkpoint to continue from,
// a config.json, or a named size.
func initialModel(initFrom, modelConfig, size string, vocabSize, layers, hidden, maxPos int, task gorbert.Task, seed int64) (*graph.Params, error) {
	rng := rand.New(rand.NewSource(seed))
	if initFrom != "" {
		p, m, err := graph.Load(initFrom)
		if err != nil {
			return nil, err
		}
		if m.Task != task {
			return nil, fmt.Errorf("%s holds a %s model, pretraining needs %s", initFrom, m.Task, task)
		}
		return p, nil
	}
	var cfg gorbert.Config
	var err error
	if modelConfig != "" {
		cfg, err = gorbert.LoadConfig(modelConfig)
	} else {
		cfg, err = gorbert.Named(size, vocabSize)
	}
	if err != nil {
		return nil, err
	}
	if layers > 0 {
		cfg.NumHiddenLayers = layers
	}
	if hidden > 0 {
		cfg.HiddenSize, cfg.IntermediateSize, cfg.NumAttentionHeads = hidden, 4*hidden, max(1, hidden/64)
	}
	if maxPos > 0 {
		cfg.MaxPositionEmbeddings = maxPos
	}
	if cfg.VocabSize != vocabSize {
		return nil, fmt.Errorf("model vocabulary %d differs from the shards' vocabulary %d", cfg.VocabSize, vocabSize)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return graph.Init(cfg, task, rng), nil
}

func globShards(pattern string) ([]string, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no shards match %q", pattern)
	}
	return paths, nil
}

// mergeRunConfig reads a run-config file under the flag values the user set.
func mergeRunConfig(path string, cfg *train.PretrainConfig, set map[string]bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	flagged := *cfg
	if err := json.Unmarshal(data, cfg); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	override := map[string]func(){
		"vocab": func() { cfg.Vocab = flagged.Vocab }, "out": func() { cfg.OutDir = flagged.OutDir },
		"grad-accum": func() { cfg.GradAccum = flagged.GradAccum }, "lr": func() { cfg.LR = flagged.LR },
		"warmup": func() { cfg.WarmupSteps = flagged.WarmupSteps }, "schedule": func() { cfg.Schedule = flagged.Schedule },
		"weight-decay": func() { cfg.WeightDecay = flagged.WeightDecay }, "max-grad-norm": func() { cfg.MaxGradNorm = flagged.MaxGradNorm },
		"dropout": func() { cfg.Dropout = flagged.Dropout }, "log-every": func() { cfg.LogEvery = flagged.LogEvery },
		"eval-every": func() { cfg.EvalEvery = flagged.EvalEvery }, "eval-batches": func() { cfg.EvalBatches = flagged.EvalBatches },
		"save-every": func() { cfg.SaveEvery = flagged.SaveEvery }, "keep-last": func() { cfg.KeepLast = flagged.KeepLast },
		"seed": func() { cfg.Seed = flagged.Seed }, "resume": func() { cfg.Resume = flagged.Resume },
	}
	for name, apply := range override {
		if set[name] {
			apply()
		}
	}
	return nil
}

// peakRSSMiB is the process's peak resident memory.
func peakRSSMiB() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss / 1024 // Linux reports KiB
}
