// Package corpus reads and builds plain-text corpora for pretraining.
//
// A corpus file has one sentence per line and a blank line between
// documents, the input format of google-research/bert's
// create_pretraining_data.py. [Scanner] streams such a file one document at a
// time, so a corpus larger than memory can be processed in bounded chunks; it
// reports an empty file or invalid UTF-8 with the file name and line number.
// With [ScanOptions.SplitSentences] the lines of a document are treated as
// running text and cut into sentences by [SplitSentences], for corpora that
// are not one-sentence-per-line.
//
// [BuildGoDoc] makes a real-text demo corpus that every machine with Go has:
// the documentation comments of the packages under $(go env GOROOT)/src. One
// package is one document: its package comment followed by the comments of
// its exported declarations (in go/doc's deterministic order). A package is
// the unit because its comments stay on one topic, so consecutive sentences
// really do follow each other, which is what next-sentence prediction needs;
// a single declaration's comment is mostly one to three sentences, too short
// to fill a 128-token pair. Every 20th package (in lexical path order) is
// held out and written to heldout.txt instead of train.txt.
package corpus
