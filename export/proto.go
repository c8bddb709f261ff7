package export

import (
	"io"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of onnx.proto3 (ONNX 1.12+), for the messages written here.
const (
	modelIRVersion       = 1
	modelProducerName    = 2
	modelProducerVersion = 3
	modelDocString       = 6
	modelGraph           = 7
	modelOpsetImport     = 8
	modelMetadataProps   = 14

	opsetDomain  = 1
	opsetVersion = 2

	entryKey   = 1 // StringStringEntryProto
	entryValue = 2

	graphNode        = 1
	graphName        = 2
	graphInitializer = 5
	graphInput       = 11
	graphOutput      = 12

	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5

	attrName = 1
	attrF    = 2
	attrI    = 3
	attrInts = 8
	attrType = 20

	tensorDims         = 1
	tensorDataType     = 2
	tensorName         = 8
	tensorRawData      = 9
	tensorDocString    = 12
	tensorExternalData = 13
	tensorDataLocation = 14

	valueInfoName = 1
	valueInfoType = 2

	typeTensorType = 1 // TypeProto.tensor_type
	tensorElemType = 1 // TypeProto.Tensor
	tensorShape    = 2
	shapeDim       = 1 // TensorShapeProto
	dimValue       = 1 // TensorShapeProto.Dimension
	dimParam       = 2

	dataLocationExternal = 1
)

// message is an encoded protobuf message kept as a list of byte slices, so
// that large tensor payloads are referenced, not copied, on their way into
// the model and out to the file.
type message struct {
	parts [][]byte
	buf   []byte // small fields not yet moved to parts
	size  int
}

func (m *message) flush() {
	if len(m.buf) > 0 {
		m.parts = append(m.parts, m.buf)
		m.buf = nil
	}
}

func (m *message) grow(before int) { m.size += len(m.buf) - before }

func (m *message) varint(field protowire.Number, v uint64) {
	n := len(m.buf)
	m.buf = protowire.AppendTag(m.buf, field, protowire.VarintType)
	m.buf = protowire.AppendVarint(m.buf, v)
	m.grow(n)
}

func (m *message) int64(field protowire.Number, v int64) { m.varint(field, uint64(v)) }

func (m *message) float32(field protowire.Number, v float32) {
	n := len(m.buf)
	m.buf = protowire.AppendTag(m.buf, field, protowire.Fixed32Type)
	m.buf = protowire.AppendFixed32(m.buf, math.Float32bits(v))
	m.grow(n)
}

func (m *message) string(field protowire.Number, s string) {
	n := len(m.buf)
	m.buf = protowire.AppendTag(m.buf, field, protowire.BytesType)
	m.buf = protowire.AppendString(m.buf, s)
	m.grow(n)
}

// optString writes s unless it is empty (proto3 omits default values).
func (m *message) optString(field protowire.Number, s string) {
	if s != "" {
		m.string(field, s)
	}
}

// packedInt64s writes a packed repeated int64 field.
func (m *message) packedInt64s(field protowire.Number, vs []int64) {
	if len(vs) == 0 {
		return
	}
	var body []byte
	for _, v := range vs {
		body = protowire.AppendVarint(body, uint64(v))
	}
	n := len(m.buf)
	m.buf = protowire.AppendTag(m.buf, field, protowire.BytesType)
	m.buf = protowire.AppendBytes(m.buf, body)
	m.grow(n)
}

// blob writes a bytes field whose payload is referenced, not copied.
func (m *message) blob(field protowire.Number, b []byte) {
	n := len(m.buf)
	m.buf = protowire.AppendTag(m.buf, field, protowire.BytesType)
	m.buf = protowire.AppendVarint(m.buf, uint64(len(b)))
	m.grow(n)
	m.flush()
	m.parts = append(m.parts, b)
	m.size += len(b)
}

// sub writes an embedded message field.
func (m *message) sub(field protowire.Number, s *message) {
	n := len(m.buf)
	m.buf = protowire.AppendTag(m.buf, field, protowire.BytesType)
	m.buf = protowire.AppendVarint(m.buf, uint64(s.size))
	m.grow(n)
	m.flush()
	s.flush()
	m.parts = append(m.parts, s.parts...)
	m.size += s.size
}

// WriteTo writes the encoded message.
func (m *message) WriteTo(w io.Writer) (int64, error) {
	m.flush()
	var n int64
	for _, p := range m.parts {
		k, err := w.Write(p)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Bytes returns the encoded message in one slice.
func (m *message) Bytes() []byte {
	m.flush()
	out := make([]byte, 0, m.size)
	for _, p := range m.parts {
		out = append(out, p...)
	}
	return out
}

func encodeModel(md *Model) *message {
	m := &message{}
	m.int64(modelIRVersion, md.IRVersion)
	m.optString(modelProducerName, md.ProducerName)
	m.optString(modelProducerVersion, md.ProducerVersion)
	m.optString(modelDocString, md.DocString)
	m.sub(modelGraph, encodeGraph(&md.Graph))
	opset := &message{}
	opset.string(opsetDomain, "") // the default domain, ai.onnx
	opset.int64(opsetVersion, md.Opset)
	m.sub(modelOpsetImport, opset)
	for _, kv := range md.Metadata {
		m.sub(modelMetadataProps, encodeEntry(kv[0], kv[1]))
	}
	return m
}

func encodeEntry(k, v string) *message {
	e := &message{}
	e.string(entryKey, k)
	e.string(entryValue, v)
	return e
}

func encodeGraph(g *Graph) *message {
	m := &message{}
	for i := range g.Nodes {
		m.sub(graphNode, encodeNode(&g.Nodes[i]))
	}
	m.string(graphName, g.Name)
	for _, t := range g.Initializers {
		m.sub(graphInitializer, encodeTensor(t))
	}
	for _, v := range g.Inputs {
		m.sub(graphInput, encodeValueInfo(v))
	}
	for _, v := range g.Outputs {
		m.sub(graphOutput, encodeValueInfo(v))
	}
	return m
}

func encodeNode(n *Node) *message {
	m := &message{}
	for _, in := range n.Inputs {
		m.string(nodeInput, in)
	}
	for _, out := range n.Outputs {
		m.string(nodeOutput, out)
	}
	m.optString(nodeName, n.Name)
	m.string(nodeOpType, n.OpType)
	for _, a := range n.Attrs {
		am := &message{}
		am.string(attrName, a.Name)
		switch a.Kind {
		case AttrFloat:
			am.float32(attrF, a.Float)
		case AttrInt:
			am.int64(attrI, a.Int)
		case AttrInts:
			// AttributeProto.ints is a repeated int64 of proto2 origin: parsers
			// accept packed and unpacked; write one varint per element as
			// onnx's own Python helper does.
			for _, v := range a.Ints {
				am.int64(attrInts, v)
			}
		}
		am.int64(attrType, int64(a.Kind))
		m.sub(nodeAttribute, am)
	}
	return m
}

func encodeTensor(t *Tensor) *message {
	m := &message{}
	m.packedInt64s(tensorDims, t.Dims)
	m.int64(tensorDataType, int64(t.DataType))
	m.string(tensorName, t.Name)
	m.optString(tensorDocString, t.Doc)
	if t.External == nil {
		m.blob(tensorRawData, t.Raw)
		return m
	}
	m.sub(tensorExternalData, encodeEntry("location", t.External.Location))
	m.sub(tensorExternalData, encodeEntry("offset", itoa64(t.External.Offset)))
	m.sub(tensorExternalData, encodeEntry("length", itoa64(t.External.Length)))
	m.int64(tensorDataLocation, dataLocationExternal)
	return m
}

func encodeValueInfo(v ValueInfo) *message {
	shape := &message{}
	for _, d := range v.Dims {
		dm := &message{}
		if d.Param != "" {
			dm.string(dimParam, d.Param)
		} else {
			dm.int64(dimValue, d.Value)
		}
		shape.sub(shapeDim, dm)
	}
	tt := &message{}
	tt.int64(tensorElemType, int64(v.ElemType))
	tt.sub(tensorShape, shape)
	typ := &message{}
	typ.sub(typeTensorType, tt)
	m := &message{}
	m.string(valueInfoName, v.Name)
	m.sub(valueInfoType, typ)
	return m
}
