package export_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/export"
	"google.golang.org/protobuf/encoding/protowire"
)

// These tests read the written protobuf back with a small generic decoder,
// so they check the bytes a runtime reads, not only the Go values.

// pb is a decoded message: field number -> raw values (varints, fixed32s,
// byte strings) in order.
type pb map[protowire.Number][]any

func decode(t *testing.T, b []byte) pb {
	t.Helper()
	m := pb{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var v any
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			v, n = protowire.ConsumeFixed32(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			t.Fatalf("field %d: unexpected wire type %d", num, typ)
		}
		if n < 0 {
			t.Fatalf("field %d: %v", num, protowire.ParseError(n))
		}
		m[num] = append(m[num], v)
		b = b[n:]
	}
	return m
}

func (m pb) msgs(t *testing.T, f protowire.Number) []pb {
	var out []pb
	for _, v := range m[f] {
		out = append(out, decode(t, v.([]byte)))
	}
	return out
}

func (m pb) msg(t *testing.T, f protowire.Number) pb {
	ms := m.msgs(t, f)
	if len(ms) != 1 {
		t.Fatalf("field %d: %d messages, want 1", f, len(ms))
	}
	return ms[0]
}

func (m pb) str(f protowire.Number) string {
	if len(m[f]) == 0 {
		return ""
	}
	return string(m[f][0].([]byte))
}

func (m pb) strs(f protowire.Number) []string {
	var out []string
	for _, v := range m[f] {
		out = append(out, string(v.([]byte)))
	}
	return out
}

func (m pb) int(f protowire.Number) int64 {
	if len(m[f]) == 0 {
		return 0
	}
	return int64(m[f][0].(uint64))
}

// ints reads a repeated int64, packed or not.
func (m pb) ints(t *testing.T, f protowire.Number) []int64 {
	var out []int64
	for _, v := range m[f] {
		switch v := v.(type) {
		case uint64:
			out = append(out, int64(v))
		case []byte:
			for len(v) > 0 {
				x, n := protowire.ConsumeVarint(v)
				if n < 0 {
					t.Fatal("bad packed varint")
				}
				out = append(out, int64(x))
				v = v[n:]
			}
		}
	}
	return out
}

// decoded is the part of a ModelProto the tests look at.
type decoded struct {
	irVersion, opset int64
	inputs, outputs  map[string][]string // name -> dims ("batch_size", "32")
	elemTypes        map[string]int64
	inits            map[string]pb
	nodes            []pb
}

func decodeModel(t *testing.T, b []byte) decoded {
	t.Helper()
	model := decode(t, b)
	d := decoded{irVersion: model.int(1), inputs: map[string][]string{}, outputs: map[string][]string{},
		elemTypes: map[string]int64{}, inits: map[string]pb{}}
	for _, op := range model.msgs(t, 8) {
		if op.str(1) == "" {
			d.opset = op.int(2)
		}
	}
	g := model.msg(t, 7)
	d.nodes = g.msgs(t, 1)
	for _, init := range g.msgs(t, 5) {
		d.inits[init.str(8)] = init
	}
	for f, into := range map[protowire.Number]map[string][]string{11: d.inputs, 12: d.outputs} {
		for _, vi := range g.msgs(t, f) {
			tt := vi.msg(t, 2).msg(t, 1)
			var dims []string
			for _, dim := range tt.msg(t, 2).msgs(t, 1) {
				if p := dim.str(2); p != "" {
					dims = append(dims, p)
				} else {
					dims = append(dims, strconv.FormatInt(dim.int(1), 10))
				}
			}
			into[vi.str(1)] = dims
			d.elemTypes[vi.str(1)] = tt.int(1)
		}
	}
	return d
}

// ops counts the nodes of each op type.
func (d decoded) ops() map[string]int {
	out := map[string]int{}
	for _, n := range d.nodes {
		out[n.str(4)]++
	}
	return out
}

// attr returns a node's attribute by name.
func attr(t *testing.T, n pb, name string) pb {
	for _, a := range n.msgs(t, 5) {
		if a.str(1) == name {
			return a
		}
	}
	return nil
}

