// Package pretrain makes and serves BERT pretraining data.
//
// It follows google-research/bert's create_pretraining_data.py on text that
// is already tokenized into word pieces, so it depends on a vocabulary only
// through the small [Vocab] interface:
//
//   - [Creator] packs the sentences of each document into instances
//     [CLS] A [SEP] B [SEP] of at most max_seq_length tokens, with a shorter
//     random target length with probability short_seq_prob, random B from
//     another document half of the time (next-sentence prediction), unused
//     sentences "put back", and the longer segment trimmed from a random end
//     (truncate_seq_pair). [SOP] (ALBERT) and [NoSentenceObjective]
//     (RoBERTa) replace next-sentence prediction.
//   - [Masker] chooses min(max_predictions_per_seq, max(1,
//     round(n*masked_lm_prob))) tokens, never [CLS], [SEP], [PAD] or [MASK],
//     optionally whole words (a "##" piece joins the word before it), and
//     replaces them 80% [MASK], 10% random id, 10% unchanged. Masking is
//     dynamic by default: instances are stored unmasked and masked afresh
//     each time they are served. Options.StaticMasking masks once at
//     creation, as Google's script does.
//   - [Prepare] streams corpus files (package corpus) through a tokenizer
//     into shards, in chunks of ChunkDocuments documents so that memory is
//     bounded whatever the corpus size: within a chunk the documents and the
//     instances are shuffled, and NSP's random segments come from the
//     same chunk (Google's script shuffles and samples the whole corpus in
//     memory).
//   - [ShardWriter] and [OpenShard] write and verify the binary shard format
//     described in FORMAT.md: magic, version, a JSON header with the options
//     and the vocabulary's sha256, then length-prefixed, CRC-checked records
//     of varint ids, and a footer with the record count.
//   - [Reader] serves the instances of a shard set epoch after epoch,
//     shards in a new random order each epoch and records in a random
//     permutation within each shard, masking them dynamically; its
//     [Position] (epoch, shard order, cursors, and the PCG states of its two
//     generators) can be saved as JSON and handed to [Reader.Seek] to resume
//     the identical stream. [Reader.NextBatch] and [NewBatch] lay instances
//     out as fixed-shape [Batch]es with google-research/bert's
//     masked_lm_positions/ids/weights, and [Batch.MLMLabels] converts them to
//     HuggingFace's labels with -100.
//
// All randomness comes from a seeded *rand.Rand (math/rand/v2) passed in,
// or from a seed: the same seed gives the same data, and nothing is seeded
// from the clock. Where this package departs from the Google script it says
// so at the rule in question (always-different random document, adjacency
// for whole-word groups, SOP on a lone segment).
package pretrain
