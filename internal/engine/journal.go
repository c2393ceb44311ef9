package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/saga"
)

// Faults are test hooks that make a run fail where a real crash or outage would, so that the journal and
// the compensations can be tested with the real CLI. They are read from HEDGEHOG_TEST_FAULTS (see
// ParseFaults) and are nil in normal runs.
type Faults struct {
	// CrashAt exits the process (status 86) in a saga of Op once Step steps have completed: 0 right after the
	// journal entry is written, len(steps) right before it is closed.
	CrashOp   string
	CrashStep int
	// FailStep makes the named backend's step fail (before it writes).
	FailStep string
	// FailUndo makes the named backend's compensation fail (before it writes).
	FailUndo string
	// Exit ends the process; tests of the hook itself replace it.
	Exit func(code int)
}

// ParseFaults reads "crash=create:2,step=kubernetes,undo=git". An empty string is no faults.
func ParseFaults(s string) (*Faults, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	f := &Faults{CrashStep: -1, Exit: os.Exit}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("fault %q: want key=value", part)
		}
		switch k {
		case "crash":
			op, step, ok := strings.Cut(v, ":")
			var n int
			if _, err := fmt.Sscanf(step, "%d", &n); !ok || err != nil {
				return nil, fmt.Errorf("fault %q: want crash=OP:STEP", part)
			}
			f.CrashOp, f.CrashStep = op, n
		case "step":
			f.FailStep = v
		case "undo":
			f.FailUndo = v
		default:
			return nil, fmt.Errorf("fault %q: unknown key %q", part, k)
		}
	}
	return f, nil
}

// CrashExitCode is the exit status of a crash fault.
const CrashExitCode = 86

func (f *Faults) crash(op string, done int) {
	if f == nil || f.CrashOp != op || f.CrashStep != done {
		return
	}
	fmt.Fprintf(os.Stderr, "hedgehog: test fault: crashing in %s after %d step(s)\n", op, done)
	f.Exit(CrashExitCode)
}

// wrap applies the step and undo faults to steps.
func (f *Faults) wrap(op string, steps []saga.Step) []saga.Step {
	if f == nil {
		return steps
	}
	out := make([]saga.Step, len(steps))
	for i, s := range steps {
		s := s
		i := i
		do, undo := s.Do, s.Undo
		s.Do = func(ctx context.Context) error {
			f.crash(op, i)
			if f.FailStep == s.Name {
				return fmt.Errorf("test fault: %s step failed", s.Name)
			}
			return do(ctx)
		}
		if undo != nil {
			s.Undo = func(ctx context.Context) error {
				if f.FailUndo == s.Name {
					return fmt.Errorf("test fault: %s compensation failed", s.Name)
				}
				return undo(ctx)
			}
		}
		out[i] = s
	}
	return out
}

// entry is the journal entry of a saga about to run.
func (e *Engine) entry(w Write, ref backend.Ref, steps []backend.Backend) backend.JournalEntry {
	if ref.Namespace == "" {
		ref.Namespace = "default"
	}
	en := backend.JournalEntry{
		ID: backend.JournalID(e.opts.Owner, ref), Owner: e.opts.Owner, Op: w.Op, Ref: ref,
		Prior: w.Prior, Expect: w.Expect, Started: time.Now().UTC().Format(time.RFC3339),
	}
	en.Audit = e.opts.Audit
	en.Audit.Resource, en.Audit.Op = w.Resource, w.Op
	for _, b := range steps {
		en.Steps = append(en.Steps, b.Name())
	}
	return en
}

// runJournaled runs a saga between opening and closing its journal entry. The entry stays open when the
// process dies or when a compensation failed (with a note): a later run settles it (Recover).
func (e *Engine) runJournaled(ctx context.Context, en backend.JournalEntry, steps []saga.Step) error {
	j := e.opts.Journal
	if j != nil {
		if err := j.Open(ctx, en); err != nil {
			return fmt.Errorf("journal (%s): cannot record the %s of %s before writing, so nothing was written: %w", j.Where(), en.Op, en.Ref, err)
		}
	}
	steps = e.opts.Faults.wrap(en.Op, steps)
	err := saga.Run(ctx, steps)
	if err == nil {
		e.opts.Faults.crash(en.Op, len(steps))
	}
	if f, ok := saga.AsFailure(err); ok && !f.Clean() {
		if j != nil {
			en.Note = f.Error()
			if jerr := j.Open(context.WithoutCancel(ctx), en); jerr != nil {
				return fmt.Errorf("%w; the journal entry could not be updated either: %v", err, jerr)
			}
		}
		return &Unsettled{Err: err, Journal: journalWhere(j)}
	}
	if j != nil {
		if cerr := j.Close(context.WithoutCancel(ctx), en); cerr != nil && err == nil {
			return fmt.Errorf("the %s of %s completed, but its journal entry in %s could not be closed (the next run settles it): %w", en.Op, en.Ref, j.Where(), cerr)
		}
	}
	return err
}

func journalWhere(j backend.Journal) string {
	if j == nil {
		return ""
	}
	return j.Where()
}

