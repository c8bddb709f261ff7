package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/optim"
	"github.com/gorbert/gorbert/tokenizer"
	"github.com/sirupsen/logrus"
)

// FinetuneConfig is a fine-tuning run. JSON tags let a run-config file set
// it (fields it leaves out keep DefaultFinetuneConfig's values).
//
// The optimizer defaults are HuggingFace Trainer's AdamW (betas 0.9/0.999,
// eps 1e-8, bias correction, no decay on biases and LayerNorm weights) with
// the weight decay of 0.01 that BERT's fine-tuning recipes use (Trainer's
// own default is 0), a linear warmup and decay to 0 over epochs × steps per
// epoch, and gradient clipping at norm 1.0.
type FinetuneConfig struct {
	Task   string `json:"task"`  // classify, ner or qa
	Model  string `json:"model"` // pretrained folder: ours or a HuggingFace BERT
	Train  string `json:"train"`
	Dev    string `json:"dev"`
	OutDir string `json:"out_dir"`

	Epochs        int     `json:"epochs"`
	BatchSize     int     `json:"batch_size"`
	EvalBatchSize int     `json:"eval_batch_size"` // 0: BatchSize
	GradAccum     int     `json:"grad_accum"`
	LR            float64 `json:"lr"`
	WarmupRatio   float64 `json:"warmup_ratio"` // of the total steps, rounded up (Trainer's rule)
	WarmupSteps   int     `json:"warmup_steps"` // overrides WarmupRatio when > 0
	WeightDecay   float64 `json:"weight_decay"`
	Eps           float64 `json:"eps"`
	MaxGradNorm   float64 `json:"max_grad_norm"`
	Dropout       bool    `json:"dropout"` // the config's dropout rates, masks from Seed

	MaxLength int `json:"max_length"` // tokens per example (QA: per window); 0 = 128, or 384 for QA
	// PadTo rounds each batch's length up to a multiple (HF's
	// pad_to_multiple_of), which bounds the number of graph shapes compiled.
	PadTo int `json:"pad_to"`
	// BucketWindow is how many features are sorted by length together before
	// being cut into batches (0: 50 batches' worth, as HF's group_by_length).
	BucketWindow int `json:"bucket_window"`

	// Classification.
	TextColumn     string `json:"text_column"`
	TextPairColumn string `json:"text_pair_column"`
	LabelColumn    string `json:"label_column"`
	Regression     bool   `json:"regression"` // one output, MSE loss, numeric labels
	// NER.
	IOB1           bool `json:"iob1"`
	LabelAllTokens bool `json:"label_all_tokens"`
	// QA.
	DocStride       int `json:"doc_stride"`
	MaxQueryLength  int `json:"max_query_length"`
	MaxAnswerLength int `json:"max_answer_length"`
	NBest           int `json:"n_best"`

	// SkipMisaligned (QA) trains without the answers whose answer_start
	// does not point at their text, with a warning; without it such an
	// answer, in the training or the dev file, is an error.
	SkipMisaligned bool `json:"skip_misaligned"`

	Limit    int `json:"limit"`     // use only the first N training examples (0: all)
	DevLimit int `json:"dev_limit"` // and the first N dev examples

	EvalEvery int    `json:"eval_every"` // steps; 0: at the end of each epoch
	Metric    string `json:"metric"`     // what "best" means; "" = the task's main metric
	Patience  int    `json:"patience"`   // evaluations without improvement before stopping; 0: never
	SaveEvery int    `json:"save_every"` // steps between checkpoints; 0: at each evaluation
	KeepLast  int    `json:"keep_last"`
	LogEvery  int    `json:"log_every"`
	Seed      int64  `json:"seed"`
	Resume    bool   `json:"resume"`

	Log      logrus.FieldLogger `json:"-"`
	Progress io.Writer          `json:"-"`
}

