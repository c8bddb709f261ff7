package export

import (
	"encoding/binary"
	"math"
	"strconv"
)

func itoa64(v int64) string { return strconv.FormatInt(v, 10) }

// float32Bytes is a float32 slice as little-endian bytes (TensorProto.raw_data).
func float32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// int64Bytes is an int64 slice as little-endian bytes.
func int64Bytes(v []int64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return b
}
