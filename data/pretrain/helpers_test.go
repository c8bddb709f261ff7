package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Special ids of every test vocabulary.
const (
	tPad, tUnk, tCLS, tSEP, tMask = 0, 1, 2, 3, 4
	firstWord                     = 5
)

// testVocab has the five specials followed by words w0..w(n-1) and
// continuation pieces ##p0..##p(k-1).
func testVocab(t testing.TB, words, pieces int) *ListVocab {
	t.Helper()
	toks := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	for i := range words {
		toks = append(toks, fmt.Sprintf("w%d", i))
	}
	for i := range pieces {
		toks = append(toks, fmt.Sprintf("##p%d", i))
	}
	v, err := NewListVocab(toks)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }

// uniqueDocs makes nDocs documents of nSent sentences, each sentence sentLen
// copies of its own id, so that an instance's tokens tell which sentences it
// came from: sentence s of document d has id firstWord + d*nSent + s.
func uniqueDocs(nDocs, nSent, sentLen int) [][][]int {
	docs := make([][][]int, nDocs)
	for d := range docs {
		for s := range nSent {
			sent := make([]int, sentLen)
			for i := range sent {
				sent[i] = firstWord + d*nSent + s
			}
			docs[d] = append(docs[d], sent)
		}
	}
	return docs
}

// sentencesOf lists the distinct sentence ids of tokens in order.
func sentencesOf(tokens []int) []int {
	var out []int
	for _, t := range tokens {
		if len(out) == 0 || out[len(out)-1] != t {
			out = append(out, t)
		}
	}
	return out
}

// within checks that count successes of n trials match probability p within
// z binomial standard deviations.
func within(t *testing.T, what string, count, n int, p, z float64) {
	t.Helper()
	mean := float64(n) * p
	sd := math.Sqrt(float64(n) * p * (1 - p))
	if math.Abs(float64(count)-mean) > z*sd {
		t.Errorf("%s: %d of %d (%.4f), want %.4f ± %.1f sd (sd %.1f)", what, count, n, float64(count)/float64(n), p, z, sd)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
