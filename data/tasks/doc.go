// Package tasks reads the data of BERT's fine-tuning tasks and turns it into
// model inputs.
//
// Readers, one per kind of task, each with a Read* function for a path and a
// Parse* function for an io.Reader (the name it is given appears in errors):
//
//   - sequence and sentence-pair classification (and regression) from GLUE
//     style TSV, CSV or JSON Lines: ReadTable / ParseTable, returning
//     TextExamples; LabelSet maps label names to ids;
//   - token classification from CoNLL files (one token per line, the tag in
//     the last or a chosen column, blank lines between sentences, -DOCSTART-
//     lines skipped): ReadCoNLL / ParseCoNLL, returning TaggedSentences in
//     BIO/IOB2 form, optionally converted from IOB1;
//   - extractive question answering from SQuAD v1.1 and v2.0 JSON: ReadSQuAD /
//     ParseSQuAD, returning QAExamples with every answer_start checked against
//     the context, mismatches counted and listed rather than silently used.
//
// Feature conversion builds model inputs with the tokenizer package:
// ClassificationFeatures (truncated single or pair encodings),
// TokenClassificationFeatures (tags aligned to the first word piece of each
// word, IgnoreLabel elsewhere) and, for SQuAD, PrepareTrainFeatures and
// PrepareValidationFeatures (HuggingFace run_qa.py's sliding windows, with
// google-research's cut of long questions).
//
// Every error names the file and the line (for JSON, the line of a syntax
// error, or the JSON path of a bad value) so that a broken row can be found.
package tasks
