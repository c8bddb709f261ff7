// Package tokenizer implements BERT's WordPiece tokenizer so that its ids,
// tokens and offsets are identical to HuggingFace's Rust `tokenizers`
// (BertNormalizer + BertPreTokenizer + WordPiece + the BERT template).
//
// The main type is Tokenizer: Load a HuggingFace model folder (vocab.txt,
// tokenizer_config.json, tokenizer.json) or build one FromVocabFile, then
// Encode, EncodePair, EncodeBatch and Decode. Options set truncation
// (longest_first, only_first, only_second), overflowing windows with a stride,
// and padding. Offsets are given both as byte offsets (Go's unit) and as code
// point offsets (Python's unit) into the original text. Train builds a new
// WordPiece vocabulary from a corpus, as HuggingFace's WordPieceTrainer does.
//
// The character classes (control, punctuation, non-spacing mark) and the NFD
// tables are generated from UnicodeData 8.0, because that is what the
// reference library uses; see internal/gentables.
//
// The package does not know about models or tensors: it turns text into ids.
package tokenizer

//go:generate go run ./internal/gentables -in ../../shared/unicode/UnicodeData-8.0.0.txt -out tables.go
