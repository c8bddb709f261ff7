package export

import (
	"fmt"
	"math"
	"strconv"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/graph"
)

// The ONNX graph of a BERT task model, emitted module by module as
// HuggingFace's modeling_bert.py computes it (and as torch.onnx.export traces
// it): every value is [batch_size, sequence_length, ...] with both dimensions
// symbolic, so one file serves every batch size and sequence length up to
// max_position_embeddings.
//
// Value and node names carry the module path (bert.encoder.layer.3.attention.self/MatMul_12),
// weights keep their HuggingFace names, except that nn.Linear kernels are
// stored transposed, [in, out], under "<name>.T", so that MatMul(x, Wᵀ) needs
// no Transpose at run time. The MLM decoder reads the word-embedding table
// through a Transpose node, keeping the weights tied (one copy in the file).

// Graph input and symbolic dimension names, as HuggingFace's ONNX exports.
const (
	InputIDs      = "input_ids"
	AttentionMask = "attention_mask"
	TokenTypeIDs  = "token_type_ids"
	BatchDim      = "batch_size"
	SequenceDim   = "sequence_length"
)

// OutputNames lists a task's ONNX outputs, named as HuggingFace's exports
// (optimum) name them.
func OutputNames(t gorbert.Task) []string {
	switch t {
	case gorbert.TaskBase:
		return []string{"last_hidden_state", "pooler_output"}
	case gorbert.TaskPretraining:
		return []string{"prediction_logits", "seq_relationship_logits"}
	case gorbert.TaskMLM, gorbert.TaskClassify, gorbert.TaskNER:
		return []string{"logits"}
	case gorbert.TaskQA:
		return []string{"start_logits", "end_logits"}
	}
	return nil
}

// GraphOutput maps an ONNX output name of a task to the name graph.Model's
// Forward gives the same tensor (they differ only for the MLM logits).
func GraphOutput(t gorbert.Task, onnxName string) string {
	if t == gorbert.TaskMLM && onnxName == "logits" {
		return "prediction_logits"
	}
	return onnxName
}

// float32Min is torch.finfo(torch.float32).min, HuggingFace's additive mask value.
const float32Min = -math.MaxFloat32

// builder appends nodes and initializers to a graph.
type builder struct {
	g       Graph
	p       *graph.Params
	cfg     gorbert.Config
	opset   int
	counter int
	inits   map[string]bool
	alias   map[string]string // value -> graph output name
}

// BuildModel turns a model's weights into an ONNX model (weights inline;
// WriteONNX moves them to an external file when they are too large).
func BuildModel(p *graph.Params, opset int) (*Model, error) {
	if opset == 0 {
		opset = DefaultOpset
	}
	if opset != 14 && opset != 17 {
		return nil, fmt.Errorf("opset %d is not supported (want 14 or 17)", opset)
	}
	cfg := p.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, s := range cfg.ParamSpecs(p.Task) {
		t, ok := p.Tensors[s.Name]
		if !ok {
			return nil, fmt.Errorf("no weight %q for %s", s.Name, p.Task.Architecture())
		}
		if got := []int(t.Shape()); !equalInts(got, s.Shape) {
			return nil, fmt.Errorf("weight %s has shape %v, want %v", s.Name, got, s.Shape)
		}
	}
	b := &builder{p: p, cfg: cfg, opset: opset, inits: map[string]bool{}, alias: map[string]string{}}
	b.g.Name = p.Task.Architecture()
	b.build()
	b.resolveAliases()
	return &Model{
		IRVersion:       IRVersion,
		Opset:           int64(opset),
		ProducerName:    "gorbert",
		ProducerVersion: "1",
		DocString: fmt.Sprintf("%s (hidden_act %s, %d layers, hidden %d, %d heads), exported by gorbert",
			p.Task.Architecture(), cfg.HiddenAct, cfg.NumHiddenLayers, cfg.HiddenSize, cfg.NumAttentionHeads),
		Graph: b.g,
	}, nil
}

