package checkpoint

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeRawST writes a safetensors file by hand: length, header, data.
func writeRawST(t *testing.T, path, header string, data []byte) {
	t.Helper()
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	b = append(b, data...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless err mentions every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func TestHalfToFloat(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xc000, -2},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},                  // largest finite
		{0x0400, 6.103515625e-05},        // smallest normal, 2^-14
		{0x0001, 5.960464477539063e-08},  // smallest subnormal, 2^-24
		{0x03ff, 6.097555160522461e-05},  // largest subnormal, 1023·2^-24
		{0x0200, 3.0517578125e-05},       // 2^-15
		{0x8001, -5.960464477539063e-08}, // negative subnormal
		{0x7c00, float32(math.Inf(1))},
		{0xfc00, float32(math.Inf(-1))},
	} {
		if got := halfToFloat(c.h); got != c.want {
			t.Errorf("halfToFloat(%#04x) = %g, want %g", c.h, got, c.want)
		}
	}
	if got := halfToFloat(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("halfToFloat(0x8000) = %g, want -0", got)
	}
	for _, h := range []uint16{0x7e00, 0x7c01, 0xfe00} {
		if got := halfToFloat(h); !math.IsNaN(float64(got)) {
			t.Errorf("halfToFloat(%#04x) = %g, want NaN", h, got)
		}
	}
	// Every finite half is an exact float32: check against the defining formula.
	for h := 0; h < 1<<16; h++ {
		exp, frac := (h>>10)&0x1f, h&0x3ff
		if exp == 0x1f {
			continue
		}
		var v float64
		if exp == 0 {
			v = math.Ldexp(float64(frac), -24)
		} else {
			v = math.Ldexp(float64(frac|0x400), exp-25)
		}
		if h&0x8000 != 0 {
			v = -v
		}
		if got := halfToFloat(uint16(h)); float64(got) != v {
			t.Fatalf("halfToFloat(%#04x) = %g, want %g", h, got, v)
		}
	}
}

// TestReadHalfAndDoubleTensors: F16, BF16 and F64 tensors are widened or
// narrowed to float32 with the right values, integer tensors are skipped.
func TestReadHalfAndDoubleTensors(t *testing.T) {
	var data []byte
	f16 := []uint16{0x3c00, 0xc000, 0x0001, 0x7c00}
	for _, h := range f16 {
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	bf16 := []uint16{0x3f80, 0xc040, 0x0001, 0xff80, 0x3eaa}
	for _, h := range bf16 {
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	f64 := []float64{0.1, -1e300, 3}
	for _, v := range f64 {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(v))
	}
	for i := 0; i < 3; i++ { // I64 position_ids
		data = binary.LittleEndian.AppendUint64(data, uint64(i))
	}
	header := `{"__metadata__":{"format":"pt"},
		"a.half":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},
		"b.brain":{"dtype":"BF16","shape":[5],"data_offsets":[8,18]},
		"c.double":{"dtype":"F64","shape":[3],"data_offsets":[18,42]},
		"bert.embeddings.position_ids":{"dtype":"I64","shape":[1,3],"data_offsets":[42,66]}}`
	path := filepath.Join(t.TempDir(), "mixed.safetensors")
	writeRawST(t, path, header, data)
	ts, meta, skipped, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" {
		t.Errorf("metadata %v", meta)
	}
	if !slices.Equal(skipped, []string{"bert.embeddings.position_ids"}) {
		t.Errorf("skipped %v, want the position_ids buffer", skipped)
	}
	if len(ts) != 3 {
		t.Errorf("%d tensors, want 3", len(ts))
	}
	inf := float32(math.Inf(1))
	for name, want := range map[string]Tensor{
		"a.half":   {[]int{2, 2}, []float32{1, -2, 5.960464477539063e-08, inf}},
		"b.brain":  {[]int{5}, []float32{1, -3, math.Float32frombits(0x00010000), float32(math.Inf(-1)), math.Float32frombits(0x3eaa0000)}},
		"c.double": {[]int{3}, []float32{float32(0.1), float32(math.Inf(-1)), 3}},
	} {
		got := ts[name]
		if !slices.Equal(got.Shape, want.Shape) || !slices.Equal(got.Data, want.Data) {
			t.Errorf("%s = %v %v, want %v %v", name, got.Shape, got.Data, want.Shape, want.Data)
		}
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rt.safetensors")
	in := map[string]Tensor{
		"w":      {[]int{2, 3}, []float32{1, -2, 3.5, float32(math.Inf(1)), 1e-40, -0}},
		"scalar": {[]int{}, []float32{7}},
		"b":      {[]int{1}, []float32{0.25}},
	}
	if err := WriteSafetensors(path, in, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if hlen := binary.LittleEndian.Uint64(raw); hlen%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", hlen)
	}
	out, meta, skipped, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" || len(skipped) != 0 || len(out) != len(in) {
		t.Fatalf("meta %v, skipped %v, %d tensors", meta, skipped, len(out))
	}
	for n, want := range in {
		got := out[n]
		if !slices.Equal(got.Shape, want.Shape) || len(got.Data) != len(want.Data) {
			t.Fatalf("%s: %v %v, want %v %v", n, got.Shape, got.Data, want.Shape, want.Data)
		}
		for i := range got.Data {
			if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
				t.Errorf("%s[%d] = %g, want %g", n, i, got.Data[i], want.Data[i])
			}
		}
	}
	err = WriteSafetensors(path, map[string]Tensor{"bad": {[]int{2, 2}, []float32{1, 2, 3}}}, nil)
	wantErr(t, err, `"bad"`, "[2 2]", "4 values", "data has 3")
}

