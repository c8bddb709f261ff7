package train

import (
	"context"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/data/pretrain"
	"github.com/gorbert/gorbert/graph"
)

// tinyRun prepares shards from a synthetic corpus with a word-level vocab and
// returns a config for a short run under out.
func tinyRun(t *testing.T, out string) (PretrainConfig, *graph.Params) {
	t.Helper()
	words := []string{"the", "cat", "dog", "sat", "ran", "on", "mat", "log", "a", "big", "small", "red", "blue", "and", "then"}
	vocabList := append([]string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}, words...)
	dir := t.TempDir()
	vocabPath := filepath.Join(dir, "vocab.txt")
	if err := os.WriteFile(vocabPath, []byte(strings.Join(vocabList, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	var corpus strings.Builder
	for d := 0; d < 30; d++ {
		for s := 0; s < 4+rng.Intn(4); s++ {
			n := 3 + rng.Intn(6)
			for w := 0; w < n; w++ {
				if w > 0 {
					corpus.WriteByte(' ')
				}
				corpus.WriteString(words[rng.Intn(len(words))])
			}
			corpus.WriteByte('\n')
		}
		corpus.WriteByte('\n')
	}
	corpusPath := filepath.Join(dir, "corpus.txt")
	os.WriteFile(corpusPath, []byte(corpus.String()), 0o644)
	vb, _ := os.ReadFile(vocabPath)
	v, err := pretrain.ParseVocab(vb)
	if err != nil {
		t.Fatal(err)
	}
	opts := pretrain.DefaultOptions()
	opts.MaxSeqLength, opts.MaxPredictionsPerSeq = 24, 4
	st, err := pretrain.Prepare(pretrain.PrepareConfig{Inputs: []string{corpusPath}, Tokenize: strings.Fields, Vocab: v,
		VocabSHA256: pretrain.VocabChecksum(vb), Options: opts, Seed: 3, OutDir: filepath.Join(dir, "shards"), InstancesPerShard: 40})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultPretrainConfig()
	cfg.OutDir, cfg.Vocab = out, vocabPath
	cfg.Phases = []Phase{{Shards: st.Shards, Steps: 6, BatchSize: 4}}
	cfg.EvalShards = st.Shards[:1]
	cfg.LR, cfg.WarmupSteps, cfg.GradAccum, cfg.Dropout = 1e-3, 2, 2, true
	cfg.LogEvery, cfg.EvalEvery, cfg.SaveEvery, cfg.EvalBatches = 1, 3, 2, 2
	mc := gorbert.Default()
	mc.VocabSize, mc.HiddenSize, mc.NumHiddenLayers, mc.NumAttentionHeads, mc.IntermediateSize, mc.MaxPositionEmbeddings = len(vocabList), 16, 2, 2, 32, 32
	return cfg, graph.Init(mc, gorbert.TaskPretraining, rand.New(rand.NewSource(5)))
}

// stopAfter is a context that reports cancellation after n checks, as a
// SIGINT would arrive during step n.
type stopAfter struct {
	context.Context
	n int
}

func (s *stopAfter) Err() error {
	s.n--
	if s.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestPretrainResumeIsBitIdentical interrupts a run, resumes it, and gets the
// same losses and final weights as an uninterrupted run.
func TestPretrainResumeIsBitIdentical(t *testing.T) {
	straightDir, resumedDir := t.TempDir(), t.TempDir()
	cfg, p := tinyRun(t, straightDir)
	res, err := Pretrain(context.Background(), cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Interrupted || res.Steps != 6 || res.LastEval == nil {
		t.Fatalf("result %+v", res)
	}

	cfg2, p2 := tinyRun(t, resumedDir)
	cfg2.Phases[0].Shards = cfg.Phases[0].Shards // same data files
	cfg2.EvalShards, cfg2.Vocab = cfg.EvalShards, cfg.Vocab
	res, err = Pretrain(&stopAfter{Context: context.Background(), n: 2}, cfg2, p2) // stops after step 3
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Steps != 3 {
		t.Fatalf("interrupted run: %+v", res)
	}
	cfg2.Resume = true
	if _, err = Pretrain(context.Background(), cfg2, nil); err != nil {
		t.Fatal(err)
	}
	a, _, err := graph.Load(filepath.Join(straightDir, "final"))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := graph.Load(filepath.Join(resumedDir, "final"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range a.Names() {
		if !slices.Equal(a.Data(name), b.Data(name)) {
			t.Fatalf("%s differs between the uninterrupted and the resumed run", name)
		}
	}
	la, lb := lossLines(t, straightDir), lossLines(t, resumedDir)
	if !slices.Equal(la, lb) || len(la) != 6 {
		t.Fatalf("losses differ:\n%v\n%v", la, lb)
	}
}

func lossLines(t *testing.T, dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if i := strings.Index(l, `"loss":`); i >= 0 {
			out = append(out, l[i:i+25])
		}
	}
	return out
}

// TestCrashMidSaveKeepsLastGoodCheckpoint simulates a crash while a
// checkpoint is being written.
func TestCrashMidSaveKeepsLastGoodCheckpoint(t *testing.T) {
	out := t.TempDir()
	cfg, p := tinyRun(t, out)
	saves := 0
	failSaveHook = func(tmp string) error {
		saves++
		if saves == 2 {
			return errors.New("simulated crash")
		}
		return nil
	}
	defer func() { failSaveHook = nil }()
	if _, err := Pretrain(context.Background(), cfg, p); err == nil || !strings.Contains(err.Error(), "simulated crash") {
		t.Fatalf("err = %v", err)
	}
	latest, ok := LatestCheckpoint(out)
	if !ok || filepath.Base(latest) != "step-00000002" {
		t.Fatalf("latest checkpoint = %q", latest)
	}
	if _, _, err := loadTrainCheckpoint(latest); err != nil {
		t.Fatalf("last good checkpoint unreadable: %v", err)
	}
	failSaveHook = nil
	cfg.Resume = true
	res, err := Pretrain(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 6 {
		t.Fatalf("resumed to step %d", res.Steps)
	}
	entries, _ := os.ReadDir(filepath.Join(out, "checkpoints"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			t.Fatalf("temporary checkpoint %s left behind", e.Name())
		}
	}
}

func TestPretrainStopsOnNonFiniteLoss(t *testing.T) {
	out := t.TempDir()
	cfg, p := tinyRun(t, out)
	cfg.LR = 1e30 // explodes
	cfg.MaxGradNorm = 0
	_, err := Pretrain(context.Background(), cfg, p)
	if err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Fatalf("err = %v", err)
	}
}

// TestPretrainPhasesShareWeights runs a phase at sequence length 24, then
// one at 32 (as BERT's 128 -> 512 schedule), over the same weights.
func TestPretrainPhasesShareWeights(t *testing.T) {
	out := t.TempDir()
	cfg, p := tinyRun(t, out)
	vb, _ := os.ReadFile(cfg.Vocab)
	v, _ := pretrain.ParseVocab(vb)
	opts := pretrain.DefaultOptions()
	opts.MaxSeqLength, opts.MaxPredictionsPerSeq = 32, 5
	corpusPath := filepath.Join(filepath.Dir(cfg.Vocab), "corpus.txt")
	st, err := pretrain.Prepare(pretrain.PrepareConfig{Inputs: []string{corpusPath}, Tokenize: strings.Fields, Vocab: v,
		VocabSHA256: pretrain.VocabChecksum(vb), Options: opts, Seed: 4, OutDir: filepath.Join(t.TempDir(), "long")})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Phases = []Phase{{Shards: cfg.Phases[0].Shards, Steps: 3, BatchSize: 4}, {Shards: st.Shards, Steps: 3, BatchSize: 2}}
	cfg.SaveEvery = 0
	res, err := Pretrain(context.Background(), cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 6 {
		t.Fatalf("steps = %d", res.Steps)
	}
	data, _ := os.ReadFile(filepath.Join(out, "metrics.jsonl"))
	for _, want := range []string{`"seq_len":24`, `"seq_len":32`, `"phase":1`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
