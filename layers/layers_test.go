package layers_test

import (
	"math/rand"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/heads"
	"github.com/gorbert/gorbert/internal/gradcheck"
	"github.com/gorbert/gorbert/internal/gx"
	"github.com/gorbert/gorbert/layers"
	"gorgonia.org/tensor"
)

// Whole-module finite-difference checks, in float64 on tiny shapes: the
// composites (embeddings, attention with a padding mask, a full encoder
// layer, pooler, heads and their losses) differentiate correctly with
// respect to every weight.

func tiny(act string) gorbert.Config {
	c := gorbert.Default()
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 8, 4, 1, 2, 6
	// The padding_idx rule deliberately drops the lookup gradient of the pad
	// row (PyTorch does); a finite difference would see it, so the pad id here
	// is one the batch does not use. gx's gather test and the QA conformance
	// case check the rule itself.
	c.PadTokenID = 7
	c.MaxPositionEmbeddings, c.HiddenAct, c.LayerNormEps = 5, act, 1e-5
	return c
}

// weights draws every parameter of a task's model in float64.
func weights(cfg gorbert.Config, task gorbert.Task, rng *rand.Rand) map[string]*tensor.Dense {
	w := map[string]*tensor.Dense{}
	for _, s := range cfg.ParamSpecs(task) {
		w[s.Name] = gradcheck.Rand(rng, s.Shape...)
	}
	return w
}

func intInput(b *gx.Builder, name string, v []int) *gx.Node {
	n := b.IntInput(name, len(v))
	if n != nil {
		if err := gx.Let(n, tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))); err != nil {
			b.Fail("%v", err)
		}
	}
	return n
}

func maskInput(b *gx.Builder, batch, seq int, m []float64) *gx.Node {
	n := b.Input("attention_mask", batch, seq)
	if n != nil {
		gx.Let(n, tensor.New(tensor.WithShape(batch, seq), tensor.WithBacking(m)))
	}
	return n
}

func TestEncoderAndHeadsGradients(t *testing.T) {
	const batch, seq = 2, 3
	ids := []int{1, 4, 0, 2, 5, 6}   // row 0's last position is masked out
	types := []int{0, 1, 0, 0, 0, 1} //
	pos := []int{0, 1, 2, 0, 1, 2}
	mask := []float64{1, 1, 0, 1, 1, 1}
	for _, tc := range []struct {
		name string
		task gorbert.Task
		act  string
	}{
		{"pretraining_gelu", gorbert.TaskPretraining, "gelu"},
		{"pretraining_gelu_new", gorbert.TaskPretraining, "gelu_new"},
		{"classify_relu", gorbert.TaskClassify, "relu"},
		{"ner", gorbert.TaskNER, "gelu"},
		{"qa", gorbert.TaskQA, "gelu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tiny(tc.act)
			w := weights(cfg, tc.task, rand.New(rand.NewSource(3)))
			res, err := gradcheck.Run(gradcheck.Case{
				Params: w,
				Tol:    2e-6,
				Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
					c := layers.Context{B: b, Config: cfg, Batch: batch, Seq: seq}
					root := layers.NewScope(func(name string) *gx.Node {
						n, ok := p[name]
						if !ok {
							b.Fail("no weight %s", name)
						}
						return n
					})
					bert := root.Sub("bert")
					emb := layers.Embeddings(c, bert.Sub("embeddings"), intInput(b, "ids", ids), intInput(b, "types", types), intInput(b, "pos", pos))
					hidden, _ := layers.Encoder(c, bert.Sub("encoder"), emb, maskInput(b, batch, seq, mask))
					last := hidden[len(hidden)-1]
					switch tc.task {
					case gorbert.TaskPretraining:
						pooled := layers.Pooler(c, bert.Sub("pooler"), last)
						rows := b.Gather(last, intInput(b, "mlm_rows", []int{1, 3, 5}), -1)
						logits := heads.MaskedLM(c, root.Sub("cls").Sub("predictions"), rows, p["bert.embeddings.word_embeddings.weight"])
						mlm := heads.MaskedLMLoss(c, logits, intInput(b, "mlm_labels", []int{3, gx.IgnoreIndex, 6}))
						nsp := heads.NextSentenceLoss(c, heads.NextSentence(c, root.Sub("cls").Sub("seq_relationship"), pooled), intInput(b, "nsp", []int{0, 1}))
						return heads.PretrainingLoss(c, mlm, nsp)
					case gorbert.TaskClassify:
						logits := heads.SequenceClassifier(c, root.Sub("classifier"), layers.Pooler(c, bert.Sub("pooler"), last))
						return heads.ClassificationLoss(c, logits, intInput(b, "labels", []int{1, 0}), nil)
					case gorbert.TaskNER:
						logits := heads.TokenClassifier(c, root.Sub("classifier"), last)
						return heads.TokenClassificationLoss(c, logits, intInput(b, "labels", []int{gx.IgnoreIndex, 1, gx.IgnoreIndex, 0, 1, 1}))
					default:
						start, end := heads.QuestionAnswering(c, root.Sub("qa_outputs"), last)
						return heads.QuestionAnsweringLoss(c, start, end, intInput(b, "s", []int{1, 2}), intInput(b, "e", []int{2, gx.IgnoreIndex}))
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d gradient elements, worst error %.2g", res.Compared, res.MaxErr)
		})
	}
}
