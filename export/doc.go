// Package export writes a BERT model in formats other tools read: its
// Gorgonia graph as Graphviz DOT, for people, and the model as ONNX, for
// inference runtimes (ONNX Runtime, TensorRT, OpenVINO, ...).
//
// # DOT
//
// DOT and WriteDOT render the graph gorbert itself runs (graph.Build for one
// batch × sequence shape): weight nodes under their HuggingFace names, op
// nodes labelled with their op and the module whose weights they read, one
// cluster per module (bert.embeddings, bert.encoder.layer.<i>, ...).
// WriteDOT also writes an SVG when Graphviz's dot is on PATH.
//
// # ONNX
//
// BuildModel emits the model module by module as HuggingFace's
// modeling_bert.py computes it in eval mode, the way torch.onnx.export
// traces it, and WriteONNX writes it:
//
//   - inputs input_ids, attention_mask, token_type_ids: int64
//     [batch_size, sequence_length], both axes dynamic (symbolic dims);
//   - outputs named as HuggingFace's exports: last_hidden_state and
//     pooler_output (base), logits (mlm [B, S, vocab], classify [B, labels],
//     ner [B, S, labels]), prediction_logits and seq_relationship_logits
//     (pretraining), start_logits and end_logits (qa);
//   - opset 17 by default (LayerNormalization); opset 14 spells LayerNorm
//     out as ReduceMean/Sub/Mul/ReduceMean/Add/Sqrt/Div/Mul/Add;
//   - exact GELU as 0.5·x·(1 + Erf(x/√2)) for hidden_act "gelu", the tanh
//     form for "gelu_new"; the attention mask as HuggingFace adds it,
//     (1 - mask)·finfo(float32).min on the scaled scores before
//     Softmax(axis=-1), so masked keys get probability 0; position ids are a
//     constant 0..max_position_embeddings-1 sliced to the sequence length;
//   - nn.Linear kernels stored transposed ([in, out], named "<name>.T") for
//     MatMul; everything else under its HuggingFace name; the MLM decoder
//     reads the tied word embeddings through a Transpose node;
//   - weights inside the file, or, when they exceed Options.ExternalDataThreshold
//     (default 2 GiB − 64 MiB, protobuf's 2 GiB limit minus room for the
//     graph), in "<file>.onnx.data" beside it under ONNX's external data
//     convention (data_location EXTERNAL, external_data location/offset/length,
//     page-aligned offsets; tensors under 1 KiB stay inside).
//
// # Protobuf encoding
//
// There is no official Go ONNX package. The protobuf is written with
// google.golang.org/protobuf/encoding/protowire, hand-encoding the nine ONNX
// messages needed (ModelProto, OperatorSetIdProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, StringStringEntryProto, ValueInfoProto,
// TypeProto with TensorShapeProto) with the field numbers of onnx.proto3
// (proto.go). protowire is already in the module graph through Gorgonia
// (google.golang.org/protobuf v1.28.0), is a few hundred lines with no
// dependencies, and lets large tensors be referenced rather than copied on
// their way to the file. The alternative, a module that ships generated ONNX
// types (github.com/advancedclimatesystems/gonnx/onnx), would pull an
// inference engine and its dependencies into the build for ~300 lines of
// encoding.
//
// The export is verified by running the files in ONNX Runtime
// (onnxruntime-node, see scripts/install-onnxruntime.sh and
// testdata/run_ort.js) against graph.Model.Forward and HuggingFace's
// reference outputs.
package export
