package metrics_test

import (
	"fmt"

	"github.com/gorbert/gorbert/metrics"
)

func Example() {
	// Entity-level NER scores, seqeval's README example.
	yTrue := [][]string{{"O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}}
	yPred := [][]string{{"O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}}
	rep, _ := metrics.SeqEval(yTrue, yPred)
	fmt.Printf("NER micro F1 %.2f, PER F1 %.2f\n", rep.Micro.F1, rep.PerType["PER"].F1)

	// CoLA's Matthews correlation and SST-2's accuracy.
	gold := []int{1, 1, 1, 0}
	pred := []int{1, 0, 1, 1}
	mcc, _ := metrics.MatthewsCorrCoef(gold, pred)
	acc, _ := metrics.Accuracy(gold, pred)
	fmt.Printf("MCC %.3f, accuracy %.2f\n", mcc, acc)

	// SQuAD v1.1.
	res, _ := metrics.SQuADV1(
		[]metrics.SQuADQuestion{{ID: "q1", Answers: []string{"Denver Broncos"}}},
		map[string]string{"q1": "the Denver Broncos"})
	fmt.Printf("EM %.1f F1 %.1f\n", res.Exact, res.F1)
	// Output:
	// NER micro F1 0.50, PER F1 1.00
	// MCC -0.333, accuracy 0.50
	// EM 100.0 F1 100.0
}
