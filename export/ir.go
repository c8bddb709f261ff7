package export

// The subset of ONNX's intermediate representation this package writes, as
// plain Go values. proto.go encodes it in the protobuf wire format of
// onnx.proto3; bert.go fills it from a model's weights.

// ONNX tensor element types (TensorProto.DataType).
const (
	Float32 int32 = 1
	Int64   int32 = 7
)

// Versions written into every model.
const (
	// IRVersion 8 is the ONNX IR of opsets 15 to 17 (ONNX 1.10 to 1.12);
	// runtimes read a model whose IR version they know, and 8 is old
	// enough for every onnxruntime since 1.10.
	IRVersion = 8
	// DefaultOpset is the ai.onnx opset used when Options.Opset is 0. 17 has
	// LayerNormalization; 14 (also supported) spells LayerNorm out.
	DefaultOpset = 17
)

// Model is an ONNX ModelProto.
type Model struct {
	IRVersion       int64
	Opset           int64 // of the default domain ai.onnx
	ProducerName    string
	ProducerVersion string
	DocString       string
	Graph           Graph
	Metadata        [][2]string // metadata_props, in order
}

// Graph is an ONNX GraphProto: nodes in topological order, weights as
// initializers, and the declared inputs and outputs.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []*Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

// Node is one operator application (NodeProto).
type Node struct {
	Name    string
	OpType  string
	Inputs  []string
	Outputs []string
	Attrs   []Attr
}

// Attr is a node attribute (AttributeProto) of one of the kinds below.
type Attr struct {
	Name  string
	Kind  AttrKind
	Int   int64
	Float float32
	Ints  []int64
}

// AttrKind is AttributeProto.AttributeType.
type AttrKind int32

// The attribute kinds this package writes.
const (
	AttrFloat AttrKind = 1
	AttrInt   AttrKind = 2
	AttrInts  AttrKind = 7
)

// IntAttr, FloatAttr and IntsAttr build attributes.
func IntAttr(name string, v int64) Attr     { return Attr{Name: name, Kind: AttrInt, Int: v} }
func FloatAttr(name string, v float32) Attr { return Attr{Name: name, Kind: AttrFloat, Float: v} }
func IntsAttr(name string, v ...int64) Attr { return Attr{Name: name, Kind: AttrInts, Ints: v} }

// Tensor is an initializer (TensorProto): little-endian raw data, or a
// reference into an external data file when External is set.
type Tensor struct {
	Name     string
	DataType int32
	Dims     []int64 // none for a scalar
	Raw      []byte
	Doc      string
	External *ExternalData
}

// ExternalData locates a tensor's bytes in a file beside the model
// (TensorProto.external_data with data_location = EXTERNAL): Location is
// relative to the model file's folder, Offset and Length are in bytes.
type ExternalData struct {
	Location       string
	Offset, Length int64
}

// ValueInfo declares a graph input or output: its element type and shape,
// where a dimension is a number or a symbolic name (Dim.Param).
type ValueInfo struct {
	Name     string
	ElemType int32
	Dims     []Dim
}

// Dim is one dimension of a declared shape.
type Dim struct {
	Value int64
	Param string // symbolic ("batch_size"), when not empty
}