// DefaultFinetuneConfig has HuggingFace Trainer's settings for BERT
// fine-tuning (see FinetuneConfig).
func DefaultFinetuneConfig() FinetuneConfig {
	return FinetuneConfig{Epochs: 3, BatchSize: 32, GradAccum: 1, LR: 5e-5, WeightDecay: 0.01, Eps: 1e-8,
		MaxGradNorm: 1, Dropout: true, PadTo: 8, DocStride: 128, MaxQueryLength: 64, MaxAnswerLength: 30,
		NBest: 20, KeepLast: 2, LogEvery: 10, Seed: 42}
}

// FinetuneResult summarises a finished, early-stopped or interrupted run.
type FinetuneResult struct {
	Steps, TotalSteps int
	Interrupted       bool
	EarlyStopped      bool
	Labels            []string // id2label of the trained head (nil for QA and regression)
	Final             string   // HuggingFace folder with the last weights ("" when interrupted)
	Best              string   // HuggingFace folder with the best weights ("" without a dev set)
	Metric            string
	BestValue         float64
	BestStep          int
	LastEval          map[string]float64
	StepsPerS         float64 // training only: evaluation and checkpoints left out
	TokensPerS        float64 // real (unpadded) training tokens per second of training
	Elapsed           time.Duration
	EvalTime          time.Duration // spent evaluating and saving
}

// finetuneState is what a fine-tuning checkpoint holds besides weights and
// optimizer: the data order is rebuilt from Seed and the step.
type finetuneState struct {
	Step          int      `json:"step"`
	Seed          int64    `json:"seed"`
	TrainFeatures int      `json:"train_features"`
	Labels        []string `json:"labels"`
	DropoutRNG    []byte   `json:"dropout_rng"`
	HasBest       bool     `json:"has_best"`
	Best          float64  `json:"best"`
	BestStep      int      `json:"best_step"`
	BadEvals      int      `json:"bad_evals"` // evaluations since the best
}

// tokenizerFiles are copied from the pretrained folder next to the weights
// so that every saved folder tokenizes the same way.
var tokenizerFiles = []string{"tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"}

