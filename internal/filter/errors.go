package filter

import (
	"fmt"
	"strings"
)

// SyntaxError is the error Compile returns for an expression it cannot
// parse or that asks for something impossible ("tcp host 1.2.3.4").
type SyntaxError struct {
	Expr string // the whole expression
	Pos  int    // byte offset in Expr where the problem starts
	Msg  string // what was expected and what was found
}

// Error returns "filter: column N: MSG", with columns counted from 1.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter: column %d: %s", e.Pos+1, e.Msg)
}

// Caret returns two lines, the expression and a caret under the offending
// position, for a tool to print below the error.
func (e *SyntaxError) Caret() string {
	return e.Expr + "\n" + strings.Repeat(" ", e.Pos) + "^"
}
