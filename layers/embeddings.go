package layers

import "github.com/gorbert/gorbert/internal/gx"

// Embeddings is BertEmbeddings: word + token type + position embeddings
// (summed in HuggingFace's order), LayerNorm, dropout.
// ids, types and positions are (B·S) integer nodes; the result is (B·S, H).
func Embeddings(c Context, s Scope, ids, types, positions *gx.Node) *gx.Node {
	b := c.B
	// The padding row sends no gradient into the table (nn.Embedding's padding_idx).
	words := b.Gather(s.Get("word_embeddings.weight"), ids, c.Config.PadTokenID) // (B·S, H)
	tokenTypes := b.Gather(s.Get("token_type_embeddings.weight"), types, -1)     // (B·S, H)
	pos := b.Gather(s.Get("position_embeddings.weight"), positions, -1)          // (B·S, H)
	e := b.Add(b.Add(words, tokenTypes), pos)
	e = LayerNorm(c, s.Sub("LayerNorm"), e)
	return c.Dropout(e, c.Config.HiddenDropoutProb)
}
