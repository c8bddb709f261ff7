// Package data holds gorbert's dataset packages. data/corpus works on raw
// text: it reads plain-text corpora (one sentence per line, a blank line
// between documents), splits running text into sentences, and builds a small
// demo corpus from the documentation comments of the Go distribution itself.
// data/pretrain turns tokenized documents into BERT pretraining instances with
// the semantics of google-research/bert's create_pretraining_data.py (masked
// LM, next-sentence prediction, and the RoBERTa no-NSP and ALBERT SOP
// variants), stores them in checksummed binary shards, and serves them back
// shuffled, dynamically masked and resumable, as fixed-shape batches for the
// trainer. Fine-tuning datasets live in data/tasks.
package data
