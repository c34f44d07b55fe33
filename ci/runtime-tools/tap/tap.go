// Package tap is hull's small stand-in for github.com/mndrix/tap-go, which
// Debian does not package: just the calls the OCI runtime-tools validation
// suite makes, writing TAP version 13 to standard output.
package tap

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// stream is the state all views of one TAP stream share.
type stream struct {
	mu       sync.Mutex
	n        int
	autoPlan bool
}

// T is one TAP stream (or, from Todo, a view of it whose tests are TODO).
type T struct {
	*stream
	todo bool
	// Writer is where the stream goes (standard output by default).
	Writer io.Writer
}

// New starts a TAP stream on standard output.
func New() *T { return &T{stream: &stream{}, Writer: os.Stdout} }

// Todo returns a view of the stream whose tests carry the TODO directive
// (a failure there does not fail the stream).
func (t *T) Todo() *T { return &T{stream: t.stream, todo: true, Writer: t.Writer} }

func (t *T) printf(format string, a ...interface{}) {
	fmt.Fprintf(t.Writer, format, a...)
}

// Header writes the version line and, when the count is known, the plan.
func (t *T) Header(testCount int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.printf("TAP version 13\n")
	if testCount > 0 {
		t.printf("1..%d\n", testCount)
	}
}

// Ok reports one test.
func (t *T) Ok(test bool, description string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	status := "ok"
	if !test {
		status = "not ok"
	}
	directive := ""
	if t.todo {
		directive = " # TODO"
	}
	t.printf("%s %d - %s%s\n", status, t.n, oneLine(description), directive)
}

// Pass reports a passing test.
func (t *T) Pass(description string) { t.Ok(true, description) }

// Fail reports a failing test.
func (t *T) Fail(description string) { t.Ok(false, description) }

// Skip reports count tests skipped, for one reason.
func (t *T) Skip(count int, description string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := 0; i < count; i++ {
		t.n++
		t.printf("ok %d # SKIP %s\n", t.n, oneLine(description))
	}
}

// Count is the number of tests reported so far.
func (t *T) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// AutoPlan asks for the plan line at the end (see Done): the suite calls it
// after its tests, so it writes the plan at once.
func (t *T) AutoPlan() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.autoPlan {
		t.autoPlan = true
		t.printf("1..%d\n", t.n)
	}
}

// Done writes the plan from the count, if AutoPlan has not.
func (t *T) Done() { t.AutoPlan() }

// Diagnostic writes a comment, one "# " line per line of the message.
func (t *T) Diagnostic(message string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(message, "\n"), "\n") {
		t.printf("# %s\n", line)
	}
}

// Diagnosticf is Diagnostic with a format.
func (t *T) Diagnosticf(format string, a ...interface{}) {
	t.Diagnostic(fmt.Sprintf(format, a...))
}

// YAML writes a YAML block for the test before it. JSON is YAML, so the
// block is indented JSON.
func (t *T) YAML(message interface{}) error {
	b, err := json.MarshalIndent(message, "  ", "  ")
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.printf("  ---\n  %s\n  ...\n", b)
	return nil
}

func oneLine(s string) string {
	return strings.ReplaceAll(s, "\n", " ")
}
