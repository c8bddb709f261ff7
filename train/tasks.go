package train

import (
	"cmp"
	"fmt"
	"math"
	randv2 "math/rand/v2"
	"slices"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/data/tasks"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/metrics"
	"github.com/gorbert/gorbert/tokenizer"
)

// feature is one fine-tuning input of any task, unpadded.
type feature struct {
	ids, types []int
	label      int     // classification: class id
	target     float32 // regression target
	tags       []int   // NER: tag id per token, tasks.IgnoreLabel where it does not count
	start, end int     // QA: answer token positions (0, 0 = [CLS])

	// Evaluation only.
	example int      // QA: index of the example the window belongs to
	offsets [][2]int // QA: byte span in the context of each token, {-1, -1} outside it
}

// taskData is a task's training and evaluation features and what the
// metrics need to score the dev set.
type taskData struct {
	task       gorbert.Task
	labels     []string // class or tag names by id; nil for QA and regression
	regression bool
	train, dev []feature
	qaDev      []tasks.QAExample // QA: the dev questions, to read answers from
	skipped    int               // QA training examples without an aligned answer
	// QA answers whose answer_start does not point at their text
	// (SkipMisaligned): misaligned training answers are not trained on,
	// misaligned dev answers still count in evaluation as texts.
	misalignedTrain, misalignedDev int
}

