package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/data/pretrain"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/optim"
	"github.com/sirupsen/logrus"
)

// Phase is a stretch of pretraining on one set of shards, e.g. 90% of the
// steps at sequence length 128 and the rest at 512, as BERT was trained.
// Phases share the weights and the optimizer; each has its own graph shape.
type Phase struct {
	Shards    []string `json:"shards"`
	Steps     int      `json:"steps"`
	BatchSize int      `json:"batch_size"`
}

// PretrainConfig is a pretraining run. JSON tags let a run-config file set it.
type PretrainConfig struct {
	OutDir string  `json:"out_dir"`
	Vocab  string  `json:"vocab"` // vocab.txt the shards were prepared with
	Phases []Phase `json:"phases"`

	GradAccum      int     `json:"grad_accum"`
	LR             float64 `json:"lr"`
	WarmupSteps    int     `json:"warmup_steps"`
	Schedule       string  `json:"schedule"` // linear (default), cosine, constant
	WeightDecay    float64 `json:"weight_decay"`
	Beta1          float64 `json:"beta1"`
	Beta2          float64 `json:"beta2"`
	Eps            float64 `json:"eps"`
	BiasCorrection *bool   `json:"bias_correction"` // default true (PyTorch AdamW); false = TF BERT
	MaxGradNorm    float64 `json:"max_grad_norm"`
	Dropout        bool    `json:"dropout"` // use the config's dropout rates

	EvalShards  []string `json:"eval_shards"`
	EvalBatches int      `json:"eval_batches"`
	LogEvery    int      `json:"log_every"`
	EvalEvery   int      `json:"eval_every"`
	SaveEvery   int      `json:"save_every"`
	KeepLast    int      `json:"keep_last"`
	Seed        int64    `json:"seed"`
	Resume      bool     `json:"resume"`

	// Log receives structured progress; Progress (a terminal) a status line.
	Log      logrus.FieldLogger `json:"-"`
	Progress io.Writer          `json:"-"`
}

// DefaultPretrainConfig has BERT's optimizer settings.
func DefaultPretrainConfig() PretrainConfig {
	return PretrainConfig{GradAccum: 1, LR: 1e-4, Schedule: "linear", WeightDecay: 0.01, Beta1: 0.9, Beta2: 0.999,
		Eps: 1e-6, MaxGradNorm: 1, EvalBatches: 20, LogEvery: 10, EvalEvery: 200, SaveEvery: 200, KeepLast: 3, Seed: 42}
}

// TotalSteps is the number of optimizer steps over all phases.
func (c PretrainConfig) TotalSteps() int {
	n := 0
	for _, p := range c.Phases {
		n += p.Steps
	}
	return n
}

// PretrainResult summarises a finished (or interrupted) run.
type PretrainResult struct {
	Steps       int
	Interrupted bool
	Final       string // HuggingFace folder with the final weights
	LastEval    *EvalMetrics
	TokensPerS  float64
	Elapsed     time.Duration
}

// trainerState is what a checkpoint holds besides weights and optimizer.
type trainerState struct {
	Step      int                 `json:"step"`
	Readers   []pretrain.Position `json:"readers"` // one per phase
	DropoutRN []byte              `json:"dropout_rng"`
	Seed      int64               `json:"seed"`
}

