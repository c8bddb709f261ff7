package corpus_test

import (
	"fmt"
	"strings"

	"github.com/gorbert/gorbert/data/corpus"
)

func Example() {
	text := "Package io provides basic interfaces to I/O primitives.\n" +
		"Its primary job is to wrap existing implementations.\n" +
		"\n" +
		"Running text is split too. See e.g. the Scanner! It works.\n"
	s := corpus.NewScanner(strings.NewReader(text), "example.txt", corpus.ScanOptions{SplitSentences: true})
	for n := 0; s.Scan(); n++ {
		for _, sent := range s.Document() {
			fmt.Printf("doc %d: %s\n", n, sent)
		}
	}
	if err := s.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// doc 0: Package io provides basic interfaces to I/O primitives.
	// doc 0: Its primary job is to wrap existing implementations.
	// doc 1: Running text is split too.
	// doc 1: See e.g. the Scanner!
	// doc 1: It works.
}