// Finetune trains a task head on top of a pretrained model (ours or a
// HuggingFace BERT folder), evaluating on the dev file each epoch or every
// EvalEvery steps, keeping the best weights under OutDir/best and the last
// under OutDir/final (HuggingFace folders with id2label), with checkpoints
// under OutDir/checkpoints that Resume continues from bit for bit.
// Cancelling ctx finishes the current step, writes a checkpoint and returns
// with Interrupted set.
func Finetune(ctx context.Context, cfg FinetuneConfig) (*FinetuneResult, error) {
	task, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	tok, err := tokenizer.Load(cfg.Model)
	if err != nil {
		return nil, err
	}
	m, err := checkpoint.LoadFor(cfg.Model, task)
	if err != nil {
		return nil, err
	}
	origTask := gorbert.TaskBase // the folder's own task, before LoadFor retargeted it
	if len(m.Config.Architectures) > 0 {
		if origTask, err = gorbert.TaskOf(m.Config.Architectures[0]); err != nil {
			return nil, err
		}
	}
	if tok.VocabSize() > m.Config.VocabSize {
		return nil, fmt.Errorf("%s: the tokenizer has %d tokens, the model's vocab_size is %d", cfg.Model, tok.VocabSize(), m.Config.VocabSize)
	}
	if cfg.MaxLength <= 0 { // 128, or 384 for QA, as far as the model reaches
		cfg.MaxLength = 128
		if task == gorbert.TaskQA {
			cfg.MaxLength = 384
		}
		cfg.MaxLength = min(cfg.MaxLength, m.Config.MaxPositionEmbeddings)
	}
	if cfg.MaxLength > m.Config.MaxPositionEmbeddings {
		return nil, fmt.Errorf("max_length %d exceeds the model's max_position_embeddings %d", cfg.MaxLength, m.Config.MaxPositionEmbeddings)
	}
	d, err := loadTaskData(cfg, task, tok, m.Config, origTask)
	if err != nil {
		return nil, err
	}
	if err := setHead(m, task, origTask, d, log); err != nil {
		return nil, err
	}
	if d.misalignedTrain+d.misalignedDev > 0 {
		log.WithFields(logrus.Fields{"train": d.misalignedTrain, "dev": d.misalignedDev}).
			Warn("answers whose answer_start does not point at their text: not trained on (dev: scored by their text only)")
	}
	metric := cfg.Metric
	if metric == "" {
		metric = metricNames(task, d.regression)[0]
	}
	metric = strings.TrimPrefix(metric, "eval_")
	if !slices.Contains(metricNames(task, d.regression), metric) {
		return nil, fmt.Errorf("metric %q is not reported for this task (want one of %v)", cfg.Metric, metricNames(task, d.regression))
	}
	log.WithFields(logrus.Fields{"task": task, "train_features": len(d.train), "dev_features": len(d.dev),
		"labels": d.labels, "regression": d.regression, "skipped": d.skipped}).Info("data loaded")

	ckRoot := filepath.Join(cfg.OutDir, "checkpoints")
	if err := os.MkdirAll(ckRoot, 0o755); err != nil {
		return nil, err
	}
	cleanTemporary(ckRoot)
	cleanTemporary(cfg.OutDir)

	state := finetuneState{Seed: cfg.Seed, TrainFeatures: len(d.train), Labels: d.labels}
	var params *graph.Params
	resumeDir := ""
	if cfg.Resume {
		if dir, ok := latestCheckpoint(ckRoot); ok {
			var saved finetuneState
			if params, err = loadCheckpoint(dir, &saved); err != nil {
				return nil, err
			}
			if saved.Seed != cfg.Seed || saved.TrainFeatures != len(d.train) || !slices.Equal(saved.Labels, d.labels) {
				return nil, fmt.Errorf("%s: checkpoint is of another run (seed %d, %d training features, labels %q; now seed %d, %d, %q)",
					dir, saved.Seed, saved.TrainFeatures, saved.Labels, cfg.Seed, len(d.train), d.labels)
			}
			state, resumeDir = saved, dir
			log.WithField("checkpoint", dir).WithField("step", state.Step).Info("resuming")
		} else {
			log.Info("no checkpoint to resume from: starting fresh")
		}
	}
	if params == nil {
		// Fresh heads drawn as HuggingFace's _init_weights, from the seed.
		if params, err = graph.FromCheckpoint(m, rand.New(rand.NewSource(cfg.Seed))); err != nil {
			return nil, err
		}
	}
	st, err := NewStepper(params, StepConfig{Dropout: cfg.Dropout, Seed: cfg.Seed, MaxGradNorm: cfg.MaxGradNorm}, cfg.newOptimizer)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if resumeDir != "" {
		if err := optim.LoadState(filepath.Join(resumeDir, optimizerFile), st.Opt); err != nil {
			return nil, err
		}
		if err := st.SetRNGState(state.DropoutRNG); err != nil {
			return nil, err
		}
	}
	model := graph.NewModel(params) // inference graphs over the same, live weights
	defer model.Close()
	mlog, err := openMetrics(filepath.Join(cfg.OutDir, "metrics.jsonl"), state.Step)
	if err != nil {
		return nil, err
	}
	defer mlog.Close()

	batchesPerEpoch := (len(d.train) + cfg.BatchSize - 1) / cfg.BatchSize
	stepsPerEpoch := (batchesPerEpoch + cfg.GradAccum - 1) / cfg.GradAccum
	total := cfg.Epochs * stepsPerEpoch
	warmup := cfg.WarmupSteps
	if warmup <= 0 {
		warmup = int(math.Ceil(cfg.WarmupRatio * float64(total)))
	}
	schedule := optim.LinearWarmupDecay(cfg.LR, warmup, total)
	window := cfg.BucketWindow
	if window <= 0 {
		window = 50 * cfg.BatchSize
	}
	vocab := m.Vocab
	copyTok := func(dir string) error { return copyTokenizerFiles(cfg.Model, dir) }
	eo := evalOptions{batchSize: cfg.EvalBatchSize, padTo: cfg.PadTo, padID: tok.PadID(), maxAnswerLength: cfg.MaxAnswerLength, nBest: cfg.NBest}
	maxPos := params.Config.MaxPositionEmbeddings

	res := &FinetuneResult{TotalSteps: total, Labels: d.labels, Metric: metric, BestValue: state.Best, BestStep: state.BestStep}
	if state.HasBest {
		res.Best = filepath.Join(cfg.OutDir, "best")
	}
	log.WithFields(logrus.Fields{"steps": total, "steps_per_epoch": stepsPerEpoch, "warmup": warmup, "lr": cfg.LR, "metric": metric}).Info("fine-tuning")
	save := func(step int) error {
		state.Step = step
		if state.DropoutRNG, err = st.RNGState(); err != nil {
			return err
		}
		dir, err := saveCheckpoint(cfg.OutDir, params, vocab, st.Opt, step, state, cfg.KeepLast, copyTok)
		if err == nil {
			log.WithField("step", step).WithField("dir", dir).Info("checkpoint written")
		}
		return err
	}
	start := time.Now()
	startStep := state.Step
	var tokens, tokensWindow int
	windowStart := time.Now()
	progress := newProgress(cfg.Progress, total, state.Step)

	step := state.Step
	for epoch := step / max(stepsPerEpoch, 1); epoch < cfg.Epochs && step < total; epoch++ {
		batches := epochBatches(d.train, cfg.BatchSize, window, cfg.Seed, epoch)
		for s := step - epoch*stepsPerEpoch; s < stepsPerEpoch; s++ {
			var micro []graph.Batch
			for _, idx := range batches[s*cfg.GradAccum : min((s+1)*cfg.GradAccum, len(batches))] {
				b := makeBatch(d, d.train, idx, cfg.PadTo, tok.PadID(), maxPos)
				n := batchTokens(b)
				tokens += n
				tokensWindow += n
				micro = append(micro, b)
			}
			r, err := st.Step(micro, schedule)
			if err != nil {
				return nil, fmt.Errorf("step %d: %w (the last good checkpoint is kept under %s)", step+1, err, ckRoot)
			}
			step++
			res.Steps = step
			progress.update(step, r.Loss)
			epochPos := float64(epoch) + float64(s+1)/float64(stepsPerEpoch)
			if cfg.LogEvery > 0 && (step%cfg.LogEvery == 0 || step == total) {
				el := time.Since(windowStart).Seconds()
				rec := map[string]any{"step": step, "epoch": epochPos, "loss": r.Loss, "lr": r.LR, "grad_norm": r.GradNorm,
					"clip_coef": r.ClipCoef, "tokens_per_sec": float64(tokensWindow) / el, "elapsed_s": time.Since(start).Seconds()}
				if err := mlog.write(rec); err != nil {
					return nil, err
				}
				log.WithFields(logrus.Fields(rec)).Info("train")
				tokensWindow, windowStart = 0, time.Now()
			}
			evalNow := len(d.dev) > 0 && ((cfg.EvalEvery > 0 && step%cfg.EvalEvery == 0) ||
				(cfg.EvalEvery <= 0 && s == stepsPerEpoch-1) || step == total)
			stop := false
			pauseStart := time.Now() // evaluation and saving do not count in the throughput
			if evalNow {
				ev, err := evaluate(model, d, eo)
				if err != nil {
					return nil, fmt.Errorf("step %d: evaluation: %w", step, err)
				}
				ev = finite(ev)
				res.LastEval = ev
				v, ok := ev[metric]
				improved := ok && (!state.HasBest || (lowerIsBetter(metric) && v < state.Best) || (!lowerIsBetter(metric) && v > state.Best))
				if improved {
					state.HasBest, state.Best, state.BestStep, state.BadEvals = true, v, step, 0
					res.Best, res.BestValue, res.BestStep = filepath.Join(cfg.OutDir, "best"), v, step
					if err := saveBest(cfg.OutDir, params, vocab, copyTok, step, metric, ev); err != nil {
						return nil, err
					}
				} else {
					state.BadEvals++
				}
				rec := map[string]any{"step": step, "epoch": epochPos, "best_" + metric: state.Best, "improved": improved}
				for k, v := range ev {
					rec["eval_"+k] = v
				}
				if err := mlog.write(rec); err != nil {
					return nil, err
				}
				log.WithFields(logrus.Fields(rec)).Info("eval")
				if cfg.Patience > 0 && state.BadEvals >= cfg.Patience {
					log.WithFields(logrus.Fields{"step": step, "best_step": state.BestStep, metric: state.Best}).Info("early stopping")
					res.EarlyStopped, stop = true, true
				}
			}
			interrupted := ctx.Err() != nil
			if (cfg.SaveEvery > 0 && step%cfg.SaveEvery == 0) || (cfg.SaveEvery <= 0 && evalNow) || interrupted {
				if err := save(step); err != nil {
					return nil, err
				}
			}
			pause := time.Since(pauseStart)
			res.EvalTime += pause
			windowStart = windowStart.Add(pause)
			if interrupted {
				res.Interrupted = true
				stop = true
			}
			if stop {
				break
			}
		}
		if res.Interrupted || res.EarlyStopped {
			break
		}
	}
	progress.finish()
	res.Elapsed = time.Since(start)
	if sec := (res.Elapsed - res.EvalTime).Seconds(); sec > 0 {
		res.StepsPerS = float64(res.Steps-startStep) / sec
		res.TokensPerS = float64(tokens) / sec
	}
	if !res.Interrupted {
		res.Final = filepath.Join(cfg.OutDir, "final")
		if err := saveFolder(cfg.OutDir, "final", params, vocab, copyTok); err != nil {
			return nil, err
		}
		log.WithFields(logrus.Fields{"steps": res.Steps, "best_step": res.BestStep, metric: res.BestValue,
			"steps_per_sec": res.StepsPerS, "tokens_per_sec": res.TokensPerS}).Info("done")
	}
	return res, nil
}

