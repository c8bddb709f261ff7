// Package layers declares BERT's encoder as symbolic graph builders that
// mirror HuggingFace's modules: Embeddings, SelfAttention, SelfOutput,
// Intermediate, Output, Layer, Encoder and Pooler. Each builder takes the
// graph builder, its weights (looked up by HuggingFace state-dict key through
// a Scope) and input nodes, and returns output nodes. Activations stay in the
// (B·S, H) row layout between layers; attention reads heads from it in place.
//
// Layers hold no weights and know no file formats: graph/ binds the weights
// and checkpoint/ reads them.
package layers
