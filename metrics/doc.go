// Package metrics scores the predictions of fine-tuned and pretrained BERT
// models with the numbers the reference tools report, so that a score from
// gorbert can be compared with a published one:
//
//   - classification: Accuracy, macro/micro F1 and Matthews correlation, computed
//     as scikit-learn's accuracy_score, f1_score and matthews_corrcoef do
//     (MCC is the GLUE metric for CoLA);
//   - regression: Pearson and Spearman correlation as scipy.stats computes them
//     (Spearman ranks ties by their average rank; STS-B reports both);
//   - named-entity recognition: entity-level precision, recall and F1 from
//     BIO/IOB2 tag sequences, exactly as seqeval does in its default
//     (conlleval-compatible) mode, with per-type scores and micro, macro and
//     weighted averages;
//   - extractive question answering: exact match and token F1 with the answer
//     normalisation of the official SQuAD v1.1 and v2.0 evaluation scripts,
//     including v2.0's HasAns/NoAns breakdown and best no-answer threshold;
//   - masked language modelling: accuracy over the masked positions and
//     perplexity = exp(mean cross-entropy).
//
// Every function that takes parallel slices returns an error when their lengths
// differ; none of them panics on bad input. Scores are fractions in [0, 1],
// except the SQuAD ones, which are percentages as the official scripts print.
package metrics
