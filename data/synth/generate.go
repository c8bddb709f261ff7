package synth

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorbert/gorbert/internal/atomicfile"
)

// Options configure Generate.
type Options struct {
	Root    string  // source tree, normally $(go env GOROOT)/src; required
	OutDir  string  // receives train.* and dev.*; required
	Seed    int64   // the split and every sample
	DevFrac float64 // share of each area's packages held out for dev; 0: 0.2
	// MaxTrain and MaxDev cap the training and dev examples (classify:
	// MaxTrain is divided evenly among the labels, MaxDev ignored, dev
	// getting a quarter of the training sentences per label).
	// 0: the task's default (classify 1800, ner 3000/800, qa 2000/500).
	MaxTrain, MaxDev int
	Areas            []string // classify labels; nil: DefaultAreas
}

// Stats describe what Generate wrote.
type Stats struct {
	Task                       string
	Train, Dev                 string // the files
	TrainPackages, DevPackages int
	TrainExamples, DevExamples int // sentences or questions
	TrainEntities, DevEntities int // ner
	Labels                     []string
	// Baseline says what a trivial predictor scores on dev: the majority
	// class's accuracy (classify), always-O (entity F1 0; its token
	// accuracy), the empty answer (EM and F1 0).
	Baseline string
}

// Generate loads the packages under opts.Root, splits them by package and
// writes the task's training and dev files under opts.OutDir:
// train.tsv/dev.tsv (classify), train.conll/dev.conll (ner) or
// train.json/dev.json (qa).
func Generate(task string, opts Options) (Stats, error) {
	st := Stats{Task: task}
	if opts.Root == "" || opts.OutDir == "" {
		return st, fmt.Errorf("synth: Generate needs Root and OutDir")
	}
	if task != "classify" && task != "ner" && task != "qa" {
		return st, fmt.Errorf("synth: task must be classify, ner or qa, not %q", task)
	}
	if opts.DevFrac == 0 {
		opts.DevFrac = 0.2
	}
	pkgs, err := LoadPackages(opts.Root)
	if err != nil {
		return st, err
	}
	trainPkgs, devPkgs, err := Split(pkgs, opts.Seed, opts.DevFrac)
	if err != nil {
		return st, err
	}
	orDefault := func(v, d int) int {
		if v > 0 {
			return v
		}
		return d
	}
	var trainBuf, devBuf bytes.Buffer
	ext := ""
	switch task {
	case "classify":
		areas := opts.Areas
		if areas == nil {
			areas = DefaultAreas
		}
		tr, dv, err := Classify(trainPkgs, devPkgs, areas, orDefault(opts.MaxTrain, 1800)/len(areas), opts.Seed)
		if err != nil {
			return st, err
		}
		if err := WriteClassifyTSV(&trainBuf, tr); err != nil {
			return st, err
		}
		if err := WriteClassifyTSV(&devBuf, dv); err != nil {
			return st, err
		}
		label, acc := Majority(tr, dv)
		st.TrainExamples, st.DevExamples, st.Labels, ext = len(tr), len(dv), areas, ".tsv"
		st.Baseline = fmt.Sprintf("majority class %q: dev accuracy %.4f", label, acc)
		st.TrainPackages, st.DevPackages = countAreas(trainPkgs, areas), countAreas(devPkgs, areas)
	case "ner":
		tr, dv, err := NER(trainPkgs, devPkgs, NewIndex(pkgs), orDefault(opts.MaxTrain, 3000), orDefault(opts.MaxDev, 800), opts.Seed)
		if err != nil {
			return st, err
		}
		if err := WriteCoNLL(&trainBuf, tr); err != nil {
			return st, err
		}
		if err := WriteCoNLL(&devBuf, dv); err != nil {
			return st, err
		}
		st.TrainExamples, st.DevExamples, ext = len(tr), len(dv), ".conll"
		st.TrainEntities, st.DevEntities = countEntities(tr), countEntities(dv)
		st.Labels = []string{"O", "B-" + KindFunc, "B-" + KindPkg, "B-" + KindType, "B-" + KindValue}
		st.Baseline = fmt.Sprintf("always O: dev entity F1 0, token accuracy %.4f", OTokenAccuracy(dv))
		st.TrainPackages, st.DevPackages = len(trainPkgs), len(devPkgs)
	case "qa":
		tr, dv, err := QA(trainPkgs, devPkgs, orDefault(opts.MaxTrain, 2000), orDefault(opts.MaxDev, 500), opts.Seed)
		if err != nil {
			return st, err
		}
		if err := WriteSQuAD(&trainBuf, tr); err != nil {
			return st, err
		}
		if err := WriteSQuAD(&devBuf, dv); err != nil {
			return st, err
		}
		st.TrainExamples, st.DevExamples, ext = CountQuestions(tr), CountQuestions(dv), ".json"
		st.Baseline = "empty answer: dev exact match 0, F1 0"
		st.TrainPackages, st.DevPackages = len(trainPkgs), len(devPkgs)
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return st, fmt.Errorf("synth: %w", err)
	}
	st.Train, st.Dev = filepath.Join(opts.OutDir, "train"+ext), filepath.Join(opts.OutDir, "dev"+ext)
	if err := atomicfile.WriteBytes(st.Train, trainBuf.Bytes()); err != nil {
		return st, fmt.Errorf("synth: %w", err)
	}
	if err := atomicfile.WriteBytes(st.Dev, devBuf.Bytes()); err != nil {
		return st, fmt.Errorf("synth: %w", err)
	}
	return st, nil
}

func countAreas(pkgs []Package, areas []string) int {
	n := 0
	for _, p := range pkgs {
		for _, a := range areas {
			if p.Area == a {
				n++
				break
			}
		}
	}
	return n
}

func countEntities(ex []Tagged) int {
	n := 0
	for _, s := range ex {
		for _, t := range s.Tags {
			if t != "O" {
				n++
			}
		}
	}
	return n
}
