// Package synth makes small fine-tuning data sets for the three fine-tuning
// tasks out of text every Go installation has: the documentation of the Go
// distribution's own packages under $(go env GOROOT)/src. Nothing is
// downloaded, and the same Go release and seed give the same bytes.
//
// LoadPackages reads the documented, importable packages (cmd, internal,
// vendor and testdata trees are left out); Split divides them into training
// and dev packages, stratified by area (the first element of the import
// path), so that no dev package is ever seen in training. The generators
// then write one file per split in the format the tasks package reads:
//
//   - Classify: sentences of package documentation labelled by the area of
//     their package (crypto, encoding, go, image, net, runtime by default),
//     balanced per label; TSV with the header "sentence\tlabel".
//   - NER: the sentences of a package's documentation split into words at
//     white space and punctuation, each word tagged B-FUNC, B-TYPE or
//     B-VALUE when it is an exported function or method, type, or constant
//     or variable of the package (or, after "pkg.", of the package it
//     qualifies), B-PKG when it is a package name qualifying an identifier,
//     and O otherwise; CoNLL, one "word TAG" line per word.
//   - QA: SQuAD v1.1 JSON whose contexts are function and method comments
//     that begin "X returns ..." or "X reports whether ...", with the
//     questions "What does X return?" and "What does X report?" answered by
//     the clause after the verb, answer_start in code points.
//
// Generate does all of it for one task and writes OUT/train.* and OUT/dev.*.
package synth
