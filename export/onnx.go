package export

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"

	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/atomicfile"
)

// Options choose how WriteONNX writes a model.
type Options struct {
	// Opset is the ai.onnx opset: 17 (LayerNormalization node, the default
	// when 0) or 14 (LayerNorm spelled out with ReduceMean, Sub, Mul, Sqrt, Div).
	Opset int
	// ExternalDataThreshold: when the weights take more bytes than this, they
	// go to a file beside the model (ONNX's external data convention); 0
	// means DefaultExternalThreshold, a negative value never.
	ExternalDataThreshold int64
}

const (
	// MaxProtoBytes is protobuf's hard limit on one message: a .onnx file
	// with its weights inside cannot be larger.
	MaxProtoBytes = 2 << 30
	// DefaultExternalThreshold leaves 64 MiB under MaxProtoBytes for the
	// graph itself.
	DefaultExternalThreshold = MaxProtoBytes - 64<<20
	// externalMinBytes: smaller tensors (scalars, shapes, biases) stay inside
	// the model even when the weights go outside, as onnx's save_model does.
	externalMinBytes = 1024
	// externalAlign: external tensors start at multiples of the page size,
	// so that runtimes can map them in place.
	externalAlign = 4096
)

// Result describes a written model.
type Result struct {
	Path     string // the .onnx file
	DataPath string // the external data file, "" when the weights are inside
	Opset    int
	Nodes    int
	Weights  int64 // bytes of initializers
	Outputs  []string
}

// WriteTo writes the model in protobuf's wire format; tensors with External
// set must already be in their data file.
func (m *Model) WriteTo(w io.Writer) (int64, error) { return encodeModel(m).WriteTo(w) }

// Marshal returns the encoded model.
func (m *Model) Marshal() []byte { return encodeModel(m).Bytes() }

// WeightBytes is the total size of the initializers' data.
func (m *Model) WeightBytes() int64 {
	var n int64
	for _, t := range m.Graph.Initializers {
		if t.External != nil {
			n += t.External.Length
		} else {
			n += int64(len(t.Raw))
		}
	}
	return n
}

// WriteONNX exports a model's inference graph to path (see BuildModel for
// the graph), its weights inside the file or, past the threshold, in
// path + ".data" beside it. Both files are written atomically.
func WriteONNX(path string, p *graph.Params, o Options) (Result, error) {
	m, err := BuildModel(p, o.Opset)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: path, Opset: int(m.Opset), Nodes: len(m.Graph.Nodes), Weights: m.WeightBytes()}
	for _, out := range m.Graph.Outputs {
		res.Outputs = append(res.Outputs, out.Name)
	}
	threshold := o.ExternalDataThreshold
	if threshold == 0 {
		threshold = DefaultExternalThreshold
	}
	if threshold > 0 && res.Weights > threshold {
		res.DataPath = path + ".data"
		if err := writeExternal(res.DataPath, m); err != nil {
			return Result{}, err
		}
	} else if res.Weights > DefaultExternalThreshold {
		return Result{}, fmt.Errorf("%s: %d bytes of weights do not fit in one protobuf (2 GiB); allow external data", path, res.Weights)
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if _, err := m.WriteTo(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// writeExternal moves every initializer of at least externalMinBytes into
// the data file at page-aligned offsets and points the tensor at it
// (location relative to the model's folder, offset, length).
func writeExternal(dataPath string, m *Model) error {
	location := filepath.Base(dataPath)
	return atomicfile.Write(dataPath, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		var off int64
		for _, t := range m.Graph.Initializers {
			if len(t.Raw) < externalMinBytes {
				continue
			}
			if pad := (externalAlign - off%externalAlign) % externalAlign; pad > 0 {
				if _, err := bw.Write(make([]byte, pad)); err != nil {
					return err
				}
				off += pad
			}
			if _, err := bw.Write(t.Raw); err != nil {
				return err
			}
			t.External = &ExternalData{Location: location, Offset: off, Length: int64(len(t.Raw))}
			off += int64(len(t.Raw))
			t.Raw = nil
		}
		return bw.Flush()
	})
}