// Unsettled is a saga whose compensation failed: some backend is not at its checkpoint. The journal entry
// stays open, so the next apply finishes the rollback before anything else.
type Unsettled struct {
	Err     error
	Journal string
}

func (u *Unsettled) Error() string { return u.Err.Error() }
func (u *Unsettled) Unwrap() error { return u.Err }

// recovery settles this owner's open journal entries once per process, before the first write.
type recovery struct {
	once sync.Once
	err  error
	done []string

	pendingOnce sync.Once
	pending     []backend.JournalEntry
	pendingErr  error
}

// Pending lists this owner's open journal entries (plan shows them; nothing is written). It reads the
// journal once per process.
func (e *Engine) Pending(ctx context.Context) ([]backend.JournalEntry, error) {
	if e.opts.Journal == nil {
		return nil, nil
	}
	e.recovery.pendingOnce.Do(func() {
		es, err := e.opts.Journal.Pending(ctx, e.opts.Owner)
		sort.Slice(es, func(i, j int) bool { return es[i].Ref.String() < es[j].Ref.String() })
		e.recovery.pending, e.recovery.pendingErr = es, err
	})
	return e.recovery.pending, e.recovery.pendingErr
}

// JournalWhere names the journal's store ("" without a journal).
func (e *Engine) JournalWhere() string { return journalWhere(e.opts.Journal) }

// Recovered lists the sagas this process settled (for a warning on the first write).
func (e *Engine) Recovered() []string { return e.recovery.done }

// Recover settles this owner's incomplete sagas, once per process and before the first write: a create is
// rolled back (this owner's partial writes are removed), an update is rolled back to the manifest Terraform
// state holds, a delete is finished. Each of those touches only objects marked with this owner. Every
// later write waits for it and fails with its error.
func (e *Engine) Recover(ctx context.Context) error {
	e.recovery.once.Do(func() { e.recovery.err = e.recover(ctx) })
	return e.recovery.err
}

func (e *Engine) recover(ctx context.Context) error {
	j := e.opts.Journal
	if j == nil {
		return nil
	}
	entries, err := j.Pending(ctx, e.opts.Owner)
	sort.Slice(entries, func(i, j int) bool { return entries[i].Ref.String() < entries[j].Ref.String() })
	if err != nil {
		return fmt.Errorf("journal (%s): cannot read this owner's incomplete operations, so nothing was written: %w", j.Where(), err)
	}
	var errs []error
	for _, en := range entries {
		if err := e.settle(ctx, en); err != nil {
			errs = append(errs, fmt.Errorf("%s of %s: %w", en.Op, en.Ref, err))
			continue
		}
		if err := j.Close(ctx, en); err != nil {
			errs = append(errs, fmt.Errorf("%s of %s settled, but its journal entry could not be closed: %w", en.Op, en.Ref, err))
			continue
		}
		e.recovery.done = append(e.recovery.done, SettledText(en))
	}
	if len(errs) > 0 {
		return fmt.Errorf("journal (%s): incomplete operations of owner %q could not be settled, so nothing new was written: %w", j.Where(), e.opts.Owner, errors.Join(errs...))
	}
	return nil
}

// SettledText says what Recover does with an entry.
func SettledText(en backend.JournalEntry) string {
	switch en.Op {
	case backend.OpCreate:
		return fmt.Sprintf("the interrupted create of %s (steps %s, started %s) is rolled back", en.Ref, strings.Join(en.Steps, " → "), en.Started)
	case backend.OpUpdate:
		return fmt.Sprintf("the interrupted update of %s (steps %s, started %s) is rolled back to the state's manifest", en.Ref, strings.Join(en.Steps, " → "), en.Started)
	}
	return fmt.Sprintf("the interrupted %s of %s (steps %s, started %s) is finished", en.Op, en.Ref, strings.Join(en.Steps, " → "), en.Started)
}

func (e *Engine) settle(ctx context.Context, en backend.JournalEntry) error {
	in := backend.Intent{Op: backend.OpRecover, Owner: e.opts.Owner, Audit: e.opts.Audit}
	in.Audit.Op, in.Audit.Resource = backend.OpRecover, en.Audit.Resource
	hs := e.handling(en.Ref.Kind)
	switch {
	case en.Op == backend.OpUpdate && en.Prior != nil:
		obj := backend.Object{Ref: en.Ref, Manifest: en.Prior}
		obj.APIVersion, _ = en.Prior["apiVersion"].(string)
		for _, b := range hs {
			if _, _, err := b.Put(ctx, obj, in); err != nil {
				return err
			}
			e.lists.drop(b.Name(), en.Ref.Kind)
		}
	default: // create: roll back; delete: finish
		for _, b := range deleteOrder(hs) {
			if _, err := b.Delete(ctx, en.Ref, in); err != nil {
				if oe, ok := backend.AsOwnership(err); ok && oe.Left {
					continue // not ours: left alone
				}
				return err
			}
			e.lists.drop(b.Name(), en.Ref.Kind)
		}
		e.recordWritten(en.Ref, nil)
	}
	return nil
}
