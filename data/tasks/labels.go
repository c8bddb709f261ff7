package tasks

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// LabelSet is a fixed, ordered list of label names; a label's id is its index.
// The order matters because a classifier's output unit i means label i: a
// model must be evaluated with the label set it was trained with.
type LabelSet struct {
	names []string
	ids   map[string]int
}

// NewLabelSet keeps names in the given order, for when the order is fixed
// elsewhere (a model's config.json id2label, or a task definition). Empty and
// repeated names are errors.
func NewLabelSet(names []string) (*LabelSet, error) {
	ls := &LabelSet{names: slices.Clone(names), ids: make(map[string]int, len(names))}
	for i, n := range names {
		if n == "" {
			return nil, fmt.Errorf("tasks: label %d is empty", i)
		}
		if j, dup := ls.ids[n]; dup {
			return nil, fmt.Errorf("tasks: label %q given twice (at %d and %d)", n, j, i)
		}
		ls.ids[n] = i
	}
	return ls, nil
}

// BuildLabelSet collects the distinct labels of the examples (ignoring
// unlabelled ones) and sorts them, so that the same training file always gives
// the same ids whatever its row order. When every label is a number they are
// sorted by value ("2" before "10"), otherwise as strings.
func BuildLabelSet(examples []TextExample) *LabelSet {
	labels := make([]string, 0, len(examples))
	for _, e := range examples {
		if e.Label != "" {
			labels = append(labels, e.Label)
		}
	}
	return sortedLabelSet(labels)
}

// BuildTagSet is BuildLabelSet for the tags of token-classification data.
func BuildTagSet(sentences []TaggedSentence) *LabelSet {
	var tags []string
	for _, s := range sentences {
		tags = append(tags, s.Tags...)
	}
	return sortedLabelSet(tags)
}

func sortedLabelSet(labels []string) *LabelSet {
	slices.Sort(labels)
	labels = slices.Compact(labels)
	numeric := true
	values := make(map[string]float64, len(labels))
	for _, l := range labels {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			numeric = false
			break
		}
		values[l] = v
	}
	if numeric {
		// Stable, with the string order breaking ties between "1" and "1.0".
		slices.SortStableFunc(labels, func(a, b string) int { return cmp.Compare(values[a], values[b]) })
	}
	ls, _ := NewLabelSet(labels) // distinct and non-empty by construction
	return ls
}

// Len is the number of labels, the size of a classifier's output layer.
func (ls *LabelSet) Len() int { return len(ls.names) }

// Names returns the labels in id order (a copy).
func (ls *LabelSet) Names() []string { return slices.Clone(ls.names) }

// ID returns the id of name and whether it is in the set.
func (ls *LabelSet) ID(name string) (int, bool) {
	id, ok := ls.ids[name]
	return id, ok
}

// Name returns the label with the given id, or "" if the id is out of range.
func (ls *LabelSet) Name(id int) string {
	if id < 0 || id >= len(ls.names) {
		return ""
	}
	return ls.names[id]
}

// IDs maps every example's label to its id. An unlabelled example or a label
// outside the set is an error naming the example (file and line), since
// training on it would silently change the task.
func (ls *LabelSet) IDs(examples []TextExample) ([]int, error) {
	ids := make([]int, len(examples))
	for i, e := range examples {
		if e.Label == "" {
			return nil, fmt.Errorf("%s: example has no label", e.ID)
		}
		id, ok := ls.ids[e.Label]
		if !ok {
			return nil, fmt.Errorf("%s: label %q is not one of %q", e.ID, e.Label, ls.names)
		}
		ids[i] = id
	}
	return ids, nil
}

// Targets parses every example's label as a number, for regression tasks
// such as STS-B whose single target is a float score.
func Targets(examples []TextExample) ([]float64, error) {
	ys := make([]float64, len(examples))
	for i, e := range examples {
		v, err := strconv.ParseFloat(e.Label, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: regression target %q is not a number", e.ID, e.Label)
		}
		ys[i] = v
	}
	return ys, nil
}