// Pretrain trains params (a pretraining or masked-LM model) on the phases'
// shards, with periodic evaluation and checkpoints. With Resume it continues
// from the newest checkpoint under OutDir, bit for bit as if it had never
// stopped. Cancelling ctx (SIGINT/SIGTERM in the command) finishes the
// current step, writes a checkpoint and returns with Interrupted set.
func Pretrain(ctx context.Context, cfg PretrainConfig, params *graph.Params) (*PretrainResult, error) {
	if err := cfg.validate(params); err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	vocabBytes, err := os.ReadFile(cfg.Vocab)
	if err != nil {
		return nil, err
	}
	vocab, err := pretrain.ParseVocab(vocabBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Vocab, err)
	}
	sum := pretrain.VocabChecksum(vocabBytes)
	specials, err := pretrain.SpecialsOf(vocab)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Vocab, err)
	}
	if err := os.MkdirAll(filepath.Join(cfg.OutDir, "checkpoints"), 0o755); err != nil {
		return nil, err
	}
	cleanTemporary(filepath.Join(cfg.OutDir, "checkpoints"))

	readers := make([]*pretrain.Reader, len(cfg.Phases))
	for i, ph := range cfg.Phases {
		if readers[i], err = pretrain.NewReader(ph.Shards, vocab, sum, pretrain.ReaderOptions{Seed: uint64(cfg.Seed) + uint64(i)}); err != nil {
			return nil, err
		}
	}
	state := trainerState{Seed: cfg.Seed}
	if cfg.Resume {
		if dir, ok := latestCheckpoint(filepath.Join(cfg.OutDir, "checkpoints")); ok {
			if params, state, err = loadTrainCheckpoint(dir); err != nil {
				return nil, err
			}
			for i, r := range readers {
				if err := r.Seek(state.Readers[i]); err != nil {
					return nil, fmt.Errorf("%s: %w", dir, err)
				}
			}
			log.WithField("checkpoint", dir).WithField("step", state.Step).Info("resuming")
		} else {
			log.Info("no checkpoint to resume from: starting fresh")
		}
	}
	st, err := NewStepper(params, StepConfig{MaskedPositions: 0, Dropout: cfg.Dropout, Seed: cfg.Seed, MaxGradNorm: cfg.MaxGradNorm}, cfg.newOptimizer)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if state.Step > 0 {
		if err := optim.LoadState(filepath.Join(latestDir(cfg.OutDir), optimizerFile), st.Opt); err != nil {
			return nil, err
		}
		if err := st.SetRNGState(state.DropoutRN); err != nil {
			return nil, err
		}
	}
	metrics, err := openMetrics(filepath.Join(cfg.OutDir, "metrics.jsonl"), state.Step)
	if err != nil {
		return nil, err
	}
	defer metrics.Close()

	schedule := cfg.schedule()
	total := cfg.TotalSteps()
	res := &PretrainResult{}
	start := time.Now()
	var tokens, tokensWindow int
	windowStart := time.Now()
	progress := newProgress(cfg.Progress, total, state.Step)
	save := func(step int) error {
		state.Step = step
		state.Readers = state.Readers[:0]
		for _, r := range readers {
			state.Readers = append(state.Readers, r.Position())
		}
		if state.DropoutRN, err = st.RNGState(); err != nil {
			return err
		}
		dir, err := saveTrainCheckpoint(cfg.OutDir, params, cfg.Vocab, st.Opt, state, cfg.KeepLast)
		if err == nil {
			log.WithField("step", step).WithField("dir", dir).Info("checkpoint written")
		}
		return err
	}

	for step := state.Step; step < total; step++ {
		phase, ph := phaseOf(cfg.Phases, step)
		// Each phase's shards fix its max_predictions_per_seq, hence its gather size.
		st.cfg.MaskedPositions = ph.BatchSize * readers[phase].Header().Options.MaxPredictionsPerSeq
		var micro []graph.Batch
		seqLen := 0
		for j := 0; j < cfg.GradAccum; j++ {
			pb, err := readers[phase].NextBatch(ph.BatchSize, specials.Pad)
			if err != nil {
				return nil, fmt.Errorf("step %d: reading shards: %w", step, err)
			}
			micro = append(micro, toGraphBatch(pb, params.Task))
			seqLen = pb.SeqLength
			for _, m := range pb.AttentionMask {
				tokens += m
				tokensWindow += m
			}
		}
		r, err := st.Step(micro, schedule)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w (the last good checkpoint is kept under %s)", step+1, err, filepath.Join(cfg.OutDir, "checkpoints"))
		}
		done := step + 1
		progress.update(done, r.Loss)
		if cfg.LogEvery > 0 && (done%cfg.LogEvery == 0 || done == total) {
			el := time.Since(windowStart).Seconds()
			rec := map[string]any{"step": done, "loss": r.Loss, "lr": r.LR, "grad_norm": r.GradNorm, "clip_coef": r.ClipCoef,
				"tokens_per_sec": float64(tokensWindow) / el, "phase": phase, "batch_size": ph.BatchSize, "seq_len": seqLen, "elapsed_s": time.Since(start).Seconds()}
			for k, v := range r.Terms {
				rec[k] = v
			}
			if err := metrics.write(rec); err != nil {
				return nil, err
			}
			log.WithFields(logrus.Fields(rec)).Info("train")
			tokensWindow, windowStart = 0, time.Now()
		}
		if len(cfg.EvalShards) > 0 && cfg.EvalEvery > 0 && (done%cfg.EvalEvery == 0 || done == total) {
			ev, err := EvaluatePretraining(params, cfg.EvalShards, cfg.Vocab, ph.BatchSize, cfg.EvalBatches)
			if err != nil {
				return nil, err
			}
			res.LastEval = ev
			rec := ev.record(done)
			if err := metrics.write(rec); err != nil {
				return nil, err
			}
			log.WithFields(logrus.Fields(rec)).Info("eval")
		}
		interrupted := ctx.Err() != nil
		if (cfg.SaveEvery > 0 && done%cfg.SaveEvery == 0) || interrupted {
			if err := save(done); err != nil {
				return nil, err
			}
		}
		res.Steps = done
		if interrupted {
			res.Interrupted = true
			break
		}
	}
	progress.finish()
	res.Elapsed = time.Since(start)
	res.TokensPerS = float64(tokens) / res.Elapsed.Seconds()
	if !res.Interrupted {
		res.Final = filepath.Join(cfg.OutDir, "final")
		if err := params.Save(res.Final, cfg.Vocab); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (c PretrainConfig) validate(p *graph.Params) error {
	if c.OutDir == "" {
		return errors.New("pretrain: no output folder")
	}
	if len(c.Phases) == 0 {
		return errors.New("pretrain: no shards")
	}
	for i, ph := range c.Phases {
		if len(ph.Shards) == 0 || ph.Steps <= 0 || ph.BatchSize <= 0 {
			return fmt.Errorf("pretrain: phase %d needs shards, steps > 0 and batch size > 0", i)
		}
	}
	if c.GradAccum <= 0 {
		return fmt.Errorf("pretrain: grad_accum must be positive, got %d", c.GradAccum)
	}
	if p != nil && !p.Task.HasMLM() {
		return fmt.Errorf("pretrain: a %s model has no masked-LM head", p.Task)
	}
	switch c.Schedule {
	case "", "linear", "cosine", "constant":
	default:
		return fmt.Errorf("pretrain: unknown schedule %q (linear, cosine, constant)", c.Schedule)
	}
	return nil
}

func (c PretrainConfig) schedule() optim.Schedule {
	switch c.Schedule {
	case "cosine":
		return optim.CosineWarmup(c.LR, c.WarmupSteps, c.TotalSteps())
	case "constant":
		return optim.ConstantWithWarmup(c.LR, c.WarmupSteps)
	}
	return optim.LinearWarmupDecay(c.LR, c.WarmupSteps, c.TotalSteps())
}

func (c PretrainConfig) newOptimizer(ps []optim.Param) (optim.Optimizer, error) {
	oc := optim.DefaultAdamWConfig()
	oc.Beta1, oc.Beta2, oc.Eps, oc.WeightDecay = c.Beta1, c.Beta2, c.Eps, c.WeightDecay
	if c.BiasCorrection != nil && !*c.BiasCorrection {
		oc = optim.TFBERTAdamWConfig()
		oc.Beta1, oc.Beta2, oc.Eps, oc.WeightDecay = c.Beta1, c.Beta2, c.Eps, c.WeightDecay
	}
	return optim.NewAdamW(ps, oc)
}

func phaseOf(phases []Phase, step int) (int, Phase) {
	for i, p := range phases {
		if step < p.Steps {
			return i, p
		}
		step -= p.Steps
	}
	return len(phases) - 1, phases[len(phases)-1]
}

// toGraphBatch lays a pretraining batch out for the graph: MLM labels per
// position (-100 elsewhere) and the sentence-pair labels.
func toGraphBatch(b *pretrain.Batch, task gorbert.Task) graph.Batch {
	g := graph.Batch{Size: b.Size, SeqLen: b.SeqLength, InputIDs: b.InputIDs, TokenTypeIDs: b.TokenTypeIDs,
		AttentionMask: b.AttentionMask, Labels: b.MLMLabels()}
	if task == gorbert.TaskPretraining {
		g.NextSentenceLabels = b.NextSentenceLabels
	}
	return g
}

// EvalMetrics are held-out pretraining metrics.
type EvalMetrics struct {
	MLMLoss, MLMAccuracy, Perplexity float64
	NSPAccuracy                      float64 // NaN without an NSP head
	// BaselineAccuracy is what always predicting the most frequent masked
	// token would score on the same positions.
	BaselineAccuracy float64
	Predictions      int
}

func (e *EvalMetrics) record(step int) map[string]any {
	r := map[string]any{"step": step, "eval_mlm_loss": e.MLMLoss, "eval_mlm_accuracy": e.MLMAccuracy,
		"eval_perplexity": e.Perplexity, "eval_baseline_accuracy": e.BaselineAccuracy, "eval_predictions": e.Predictions}
	if !math.IsNaN(e.NSPAccuracy) {
		r["eval_nsp_accuracy"] = e.NSPAccuracy
	}
	return r
}

// EvaluatePretraining scores params on up to maxBatches batches of held-out
// shards, with the shards' masks drawn from a fixed seed so every
// evaluation sees the same positions.
func EvaluatePretraining(params *graph.Params, shards []string, vocabPath string, batchSize, maxBatches int) (*EvalMetrics, error) {
	vocabBytes, err := os.ReadFile(vocabPath)
	if err != nil {
		return nil, err
	}
	vocab, err := pretrain.ParseVocab(vocabBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", vocabPath, err)
	}
	specials, err := pretrain.SpecialsOf(vocab)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", vocabPath, err)
	}
	r, err := pretrain.NewReader(shards, vocab, pretrain.VocabChecksum(vocabBytes), pretrain.ReaderOptions{Seed: 12345, Epochs: 1})
	if err != nil {
		return nil, err
	}
	maxPred := r.Header().Options.MaxPredictionsPerSeq
	nets := map[int]*graph.Net{}
	defer func() {
		for _, n := range nets {
			n.Close()
		}
	}()
	var lossSum float64
	var correct, total, nspCorrect, nspTotal int
	freq := map[int]int{}
	for i := 0; maxBatches <= 0 || i < maxBatches; i++ {
		pb, err := r.NextBatch(batchSize, specials.Pad)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		gb := toGraphBatch(pb, params.Task)
		net, ok := nets[pb.Size]
		if !ok {
			if net, err = graph.Build(params, graph.Options{Batch: pb.Size, Seq: pb.SeqLength, Loss: true, MaskedPositions: pb.Size * maxPred}); err != nil {
				return nil, err
			}
			nets[pb.Size] = net
		}
		if err := net.Run(gb, nil); err != nil {
			return nil, err
		}
		logits, err := net.Output("prediction_logits") // (P, V), rows = labelled positions in order
		if err != nil {
			return nil, err
		}
		v := logits.Shape[1]
		k, n := 0, 0
		for _, l := range gb.Labels {
			if l == -100 {
				continue
			}
			row := logits.Data[k*v : (k+1)*v]
			if argmax(row) == l {
				correct++
			}
			lossSum += logSumExp(row) - float64(row[l])
			freq[l]++
			k++
			n++
		}
		total += n
		if params.Task == gorbert.TaskPretraining {
			nsp, err := net.Output("seq_relationship_logits")
			if err != nil {
				return nil, err
			}
			for b := 0; b < pb.Size; b++ {
				if argmax(nsp.Data[2*b:2*b+2]) == gb.NextSentenceLabels[b] {
					nspCorrect++
				}
				nspTotal++
			}
		}
	}
	if total == 0 {
		return nil, fmt.Errorf("evaluation shards %v hold no masked positions", shards)
	}
	most := 0
	for _, c := range freq {
		most = max(most, c)
	}
	e := &EvalMetrics{MLMLoss: lossSum / float64(total), MLMAccuracy: float64(correct) / float64(total),
		BaselineAccuracy: float64(most) / float64(total), Predictions: total, NSPAccuracy: math.NaN()}
	e.Perplexity = math.Exp(e.MLMLoss)
	if nspTotal > 0 {
		e.NSPAccuracy = float64(nspCorrect) / float64(nspTotal)
	}
	return e, nil
}

func argmax(row []float32) int {
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}

func logSumExp(row []float32) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// saveJSON writes v as indented JSON, atomically.
func saveJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(b, '\n'))
}
