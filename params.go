package gorbert

import "fmt"

// Task names a model head, as the HuggingFace class that carries it.
type Task string

// The tasks and their HuggingFace classes.
const (
	TaskBase        Task = "base"        // BertModel (encoder + pooler)
	TaskPretraining Task = "pretraining" // BertForPreTraining (MLM + NSP)
	TaskMLM         Task = "mlm"         // BertForMaskedLM (no pooler)
	TaskClassify    Task = "classify"    // BertForSequenceClassification
	TaskNER         Task = "ner"         // BertForTokenClassification (no pooler)
	TaskQA          Task = "qa"          // BertForQuestionAnswering (no pooler)
)

var architectures = map[Task]string{
	TaskBase: "BertModel", TaskPretraining: "BertForPreTraining", TaskMLM: "BertForMaskedLM",
	TaskClassify: "BertForSequenceClassification", TaskNER: "BertForTokenClassification", TaskQA: "BertForQuestionAnswering",
}

// Tasks lists every task.
func Tasks() []Task {
	return []Task{TaskBase, TaskPretraining, TaskMLM, TaskClassify, TaskNER, TaskQA}
}

// Architecture is the HuggingFace class name of a task's model.
func (t Task) Architecture() string { return architectures[t] }

// TaskOf maps a HuggingFace architecture name to a task.
func TaskOf(architecture string) (Task, error) {
	for t, a := range architectures {
		if a == architecture {
			return t, nil
		}
	}
	return "", fmt.Errorf("architecture %q is not supported (want one of BertModel, BertForPreTraining, BertForMaskedLM, BertForSequenceClassification, BertForTokenClassification, BertForQuestionAnswering)", architecture)
}

// ParseTask accepts a task name.
func ParseTask(s string) (Task, error) {
	for _, t := range Tasks() {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown task %q (want base, pretraining, mlm, classify, ner or qa)", s)
}

// HasPooler: HuggingFace builds token classification, QA and masked-LM
// models with add_pooling_layer=False.
func (t Task) HasPooler() bool {
	return t == TaskBase || t == TaskPretraining || t == TaskClassify
}

// HasMLM says whether the task carries the masked-LM head (cls.predictions).
func (t Task) HasMLM() bool { return t == TaskPretraining || t == TaskMLM }

// ParamSpec is one weight tensor: its HuggingFace state-dict key (with the
// "bert." prefix) and shape.
type ParamSpec struct {
	Name  string
	Shape []int
}

// ParamSpecs lists every parameter of the task's model, in HuggingFace's
// module order. The tied MLM decoder weight is not listed: it is
// bert.embeddings.word_embeddings.weight.
func (c Config) ParamSpecs(t Task) []ParamSpec {
	H, I, V := c.HiddenSize, c.IntermediateSize, c.VocabSize
	var ps []ParamSpec
	add := func(name string, shape ...int) { ps = append(ps, ParamSpec{name, shape}) }
	linear := func(name string, out, in int) {
		add(name+".weight", out, in)
		add(name+".bias", out)
	}
	layerNorm := func(name string) {
		add(name+".weight", H)
		add(name+".bias", H)
	}
	add("bert.embeddings.word_embeddings.weight", V, H)
	add("bert.embeddings.position_embeddings.weight", c.MaxPositionEmbeddings, H)
	add("bert.embeddings.token_type_embeddings.weight", c.TypeVocabSize, H)
	layerNorm("bert.embeddings.LayerNorm")
	for i := 0; i < c.NumHiddenLayers; i++ {
		p := fmt.Sprintf("bert.encoder.layer.%d.", i)
		linear(p+"attention.self.query", H, H)
		linear(p+"attention.self.key", H, H)
		linear(p+"attention.self.value", H, H)
		linear(p+"attention.output.dense", H, H)
		layerNorm(p + "attention.output.LayerNorm")
		linear(p+"intermediate.dense", I, H)
		linear(p+"output.dense", H, I)
		layerNorm(p + "output.LayerNorm")
	}
	if t.HasPooler() {
		linear("bert.pooler.dense", H, H)
	}
	if t.HasMLM() {
		linear("cls.predictions.transform.dense", H, H)
		layerNorm("cls.predictions.transform.LayerNorm")
		add("cls.predictions.bias", V)
	}
	switch t {
	case TaskPretraining:
		linear("cls.seq_relationship", 2, H)
	case TaskClassify, TaskNER:
		linear("classifier", c.NumLabels(), H)
	case TaskQA:
		linear("qa_outputs", 2, H)
	}
	return ps
}

// NumParams counts the task model's scalar parameters.
func (c Config) NumParams(t Task) int {
	n := 0
	for _, p := range c.ParamSpecs(t) {
		k := 1
		for _, d := range p.Shape {
			k *= d
		}
		n += k
	}
	return n
}
