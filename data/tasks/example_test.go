package tasks_test

import (
	"fmt"
	"strings"

	"github.com/gorbert/gorbert/data/tasks"
)

func Example() {
	// A GLUE-style TSV: the "sentence" and "label" columns are found by name.
	tsv := "sentence\tlabel\na charming journey \t1\nbleak \t0\n"
	ex, err := tasks.ParseTable(strings.NewReader(tsv), "sst2/dev.tsv", tasks.TableOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	labels := tasks.BuildLabelSet(ex)
	ids, _ := labels.IDs(ex)
	fmt.Printf("%s %q label %s → id %d of %q\n", ex[0].ID, ex[0].TextA, ex[0].Label, ids[0], labels.Names())

	// CoNLL NER: word in the first column, tag in the last.
	conll := "-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n"
	sents, _ := tasks.ParseCoNLL(strings.NewReader(conll), "eng.train", tasks.CoNLLOptions{})
	fmt.Println(sents[0].ID, sents[0].Words, sents[0].Tags)

	// Errors name the file and line.
	_, err = tasks.ParseCoNLL(strings.NewReader("Peter B-PER\nBlackburn\n"), "bad.txt", tasks.CoNLLOptions{})
	fmt.Println(err)
	// Output:
	// sst2/dev.tsv:2 "a charming journey " label 1 → id 1 of ["0" "1"]
	// eng.train:3 [Peter Blackburn] [B-PER I-PER]
	// bad.txt:2: 1 column, need a word and a tag
}
