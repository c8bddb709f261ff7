// Package heads declares BERT's task heads over the encoder's output, as
// HuggingFace's modules: the masked-LM head (transform, LayerNorm, decoder
// tied to the word embeddings, output bias), next-sentence prediction,
// sequence classification (on the pooled output), token classification and
// extractive question answering (start/end logits), and their losses.
package heads
