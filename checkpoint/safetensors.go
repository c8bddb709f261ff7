package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/gorbert/gorbert/internal/atomicfile"
)

// Tensor is a dense float32 array in row-major order: the unit a safetensors
// file stores and the form weights take between the file and the graph.
type Tensor struct {
	Shape []int
	Data  []float32
}

// NumElements is the product of the shape (1 for a scalar).
func NumElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// safetensors header entry, as specified by huggingface/safetensors.
type stEntry struct {
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// maxHeader bounds the JSON header so a corrupt length cannot make us
// allocate gigabytes (the reference implementation uses 100 MB).
const maxHeader = 100 << 20

// ReadSafetensors reads every floating-point tensor of a safetensors file as
// float32 (F16 and BF16 are widened, F64 narrowed). Integer tensors, such as
// the position_ids buffer older checkpoints carry, are skipped: they are
// returned by name in skipped. The file's __metadata__ is returned as meta.
func ReadSafetensors(path string) (tensors map[string]Tensor, meta map[string]string, skipped []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, nil, err
	}
	size := st.Size()
	if size < 8 {
		return nil, nil, nil, fmt.Errorf("%s: truncated safetensors file (%d bytes, no header length)", path, size)
	}
	var n8 [8]byte
	if _, err := io.ReadFull(f, n8[:]); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	hlen := int64(binary.LittleEndian.Uint64(n8[:]))
	if hlen <= 0 || hlen > maxHeader {
		return nil, nil, nil, fmt.Errorf("%s: bad safetensors header length %d (file is %d bytes)", path, hlen, size)
	}
	if 8+hlen > size {
		return nil, nil, nil, fmt.Errorf("%s: truncated safetensors file: header length %d, but only %d bytes follow it", path, hlen, size-8)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: reading header: %w", path, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: bad safetensors header: %w", path, err)
	}
	dataLen := size - 8 - hlen
	tensors = map[string]Tensor{}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "__metadata__" {
			if err := json.Unmarshal(raw[name], &meta); err != nil {
				return nil, nil, nil, fmt.Errorf("%s: bad __metadata__: %w", path, err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(raw[name], &e); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: tensor %q: bad header entry: %w", path, name, err)
		}
		width, isFloat, ok := dtypeWidth(e.DType)
		if !ok {
			return nil, nil, nil, fmt.Errorf("%s: tensor %q: unknown dtype %q", path, name, e.DType)
		}
		count, err := elementCount(e.Shape, math.MaxInt64/int64(width))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		begin, end := e.Offsets[0], e.Offsets[1]
		if begin < 0 || end < begin || end > dataLen {
			return nil, nil, nil, fmt.Errorf("%s: tensor %q: data offsets [%d, %d) outside the %d data bytes (truncated file?)", path, name, begin, end, dataLen)
		}
		if end-begin != int64(count*width) {
			return nil, nil, nil, fmt.Errorf("%s: tensor %q: %s%v needs %d bytes, header gives %d", path, name, e.DType, e.Shape, count*width, end-begin)
		}
		if !isFloat {
			skipped = append(skipped, name)
			continue
		}
		buf := make([]byte, end-begin)
		if _, err := f.ReadAt(buf, 8+hlen+begin); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		tensors[name] = Tensor{Shape: append([]int{}, e.Shape...), Data: decodeFloats(e.DType, buf, count)}
	}
	return tensors, meta, skipped, nil
}

// elementCount is the product of shape, checked: no negative dimension and
// no more than limit elements, so that a corrupt shape cannot overflow into a
// small count that matches its data range.
func elementCount(shape []int, limit int64) (int, error) {
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d == 0 {
			return 0, nil
		}
	}
	n := int64(1)
	for _, d := range shape {
		if n > limit/int64(d) {
			return 0, fmt.Errorf("shape %v has too many values", shape)
		}
		n *= int64(d)
	}
	return int(n), nil
}

func dtypeWidth(dt string) (width int, isFloat, ok bool) {
	switch dt {
	case "F64":
		return 8, true, true
	case "F32":
		return 4, true, true
	case "F16", "BF16":
		return 2, true, true
	case "I64", "U64":
		return 8, false, true
	case "I32", "U32":
		return 4, false, true
	case "I16", "U16":
		return 2, false, true
	case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2":
		return 1, false, true
	}
	return 0, false, false
}

func decodeFloats(dt string, b []byte, n int) []float32 {
	out := make([]float32, n)
	switch dt {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case "F64":
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case "BF16":
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
	case "F16":
		for i := range out {
			out[i] = halfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
		}
	}
	return out
}

// halfToFloat widens an IEEE 754 binary16 value exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: renormalise
		e := int32(-14)
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		frac &= 0x3ff
		return math.Float32frombits(sign | uint32(e+127)<<23 | frac<<13)
	}
	return math.Float32frombits(sign | (exp-15+127)<<23 | frac<<13)
}

// WriteSafetensors writes tensors as F32 in a safetensors file, atomically,
// with names sorted and data aligned as HuggingFace's writer does.
func WriteSafetensors(path string, tensors map[string]Tensor, meta map[string]string) error {
	names := make([]string, 0, len(tensors))
	for k := range tensors {
		names = append(names, k)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var offset int64
	for _, name := range names {
		t := tensors[name]
		if NumElements(t.Shape) != len(t.Data) {
			return fmt.Errorf("%s: tensor %q: shape %v holds %d values, data has %d", path, name, t.Shape, NumElements(t.Shape), len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		n := int64(4 * len(t.Data))
		header[name] = stEntry{DType: "F32", Shape: shape, Offsets: [2]int64{offset, offset + n}}
		offset += n
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// Pad the header with spaces to a multiple of 8 bytes so the data is aligned.
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		var n8 [8]byte
		binary.LittleEndian.PutUint64(n8[:], uint64(len(hdr)))
		if _, err := w.Write(n8[:]); err != nil {
			return err
		}
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		buf := make([]byte, 0, 1<<16)
		for _, name := range names {
			for _, v := range tensors[name].Data {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) >= 1<<16-4 {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		}
		_, err := w.Write(buf)
		return err
	})
}