// TestReadSafetensorsTruncated cuts a valid file at several points: every
// cut is an error that names the file and says it is truncated.
func TestReadSafetensorsTruncated(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.safetensors")
	if err := WriteSafetensors(full, map[string]Tensor{
		"a": {[]int{4, 4}, make([]float32, 16)},
		"b": {[]int{8}, make([]float32, 8)},
	}, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	hlen := int(binary.LittleEndian.Uint64(raw))
	cuts := map[string]int{
		"empty": 0, "inside length": 3, "length only": 8,
		"inside header": 8 + hlen/2, "header minus one": 8 + hlen - 1,
		"no data": 8 + hlen, "inside first tensor": 8 + hlen + 10, "last byte": len(raw) - 1,
	}
	for name, n := range cuts {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".safetensors")
			if err := os.WriteFile(p, raw[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, _, err := ReadSafetensors(p)
			wantErr(t, err, p, "truncated")
		})
	}
	if _, _, _, err := ReadSafetensors(full); err != nil {
		t.Fatalf("the uncut file: %v", err)
	}
}

func TestReadSafetensorsBadFiles(t *testing.T) {
	dir := t.TempDir()
	f32x4 := make([]byte, 16)
	for _, c := range []struct {
		name   string
		header string
		hlen   int64 // overrides the length field when non-zero
		data   []byte
		want   []string
	}{
		{"zero header length", `{}`, -1, nil, []string{"bad safetensors header length 0"}},
		{"huge header length", `{}`, 1 << 40, nil, []string{"bad safetensors header length 1099511627776"}},
		{"negative header length", `{}`, -1 << 62, nil, []string{"bad safetensors header length"}},
		{"header garbage", `{"a": nonsense}`, 0, nil, []string{"bad safetensors header"}},
		{"header not an object", `[1, 2, 3]`, 0, nil, []string{"bad safetensors header"}},
		{"entry garbage", `{"a": {"dtype": 5}}`, 0, nil, []string{`tensor "a"`, "bad header entry"}},
		{"unknown dtype", `{"a":{"dtype":"F12","shape":[4],"data_offsets":[0,16]}}`, 0, f32x4, []string{`tensor "a"`, `unknown dtype "F12"`}},
		{"offset past data", `{"a":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}`, 0, f32x4, []string{`tensor "a"`, "data offsets [8, 24)", "16 data bytes"}},
		{"negative offset", `{"a":{"dtype":"F32","shape":[4],"data_offsets":[-4,12]}}`, 0, f32x4, []string{`tensor "a"`, "data offsets [-4, 12)"}},
		{"reversed offsets", `{"a":{"dtype":"F32","shape":[0],"data_offsets":[12,4]}}`, 0, f32x4, []string{`tensor "a"`, "data offsets [12, 4)"}},
		{"size mismatch", `{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}`, 0, f32x4, []string{`tensor "a"`, "F32[3] needs 12 bytes, header gives 16"}},
		{"negative dimension", `{"a":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]}}`, 0, f32x4, []string{`tensor "a"`, "negative dimension"}},
		// 2^62·4 elements overflow int to 0, which would match the empty data range.
		{"overflowing shape", `{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}`, 0, nil, []string{`tensor "a"`, "shape [4611686018427387904 4] has too many values"}},
		{"bad metadata", `{"__metadata__": [1]}`, 0, nil, []string{"bad __metadata__"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".safetensors")
			writeRawST(t, p, c.header, c.data)
			if c.hlen != 0 {
				raw, _ := os.ReadFile(p)
				v := c.hlen
				if v == -1 {
					v = 0
				}
				binary.LittleEndian.PutUint64(raw, uint64(v))
				if err := os.WriteFile(p, raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ts, _, _, err := ReadSafetensors(p)
			wantErr(t, err, append([]string{p}, c.want...)...)
			if ts != nil {
				t.Errorf("tensors returned with the error")
			}
		})
	}
	_, _, _, err := ReadSafetensors(filepath.Join(dir, "absent.safetensors"))
	wantErr(t, err, "absent.safetensors")
	// An empty shape-zero tensor and an empty header object are fine.
	p := filepath.Join(dir, "empty-ok.safetensors")
	writeRawST(t, p, `{"z":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]}}`, nil)
	ts, _, _, err := ReadSafetensors(p)
	if err != nil || len(ts["z"].Data) != 0 || !slices.Equal(ts["z"].Shape, []int{0, 5}) {
		t.Errorf("zero-size tensor: %v, %v", ts, err)
	}
}
