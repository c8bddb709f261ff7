package pretrain_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorbert/gorbert/data/pretrain"
)

func Example() {
	vocab, err := pretrain.NewListVocab([]string{
		"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
		"the", "go", "gopher", "runs", "fast", "##er", "compiles", "code", ".",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Two documents of tokenized sentences. (In documents this short, a
	// random next segment puts the unused sentence back and a lone sentence
	// always gets a random partner, so label 1 dominates below.)
	var docs [][][]int
	for _, doc := range [][][]string{
		{{"the", "gopher", "runs", "."}, {"the", "gopher", "runs", "fast", "##er", "."}},
		{{"go", "compiles", "code", "."}, {"go", "compiles", "fast", "."}},
	} {
		ids, err := pretrain.DocumentIDs(vocab, doc)
		if err != nil {
			fmt.Println(err)
			return
		}
		docs = append(docs, ids)
	}

	opts := pretrain.DefaultOptions()
	opts.MaxSeqLength = 16
	opts.MaxPredictionsPerSeq = 3
	opts.WholeWordMask = true
	creator, err := pretrain.NewCreator(vocab, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	rng := rand.New(rand.NewPCG(42, 0)) // fixed seed: same data every run
	instances := creator.Create(docs, rng)

	// Dynamic masking: mask each instance when it is served.
	masker, err := pretrain.NewMasker(vocab, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range instances {
		instances[i] = masker.Apply(instances[i], rng)
	}
	batch, err := pretrain.NewBatch(instances, opts.MaxSeqLength, opts.MaxPredictionsPerSeq, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rows:", batch.Size, "input ids:", len(batch.InputIDs), "masked slots:", len(batch.MaskedWeights))
	for r := 0; r < batch.Size; r++ {
		row := batch.InputIDs[r*batch.SeqLength : (r+1)*batch.SeqLength]
		fmt.Print("label ", batch.NextSentenceLabels[r], ":")
		for s, id := range row {
			if batch.AttentionMask[r*batch.SeqLength+s] == 1 {
				fmt.Print(" ", vocab.Token(id))
			}
		}
		fmt.Println()
	}
	// Output:
	// rows: 4 input ids: 64 masked slots: 12
	// label 1: [CLS] the gopher runs [MASK] [SEP] go compiles fast [MASK] [SEP]
	// label 1: [CLS] go compiles [MASK] . [SEP] gopher runs . the gopher runs fast ##er . [SEP]
	// label 1: [CLS] the gopher runs fast ##er . [SEP] compiles code . go compiles [MASK] . [SEP]
	// label 1: [CLS] [MASK] compiles code . [SEP] [MASK] gopher runs fast ##er . [SEP]
}
