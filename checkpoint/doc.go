// Package checkpoint reads and writes model weights in HuggingFace's layout:
// a folder with config.json, model.safetensors and (optionally) vocab.txt.
//
// It owns the safetensors format (ReadSafetensors, WriteSafetensors) and the
// mapping between the names found in real checkpoints (with or without the
// "bert." prefix, legacy LayerNorm gamma/beta, tied or explicit MLM decoder)
// and the canonical HuggingFace state-dict keys the model uses. It knows
// nothing about graphs: weights are plain float32 tensors.
package checkpoint
