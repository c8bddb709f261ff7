package layers

import "github.com/gorbert/gorbert/internal/gx"

// SelfAttention is BertSelfAttention: multi-head scaled dot-product attention
// where padded keys (mask 0) get probability 0. x is (B·S, H), mask (B, S).
// It returns the context (B·S, H) and the attention probabilities
// (B, heads, S, S) before dropout (HuggingFace's output_attentions).
func SelfAttention(c Context, s Scope, x, mask *gx.Node) (ctx, probs *gx.Node) {
	b, heads := c.B, c.Config.NumAttentionHeads
	q := Dense(c, s.Sub("query"), x)                                          // (B·S, H): head h is columns h·D..h·D+D-1
	k := Dense(c, s.Sub("key"), x)                                            // (B·S, H)
	v := Dense(c, s.Sub("value"), x)                                          // (B·S, H)
	scores := b.AttentionScores(q, k, c.Batch, c.Seq, heads, scale(c.Config)) // (B, heads, S, S)
	probs = b.MaskedSoftmax(scores, mask)                                     // (B, heads, S, S), rows sum to 1 over real keys
	dropped := c.Dropout(probs, c.Config.AttentionDropoutProb)
	ctx = b.AttentionContext(dropped, v, c.Batch, c.Seq, heads) // (B, heads, S, S)·(B·S, H) -> (B·S, H)
	return ctx, probs
}

// SelfOutput is BertSelfOutput: dense, dropout, residual, LayerNorm (post-LN).
func SelfOutput(c Context, s Scope, ctx, input *gx.Node) *gx.Node {
	h := c.Dropout(Dense(c, s.Sub("dense"), ctx), c.Config.HiddenDropoutProb)
	return LayerNorm(c, s.Sub("LayerNorm"), c.B.Add(h, input))
}

// Attention is BertAttention: self-attention then its output block.
func Attention(c Context, s Scope, x, mask *gx.Node) (out, probs *gx.Node) {
	ctx, probs := SelfAttention(c, s.Sub("self"), x, mask)
	return SelfOutput(c, s.Sub("output"), ctx, x), probs
}
