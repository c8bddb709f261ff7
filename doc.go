// Package gorbert holds the model configuration shared by every part of the
// project: Config mirrors HuggingFace's BertConfig (config.json), with the
// named sizes of Google's BERT release (Tiny … Large) and validation.
//
// The model itself is built elsewhere: internal/gx wraps Gorgonia's ops,
// layers/ and heads/ declare the encoder and task heads as a symbolic graph,
// graph/ compiles it, and checkpoint/ reads and writes HuggingFace folders.
package gorbert