// loadTaskData reads the training and dev files of cfg's task and turns
// them into features with tok. modelCfg is the pretrained model's config:
// a regression head (num_labels 1) makes a classification task a regression.
func loadTaskData(cfg FinetuneConfig, task gorbert.Task, tok *tokenizer.Tokenizer, modelCfg gorbert.Config, modelTask gorbert.Task) (*taskData, error) {
	d := &taskData{task: task}
	switch task {
	case gorbert.TaskClassify:
		opts := tasks.TableOptions{Columns: tasks.Columns{TextA: cfg.TextColumn, TextB: cfg.TextPairColumn, Label: cfg.LabelColumn}}
		train, err := tasks.ReadTable(cfg.Train, opts)
		if err != nil {
			return nil, err
		}
		train = limit(train, cfg.Limit)
		if len(train) == 0 {
			return nil, fmt.Errorf("%s: no training examples", cfg.Train)
		}
		dev, err := readOptional(cfg.Dev, func(p string) ([]tasks.TextExample, error) { return tasks.ReadTable(p, opts) })
		if err != nil {
			return nil, err
		}
		if err := checkDev(cfg.Dev, len(dev), "examples"); err != nil {
			return nil, err
		}
		dev = limit(dev, cfg.DevLimit)
		d.regression = cfg.Regression || (modelTask == gorbert.TaskClassify && modelCfg.NumLabels() == 1)
		var ls *tasks.LabelSet
		if !d.regression {
			ls = tasks.BuildLabelSet(train)
			if ls.Len() < 2 {
				return nil, fmt.Errorf("%s: the training data has %d distinct label(s) %q; a classifier needs at least 2 (use --regression for a numeric target)", cfg.Train, ls.Len(), ls.Names())
			}
			d.labels = ls.Names()
		}
		for _, set := range []struct {
			ex  []tasks.TextExample
			out *[]feature
		}{{train, &d.train}, {dev, &d.dev}} {
			fs, err := tasks.ClassificationFeatures(tok, set.ex, ls, cfg.MaxLength)
			if err != nil {
				return nil, err
			}
			for i, f := range fs {
				if !f.Labeled {
					return nil, fmt.Errorf("%s: example has no label", set.ex[i].ID)
				}
				*set.out = append(*set.out, feature{ids: f.InputIDs, types: f.TypeIDs, label: f.Label, target: float32(f.Target)})
			}
		}
	case gorbert.TaskNER:
		opts := tasks.CoNLLOptions{IOB1: cfg.IOB1}
		train, err := tasks.ReadCoNLL(cfg.Train, opts)
		if err != nil {
			return nil, err
		}
		train = limit(train, cfg.Limit)
		if len(train) == 0 {
			return nil, fmt.Errorf("%s: no training sentences", cfg.Train)
		}
		dev, err := readOptional(cfg.Dev, func(p string) ([]tasks.TaggedSentence, error) { return tasks.ReadCoNLL(p, opts) })
		if err != nil {
			return nil, err
		}
		if err := checkDev(cfg.Dev, len(dev), "sentences"); err != nil {
			return nil, err
		}
		dev = limit(dev, cfg.DevLimit)
		ls := tasks.BuildTagSet(train)
		d.labels = ls.Names()
		trainF, err := tasks.TokenClassificationFeatures(tok, train, ls, tasks.TokenOptions{MaxLength: cfg.MaxLength, LabelAllTokens: cfg.LabelAllTokens})
		if err != nil {
			return nil, err
		}
		// Dev predictions are read at the first piece of each word only.
		devF, err := tasks.TokenClassificationFeatures(tok, dev, ls, tasks.TokenOptions{MaxLength: cfg.MaxLength})
		if err != nil {
			return nil, err
		}
		for _, f := range trainF {
			d.train = append(d.train, feature{ids: f.InputIDs, types: f.TypeIDs, tags: f.Labels})
		}
		for _, f := range devF {
			d.dev = append(d.dev, feature{ids: f.InputIDs, types: f.TypeIDs, tags: f.Labels})
		}
	case gorbert.TaskQA:
		train, stats, err := tasks.ReadSQuAD(cfg.Train)
		if err != nil {
			return nil, err
		}
		if d.misalignedTrain, err = checkAligned(cfg.Train, stats, cfg.SkipMisaligned); err != nil {
			return nil, err
		}
		train = limit(train, cfg.Limit)
		if len(train) == 0 {
			return nil, fmt.Errorf("%s: no training questions", cfg.Train)
		}
		dev, err := readOptional(cfg.Dev, func(p string) ([]tasks.QAExample, error) {
			ex, stats, err := tasks.ReadSQuAD(p)
			if err == nil {
				d.misalignedDev, err = checkAligned(p, stats, cfg.SkipMisaligned)
			}
			return ex, err
		})
		if err != nil {
			return nil, err
		}
		if err := checkDev(cfg.Dev, len(dev), "questions"); err != nil {
			return nil, err
		}
		dev = limit(dev, cfg.DevLimit)
		qo := tasks.QAOptions{MaxLength: cfg.MaxLength, DocStride: cfg.DocStride, MaxQueryLength: cfg.MaxQueryLength}
		trainF, skipped, err := tasks.PrepareTrainFeatures(tok, train, qo)
		if err != nil {
			return nil, err
		}
		d.skipped = len(skipped)
		devF, err := tasks.PrepareValidationFeatures(tok, dev, qo)
		if err != nil {
			return nil, err
		}
		// The windows come padded to MaxLength; batches pad them again, to
		// their own longest window.
		for _, f := range trainF {
			n := realLength(f.AttentionMask)
			d.train = append(d.train, feature{ids: f.InputIDs[:n], types: f.TypeIDs[:n], start: f.StartPosition, end: f.EndPosition})
		}
		for _, f := range devF {
			n := realLength(f.AttentionMask)
			d.dev = append(d.dev, feature{ids: f.InputIDs[:n], types: f.TypeIDs[:n], example: f.ExampleIndex, offsets: f.Offsets[:n]})
		}
		d.qaDev = dev
		if len(d.train) == 0 {
			return nil, fmt.Errorf("%s: no question has an answer found in its context", cfg.Train)
		}
	default:
		return nil, fmt.Errorf("fine-tuning needs task classify, ner or qa, not %q", task)
	}
	return d, nil
}

func limit[T any](xs []T, n int) []T {
	if n > 0 && len(xs) > n {
		return xs[:n]
	}
	return xs
}

// checkDev fails on a dev file that was given but holds nothing.
func checkDev(path string, n int, what string) error {
	if path != "" && n == 0 {
		return fmt.Errorf("%s: no dev %s", path, what)
	}
	return nil
}