func TestONNXModelStructure(t *testing.T) {
	cases := []struct {
		task    gorbert.Task
		outputs map[string][]string
	}{
		{gorbert.TaskBase, map[string][]string{"last_hidden_state": {"batch_size", "sequence_length", "32"}, "pooler_output": {"batch_size", "32"}}},
		{gorbert.TaskPretraining, map[string][]string{"prediction_logits": {"batch_size", "sequence_length", "99"}, "seq_relationship_logits": {"batch_size", "2"}}},
		{gorbert.TaskMLM, map[string][]string{"logits": {"batch_size", "sequence_length", "99"}}},
		{gorbert.TaskClassify, map[string][]string{"logits": {"batch_size", "3"}}},
		{gorbert.TaskNER, map[string][]string{"logits": {"batch_size", "sequence_length", "5"}}},
		{gorbert.TaskQA, map[string][]string{"start_logits": {"batch_size", "sequence_length"}, "end_logits": {"batch_size", "sequence_length"}}},
	}
	for _, c := range cases {
		t.Run(string(c.task), func(t *testing.T) {
			p := tinyParams("gelu", c.task)
			m, err := export.BuildModel(p, 0)
			if err != nil {
				t.Fatal(err)
			}
			d := decodeModel(t, m.Marshal())
			if d.irVersion != export.IRVersion || d.opset != 17 {
				t.Errorf("ir_version %d opset %d, want %d and 17", d.irVersion, d.opset, export.IRVersion)
			}
			for _, in := range []string{"input_ids", "attention_mask", "token_type_ids"} {
				if !slices.Equal(d.inputs[in], []string{"batch_size", "sequence_length"}) || d.elemTypes[in] != 7 {
					t.Errorf("input %s: dims %v elem type %d, want [batch_size sequence_length] int64", in, d.inputs[in], d.elemTypes[in])
				}
			}
			if len(d.inputs) != 3 {
				t.Errorf("inputs %v, want the three int64 inputs only", d.inputs)
			}
			if len(d.outputs) != len(c.outputs) {
				t.Errorf("outputs %v, want %v", d.outputs, c.outputs)
			}
			for name, dims := range c.outputs {
				if !slices.Equal(d.outputs[name], dims) || d.elemTypes[name] != 1 {
					t.Errorf("output %s: dims %v elem type %d, want %v float", name, d.outputs[name], d.elemTypes[name], dims)
				}
			}
			if got := export.OutputNames(c.task); len(got) != len(c.outputs) {
				t.Errorf("OutputNames = %v", got)
			}

			// Every parameter is an initializer: as itself, or transposed for MatMul.
			for _, s := range p.Config.ParamSpecs(c.task) {
				want := p.Data(s.Name)
				if init, ok := d.inits[s.Name]; ok {
					if !slices.Equal(init.ints(t, 1), int64s(s.Shape)) || !bytes.Equal(init.m(9), le32(want)) {
						t.Errorf("initializer %s: dims %v or data differ from the weight", s.Name, init.ints(t, 1))
					}
					continue
				}
				init, ok := d.inits[s.Name+".T"]
				if !ok {
					t.Errorf("parameter %s is not an initializer", s.Name)
					continue
				}
				out, in := s.Shape[0], s.Shape[1]
				if !slices.Equal(init.ints(t, 1), []int64{int64(in), int64(out)}) {
					t.Errorf("%s.T: dims %v, want [%d %d]", s.Name, init.ints(t, 1), in, out)
				}
				wt := make([]float32, len(want))
				for o := 0; o < out; o++ {
					for i := 0; i < in; i++ {
						wt[i*out+o] = want[o*in+i]
					}
				}
				if !bytes.Equal(init.m(9), le32(wt)) {
					t.Errorf("%s.T is not the transposed weight", s.Name)
				}
			}

			// Nodes are in topological order and read only defined values.
			defined := map[string]bool{"input_ids": true, "attention_mask": true, "token_type_ids": true}
			for name := range d.inits {
				defined[name] = true
			}
			for _, n := range d.nodes {
				for _, in := range n.strs(1) {
					if !defined[in] {
						t.Fatalf("node %s (%s) reads %q before it is defined", n.str(3), n.str(4), in)
					}
				}
				for _, out := range n.strs(2) {
					if defined[out] {
						t.Fatalf("node %s redefines %q", n.str(3), out)
					}
					defined[out] = true
				}
			}
			for name := range c.outputs {
				if !defined[name] {
					t.Errorf("no node computes output %s", name)
				}
			}
		})
	}
}

// m returns a bytes field.
func (m pb) m(f protowire.Number) []byte {
	if len(m[f]) == 0 {
		return nil
	}
	return m[f][0].([]byte)
}

func int64s(s []int) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[i] = int64(v)
	}
	return out
}

func le32(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = protowire.AppendFixed32(b, math.Float32bits(x))
	}
	return b
}

