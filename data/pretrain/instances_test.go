package pretrain

import (
	"reflect"
	"slices"
	"testing"
)

func TestNumToPredict(t *testing.T) {
	v := testVocab(t, 10, 0)
	o := DefaultOptions()
	m, err := NewMasker(v, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ n, want int }{
		{3, 1},     // 0.45 rounds to 0, at least 1
		{10, 2},    // 1.5 rounds half to even: 2
		{30, 4},    // 4.5 rounds half to even: 4 (Python 3 round)
		{128, 19},  // 19.2
		{200, 20},  // 30 capped by max_predictions_per_seq
		{1000, 20}, // capped
	} {
		if got := m.NumToPredict(tc.n); got != tc.want {
			t.Errorf("NumToPredict(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// TestMaskProportions checks the 80/10/10 rule over many masked tokens, the
// number of predictions, and that special tokens are never chosen.
func TestMaskProportions(t *testing.T) {
	const words = 250
	v := testVocab(t, words, 0)
	V := float64(v.Size())
	o := DefaultOptions()
	m, err := NewMasker(v, o)
	if err != nil {
		t.Fatal(err)
	}
	rng := newRand(1)
	var nMask, nKeep, nRand, total int
	for range 4000 {
		// [CLS] words... [SEP] words... [SEP] with stray [PAD]/[MASK] inside.
		tokens := []int{tCLS}
		for range 60 {
			tokens = append(tokens, firstWord+rng.IntN(words))
		}
		tokens = append(tokens, tSEP, tPad, tMask)
		for range 60 {
			tokens = append(tokens, firstWord+rng.IntN(words))
		}
		tokens = append(tokens, tSEP)
		masked, pos, labels := m.Mask(tokens, rng)
		if want := m.NumToPredict(len(tokens)); len(pos) != want || want > o.MaxPredictionsPerSeq {
			t.Fatalf("%d predictions, want %d (max %d)", len(pos), want, o.MaxPredictionsPerSeq)
		}
		if !slices.IsSorted(pos) {
			t.Fatalf("positions not sorted: %v", pos)
		}
		for k, p := range pos {
			if orig := tokens[p]; orig < firstWord {
				t.Fatalf("special token %d at %d was masked", orig, p)
			}
			if labels[k] != tokens[p] {
				t.Fatalf("label %d at %d, original %d", labels[k], p, tokens[p])
			}
			switch masked[p] {
			case tMask:
				nMask++
			case tokens[p]:
				nKeep++
			default:
				nRand++
			}
			total++
		}
		for i := range tokens {
			if !slices.Contains(pos, i) && masked[i] != tokens[i] {
				t.Fatalf("unpredicted position %d changed", i)
			}
		}
	}
	// A random replacement can hit [MASK] or the original token (1/V each).
	within(t, "[MASK]", nMask, total, 0.8+0.1/V, 5)
	within(t, "unchanged", nKeep, total, 0.1+0.1/V, 5)
	within(t, "random", nRand, total, 0.1*(1-2/V), 5)
}

// wordGroups assigns each position of tokens the index of its word: a
// "##" piece belongs to the word of the token right before it.
func wordGroups(v Vocab, tokens []int) []int {
	g := make([]int, len(tokens))
	n := 0
	for i, t := range tokens {
		if i > 0 && len(v.Token(t)) > 2 && v.Token(t)[:2] == "##" {
			g[i] = g[i-1]
			continue
		}
		n++
		g[i] = n
	}
	return g
}

func TestWholeWordMasking(t *testing.T) {
	v := testVocab(t, 100, 100)
	for _, wwm := range []bool{true, false} {
		o := DefaultOptions()
		o.WholeWordMask = wwm
		m, err := NewMasker(v, o)
		if err != nil {
			t.Fatal(err)
		}
		rng := newRand(2)
		partial := 0
		for range 500 {
			tokens := []int{tCLS}
			for len(tokens) < 100 {
				tokens = append(tokens, firstWord+rng.IntN(100)) // a word...
				for range rng.IntN(4) {
					tokens = append(tokens, firstWord+100+rng.IntN(100)) // ...and 0-3 pieces
				}
			}
			tokens = append(tokens, tSEP)
			_, pos, _ := m.Mask(tokens, rng)
			if len(pos) > o.MaxPredictionsPerSeq {
				t.Fatalf("%d predictions > %d", len(pos), o.MaxPredictionsPerSeq)
			}
			groups := wordGroups(v, tokens)
			maskedIn := map[int]int{}
			for _, p := range pos {
				maskedIn[groups[p]]++
			}
			for g, n := range maskedIn {
				if size := countOf(groups, g); n != size {
					partial++
					if wwm {
						t.Fatalf("whole-word masking masked %d of the %d pieces of a word: tokens %v positions %v", n, size, tokens, pos)
					}
				}
			}
		}
		if !wwm && partial == 0 {
			t.Error("without whole-word masking no word was ever partly masked; the test cannot tell the modes apart")
		}
	}
}

func countOf(xs []int, x int) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

func TestTruncateSeqPair(t *testing.T) {
	seq := func(n, base int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = base + i
		}
		return s
	}
	tests := []struct{ la, lb, max, wantA, wantB int }{
		{3, 3, 10, 3, 3},   // fits
		{20, 3, 10, 7, 3},  // only A is longer: A trimmed
		{3, 20, 10, 3, 7},  // only B
		{20, 20, 10, 5, 5}, // both, alternately; ties trim B
		{21, 20, 10, 5, 5},
		{1, 50, 2, 1, 1},
	}
	for _, tc := range tests {
		front, back := 0, 0
		for seed := range uint64(200) {
			a, b := truncateSeqPair(seq(tc.la, 0), seq(tc.lb, 1000), tc.max, newRand(seed))
			if len(a) != tc.wantA || len(b) != tc.wantB {
				t.Fatalf("%+v: got lengths %d, %d", tc, len(a), len(b))
			}
			for _, s := range [][]int{a, b} {
				for i := 1; i < len(s); i++ {
					if s[i] != s[i-1]+1 {
						t.Fatalf("%+v: truncation left a non-contiguous piece %v", tc, s)
					}
				}
			}
			if len(a) < tc.la {
				if a[0] != 0 {
					front++
				}
				if a[len(a)-1] != tc.la-1 {
					back++
				}
			}
		}
		if tc.wantA < tc.la && (front == 0 || back == 0) {
			t.Errorf("%+v: front cuts %d, back cuts %d; want both", tc, front, back)
		}
	}
}

func TestNSPInstances(t *testing.T) {
	const nDocs, nSent = 60, 40
	v := testVocab(t, nDocs*nSent, 0)
	o := DefaultOptions()
	o.ShortSeqProb = 0
	c, err := NewCreator(v, o)
	if err != nil {
		t.Fatal(err)
	}
	docs := uniqueDocs(nDocs, nSent, 10)
	docOf := func(id int) int { return (id - firstWord) / nSent }
	random, chosen := 0, 0
	for rep := range uint64(5) {
		for _, in := range c.Create(docs, newRand(rep)) {
			if len(in.Tokens) > o.MaxSeqLength || in.Tokens[0] != tCLS || in.Tokens[in.SegmentA-1] != tSEP || in.Tokens[len(in.Tokens)-1] != tSEP {
				t.Fatalf("bad layout: %v (segment A %d)", in.Tokens, in.SegmentA)
			}
			if in.MaskedPositions != nil {
				t.Fatal("dynamic masking: instance was masked at creation")
			}
			a := sentencesOf(in.Tokens[1 : in.SegmentA-1])
			b := sentencesOf(in.Tokens[in.SegmentA : len(in.Tokens)-1])
			switch in.Label {
			case 0: // B continues A in the same document
				if b[0] != a[len(a)-1]+1 || docOf(b[0]) != docOf(a[0]) {
					t.Fatalf("IsNext pair does not continue: A %v B %v", a, b)
				}
			case 1: // B comes from another document
				if docOf(b[0]) == docOf(a[0]) {
					t.Fatalf("random next from the same document: A %v B %v", a, b)
				}
			default:
				t.Fatalf("label %d", in.Label)
			}
			// A lone last sentence is always paired randomly (len(chunk)
			// == 1); every other chunk is a fair coin.
			if len(a) == 1 && (a[0]-firstWord)%nSent == nSent-1 {
				continue
			}
			chosen++
			random += in.Label
		}
	}
	within(t, "random next", random, chosen, 0.5, 4)
}

func TestShortSeqProb(t *testing.T) {
	v := testVocab(t, 3000, 0)
	docs := uniqueDocs(50, 60, 8)
	short := func(p float64) float64 {
		o := DefaultOptions()
		o.ShortSeqProb = p
		c, err := NewCreator(v, o)
		if err != nil {
			t.Fatal(err)
		}
		var n, s int
		for _, in := range c.Create(docs, newRand(3)) {
			n++
			if len(in.Tokens) < o.MaxSeqLength/2 {
				s++
			}
		}
		return float64(s) / float64(n)
	}
	// The target is drawn once per document (as in Google's script), so
	// with 50 documents the fraction is coarse: compare none, some, all.
	if f0, f1 := short(0), short(1); f0 > 0.1 || f1 < 0.3 {
		t.Errorf("fraction of short instances: %.3f with short_seq_prob 0, %.3f with 1", f0, f1)
	}
	if f0, fHalf, f1 := short(0), short(0.5), short(1); !(f0 < fHalf && fHalf < f1) {
		t.Errorf("short fraction not increasing with short_seq_prob: %.3f %.3f %.3f", f0, fHalf, f1)
	}
}

func TestSOPInstances(t *testing.T) {
	const nDocs, nSent = 40, 30
	v := testVocab(t, nDocs*nSent, 0)
	o := DefaultOptions()
	o.Objective = SOP
	c, err := NewCreator(v, o)
	if err != nil {
		t.Fatal(err)
	}
	// Long sentences force single-segment chunks too (split in the middle).
	docs := uniqueDocs(nDocs, nSent, 60)
	swapped, n := 0, 0
	for _, in := range c.Create(docs, newRand(4)) {
		a := sentencesOf(in.Tokens[1 : in.SegmentA-1])
		b := sentencesOf(in.Tokens[in.SegmentA : len(in.Tokens)-1])
		first, second := a, b
		if in.Label == 1 {
			first, second = b, a
			swapped++
		}
		n++
		last := first[len(first)-1]
		if second[0] != last && second[0] != last+1 {
			t.Fatalf("label %d: segments are not consecutive text: A %v B %v", in.Label, a, b)
		}
		if (second[0]-firstWord)/nSent != (first[0]-firstWord)/nSent {
			t.Fatalf("SOP pair crosses documents: A %v B %v", a, b)
		}
	}
	within(t, "swapped", swapped, n, 0.5, 4)
}

func TestNoSentenceObjective(t *testing.T) {
	const nDocs, nSent = 20, 50
	v := testVocab(t, nDocs*nSent, 0)
	o := DefaultOptions()
	o.Objective = NoSentenceObjective
	c, err := NewCreator(v, o)
	if err != nil {
		t.Fatal(err)
	}
	docs := uniqueDocs(nDocs, nSent, 15)
	docs[3] = append(docs[3], slices.Repeat([]int{firstWord}, 300)) // longer than a sequence
	total := 0
	for _, in := range c.Create(docs, newRand(5)) {
		if in.SegmentA != len(in.Tokens) || in.Label != IgnoreLabel || len(in.Tokens) > o.MaxSeqLength {
			t.Fatalf("not a single segment: len %d segmentA %d label %d", len(in.Tokens), in.SegmentA, in.Label)
		}
		if in.Tokens[0] != tCLS || in.Tokens[len(in.Tokens)-1] != tSEP {
			t.Fatalf("bad layout %v", in.Tokens)
		}
		s := sentencesOf(in.Tokens[1 : len(in.Tokens)-1])
		for i := 1; i < len(s); i++ {
			if s[i] != s[i-1]+1 {
				t.Fatalf("sentences not contiguous: %v", s)
			}
		}
		total += len(in.Tokens) - 2
	}
	// Nothing is lost except the cut tail of the over-long sentence.
	if want := nDocs*nSent*15 + 126; total != want {
		t.Errorf("%d tokens in instances, want %d", total, want)
	}
}

func TestCreateDeterministicAndStatic(t *testing.T) {
	v := testVocab(t, 600, 0)
	o := DefaultOptions()
	o.StaticMasking = true
	o.DupeFactor = 3
	c, err := NewCreator(v, o)
	if err != nil {
		t.Fatal(err)
	}
	docs := uniqueDocs(10, 60, 7)
	x, y := c.Create(docs, newRand(6)), c.Create(docs, newRand(6))
	if !reflect.DeepEqual(x, y) {
		t.Fatal("same seed gave different instances")
	}
	if reflect.DeepEqual(x, c.Create(docs, newRand(7))) {
		t.Fatal("different seeds gave the same instances")
	}
	for _, in := range x {
		if len(in.MaskedPositions) == 0 || len(in.MaskedPositions) > o.MaxPredictionsPerSeq {
			t.Fatalf("static masking: %d masked positions", len(in.MaskedPositions))
		}
	}
	if docs[0][0][0] != firstWord {
		t.Fatal("Create reordered or modified its input")
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.MaxSeqLength = 4 }, "max_seq_length 4"},
		{func(o *Options) { o.ShortSeqProb = 2 }, "short_seq_prob"},
		{func(o *Options) { o.MaskedLMProb = 0 }, "masked_lm_prob"},
		{func(o *Options) { o.MaxPredictionsPerSeq = 0 }, "max_predictions_per_seq"},
		{func(o *Options) { o.DupeFactor = 0 }, "dupe_factor"},
		{func(o *Options) { o.Objective = 7 }, "unknown objective"},
	} {
		o := DefaultOptions()
		tc.edit(&o)
		if err := o.Validate(); err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("Validate: %v, want %q", err, tc.want)
		}
	}
	v, _ := NewListVocab([]string{"[CLS]", "[SEP]", "[PAD]", "a"})
	if _, err := NewCreator(v, DefaultOptions()); err == nil || !contains(err.Error(), "no [MASK] token") {
		t.Errorf("missing [MASK]: %v", err)
	}
}

// TestWholeWordGroupStopsAtSEP: a "##" piece right after [SEP] starts its
// own group (Google's script would join it to the last word of segment A).
func TestWholeWordGroupStopsAtSEP(t *testing.T) {
	v := testVocab(t, 10, 10)
	o := DefaultOptions()
	o.WholeWordMask = true
	o.MaskedLMProb = 0.2 // 5 tokens: one prediction
	m, err := NewMasker(v, o)
	if err != nil {
		t.Fatal(err)
	}
	piece := firstWord + 10
	tokens := []int{tCLS, firstWord, tSEP, piece, tSEP}
	seen := map[int]bool{}
	for seed := range uint64(50) {
		_, pos, _ := m.Mask(tokens, newRand(seed))
		if len(pos) != 1 {
			t.Fatalf("positions %v: want exactly one group of one token", pos)
		}
		seen[pos[0]] = true
	}
	if !seen[1] || !seen[3] {
		t.Errorf("masked positions %v; want both 1 and 3 over many seeds", seen)
	}
}
