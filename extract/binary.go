package extract

import (
	"bytes"
	"fmt"

	"github.com/retold/retold"
)

// sniffLen is how much of the input the control-character test looks at.
const sniffLen = 8 << 10

// magics are the signatures of binary formats people are likely to pass by
// mistake (an archive, a PDF of the article, a picture of it). Each is
// tested at offset 0.
var magics = []struct {
	prefix string
	what   string
}{
	{"\x1f\x8b", "gzip compressed data"},
	{"PK\x03\x04", "zip archive"},
	{"PK\x05\x06", "zip archive (empty)"},
	{"PK\x07\x08", "zip archive (spanned)"},
	{"%PDF-", "PDF document"},
	{"\xfd7zXZ\x00", "xz compressed data"},
	{"\x28\xb5\x2f\xfd", "zstd compressed data"},
	{"7z\xbc\xaf\x27\x1c", "7-zip archive"},
	{"\x89PNG\r\n\x1a\n", "PNG image"},
	{"\xff\xd8\xff", "JPEG image"},
	{"GIF87a", "GIF image"},
	{"GIF89a", "GIF image"},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document (old Microsoft Office)"},
}

// checkBinary returns an error wrapping retold.ErrBinary if data is not
// text: it starts with a known binary signature, holds a NUL byte anywhere
// (memchr is cheap, and no text format we read has one), or more than 10% of
// its first 8 KiB are control characters other than \t \n \r \f.
func checkBinary(data []byte) error {
	for _, m := range magics {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return fmt.Errorf("%w: %s", retold.ErrBinary, m.what)
		}
	}
	if isBzip2(data) {
		return fmt.Errorf("%w: bzip2 compressed data", retold.ErrBinary)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("%w: NUL byte at byte offset %d", retold.ErrBinary, i)
	}
	head := data[:min(len(data), sniffLen)]
	ctl := 0
	for _, c := range head {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f {
			ctl++
		}
	}
	if len(head) > 0 && ctl*10 > len(head) {
		return fmt.Errorf("%w: %d%% control characters in the first %d bytes",
			retold.ErrBinary, ctl*100/len(head), len(head))
	}
	return nil
}

// isBzip2 matches "BZh", a block-size digit and the magic of the first block
// (or of the end of stream); "BZh" alone is a plausible start of text.
func isBzip2(data []byte) bool {
	if len(data) < 10 || !bytes.HasPrefix(data, []byte("BZh")) || data[3] < '1' || data[3] > '9' {
		return false
	}
	return bytes.HasPrefix(data[4:], []byte("1AY&SY")) || bytes.HasPrefix(data[4:], []byte("\x17rE8P\x90"))
}
