package layers

import "github.com/gorbert/gorbert/internal/gx"

// Intermediate is BertIntermediate: dense to the intermediate size, then the
// config's activation. (B·S, H) -> (B·S, I).
func Intermediate(c Context, s Scope, x *gx.Node) *gx.Node {
	return c.B.Activation(Dense(c, s.Sub("dense"), x), c.Config.HiddenAct)
}

// Output is BertOutput: dense back to H, dropout, residual, LayerNorm.
// (B·S, I) -> (B·S, H).
func Output(c Context, s Scope, x, input *gx.Node) *gx.Node {
	h := c.Dropout(Dense(c, s.Sub("dense"), x), c.Config.HiddenDropoutProb)
	return LayerNorm(c, s.Sub("LayerNorm"), c.B.Add(h, input))
}

// Layer is BertLayer: attention, then the feed-forward block.
func Layer(c Context, s Scope, x, mask *gx.Node) (out, probs *gx.Node) {
	a, probs := Attention(c, s.Sub("attention"), x, mask)
	return Output(c, s.Sub("output"), Intermediate(c, s.Sub("intermediate"), a), a), probs
}

// Encoder is BertEncoder: the stack of layers. It returns every hidden state
// (hidden[0] = the embeddings, hidden[i] = layer i's output, each (B·S, H))
// and every layer's attention probabilities.
func Encoder(c Context, s Scope, embeddings, mask *gx.Node) (hidden, attentions []*gx.Node) {
	hidden = []*gx.Node{embeddings}
	x := embeddings
	for i := 0; i < c.Config.NumHiddenLayers; i++ {
		var probs *gx.Node
		x, probs = Layer(c, s.Sub("layer").Sub(itoa(i)), x, mask)
		hidden = append(hidden, x)
		attentions = append(attentions, probs)
	}
	return hidden, attentions
}

// Pooler is BertPooler: tanh(dense(h[:, 0])), the [CLS] row of each sequence.
// (B·S, H) -> (B, H).
func Pooler(c Context, s Scope, hidden *gx.Node) *gx.Node {
	return c.B.Tanh(Dense(c, s.Sub("dense"), CLSRows(c, hidden)))
}

// CLSRows picks the first row of every sequence: (B·S, H) -> (B, H).
func CLSRows(c Context, hidden *gx.Node) *gx.Node {
	rows := make([]int, c.Batch)
	for i := range rows {
		rows[i] = i * c.Seq
	}
	return c.B.Gather(hidden, c.B.IntConst("cls_rows", rows), -1)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
