package graph

import (
	"fmt"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/heads"
	"github.com/gorbert/gorbert/internal/gx"
	"github.com/gorbert/gorbert/layers"
	"gorgonia.org/tensor"
)

// Options choose what graph Build makes.
type Options struct {
	Batch, Seq int
	// Train adds dropout masks (filled per run from the caller's RNG).
	Train bool
	// Loss adds label inputs, the task's loss and, with Grads, its gradients
	// with respect to every parameter.
	Loss, Grads bool
	// MaskedPositions is the number of MLM rows predicted per batch in a loss
	// graph (Google's max_predictions_per_seq × B): only those rows go
	// through the vocabulary projection. 0 predicts all B·S positions.
	MaskedPositions int
}

// Net is one built graph: its inputs, outputs, loss and gradients.
type Net struct {
	Options
	Config gorbert.Config
	Task   gorbert.Task

	b          *gx.Builder
	params     *Params
	nodes      map[string]*gx.Node // parameter name -> node
	ids, types *gx.Node            // (B·S) ints
	positions  *gx.Node            // (B·S) ints, constant 0..S-1 per row
	mask       *gx.Node            // (B, S) floats

	Hidden     []*gx.Node // hidden_states.i, (B·S, H)
	Attentions []*gx.Node // attentions.i, (B, heads, S, S)
	Pooled     *gx.Node   // (B, H), when the task has a pooler
	// Outputs are the task's outputs under HuggingFace's names
	// (prediction_logits, seq_relationship_logits, logits, start_logits, end_logits).
	Outputs map[string]*gx.Node

	// Loss graphs only.
	labels, nsp, startPos, endPos, mlmRows *gx.Node
	targets                                *gx.Node
	Loss                                   *gx.Node
	LossTerms                              map[string]*gx.Node // mlm_loss, nsp_loss, start_loss, end_loss
	Grads                                  map[string]*gx.Node // parameter name -> gradient node

	machine *gx.Machine
}

