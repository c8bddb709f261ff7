package synth

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// DefaultAreas are the classify labels: the largest areas of the standard
// library by documentation, each with several packages so that the dev
// split has packages of its own.
var DefaultAreas = []string{"crypto", "encoding", "go", "math", "net", "runtime"}

// Labeled is one classification example.
type Labeled struct {
	Sentence string
	Label    string
}

// Classify makes a sentence classification set: every sentence of 4 to 40
// words of the packages of the given areas, labelled by its package's area,
// sampled to at most perLabel training and perLabel/4 (at least 1) dev
// sentences of each label, then shuffled (all with seed). Sentences that
// occur in a training package are left out of dev, and repeats within a
// split are dropped.
func Classify(train, dev []Package, areas []string, perLabel int, seed int64) (trainEx, devEx []Labeled, err error) {
	if len(areas) < 2 {
		return nil, nil, fmt.Errorf("synth: classify needs at least 2 areas, have %q", areas)
	}
	if perLabel <= 0 {
		return nil, nil, fmt.Errorf("synth: classify needs a positive number of sentences per label")
	}
	collect := func(pkgs []Package, exclude map[string]bool) map[string][]string {
		out := map[string][]string{}
		seen := map[string]bool{}
		for _, p := range pkgs {
			if !slices.Contains(areas, p.Area) {
				continue
			}
			for _, s := range p.Sentences {
				s = oneLine(s)
				if n := len(strings.Fields(s)); n < 4 || n > 40 || seen[s] || exclude[s] {
					continue
				}
				seen[s] = true
				out[p.Area] = append(out[p.Area], s)
			}
		}
		return out
	}
	trainBy := collect(train, nil)
	inTrain := map[string]bool{}
	for _, ss := range trainBy {
		for _, s := range ss {
			inTrain[s] = true
		}
	}
	devBy := collect(dev, inTrain)
	sample := func(by map[string][]string, n int, split string) []Labeled {
		var out []Labeled
		for _, area := range areas {
			ss := slices.Clone(by[area])
			rng := newRand(seed, "classify/"+split+"/"+area)
			rng.Shuffle(len(ss), func(i, j int) { ss[i], ss[j] = ss[j], ss[i] })
			for _, s := range ss[:min(n, len(ss))] {
				out = append(out, Labeled{Sentence: s, Label: area})
			}
		}
		rng := newRand(seed, "classify/"+split)
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	trainEx, devEx = sample(trainBy, perLabel, "train"), sample(devBy, max(1, perLabel/4), "dev")
	for _, area := range areas {
		if len(trainBy[area]) == 0 || len(devBy[area]) == 0 {
			return nil, nil, fmt.Errorf("synth: area %q has %d training and %d dev sentences; every label needs both", area, len(trainBy[area]), len(devBy[area]))
		}
	}
	return trainEx, devEx, nil
}

// WriteClassifyTSV writes the header "sentence\tlabel" and one example a
// line (the texts hold no tabs or newlines).
func WriteClassifyTSV(w io.Writer, ex []Labeled) error {
	var sb strings.Builder
	sb.WriteString("sentence\tlabel\n")
	for _, e := range ex {
		sb.WriteString(oneLine(e.Sentence) + "\t" + e.Label + "\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// Majority is the most frequent training label (ties to the first in
// sorted order) and the dev accuracy of always predicting it.
func Majority(train, dev []Labeled) (label string, devAccuracy float64) {
	count := map[string]int{}
	for _, e := range train {
		count[e.Label]++
	}
	labels := make([]string, 0, len(count))
	for l := range count {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		if label == "" || count[l] > count[label] {
			label = l
		}
	}
	hit := 0
	for _, e := range dev {
		if e.Label == label {
			hit++
		}
	}
	if len(dev) > 0 {
		devAccuracy = float64(hit) / float64(len(dev))
	}
	return label, devAccuracy
}

// oneLine collapses runs of white space (tabs and newlines included) to
// single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