// checkAligned fails on a SQuAD file with answers whose answer_start does
// not point at their text, naming the first one's JSON path and question,
// unless skip is set; it returns how many there are.
func checkAligned(path string, stats tasks.SQuADStats, skip bool) (int, error) {
	n := len(stats.Mismatches)
	if n == 0 || skip {
		return n, nil
	}
	more := ""
	if n > 1 {
		more = fmt.Sprintf(" (and %d more)", n-1)
	}
	return n, fmt.Errorf("%s: %s%s: answer_start does not point at the answer text; fix the file, or pass --skip-misaligned (skip_misaligned) to train without such answers", path, stats.Mismatches[0], more)
}

func readOptional[T any](path string, read func(string) ([]T, error)) ([]T, error) {
	if path == "" {
		return nil, nil
	}
	return read(path)
}

func realLength(mask []int) int {
	n := 0
	for _, m := range mask {
		n += m
	}
	return n
}

// epochBatches lays out one epoch: the features shuffled with a generator
// seeded by (seed, epoch), so that any epoch can be rebuilt on resume, then
// cut into windows of window features, each sorted by length (longest
// first) and split into batches, whose order is shuffled again. Sequences of
// similar length share a batch, so little of it is padding.
func epochBatches(fs []feature, batchSize, window int, seed int64, epoch int) [][]int {
	rng := randv2.New(randv2.NewPCG(uint64(seed), uint64(epoch)+1))
	perm := rng.Perm(len(fs))
	window = max(window, batchSize)
	var batches [][]int
	for lo := 0; lo < len(perm); lo += window {
		chunk := perm[lo:min(lo+window, len(perm))]
		slices.SortStableFunc(chunk, func(a, b int) int { return cmp.Compare(len(fs[b].ids), len(fs[a].ids)) })
		for i := 0; i < len(chunk); i += batchSize {
			batches = append(batches, chunk[i:min(i+batchSize, len(chunk))])
		}
	}
	rng.Shuffle(len(batches), func(i, j int) { batches[i], batches[j] = batches[j], batches[i] })
	return batches
}

// makeBatch pads the features to the longest of them, rounded up to a
// multiple of padTo (but not past the model's max positions), with labels
// laid out for the task's loss.
func makeBatch(d *taskData, fs []feature, idx []int, padTo, padID, maxPos int) graph.Batch {
	ids := make([][]int, len(idx))
	types := make([][]int, len(idx))
	longest := 0
	for i, k := range idx {
		ids[i], types[i] = fs[k].ids, fs[k].types
		longest = max(longest, len(fs[k].ids))
	}
	s := longest
	if padTo > 1 {
		s = max(longest, min((longest+padTo-1)/padTo*padTo, maxPos))
	}
	b := graph.NewBatch(ids, types, s, padID)
	switch d.task {
	case gorbert.TaskClassify:
		if d.regression {
			b.Targets = make([]float32, len(idx))
			for i, k := range idx {
				b.Targets[i] = fs[k].target
			}
		} else {
			b.Labels = make([]int, len(idx))
			for i, k := range idx {
				b.Labels[i] = fs[k].label
			}
		}
	case gorbert.TaskNER:
		b.Labels = make([]int, len(idx)*s)
		for i, k := range idx {
			row := b.Labels[i*s : (i+1)*s]
			for j := range row {
				row[j] = tasks.IgnoreLabel
			}
			copy(row, fs[k].tags)
		}
	case gorbert.TaskQA:
		b.StartPositions = make([]int, len(idx))
		b.EndPositions = make([]int, len(idx))
		for i, k := range idx {
			b.StartPositions[i], b.EndPositions[i] = fs[k].start, fs[k].end
		}
	}
	return b
}

func batchTokens(b graph.Batch) int { return realLength(b.AttentionMask) }

// evalOptions are the settings evaluate needs besides the data.
type evalOptions struct {
	batchSize, padTo, padID int
	maxAnswerLength, nBest  int
}

