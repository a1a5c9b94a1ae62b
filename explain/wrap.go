package explain

import (
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
)

// The terminal report measures text in display columns, not bytes or runes:
// a Latin or Cyrillic letter takes one column, a Japanese or Chinese
// character two (East Asian Width W and F), a combining accent none. uniseg
// gives both the widths and the places where a line may break (UAX #14: after
// spaces, between ideographs), so a line never splits a rune or a grapheme
// cluster, and Japanese text without spaces still wraps.

// width is the display width of s in terminal columns.
func width(s string) int { return uniseg.StringWidth(s) }

// clean makes s safe and flat for one terminal paragraph: every run of white
// space (newlines, tabs) becomes one space, and other control characters
// (an ESC in a document could rewrite the terminal) become U+FFFD.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r):
			r = unicode.ReplacementChar
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wrap breaks s (cleaned first) into lines of at most max columns. It breaks
// at UAX #14 line-break opportunities; a piece with no break opportunity that
// is wider than a whole line is cut between grapheme clusters. The only line
// that can be wider than max is one holding a single grapheme cluster wider
// than max (a wide character when max is 1). An empty s gives no lines.
func wrap(s string, max int) []string {
	s = clean(s)
	if max < 1 {
		max = 1
	}
	var (
		lines   []string
		line    strings.Builder
		lineW   int    // width of line, without pending
		pending string // spaces after the last piece, written only if another piece follows on the line
		state   = -1
	)
	flush := func() {
		if line.Len() > 0 {
			lines = append(lines, line.String())
		}
		line.Reset()
		lineW, pending = 0, ""
	}
	for rest := s; rest != ""; {
		var seg string
		seg, rest, _, state = uniseg.FirstLineSegmentInString(rest, state)
		body := strings.TrimRight(seg, " ")
		trail := seg[len(body):]
		bw := width(body)
		if line.Len() > 0 && lineW+width(pending)+bw <= max {
			line.WriteString(pending)
			line.WriteString(body)
			lineW += width(pending) + bw
			pending = trail
			continue
		}
		flush()
		for bw > max {
			head, tail := cut(body, max)
			lines = append(lines, head)
			body, bw = tail, width(tail)
		}
		line.WriteString(body)
		lineW, pending = bw, trail
	}
	flush()
	return lines
}

// cut splits s after as many grapheme clusters as fit in max columns, and at
// least one, so that a loop over cut always progresses.
func cut(s string, max int) (head, tail string) {
	n, w, state := 0, 0, -1
	for rest := s; rest != ""; {
		var cluster string
		var cw int
		cluster, rest, cw, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if n > 0 && w+cw > max {
			break
		}
		n += len(cluster)
		w += cw
	}
	return s[:n], s[n:]
}

// pack lays items out on lines of at most max columns, joined by sep, without
// breaking an item unless the item alone is wider than a line (then it is
// wrapped on lines of its own). sep's trailing spaces are dropped at line
// ends. It is how comma-joined lists and the signals line wrap.
func pack(items []string, sep string, max int) []string {
	var lines []string
	cur, curW := "", 0
	end := strings.TrimRight(sep, " ")
	var kept []string
	for _, it := range items {
		if it = clean(it); it != "" {
			kept = append(kept, it)
		}
	}
	for i, it := range kept {
		if i < len(kept)-1 {
			it += end
		}
		w := width(it)
		switch {
		case cur != "" && curW+width(sep)-width(end)+w <= max:
			cur += sep[len(end):] + it
			curW += width(sep) - width(end) + w
		case w <= max:
			if cur != "" {
				lines = append(lines, cur)
			}
			cur, curW = it, w
		default:
			if cur != "" {
				lines = append(lines, cur)
			}
			wrapped := wrap(it, max)
			lines = append(lines, wrapped[:len(wrapped)-1]...)
			cur = wrapped[len(wrapped)-1]
			curW = width(cur)
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// pad fills s with spaces on the right to w columns.
func pad(s string, w int) string {
	if n := w - width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}
