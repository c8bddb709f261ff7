package heads

import (
	"github.com/gorbert/gorbert/internal/gx"
	"github.com/gorbert/gorbert/layers"
)

// The losses follow HuggingFace's BertFor* classes exactly: cross-entropy
// means over non-ignored targets (label -100), as CrossEntropyLoss does.

// MaskedLMLoss is the MLM cross-entropy over predicted rows: logits (N, V),
// labels (N) with -100 where nothing is predicted.
func MaskedLMLoss(c layers.Context, logits, labels *gx.Node) *gx.Node {
	return c.B.CrossEntropy(logits, labels)
}

// NextSentenceLoss is the NSP cross-entropy: logits (B, 2), labels (B).
func NextSentenceLoss(c layers.Context, logits, labels *gx.Node) *gx.Node {
	return c.B.CrossEntropy(logits, labels)
}

// PretrainingLoss is mlm + nsp, unweighted (BertForPreTraining).
func PretrainingLoss(c layers.Context, mlm, nsp *gx.Node) *gx.Node {
	return c.B.Add(mlm, nsp)
}

// ClassificationLoss is cross-entropy over the batch, or, for a one-label
// (regression) head, the mean squared error against float targets (B).
func ClassificationLoss(c layers.Context, logits, labels, targets *gx.Node) *gx.Node {
	if targets != nil {
		return c.B.MSE(c.B.Reshape(logits, c.Batch), targets)
	}
	return c.B.CrossEntropy(logits, labels)
}

// TokenClassificationLoss is cross-entropy over positions whose label is not
// -100 (HuggingFace ignores the attention mask here; labels carry -100).
func TokenClassificationLoss(c layers.Context, logits, labels *gx.Node) *gx.Node {
	return c.B.CrossEntropy(logits, labels)
}

// QuestionAnsweringLoss is (start + end) / 2, each a cross-entropy over the S
// positions of its row. The caller clamps positions to [0, S] and passes S
// (out of range) as -100, as HuggingFace's ignore_index=S does.
func QuestionAnsweringLoss(c layers.Context, start, end, startPos, endPos *gx.Node) *gx.Node {
	s := c.B.CrossEntropy(start, startPos)
	e := c.B.CrossEntropy(end, endPos)
	return c.B.Scale(c.B.Add(s, e), 0.5)
}
