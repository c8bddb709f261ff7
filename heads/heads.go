package heads

import (
	"github.com/gorbert/gorbert/internal/gx"
	"github.com/gorbert/gorbert/layers"
)

// MaskedLM is BertLMPredictionHead: dense, activation, LayerNorm, then the
// decoder whose weight is the word-embedding matrix (tied) plus its own bias.
// rows (N, H) are the hidden states to predict (all B·S positions, or only
// the masked ones when training); the result is (N, vocab).
func MaskedLM(c layers.Context, s layers.Scope, rows, wordEmbeddings *gx.Node) *gx.Node {
	t := layers.Dense(c, s.Sub("transform").Sub("dense"), rows)     // (N, H)
	t = c.B.Activation(t, c.Config.HiddenAct)                       // (N, H)
	t = layers.LayerNorm(c, s.Sub("transform").Sub("LayerNorm"), t) // (N, H)
	return c.B.Linear(t, wordEmbeddings, s.Get("bias"))             // (N, H)·(V, H)ᵀ -> (N, V)
}

// NextSentence is BertOnlyNSPHead: (B, H) pooled -> (B, 2) logits
// (0 = B follows A, 1 = B is random).
func NextSentence(c layers.Context, s layers.Scope, pooled *gx.Node) *gx.Node {
	return layers.Dense(c, s, pooled)
}

// SequenceClassifier is BertForSequenceClassification's head: dropout then a
// dense layer on the pooled output. (B, H) -> (B, labels).
func SequenceClassifier(c layers.Context, s layers.Scope, pooled *gx.Node) *gx.Node {
	return layers.Dense(c, s, c.Dropout(pooled, classifierDropout(c)))
}

// TokenClassifier is BertForTokenClassification's head: dropout then a dense
// layer on every position. (B·S, H) -> (B·S, labels).
func TokenClassifier(c layers.Context, s layers.Scope, hidden *gx.Node) *gx.Node {
	return layers.Dense(c, s, c.Dropout(hidden, classifierDropout(c)))
}

// QuestionAnswering is BertForQuestionAnswering's head: a dense layer to two
// logits per position, split into start and end logits, each (B, S).
func QuestionAnswering(c layers.Context, s layers.Scope, hidden *gx.Node) (start, end *gx.Node) {
	logits := layers.Dense(c, s, hidden) // (B·S, 2)
	start = c.B.Reshape(c.B.Column(logits, 0), c.Batch, c.Seq)
	end = c.B.Reshape(c.B.Column(logits, 1), c.Batch, c.Seq)
	return start, end
}

// classifierDropout is config.classifier_dropout, else hidden_dropout_prob.
func classifierDropout(c layers.Context) float64 {
	if c.Config.ClassifierDropout != nil {
		return *c.Config.ClassifierDropout
	}
	return c.Config.HiddenDropoutProb
}