// Build declares the model of p's task for one (batch, seq) shape.
func Build(p *Params, o Options) (*Net, error) {
	cfg := p.Config
	if o.Batch <= 0 || o.Seq <= 0 {
		return nil, fmt.Errorf("batch %d x seq %d: both must be positive", o.Batch, o.Seq)
	}
	if o.Seq > cfg.MaxPositionEmbeddings {
		return nil, fmt.Errorf("sequence length %d exceeds max_position_embeddings %d", o.Seq, cfg.MaxPositionEmbeddings)
	}
	n := &Net{Options: o, Config: cfg, Task: p.Task, b: gx.NewBuilder(tensor.Float32), params: p,
		nodes: map[string]*gx.Node{}, Outputs: map[string]*gx.Node{}, LossTerms: map[string]*gx.Node{}}
	b := n.b
	c := layers.Context{B: b, Config: cfg, Batch: o.Batch, Seq: o.Seq, Train: o.Train}
	root := layers.NewScope(n.param)
	bs := o.Batch * o.Seq

	n.ids = b.IntInput("input_ids", bs)
	n.types = b.IntInput("token_type_ids", bs)
	pos := make([]int, bs)
	for i := range pos {
		pos[i] = i % o.Seq
	}
	n.positions = b.IntConst("position_ids", pos)
	n.mask = b.Input("attention_mask", o.Batch, o.Seq)

	bert := root.Sub("bert")
	emb := layers.Embeddings(c, bert.Sub("embeddings"), n.ids, n.types, n.positions) // (B·S, H)
	n.Hidden, n.Attentions = layers.Encoder(c, bert.Sub("encoder"), emb, n.mask)
	last := n.Hidden[len(n.Hidden)-1] // (B·S, H)
	if p.Task.HasPooler() {
		n.Pooled = layers.Pooler(c, bert.Sub("pooler"), last) // (B, H)
	}
	n.buildHead(c, root, last)
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("build %s graph %dx%d: %w", p.Task, o.Batch, o.Seq, err)
	}
	if o.Loss && o.Grads {
		if err := n.buildGrads(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// param returns the node bound to a weight tensor, creating it once.
func (n *Net) param(name string) *gx.Node {
	if node, ok := n.nodes[name]; ok {
		return node
	}
	t, ok := n.params.Tensors[name]
	if !ok {
		n.b.Fail("no parameter %q for %s", name, n.Task.Architecture())
		return nil
	}
	node := n.b.Param(name, t)
	n.nodes[name] = node
	return node
}

func (n *Net) buildHead(c layers.Context, root layers.Scope, last *gx.Node) {
	b, o := n.b, n.Options
	bs := o.Batch * o.Seq
	word := n.param("bert.embeddings.word_embeddings.weight")
	switch n.Task {
	case gorbert.TaskPretraining, gorbert.TaskMLM:
		rows := last
		if o.Loss && o.MaskedPositions > 0 {
			// Gather the labelled positions first, as Google's gather_indexes.
			n.mlmRows = b.IntInput("masked_lm_positions", o.MaskedPositions)
			rows = b.Gather(last, n.mlmRows, -1) // (P, H)
		}
		logits := heads.MaskedLM(c, root.Sub("cls").Sub("predictions"), rows, word) // (P or B·S, V)
		n.Outputs["prediction_logits"] = logits
		if n.Task == gorbert.TaskPretraining {
			n.Outputs["seq_relationship_logits"] = heads.NextSentence(c, root.Sub("cls").Sub("seq_relationship"), n.Pooled) // (B, 2)
		}
		if !o.Loss {
			return
		}
		rowsN := bs
		if o.MaskedPositions > 0 {
			rowsN = o.MaskedPositions
		}
		n.labels = b.IntInput("labels", rowsN)
		mlm := heads.MaskedLMLoss(c, logits, n.labels)
		n.LossTerms["mlm_loss"] = mlm
		n.Loss = mlm
		if n.Task == gorbert.TaskPretraining {
			n.nsp = b.IntInput("next_sentence_label", o.Batch)
			nsp := heads.NextSentenceLoss(c, n.Outputs["seq_relationship_logits"], n.nsp)
			n.LossTerms["nsp_loss"] = nsp
			n.Loss = heads.PretrainingLoss(c, mlm, nsp)
		}
	case gorbert.TaskClassify:
		logits := heads.SequenceClassifier(c, root.Sub("classifier"), n.Pooled) // (B, labels)
		n.Outputs["logits"] = logits
		if o.Loss {
			if n.Config.NumLabels() == 1 {
				n.targets = b.Input("targets", o.Batch)
			} else {
				n.labels = b.IntInput("labels", o.Batch)
			}
			n.Loss = heads.ClassificationLoss(c, logits, n.labels, n.targets)
		}
	case gorbert.TaskNER:
		logits := heads.TokenClassifier(c, root.Sub("classifier"), last) // (B·S, labels)
		n.Outputs["logits"] = logits
		if o.Loss {
			n.labels = b.IntInput("labels", bs)
			n.Loss = heads.TokenClassificationLoss(c, logits, n.labels)
		}
	case gorbert.TaskQA:
		start, end := heads.QuestionAnswering(c, root.Sub("qa_outputs"), last) // (B, S) each
		n.Outputs["start_logits"], n.Outputs["end_logits"] = start, end
		if o.Loss {
			n.startPos = b.IntInput("start_positions", o.Batch)
			n.endPos = b.IntInput("end_positions", o.Batch)
			n.Loss = heads.QuestionAnsweringLoss(c, start, end, n.startPos, n.endPos)
			n.LossTerms["start_loss"] = b.CrossEntropy(start, n.startPos)
			n.LossTerms["end_loss"] = b.CrossEntropy(end, n.endPos)
		}
	case gorbert.TaskBase:
		if o.Loss {
			b.Fail("a bare BertModel has no loss")
		}
	}
	_ = word
}

func (n *Net) buildGrads() error {
	names := n.params.Names()
	wrt := make([]*gx.Node, len(names))
	for i, name := range names {
		wrt[i] = n.param(name)
	}
	grads := n.b.Grad(n.Loss, wrt...)
	if err := n.b.Err(); err != nil {
		return fmt.Errorf("gradients: %w", err)
	}
	n.Grads = make(map[string]*gx.Node, len(names))
	for i, name := range names {
		n.Grads[name] = grads[i]
	}
	return nil
}

// DropoutMasks lists the masks a training graph needs filled before each run.
func (n *Net) DropoutMasks() []gx.DropoutMask { return n.b.DropoutMasks() }
