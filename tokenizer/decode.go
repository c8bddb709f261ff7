package tokenizer

import (
	"fmt"
	"strings"
)

// Decode turns ids back into text as HuggingFace's decode does: tokens are
// joined with spaces, the continuation prefix glues a piece to the previous
// one, and with Config.CleanUpSpaces the spaces before . ? ! , and around
// English contractions are removed. skipSpecial drops [CLS], [SEP], [PAD],
// [MASK] and [UNK].
func (t *Tokenizer) Decode(ids []int, skipSpecial bool) (string, error) {
	var b strings.Builder
	first := true
	for _, id := range ids {
		tok, ok := t.vocab.Token(id)
		if !ok {
			return "", fmt.Errorf("decode: id %d is outside the vocabulary (size %d)", id, t.vocab.Size())
		}
		if skipSpecial && t.specialIDs[id] {
			continue
		}
		// tokenizers' WordPiece decoder: a prefixed piece joins the previous
		// token, any other token after the first gets a space; its cleanup
		// then works on each token alone.
		if !first {
			if p := t.cfg.Prefix; p != "" && strings.HasPrefix(tok, p) {
				tok = tok[len(p):]
			} else {
				tok = " " + tok
			}
		}
		first = false
		if t.cfg.CleanUpSpaces {
			tok = replaceAll(tok, decoderCleanup)
		}
		b.WriteString(tok)
	}
	s := b.String()
	if t.cfg.CleanUpSpaces {
		s = replaceAll(s, pythonCleanup)
	}
	return s, nil
}

// decoderCleanup is the Rust WordPiece decoder's cleanup, applied per token.
var decoderCleanup = []string{
	" .", ".", " ?", "?", " !", "!", " ,", ",", " ' ", "'", " n't", "n't",
	" 'm", "'m", " do not", " don't", " 's", "'s", " 've", "'ve", " 're", "'re",
}

// pythonCleanup is transformers' clean_up_tokenization, applied to the
// joined text.
var pythonCleanup = []string{
	" .", ".", " ?", "?", " !", "!", " ,", ",", " ' ", "'", " n't", "n't",
	" 'm", "'m", " 's", "'s", " 've", "'ve", " 're", "'re",
}

// replaceAll applies the (old, new) pairs one after the other, like the
// chained str.replace calls of the reference (a single-pass Replacer would
// differ when one replacement creates the next match).
func replaceAll(s string, pairs []string) string {
	for i := 0; i < len(pairs); i += 2 {
		if strings.Contains(s, pairs[i]) {
			s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
		}
	}
	return s
}