// build is BertModel followed by the task's head.
func (b *builder) build() {
	cfg, task := b.cfg, b.p.Task
	batchSeq := []Dim{{Param: BatchDim}, {Param: SequenceDim}}
	for _, name := range []string{InputIDs, AttentionMask, TokenTypeIDs} {
		b.g.Inputs = append(b.g.Inputs, ValueInfo{Name: name, ElemType: Int64, Dims: batchSeq})
	}
	h := b.embeddings("bert.embeddings") // [B, S, H]
	mask := b.extendedMask("bert")       // [B, 1, 1, S]
	for i := 0; i < cfg.NumHiddenLayers; i++ {
		h = b.layer("bert.encoder.layer."+strconv.Itoa(i), h, mask) // [B, S, H]
	}
	var pooled string
	if task.HasPooler() {
		pooled = b.pooler("bert.pooler", h) // [B, H]
	}
	H, V, L := int64(cfg.HiddenSize), int64(cfg.VocabSize), int64(cfg.NumLabels())
	bsd := func(d int64) []Dim { return []Dim{{Param: BatchDim}, {Param: SequenceDim}, {Value: d}} }
	bd := func(d int64) []Dim { return []Dim{{Param: BatchDim}, {Value: d}} }
	switch task {
	case gorbert.TaskBase:
		b.output(h, "last_hidden_state", bsd(H))
		b.output(pooled, "pooler_output", bd(H))
	case gorbert.TaskPretraining:
		b.output(b.mlmHead("cls.predictions", h), "prediction_logits", bsd(V))
		b.output(b.linear("cls.seq_relationship", pooled), "seq_relationship_logits", bd(2))
	case gorbert.TaskMLM:
		b.output(b.mlmHead("cls.predictions", h), "logits", bsd(V))
	case gorbert.TaskClassify:
		b.output(b.linear("classifier", pooled), "logits", bd(L)) // dropout is the identity in eval
	case gorbert.TaskNER:
		b.output(b.linear("classifier", h), "logits", bsd(L))
	case gorbert.TaskQA:
		logits := b.linear("qa_outputs", h) // [B, S, 2]
		bs := []Dim{{Param: BatchDim}, {Param: SequenceDim}}
		b.output(b.node("qa_outputs", "Gather", []string{logits, b.scalarInt64("zero", 0)}, IntAttr("axis", 2)), "start_logits", bs)
		b.output(b.node("qa_outputs", "Gather", []string{logits, b.scalarInt64("one", 1)}, IntAttr("axis", 2)), "end_logits", bs)
	}
}

// embeddings is BertEmbeddings: (word[ids] + token_type[types]) + position[0..S-1],
// then LayerNorm. Position ids are a constant 0..max_pos-1 sliced to the
// sequence length read from the input's shape.
func (b *builder) embeddings(scope string) string {
	word := b.weight(scope + ".word_embeddings.weight")
	tokenType := b.weight(scope + ".token_type_embeddings.weight")
	position := b.weight(scope + ".position_embeddings.weight")

	words := b.node(scope+".word_embeddings", "Gather", []string{word, InputIDs})                // [B, S, H]
	types := b.node(scope+".token_type_embeddings", "Gather", []string{tokenType, TokenTypeIDs}) // [B, S, H]

	// position_ids[:S]: S read from the input's shape at run time.
	all := make([]int64, b.cfg.MaxPositionEmbeddings)
	for i := range all {
		all[i] = int64(i)
	}
	positionIDs := b.int64s(scope+".position_ids", all, int64(len(all)))
	zero, one := b.int64s("const.zero_1d", []int64{0}, 1), b.int64s("const.one_1d", []int64{1}, 1)
	shape := b.node(scope, "Shape", []string{InputIDs})                                  // [2] = (B, S)
	seqLen := b.node(scope, "Gather", []string{shape, one}, IntAttr("axis", 0))          // [1] = (S)
	ids := b.node(scope, "Slice", []string{positionIDs, zero, seqLen, zero})             // [S], starts 0, ends S, axis 0
	positions := b.node(scope+".position_embeddings", "Gather", []string{position, ids}) // [S, H]

	e := b.node(scope, "Add", []string{words, types})
	e = b.node(scope, "Add", []string{e, positions}) // broadcast over the batch
	return b.layerNorm(scope+".LayerNorm", e)
}

// extendedMask turns attention_mask [B, S] (1 = real token) into the
// additive mask HuggingFace adds to every layer's scores:
// (1 - mask) · finfo(float32).min, as [B, 1, 1, S] (broadcast over heads and queries).
func (b *builder) extendedMask(scope string) string {
	m := b.node(scope, "Cast", []string{AttentionMask}, IntAttr("to", int64(Float32)))
	m = b.node(scope, "Sub", []string{b.scalarFloat("one_f", 1), m})
	m = b.node(scope, "Mul", []string{m, b.scalarFloat("float32_min", float32Min)})
	return b.node(scope, "Unsqueeze", []string{m, b.int64s("const.axes_1_2", []int64{1, 2}, 2)}) // [B, 1, 1, S]
}

// layer is BertLayer: attention with its output block (BertSelfOutput),
// then the feed-forward block (BertIntermediate, BertOutput); post-LN residuals.
func (b *builder) layer(scope, x, mask string) string {
	ctx := b.selfAttention(scope+".attention.self", x, mask)                                                   // [B, S, H]
	a := b.node(scope+".attention.output", "Add", []string{b.linear(scope+".attention.output.dense", ctx), x}) // dense + residual
	a = b.layerNorm(scope+".attention.output.LayerNorm", a)                                                    // [B, S, H]
	i := b.activation(scope+".intermediate", b.linear(scope+".intermediate.dense", a))                         // [B, S, I]
	o := b.node(scope+".output", "Add", []string{b.linear(scope+".output.dense", i), a})                       // dense + residual
	return b.layerNorm(scope+".output.LayerNorm", o)                                                           // [B, S, H]
}

