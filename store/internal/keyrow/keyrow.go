// Package keyrow is the one row of keys a backend of retold.Store keeps
// for each document (retold.ReadTx.Keys): its sorted keys, 8
// little-endian bytes each, in one blob.
package keyrow

import (
	"encoding/binary"
	"fmt"
)

// Encode packs sorted keys as 8 little-endian bytes each.
func Encode(keys []uint64) []byte {
	b := make([]byte, 0, 8*len(keys))
	for _, k := range keys {
		b = binary.LittleEndian.AppendUint64(b, k)
	}
	return b
}

// Decode unpacks b into dst[:0].
func Decode(dst []uint64, b []byte) ([]uint64, error) {
	if len(b)%8 != 0 {
		return dst, fmt.Errorf("key blob of %d bytes", len(b))
	}
	dst = dst[:0]
	for i := 0; i < len(b); i += 8 {
		dst = append(dst, binary.LittleEndian.Uint64(b[i:]))
	}
	return dst, nil
}
