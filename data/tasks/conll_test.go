package tasks

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const conllFixture = `-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER
-DOCSTART- -X- -X- O
BRUSSELS NNP B-NP B-LOC


`

func TestParseCoNLL(t *testing.T) {
	got, err := ParseCoNLL(strings.NewReader(conllFixture), "eng.train", CoNLLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []TaggedSentence{
		{ID: "eng.train:3", Words: []string{"EU", "rejects", "German"}, Tags: []string{"B-ORG", "O", "B-MISC"}},
		{ID: "eng.train:7", Words: []string{"Peter", "Blackburn"}, Tags: []string{"B-PER", "I-PER"}},
		{ID: "eng.train:10", Words: []string{"BRUSSELS"}, Tags: []string{"B-LOC"}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d sentences, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if got[i].ID != want[i].ID || !slices.Equal(got[i].Words, want[i].Words) || !slices.Equal(got[i].Tags, want[i].Tags) {
			t.Errorf("sentence %d: %q, want %q", i, got[i], want[i])
		}
	}

	// The chunk column, counted from the end.
	chunks, err := ParseCoNLL(strings.NewReader(conllFixture), "eng.train", CoNLLOptions{TagColumn: -2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(chunks[0].Tags, []string{"B-NP", "B-VP", "B-NP"}) {
		t.Errorf("chunk tags %q", chunks[0].Tags)
	}
	if ts := BuildTagSet(got); !slices.Equal(ts.Names(), []string{"B-LOC", "B-MISC", "B-ORG", "B-PER", "I-PER", "O"}) {
		t.Errorf("tag set %q", ts.Names())
	}
}

func TestIOB1(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"I-PER", "I-PER", "O", "I-LOC"}, []string{"B-PER", "I-PER", "O", "B-LOC"}},
		// IOB1 uses B- only where two entities of one type touch.
		{[]string{"I-PER", "B-PER", "I-PER"}, []string{"B-PER", "B-PER", "I-PER"}},
		// A type change starts a new entity.
		{[]string{"I-ORG", "I-LOC"}, []string{"B-ORG", "B-LOC"}},
		// IOB2 input is left alone.
		{[]string{"B-MISC", "I-MISC", "O"}, []string{"B-MISC", "I-MISC", "O"}},
	}
	for _, tc := range tests {
		if got := IOB1ToIOB2(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("IOB1ToIOB2(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got, err := ParseCoNLL(strings.NewReader("U.N. I-ORG\nofficial O\nEkeus I-PER\n"), "iob1.txt", CoNLLOptions{IOB1: true})
	if err != nil || len(got) != 1 || !slices.Equal(got[0].Tags, []string{"B-ORG", "O", "B-PER"}) {
		t.Errorf("IOB1 file read as %q, %v", got, err)
	}
}

func TestParseCoNLLErrors(t *testing.T) {
	tests := []struct {
		name, data string
		opts       CoNLLOptions
		wantErr    string
	}{
		{"one column", "EU B-ORG\nrejects\n", CoNLLOptions{}, "x.txt:2: 1 column, need a word and a tag"},
		{"bad tag", "EU NNP\n", CoNLLOptions{}, `x.txt:1: tag "NNP" is not O, B-TYPE or I-TYPE`},
		{"tag column past the end", "EU NNP B-ORG\n", CoNLLOptions{TagColumn: 5}, "x.txt:1: 3 columns, no tag column 5"},
		{"empty type", "EU B-\n", CoNLLOptions{}, `tag "B-"`},
		{"missing column", "EU NNP B-ORG\nrejects O\n", CoNLLOptions{}, "x.txt:2: 2 columns, earlier lines have 3"},
		{"extra column", "-DOCSTART- O\n\nEU B-ORG\n\nPeter NNP B-PER\n", CoNLLOptions{}, "x.txt:5: 3 columns, earlier lines have 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCoNLL(strings.NewReader(tc.data), "x.txt", tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestReadCoNLL2003(t *testing.T) {
	dir := sharedDatasets(t)
	// The counts of the dataset's README (the standard CoNLL-2003 ones).
	for _, c := range []struct {
		file                string
		sentences, tokens   int
		per, loc, org, misc int
	}{
		{"train.txt", 14041, 203621, 6600, 7140, 6321, 3438},
		{"dev.txt", 3250, 51362, 1842, 1837, 1341, 922},
	} {
		sents, err := ReadCoNLL(filepath.Join(dir, "conll2003", c.file), CoNLLOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tokens := 0
		entities := map[string]int{}
		for _, s := range sents {
			tokens += len(s.Words)
			for _, tag := range s.Tags {
				if strings.HasPrefix(tag, "B-") {
					entities[tag[2:]]++
				}
			}
		}
		if len(sents) != c.sentences || tokens != c.tokens ||
			entities["PER"] != c.per || entities["LOC"] != c.loc || entities["ORG"] != c.org || entities["MISC"] != c.misc {
			t.Errorf("%s: %d sentences, %d tokens, entities %v", c.file, len(sents), tokens, entities)
		}
		t.Logf("CoNLL-2003 %s: %d sentences, %d tokens", c.file, len(sents), tokens)
	}
}