// selfAttention is BertSelfAttention in eval mode:
// softmax(Q Kᵀ / √D + mask) V per head, heads joined back to [B, S, H].
func (b *builder) selfAttention(scope, x, mask string) string {
	cfg := b.cfg
	heads, d := int64(cfg.NumAttentionHeads), int64(cfg.HeadDim())
	split := b.int64s(fmt.Sprintf("const.shape_0_0_%d_%d", heads, d), []int64{0, 0, heads, d}, 4) // 0 = keep that dimension
	perHead := func(name string, perm ...int64) string {
		v := b.linear(scope+"."+name, x)                 // [B, S, H]
		v = b.node(scope, "Reshape", []string{v, split}) // [B, S, heads, D]
		return b.node(scope, "Transpose", []string{v}, IntsAttr("perm", perm...))
	}
	q := perHead("query", 0, 2, 1, 3)                  // [B, heads, S, D]
	kT := perHead("key", 0, 2, 3, 1)                   // [B, heads, D, S]
	v := perHead("value", 0, 2, 1, 3)                  // [B, heads, S, D]
	scores := b.node(scope, "MatMul", []string{q, kT}) // [B, heads, S, S]
	scores = b.node(scope, "Mul", []string{scores, b.scalarFloat(fmt.Sprintf("inv_sqrt_%d", d), float32(1/math.Sqrt(float64(d))))})
	scores = b.node(scope, "Add", []string{scores, mask}) // masked keys -> about -3.4e38
	probs := b.node(scope, "Softmax", []string{scores}, IntAttr("axis", -1))
	ctx := b.node(scope, "MatMul", []string{probs, v})                            // [B, heads, S, D]
	ctx = b.node(scope, "Transpose", []string{ctx}, IntsAttr("perm", 0, 2, 1, 3)) // [B, S, heads, D]
	join := b.int64s(fmt.Sprintf("const.shape_0_0_%d", cfg.HiddenSize), []int64{0, 0, int64(cfg.HiddenSize)}, 3)
	return b.node(scope, "Reshape", []string{ctx, join}) // [B, S, H]
}

// pooler is BertPooler: tanh(dense(h[:, 0])).
func (b *builder) pooler(scope, h string) string {
	cls := b.node(scope, "Gather", []string{h, b.scalarInt64("zero", 0)}, IntAttr("axis", 1)) // [B, H]
	return b.node(scope, "Tanh", []string{b.linear(scope+".dense", cls)})
}

// mlmHead is BertLMPredictionHead: LayerNorm(act(dense(h))) · word_embeddingsᵀ + bias.
func (b *builder) mlmHead(scope, h string) string {
	t := b.linear(scope+".transform.dense", h)
	t = b.activation(scope+".transform", t)
	t = b.layerNorm(scope+".transform.LayerNorm", t)
	wordT := b.node(scope+".decoder", "Transpose", []string{b.weight("bert.embeddings.word_embeddings.weight")}, IntsAttr("perm", 1, 0)) // [H, V], tied
	logits := b.node(scope+".decoder", "MatMul", []string{t, wordT})
	return b.node(scope+".decoder", "Add", []string{logits, b.weight(scope + ".bias")})
}

// linear is nn.Linear: x · Wᵀ + b, with Wᵀ stored as an [in, out] initializer.
func (b *builder) linear(scope, x string) string {
	y := b.node(scope, "MatMul", []string{x, b.transposedWeight(scope + ".weight")})
	return b.node(scope, "Add", []string{y, b.weight(scope + ".bias")})
}

// layerNorm is nn.LayerNorm over the last axis with the config's epsilon:
// one LayerNormalization node from opset 17, the same math spelled out
// before it: (x - mean) / sqrt(mean((x - mean)²) + eps) · weight + bias.
func (b *builder) layerNorm(scope, x string) string {
	gamma, beta := b.weight(scope+".weight"), b.weight(scope+".bias")
	eps := float32(b.cfg.LayerNormEps)
	if b.opset >= 17 {
		return b.node(scope, "LayerNormalization", []string{x, gamma, beta}, IntAttr("axis", -1), FloatAttr("epsilon", eps))
	}
	lastAxis := []Attr{IntsAttr("axes", -1), IntAttr("keepdims", 1)}
	mean := b.node(scope, "ReduceMean", []string{x}, lastAxis...)
	d := b.node(scope, "Sub", []string{x, mean})
	variance := b.node(scope, "ReduceMean", []string{b.node(scope, "Mul", []string{d, d})}, lastAxis...) // biased
	plusEps := b.node(scope, "Add", []string{variance, b.scalarFloat("eps_"+strconv.FormatFloat(float64(eps), 'g', -1, 32), eps)})
	y := b.node(scope, "Div", []string{d, b.node(scope, "Sqrt", []string{plusEps})})
	return b.node(scope, "Add", []string{b.node(scope, "Mul", []string{y, gamma}), beta})
}