func (c *FinetuneConfig) validate() (gorbert.Task, error) {
	task, err := gorbert.ParseTask(c.Task)
	if err != nil {
		return "", err
	}
	if task != gorbert.TaskClassify && task != gorbert.TaskNER && task != gorbert.TaskQA {
		return "", fmt.Errorf("finetune: task must be classify, ner or qa, not %q", task)
	}
	switch {
	case c.Model == "":
		return "", errors.New("finetune: no pretrained model folder")
	case c.Train == "":
		return "", errors.New("finetune: no training file")
	case c.OutDir == "":
		return "", errors.New("finetune: no output folder")
	case c.Epochs <= 0 || c.BatchSize <= 0 || c.GradAccum <= 0:
		return "", fmt.Errorf("finetune: epochs (%d), batch size (%d) and grad_accum (%d) must be positive", c.Epochs, c.BatchSize, c.GradAccum)
	case c.LR <= 0 || c.Eps <= 0 || c.WeightDecay < 0 || c.MaxGradNorm < 0:
		return "", fmt.Errorf("finetune: lr %g and eps %g must be positive, weight decay %g and max grad norm %g not negative", c.LR, c.Eps, c.WeightDecay, c.MaxGradNorm)
	case c.WarmupRatio < 0 || c.WarmupRatio > 1:
		return "", fmt.Errorf("finetune: warmup ratio %g is not in [0, 1]", c.WarmupRatio)
	case c.Patience > 0 && c.Dev == "":
		return "", errors.New("finetune: early stopping (patience) needs a dev file")
	case c.Regression && task != gorbert.TaskClassify:
		return "", errors.New("finetune: regression is a classify-task option")
	}
	if c.EvalBatchSize <= 0 {
		c.EvalBatchSize = c.BatchSize
	}
	if c.NBest <= 0 {
		c.NBest = 20
	}
	if c.MaxAnswerLength <= 0 {
		c.MaxAnswerLength = 30
	}
	return task, nil
}

