package tokenizer_test

import (
	"fmt"
	"strings"

	"github.com/gorbert/gorbert/tokenizer"
)

func ExampleTokenizer_Encode() {
	vocab := "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncafe\nun\n##aff\n##able\n!\n"
	v, err := tokenizer.ParseVocab([]byte(vocab))
	if err != nil {
		panic(err)
	}
	tok, err := tokenizer.New(v, tokenizer.DefaultConfig())
	if err != nil {
		panic(err)
	}
	enc, err := tok.Encode("The Café: unaffable!")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(enc.Tokens, " "))
	fmt.Println(enc.IDs)
	fmt.Println(enc.ByteOffsets)
	fmt.Println(enc.Offsets)
	text, _ := tok.Decode(enc.IDs, true)
	fmt.Println(text)
	// Output:
	// [CLS] the cafe [UNK] un ##aff ##able ! [SEP]
	// [2 5 6 1 7 8 9 10 3]
	// [[0 0] [0 3] [4 9] [9 10] [11 13] [13 16] [16 20] [20 21] [0 0]]
	// [[0 0] [0 3] [4 8] [8 9] [10 12] [12 15] [15 19] [19 20] [0 0]]
	// the cafe unaffable!
}