// evaluate runs the model over the dev features (batched by length) and
// scores its predictions with the task's metrics. Names are without the
// eval_ prefix: accuracy, f1_macro, mcc, loss (classification); pearson,
// spearman, mse (regression); precision, recall, f1, accuracy (NER, entity
// level and token accuracy); exact_match, f1 (QA).
func evaluate(m *graph.Model, d *taskData, o evalOptions) (map[string]float64, error) {
	if len(d.dev) == 0 {
		return nil, fmt.Errorf("no dev examples to evaluate")
	}
	order := make([]int, len(d.dev))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(len(d.dev[a].ids), len(d.dev[b].ids)) })
	// out[i] holds feature i's outputs: class logits, token logits (len×C),
	// or start then end logits (2×len).
	out := make([][]float32, len(d.dev))
	maxPos := m.Params.Config.MaxPositionEmbeddings
	for lo := 0; lo < len(order); lo += o.batchSize {
		idx := order[lo:min(lo+o.batchSize, len(order))]
		b := makeBatch(d, d.dev, idx, o.padTo, o.padID, maxPos)
		switch d.task {
		case gorbert.TaskClassify, gorbert.TaskNER:
			res, err := m.Forward(b, "logits")
			if err != nil {
				return nil, err
			}
			lg := res["logits"]
			row := len(lg.Data) / b.Size // C, or S×C for NER
			for i, k := range idx {
				r := lg.Data[i*row : (i+1)*row]
				if d.task == gorbert.TaskNER {
					r = r[:len(d.dev[k].ids)*(row/b.SeqLen)]
				}
				out[k] = slices.Clone(r)
			}
		case gorbert.TaskQA:
			res, err := m.Forward(b, "start_logits", "end_logits")
			if err != nil {
				return nil, err
			}
			st, en := res["start_logits"].Data, res["end_logits"].Data
			for i, k := range idx {
				n := len(d.dev[k].ids)
				out[k] = append(slices.Clone(st[i*b.SeqLen:i*b.SeqLen+n]), en[i*b.SeqLen:i*b.SeqLen+n]...)
			}
		}
	}
	switch d.task {
	case gorbert.TaskClassify:
		if d.regression {
			return scoreRegression(d, out)
		}
		return scoreClassification(d, out)
	case gorbert.TaskNER:
		return scoreNER(d, out)
	default:
		return scoreQA(d, out, o)
	}
}

func scoreClassification(d *taskData, out [][]float32) (map[string]float64, error) {
	gold := make([]int, len(d.dev))
	pred := make([]int, len(d.dev))
	var loss float64
	for i, f := range d.dev {
		gold[i], pred[i] = f.label, argmax(out[i])
		loss += logSumExp(out[i]) - float64(out[i][f.label])
	}
	acc, err := metrics.Accuracy(gold, pred)
	if err != nil {
		return nil, err
	}
	f1, err := metrics.F1Macro(gold, pred)
	if err != nil {
		return nil, err
	}
	mcc, err := metrics.MatthewsCorrCoef(gold, pred)
	if err != nil {
		return nil, err
	}
	return map[string]float64{"accuracy": acc, "f1_macro": f1, "mcc": mcc, "loss": loss / float64(len(d.dev))}, nil
}