// activation is config.hidden_act: exact GELU 0.5·x·(1 + erf(x/√2)) ("gelu"),
// its tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
// ("gelu_new", "gelu_pytorch_tanh"), or ReLU.
func (b *builder) activation(scope, x string) string {
	half, one := b.scalarFloat("half", 0.5), b.scalarFloat("one_f", 1)
	mul := func(p, q string) string { return b.node(scope, "Mul", []string{p, q}) }
	add := func(p, q string) string { return b.node(scope, "Add", []string{p, q}) }
	switch b.cfg.HiddenAct {
	case "gelu":
		erf := b.node(scope, "Erf", []string{b.node(scope, "Div", []string{x, b.scalarFloat("sqrt_2", math.Sqrt2)})})
		return mul(mul(x, add(erf, one)), half)
	case "gelu_new", "gelu_pytorch_tanh":
		cube := mul(mul(x, x), x)
		inner := mul(add(x, mul(cube, b.scalarFloat("gelu_coef", 0.044715))), b.scalarFloat("sqrt_2_over_pi", float32(math.Sqrt(2/math.Pi))))
		return mul(mul(x, half), add(b.node(scope, "Tanh", []string{inner}), one))
	default: // relu; Config.Validate admits nothing else
		return b.node(scope, "Relu", []string{x})
	}
}

// node appends one single-output node and returns its output's name.
func (b *builder) node(scope, op string, inputs []string, attrs ...Attr) string {
	name := fmt.Sprintf("%s/%s_%d", scope, op, b.counter)
	b.counter++
	b.g.Nodes = append(b.g.Nodes, Node{Name: name, OpType: op, Inputs: inputs, Outputs: []string{name}, Attrs: attrs})
	return name
}

// output declares a graph output computed as value.
func (b *builder) output(value, name string, dims []Dim) {
	b.alias[value] = name
	b.g.Outputs = append(b.g.Outputs, ValueInfo{Name: name, ElemType: Float32, Dims: dims})
}

// resolveAliases renames the values declared as outputs to the outputs' names.
func (b *builder) resolveAliases() {
	for i := range b.g.Nodes {
		n := &b.g.Nodes[i]
		for _, names := range [][]string{n.Inputs, n.Outputs} {
			for j, v := range names {
				if a, ok := b.alias[v]; ok {
					names[j] = a
				}
			}
		}
	}
}

// weight adds a parameter as an initializer under its HuggingFace name.
func (b *builder) weight(name string) string {
	if !b.inits[name] {
		t := b.p.Tensors[name]
		b.addInit(&Tensor{Name: name, DataType: Float32, Dims: dims64(t.Shape()), Raw: float32Bytes(t.Data().([]float32))})
	}
	return name
}

// transposedWeight adds an nn.Linear kernel [out, in] as its transpose [in, out].
func (b *builder) transposedWeight(name string) string {
	tname := name + ".T"
	if !b.inits[tname] {
		t := b.p.Tensors[name]
		out, in := t.Shape()[0], t.Shape()[1]
		w := t.Data().([]float32)
		wt := make([]float32, len(w))
		for o := 0; o < out; o++ {
			for i := 0; i < in; i++ {
				wt[i*out+o] = w[o*in+i]
			}
		}
		b.addInit(&Tensor{Name: tname, DataType: Float32, Dims: []int64{int64(in), int64(out)}, Raw: float32Bytes(wt),
			Doc: name + " transposed to [in, out]"})
	}
	return tname
}

func (b *builder) scalarFloat(name string, v float32) string {
	name = "const." + name
	if !b.inits[name] {
		b.addInit(&Tensor{Name: name, DataType: Float32, Raw: float32Bytes([]float32{v})})
	}
	return name
}

func (b *builder) scalarInt64(name string, v int64) string {
	name = "const." + name
	if !b.inits[name] {
		b.addInit(&Tensor{Name: name, DataType: Int64, Raw: int64Bytes([]int64{v})})
	}
	return name
}

// int64s adds an int64 tensor under its full name.
func (b *builder) int64s(name string, v []int64, dims ...int64) string {
	if !b.inits[name] {
		b.addInit(&Tensor{Name: name, DataType: Int64, Dims: dims, Raw: int64Bytes(v)})
	}
	return name
}

func (b *builder) addInit(t *Tensor) {
	b.inits[t.Name] = true
	b.g.Initializers = append(b.g.Initializers, t)
}

func dims64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
