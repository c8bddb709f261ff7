// Package pipeline runs BERT checkpoints the way HuggingFace's inference
// pipelines do, with the same outputs: fill-mask, text-classification,
// token-classification (NER, with every aggregation strategy),
// question-answering (sliding windows over long contexts) and
// feature-extraction.
//
// A Pipeline is a model folder loaded once (weights, tokenizer,
// model_max_length) plus a pool of workers, one graph.Model each over the
// shared weights. Every task method takes a whole batch of inputs: the
// sequences are sorted by length, cut into batches of similar length,
// padded, run on all workers at once, and the results put back in input
// order. Padding does not change a sequence's outputs, so a batch gives what
// one-at-a-time runs give.
//
// The post-processing follows HuggingFace transformers 5.17 (question
// answering: the last QuestionAnsweringPipeline, transformers commit
// d6a6c82680cb) rule by rule; the rules are spelled out next to the code
// that implements them, and ../shared/conformance/pipelines holds the
// reference outputs the tests compare against. Offsets into the input text
// are code points (Python string indices), as HuggingFace gives them, with
// byte offsets alongside for Go callers.
//
// Results marshal to the JSON HuggingFace returns (a single answer as a bare
// object, several masks as a list of lists, ...); ProcessJSONL and ProcessJSONLFiles
// are the JSON Lines plumbing of cmd/infer.
package pipeline
