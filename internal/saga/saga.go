// Package saga runs an ordered list of steps, each with a compensation, so that a failure at any step
// leaves everything as it was: the steps done so far are compensated in reverse order. It knows nothing of
// the backends; the resource engine builds the steps.
package saga

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/redact"
)

// Step is one write with its compensation. Do runs the write; Undo restores what Do changed and is called
// only when Do succeeded (or failed after a partial write, when Partial is true) and a later step failed.
type Step struct {
	Name string // e.g. "netbox", "git", "kubernetes"
	Do   func(ctx context.Context) error
	Undo func(ctx context.Context) error
	// UndoOnFailure makes the saga also call Undo when this step's own Do failed, for steps whose Do may
	// leave partial writes behind (several NetBox records, say). Undo must then be safe on a clean backend.
	UndoOnFailure bool
}

// Failure describes a saga that did not complete.
type Failure struct {
	Step       string           // the step whose Do failed
	Err        error            // its error
	RolledBack []string         // steps compensated successfully, in the order compensated
	UndoErrors map[string]error // steps whose compensation failed: these backends may not be at the checkpoint
	Skipped    []string         // steps never run
}

func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "step %q failed: %v", f.Step, f.Err)
	if len(f.RolledBack) > 0 {
		fmt.Fprintf(&b, "; rolled back: %s", strings.Join(f.RolledBack, ", "))
	}
	for _, name := range f.undoOrder() {
		fmt.Fprintf(&b, "; COULD NOT roll back %s: %v", name, f.UndoErrors[name])
	}
	return redact.Text(b.String())
}

func (f *Failure) Unwrap() error { return f.Err }

func (f *Failure) undoOrder() []string {
	var names []string
	for n := range f.UndoErrors {
		names = append(names, n)
	}
	// deterministic order for messages
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names
}

// Clean reports whether every done step was compensated (every backend is back at its checkpoint).
func (f *Failure) Clean() bool { return len(f.UndoErrors) == 0 }

// DefaultUndoTimeout bounds the whole compensation of one saga when the context names no other bound.
const DefaultUndoTimeout = 5 * time.Minute

type undoTimeoutKey struct{}

// WithUndoTimeout sets the bound of the compensation of sagas run with ctx (d <= 0: DefaultUndoTimeout).
func WithUndoTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, undoTimeoutKey{}, d)
}

func undoTimeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(undoTimeoutKey{}).(time.Duration); ok && d > 0 {
		return d
	}
	return DefaultUndoTimeout
}

// Run runs steps in order. On the first failure it compensates, in reverse order, every step that
// completed (and the failing one when it has UndoOnFailure), and returns a *Failure. Compensation runs on
// a context that is not cancelled with ctx, so that an interrupted apply still rolls back, but has its own
// deadline (WithUndoTimeout, default DefaultUndoTimeout): a backend that hangs cannot hold the run forever.
func Run(ctx context.Context, steps []Step) error {
	for i, s := range steps {
		err := s.Do(ctx)
		if err == nil {
			continue
		}
		f := &Failure{Step: s.Name, Err: err, UndoErrors: map[string]error{}}
		for _, rest := range steps[i+1:] {
			f.Skipped = append(f.Skipped, rest.Name)
		}
		limit := undoTimeout(ctx)
		undoCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
		defer cancel()
		start := i - 1
		if s.UndoOnFailure {
			start = i
		}
		for j := start; j >= 0; j-- {
			u := steps[j]
			if u.Undo == nil {
				continue
			}
			if uerr := u.Undo(undoCtx); uerr != nil {
				if undoCtx.Err() != nil {
					uerr = fmt.Errorf("%w (the compensation did not finish within its timeout of %v)", uerr, limit)
				}
				f.UndoErrors[u.Name] = uerr
			} else {
				f.RolledBack = append(f.RolledBack, u.Name)
			}
		}
		return f
	}
	return nil
}

// AsFailure returns the *Failure in err, if any.
func AsFailure(err error) (*Failure, bool) {
	var f *Failure
	ok := errors.As(err, &f)
	return f, ok
}