func scoreRegression(d *taskData, out [][]float32) (map[string]float64, error) {
	gold := make([]float64, len(d.dev))
	pred := make([]float64, len(d.dev))
	var mse float64
	for i, f := range d.dev {
		gold[i], pred[i] = float64(f.target), float64(out[i][0])
		mse += (pred[i] - gold[i]) * (pred[i] - gold[i])
	}
	r := map[string]float64{"mse": mse / float64(len(d.dev)), "loss": mse / float64(len(d.dev))}
	var err error
	if len(gold) >= 2 {
		if r["pearson"], err = metrics.Pearson(gold, pred); err != nil {
			return nil, err
		}
		if r["spearman"], err = metrics.Spearman(gold, pred); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// scoreNER compares word tags: gold and predicted tags are read at the
// positions that carry a label (the first piece of each word), as
// HuggingFace's run_ner.py does; words cut off by max_length are left out of
// both.
func scoreNER(d *taskData, out [][]float32) (map[string]float64, error) {
	c := len(d.labels)
	var gold, pred [][]string
	var loss float64
	var n int
	for i, f := range d.dev {
		var g, p []string
		for k, t := range f.tags {
			if t == tasks.IgnoreLabel {
				continue
			}
			row := out[i][k*c : (k+1)*c]
			g = append(g, d.labels[t])
			p = append(p, d.labels[argmax(row)])
			loss += logSumExp(row) - float64(row[t])
			n++
		}
		gold, pred = append(gold, g), append(pred, p)
	}
	rep, err := metrics.SeqEval(gold, pred)
	if err != nil {
		return nil, err
	}
	acc, err := metrics.TokenAccuracy(gold, pred)
	if err != nil {
		return nil, err
	}
	return map[string]float64{"precision": rep.Micro.Precision, "recall": rep.Micro.Recall, "f1": rep.Micro.F1,
		"accuracy": acc, "loss": loss / float64(max(n, 1))}, nil
}

// scoreQA is HuggingFace's postprocess_qa_predictions (SQuAD v1): for each
// question, over all its windows, the n_best highest start and end logits
// are paired; pairs outside the context, reversed or longer than
// max_answer_length are dropped, and the pair with the highest start+end
// logit gives the answer text. A question without a valid pair answers "".
func scoreQA(d *taskData, out [][]float32, o evalOptions) (map[string]float64, error) {
	type best struct {
		score float64
		text  string
		ok    bool
	}
	answers := make([]best, len(d.qaDev))
	for i, f := range d.dev {
		n := len(f.ids)
		st, en := out[i][:n], out[i][n:]
		ex := d.qaDev[f.example]
		for _, s := range topK(st, o.nBest) {
			for _, e := range topK(en, o.nBest) {
				if f.offsets[s][0] < 0 || f.offsets[e][0] < 0 || e < s || e-s+1 > o.maxAnswerLength {
					continue
				}
				score := float64(st[s]) + float64(en[e])
				if b := &answers[f.example]; !b.ok || score > b.score {
					*b = best{score: score, text: ex.Context[f.offsets[s][0]:f.offsets[e][1]], ok: true}
				}
			}
		}
	}
	questions := make([]metrics.SQuADQuestion, len(d.qaDev))
	preds := make(map[string]string, len(d.qaDev))
	for i, ex := range d.qaDev {
		q := metrics.SQuADQuestion{ID: ex.ID}
		for _, a := range ex.Answers {
			q.Answers = append(q.Answers, a.Text)
		}
		questions[i] = q
		preds[ex.ID] = answers[i].text
	}
	res, err := metrics.SQuADV1(questions, preds)
	if err != nil {
		return nil, err
	}
	return map[string]float64{"exact_match": res.Exact, "f1": res.F1}, nil
}

// topK returns the indexes of the k largest values, largest first (ties by
// index, as a stable argsort).
func topK(v []float32, k int) []int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(v[b], v[a]) })
	return idx[:min(k, len(idx))]
}

// metricNames lists the metrics evaluate reports for a task.
func metricNames(task gorbert.Task, regression bool) []string {
	switch {
	case task == gorbert.TaskClassify && regression:
		return []string{"pearson", "spearman", "mse", "loss"}
	case task == gorbert.TaskClassify:
		return []string{"accuracy", "f1_macro", "mcc", "loss"}
	case task == gorbert.TaskNER:
		return []string{"f1", "precision", "recall", "accuracy", "loss"}
	case task == gorbert.TaskQA:
		return []string{"f1", "exact_match"}
	}
	return nil
}

// lowerIsBetter says which metrics improve downwards.
func lowerIsBetter(name string) bool { return name == "loss" || name == "mse" }

// finite drops NaN and ±Inf (a constant prediction's correlation), which
// JSON cannot hold.
func finite(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[k] = v
		}
	}
	return out
}
