package tokenizer

import (
	"strings"
	"testing"
)

// TestTrainBeatsCharacters trains on a few MB of English and checks the
// vocabulary on held-out text against the character-level vocabulary the
// trainer starts from (the same alphabet, no merges): no more [UNK]s (those
// only come from characters outside the alphabet, which merges cannot fix),
// and far fewer tokens per word.
func TestTrainBeatsCharacters(t *testing.T) {
	size, vocabSize := 3<<20, 4000
	if testing.Short() {
		size, vocabSize = 600<<10, 1500
	}
	lines := englishLines(t, size)
	cut := len(lines) * 9 / 10
	train, heldOut := strings.Join(lines[:cut], "\n"), lines[cut:]

	opts := TrainOptions{VocabSize: vocabSize, MinFrequency: 2, LimitAlphabet: 150}
	trained, err := Train(strings.NewReader(train), opts)
	if err != nil {
		t.Fatal(err)
	}
	if trained.Size() != vocabSize {
		t.Errorf("trained vocabulary has %d tokens, want %d", trained.Size(), vocabSize)
	}
	for i, s := range []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"} {
		if trained.tokens[i] != s {
			t.Errorf("token %d is %q, want special %q first", i, trained.tokens[i], s)
		}
	}
	opts.VocabSize = 5 // just the special tokens: the alphabet is kept, no merge happens
	chars, err := Train(strings.NewReader(train), opts)
	if err != nil {
		t.Fatal(err)
	}
	if chars.Size() >= trained.Size()/2 {
		t.Fatalf("character vocabulary has %d tokens, trained %d", chars.Size(), trained.Size())
	}

	measure := func(v *Vocab) (unk int, perWord float64) {
		tok, err := New(v, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		tokens, words := 0, 0
		for _, l := range heldOut {
			e, err := tok.Encode(l)
			if err != nil {
				t.Fatal(err)
			}
			ws, _ := tok.PreTokenize(l)
			words += len(ws)
			tokens += e.Len() - 2
			for _, id := range e.IDs {
				if id == tok.UnkID() {
					unk++
				}
			}
		}
		return unk, float64(tokens) / float64(words)
	}
	unkT, perWordT := measure(trained)
	unkC, perWordC := measure(chars)
	t.Logf("held-out: trained %d tokens: %d [UNK], %.2f tokens/word; characters %d tokens: %d [UNK], %.2f tokens/word",
		trained.Size(), unkT, perWordT, chars.Size(), unkC, perWordC)
	if unkT > unkC {
		t.Errorf("trained vocabulary gives more [UNK] (%d) than characters (%d)", unkT, unkC)
	}
	if perWordT >= perWordC*0.7 {
		t.Errorf("trained vocabulary gives %.2f tokens per word, not clearly fewer than characters' %.2f", perWordT, perWordC)
	}
}

func TestTrainMergesFrequentPairs(t *testing.T) {
	corpus := strings.Repeat("hug hugs hugging pug pugs\n", 10) + "bun\n"
	v, err := Train(strings.NewReader(corpus), TrainOptions{VocabSize: 100, MinFrequency: 2, SpecialTokens: []string{"[UNK]"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[UNK]", "h", "##u", "##ug", "hug", "hugs", "pug"} {
		if _, ok := v.ID(want); !ok {
			t.Errorf("vocabulary %q lacks %q", v.Tokens(), want)
		}
	}
	if _, ok := v.ID("bun"); ok {
		t.Errorf("bun (seen once) was merged despite min frequency 2")
	}
}
