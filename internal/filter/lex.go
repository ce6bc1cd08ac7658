package filter

import "fmt"

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokWord           // keyword or value: letters, digits and . : / - _
	tokLParen         // (
	tokRParen         // )
	tokNot            // not, !
	tokAnd            // and, &&
	tokOr             // or, ||
)

// token is one lexical token and where it starts in the expression.
type token struct {
	kind tokKind
	text string
	pos  int
}

// describe names the token for an error message.
func (t token) describe() string {
	if t.kind == tokEOF {
		return "end of expression"
	}
	return fmt.Sprintf("%q", t.text)
}

// isWordByte reports whether c may appear in a word. Values (addresses,
// prefixes, MACs, port ranges) are words too, so the set is wide.
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == ':' || c == '/' || c == '-' || c == '_'
}

// lex splits expr into tokens, ending with a tokEOF at len(expr).
func lex(expr string) ([]token, error) {
	var toks []token
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case c == '!':
			toks = append(toks, token{tokNot, "!", i})
			i++
		case c == '&' || c == '|':
			if i+1 >= len(expr) || expr[i+1] != c {
				return nil, &SyntaxError{expr, i, fmt.Sprintf("expected %q, found %q", string([]byte{c, c}), string(c))}
			}
			k := tokAnd
			if c == '|' {
				k = tokOr
			}
			toks = append(toks, token{k, expr[i : i+2], i})
			i += 2
		case isWordByte(c):
			j := i
			for j < len(expr) && isWordByte(expr[j]) {
				j++
			}
			w := expr[i:j]
			k := tokWord
			switch w {
			case "not":
				k = tokNot
			case "and":
				k = tokAnd
			case "or":
				k = tokOr
			}
			toks = append(toks, token{k, w, i})
			i = j
		default:
			return nil, &SyntaxError{expr, i, fmt.Sprintf("unexpected character %q", expr[i:i+1])}
		}
	}
	return append(toks, token{tokEOF, "", len(expr)}), nil
}
