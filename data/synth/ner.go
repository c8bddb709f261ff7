package synth

import (
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Tagged is one NER sentence: words and a tag per word.
type Tagged struct {
	Words []string
	Tags  []string
}

// Words splits a sentence at white space and punctuation: a word is a run
// of letters, digits and underscores, and every other non-space character
// is a word of its own, so that "io.Reader's" gives io . Reader ' s and an
// identifier always stands alone.
func Words(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		ident := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
		if ident {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
		if !unicode.IsSpace(r) {
			out = append(out, string(r))
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// Index maps package names to the exported identifiers of the packages of
// that name (merged, the first package in path order winning a conflict),
// to tag qualified identifiers such as io.Reader.
type Index map[string]map[string]string

// NewIndex indexes pkgs by package name.
func NewIndex(pkgs []Package) Index {
	ix := Index{}
	for _, p := range pkgs {
		m := ix[p.Name]
		if m == nil {
			m = map[string]string{}
			ix[p.Name] = m
		}
		for id, kind := range p.Idents {
			if _, ok := m[id]; !ok {
				m[id] = kind
			}
		}
	}
	return ix
}

// Tag tags the words of a sentence of package p: a package name followed by
// "." and an exported identifier of that package is B-PKG, and the
// identifier B-FUNC, B-TYPE or B-VALUE; any other word that is an exported
// identifier of p is tagged with its kind; everything else is O. Every
// entity is one word, so there are no I- tags.
func Tag(words []string, p Package, ix Index) []string {
	tags := make([]string, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if i+2 < len(words) && words[i+1] == "." {
			if kind, ok := ix[w][words[i+2]]; ok {
				tags[i], tags[i+1], tags[i+2] = "B-"+KindPkg, "O", "B-"+kind
				i += 2
				continue
			}
		}
		if kind, ok := p.Idents[w]; ok {
			tags[i] = "B-" + kind
		} else {
			tags[i] = "O"
		}
	}
	return tags
}

// NER makes a tagged set: the sentences of 4 to 50 words of the packages
// that mention at least one entity, sampled to at most maxTrain training and
// maxDev dev sentences with seed. Sentences that occur in a training package
// are left out of dev, and repeats within a split are dropped.
func NER(train, dev []Package, ix Index, maxTrain, maxDev int, seed int64) (trainEx, devEx []Tagged, err error) {
	if maxTrain <= 0 || maxDev <= 0 {
		return nil, nil, fmt.Errorf("synth: ner needs positive sizes, not %d and %d", maxTrain, maxDev)
	}
	inTrain := map[string]bool{}
	collect := func(pkgs []Package, n int, split string) []Tagged {
		var out []Tagged
		seen := map[string]bool{}
		for _, p := range pkgs {
			for _, s := range p.Sentences {
				s = oneLine(s)
				if seen[s] || (split == "dev" && inTrain[s]) {
					continue
				}
				seen[s] = true
				words := Words(s)
				if len(words) < 4 || len(words) > 50 {
					continue
				}
				tags := Tag(words, p, ix)
				entities := 0
				for _, t := range tags {
					if t != "O" {
						entities++
					}
				}
				if entities > 0 {
					out = append(out, Tagged{Words: words, Tags: tags})
				}
			}
		}
		if split == "train" {
			inTrain = seen
		}
		rng := newRand(seed, "ner/"+split)
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out[:min(n, len(out))]
	}
	trainEx = collect(train, maxTrain, "train")
	devEx = collect(dev, maxDev, "dev")
	if len(trainEx) == 0 || len(devEx) == 0 {
		return nil, nil, fmt.Errorf("synth: ner found %d training and %d dev sentences with entities", len(trainEx), len(devEx))
	}
	return trainEx, devEx, nil
}

// WriteCoNLL writes one "word TAG" line per word and a blank line after
// each sentence.
func WriteCoNLL(w io.Writer, ex []Tagged) error {
	var sb strings.Builder
	for _, s := range ex {
		for i, word := range s.Words {
			sb.WriteString(word + " " + s.Tags[i] + "\n")
		}
		sb.WriteString("\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// OTokenAccuracy is the dev token accuracy of tagging every word O (whose
// entity F1 is 0).
func OTokenAccuracy(dev []Tagged) float64 {
	var o, n int
	for _, s := range dev {
		for _, t := range s.Tags {
			n++
			if t == "O" {
				o++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(o) / float64(n)
}
