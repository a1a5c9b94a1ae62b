// Package extract turns one input (a file or stdin) into a retold.Document:
// the step before `retold compare A B` can look at two texts. JSONLReader
// streams a corpus instead, one Document per line (see its doc comment):
// the input of `retold cluster`.
//
// # What comes in
//
// Three formats are read, and the format is decided from the content, not
// only from the name. After a UTF-8 byte order mark and leading white space:
//
//   - '{' starts a JSON record: one object with the fields id, title, text,
//     url, outlet, date and lang. A .jsonl file may hold exactly one
//     non-empty line; compare takes one record per input.
//   - '<' followed by something that looks like markup (a doctype, a known
//     HTML element such as <html>, <p> or <div>, an XML declaration, or a
//     run of tags) starts an HTML page.
//   - Anything else is plain text.
//
// A .json or .jsonl name forces JSON; a .html, .htm or .xhtml name forces
// HTML.
//
// Text must be UTF-8 (a UTF-16 file with a byte order mark is converted
// first). An HTML page may instead declare its charset in a <meta> tag, an
// http-equiv Content-Type or an XML declaration; it is decoded with
// golang.org/x/text/encoding/htmlindex before the UTF-8 check. A UTF-8 BOM
// overrides any declaration.
//
// # What goes out
//
// Document.Text is the article body with line endings normalized to "\n".
// Plain text is otherwise kept byte for byte (offsets downstream point into
// it). From HTML the article body is found with go-trafilatura; its
// paragraphs, headings and list items are separated by blank lines ("\n\n")
// so that paragraph segmentation downstream sees them. When trafilatura
// finds nothing, or the page is too deep or too big to hand to it, the
// visible text of the page is taken instead, with the tokenizer of
// golang.org/x/net/html (linear time, no tree), dropping script, style,
// navigation, header, footer and aside. No markup survives either way.
//
// # Guarantees
//
//   - At most MaxBytes+1 bytes of any input are read into memory; a regular
//     file larger than MaxBytes is refused before it is read.
//   - On success Text is valid UTF-8 and holds something other than white
//     space.
//   - Every error names the input, fits on one line and wraps one of the
//     retold sentinel errors (ErrEmpty, ErrBinary, ErrInvalidUTF8,
//     ErrTooLarge, ErrFormat) or the operating system's error, so callers
//     can branch with errors.Is.
//   - No input makes the package panic or loop: the HTML parser is bounded
//     by the input size, trees deeper than a few hundred levels skip
//     trafilatura, and a panic inside trafilatura is turned into the
//     fallback.
package extract