func (c FinetuneConfig) newOptimizer(ps []optim.Param) (optim.Optimizer, error) {
	oc := optim.DefaultAdamWConfig()
	oc.Eps, oc.WeightDecay = c.Eps, c.WeightDecay
	return optim.NewAdamW(ps, oc)
}

// setHead gives the model the task's labels. A head the checkpoint already
// has (a folder of the same task) is kept when its labels are the training
// data's, in any order (the data then takes the checkpoint's order);
// otherwise it is dropped and initialised afresh.
func setHead(m *checkpoint.Model, task, origTask gorbert.Task, d *taskData, log logrus.FieldLogger) error {
	if task == gorbert.TaskQA {
		return nil
	}
	cfg := &m.Config
	want := d.labels
	if d.regression {
		want = []string{"LABEL_0"}
	}
	fresh := slices.Contains(m.Missing, "classifier.weight")
	if !fresh {
		have := cfg.Labels()
		switch {
		case origTask == task && d.regression && len(have) == 1:
		case origTask == task && !d.regression && sameSet(have, want):
			if !slices.Equal(have, want) {
				relabel(d, have)
				want = have
			}
		default:
			log.WithFields(logrus.Fields{"checkpoint_labels": have, "labels": want}).Warn("the checkpoint's head does not fit: initialising a new one")
			delete(m.Weights, "classifier.weight")
			delete(m.Weights, "classifier.bias")
			m.Missing = append(m.Missing, "classifier.weight", "classifier.bias")
		}
	}
	cfg.SetLabels(want)
	switch {
	case d.regression:
		cfg.ProblemType = "regression"
	case task == gorbert.TaskClassify:
		cfg.ProblemType = "single_label_classification"
	default:
		cfg.ProblemType = ""
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// relabel renumbers the features' labels to the order names gives.
func relabel(d *taskData, names []string) {
	id := map[string]int{}
	for i, n := range names {
		id[n] = i
	}
	remap := make([]int, len(d.labels))
	for i, n := range d.labels {
		remap[i] = id[n]
	}
	for _, fs := range [][]feature{d.train, d.dev} {
		for i := range fs {
			if d.task == gorbert.TaskClassify {
				fs[i].label = remap[fs[i].label]
			}
			for k, t := range fs[i].tags {
				if t >= 0 {
					fs[i].tags[k] = remap[t]
				}
			}
		}
	}
	d.labels = slices.Clone(names)
}

func copyTokenizerFiles(from, to string) error {
	for _, name := range tokenizerFiles {
		data, err := os.ReadFile(filepath.Join(from, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(to, name), data); err != nil {
			return err
		}
	}
	return nil
}

// saveFolder writes OUT/name as a HuggingFace folder, under a temporary
// name first so that a crash never leaves a half-written one.
func saveFolder(out, name string, params *graph.Params, vocab string, extra func(string) error) error {
	tmp := filepath.Join(out, tmpPrefix+name)
	os.RemoveAll(tmp)
	if err := params.Save(tmp, vocab); err != nil {
		return err
	}
	if err := extra(tmp); err != nil {
		return err
	}
	final := filepath.Join(out, name)
	os.RemoveAll(final)
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	syncDir(out)
	return nil
}

// saveBest writes OUT/best with eval_results.json (the metrics and step).
func saveBest(out string, params *graph.Params, vocab string, extra func(string) error, step int, metric string, ev map[string]float64) error {
	return saveFolder(out, "best", params, vocab, func(dir string) error {
		if err := extra(dir); err != nil {
			return err
		}
		rec := map[string]any{"step": step, "metric": metric}
		for k, v := range ev {
			rec["eval_"+k] = v
		}
		return saveJSON(filepath.Join(dir, "eval_results.json"), rec)
	})
}