// TestONNXAttentionAndActivation: per layer one Softmax over the last axis
// fed by scores plus the additive mask (1 - mask)·finfo(float32).min, and
// the activation the config names (Erf only for exact GELU), at both opsets.
func TestONNXAttentionAndActivation(t *testing.T) {
	cases := []struct {
		act   string
		opset int
		want  map[string]int // op -> count (the MLM head's transform uses the activation too)
		none  []string
	}{
		{"gelu", 17, map[string]int{"Erf": 3, "Softmax": 2, "LayerNormalization": 6, "Tanh": 1}, []string{"ReduceMean"}},
		{"gelu_new", 17, map[string]int{"Tanh": 4, "Softmax": 2, "LayerNormalization": 6}, []string{"Erf"}},
		{"relu", 17, map[string]int{"Relu": 3, "Tanh": 1}, []string{"Erf"}},
		{"gelu", 14, map[string]int{"Erf": 3, "ReduceMean": 12, "Sqrt": 6}, []string{"LayerNormalization"}},
	}
	for _, c := range cases {
		t.Run(c.act+"/opset"+strconv.Itoa(c.opset), func(t *testing.T) {
			m, err := export.BuildModel(tinyParams(c.act, gorbert.TaskPretraining), c.opset)
			if err != nil {
				t.Fatal(err)
			}
			d := decodeModel(t, m.Marshal())
			if d.opset != int64(c.opset) {
				t.Errorf("opset %d, want %d", d.opset, c.opset)
			}
			ops := d.ops()
			for op, n := range c.want {
				if ops[op] != n {
					t.Errorf("%d %s nodes, want %d", ops[op], op, n)
				}
			}
			for _, op := range c.none {
				if ops[op] != 0 {
					t.Errorf("%d %s nodes, want none", ops[op], op)
				}
			}
			minInit := d.inits["const.float32_min"]
			if minInit == nil || !bytes.Equal(minInit.m(9), le32([]float32{-math.MaxFloat32})) {
				t.Fatal("no const.float32_min = finfo(float32).min initializer")
			}
			producer := map[string]pb{}
			for _, n := range d.nodes {
				producer[n.strs(2)[0]] = n
			}
			softmaxes := 0
			for _, n := range d.nodes {
				if n.str(4) != "Softmax" {
					continue
				}
				softmaxes++
				if a := attr(t, n, "axis"); a == nil || int64(a.int(3)) != -1 {
					t.Errorf("%s: softmax not over the last axis", n.str(3))
				}
				add := producer[n.strs(1)[0]]
				if add.str(4) != "Add" || producer[add.strs(1)[1]].str(4) != "Unsqueeze" {
					t.Errorf("%s: softmax input is not scores + the extended mask", n.str(3))
				}
			}
			if softmaxes != 2 {
				t.Errorf("%d softmaxes, want one per layer (2)", softmaxes)
			}
		})
	}
}

func TestONNXErrors(t *testing.T) {
	p := tinyParams("gelu", gorbert.TaskBase)
	if _, err := export.BuildModel(p, 13); err == nil || !strings.Contains(err.Error(), "opset 13") {
		t.Errorf("opset 13: err = %v", err)
	}
	delete(p.Tensors, "bert.pooler.dense.bias")
	if _, err := export.BuildModel(p, 0); err == nil || !strings.Contains(err.Error(), "bert.pooler.dense.bias") {
		t.Errorf("missing weight: err = %v", err)
	}
}

// TestONNXExternalData forces the external data layout with a 1-byte
// threshold: every tensor of 1 KiB or more lives in model.onnx.data at a
// page-aligned offset, with its exact bytes; smaller ones stay inline.
// The default threshold keeps a small model in one file.
func TestONNXExternalData(t *testing.T) {
	dir := t.TempDir()
	p := tinyParams("gelu", gorbert.TaskBase)
	inline, err := export.WriteONNX(filepath.Join(dir, "inline.onnx"), p, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inline.DataPath != "" {
		t.Fatalf("default threshold wrote external data %s", inline.DataPath)
	}
	if _, err := os.Stat(filepath.Join(dir, "inline.onnx.data")); !os.IsNotExist(err) {
		t.Fatalf("inline.onnx.data exists: %v", err)
	}

	path := filepath.Join(dir, "model.onnx")
	res, err := export.WriteONNX(path, p, export.Options{ExternalDataThreshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.DataPath != path+".data" {
		t.Fatalf("DataPath = %q, want %q", res.DataPath, path+".data")
	}
	modelBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(res.DataPath)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(modelBytes)) >= res.Weights {
		t.Errorf("model file %d bytes, weights %d: the weights did not move out", len(modelBytes), res.Weights)
	}
	d := decodeModel(t, modelBytes)
	external := 0
	for _, s := range p.Config.ParamSpecs(gorbert.TaskBase) {
		init := d.inits[s.Name]
		want := le32(p.Data(s.Name))
		if init == nil { // a transposed kernel: compare its length only
			init, want = d.inits[s.Name+".T"], nil
		}
		if len(p.Data(s.Name))*4 < 1024 {
			if init.int(14) != 0 || init.m(9) == nil {
				t.Errorf("%s (%d bytes) should stay inline", s.Name, 4*len(p.Data(s.Name)))
			}
			continue
		}
		if init.int(14) != 1 || init.m(9) != nil {
			t.Errorf("%s: data_location %d with %d raw bytes, want EXTERNAL and none", s.Name, init.int(14), len(init.m(9)))
			continue
		}
		kv := map[string]string{}
		for _, e := range init.msgs(t, 13) {
			kv[e.str(1)] = e.str(2)
		}
		if kv["location"] != "model.onnx.data" {
			t.Errorf("%s: location %q", s.Name, kv["location"])
		}
		off, length := parseInt(t, kv["offset"]), parseInt(t, kv["length"])
		if off%4096 != 0 || length != int64(4*len(p.Data(s.Name))) || off+length > int64(len(data)) {
			t.Errorf("%s: offset %d length %d in a %d-byte file", s.Name, off, length, len(data))
			continue
		}
		if want != nil && !bytes.Equal(data[off:off+length], want) {
			t.Errorf("%s: external bytes differ from the weight", s.Name)
		}
		external++
	}
	if external == 0 {
		t.Fatal("no tensor went to the external file")
	}
}

func parseInt(t *testing.T, s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
