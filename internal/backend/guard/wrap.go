package guard

import (
	"context"
	"errors"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// journaled is the optional interface of backends that keep the saga journal.
type journaled interface{ Journal() backend.Journal }

// Unwrapper is implemented by the backend Wrap returns.
type Unwrapper interface{ Unwrap() backend.Backend }

// Wrap returns b with g's operation timeout and circuit breaker around every call, and g on every call's
// context (for ContextTransport). The result implements exactly the optional interfaces b implements
// (backend.Predictor, backend.Observer, Journal() backend.Journal), so the engine's type assertions see
// the same backend. It also always offers backend.DryRunner (under the same policy): when b makes no dry
// runs the answer is backend.ErrNoDryRun, which callers treat like the interface's absence.
func (g *Guard) Wrap(b backend.Backend) backend.Backend {
	w := &guarded{g: g, b: b}
	p, isP := b.(backend.Predictor)
	o, isO := b.(backend.Observer)
	j, isJ := b.(journaled)
	if isJ {
		j = journalOf{w: w, j: j} // the journal's calls get the same policy as the backend's
	}
	switch {
	case isP && isO && isJ:
		return &struct {
			*guarded
			backend.Predictor
			backend.Observer
			journaled
		}{w, p, o, j}
	case isP && isO:
		return &struct {
			*guarded
			backend.Predictor
			backend.Observer
		}{w, p, o}
	case isP && isJ:
		return &struct {
			*guarded
			backend.Predictor
			journaled
		}{w, p, j}
	case isO && isJ:
		return &struct {
			*guarded
			backend.Observer
			journaled
		}{w, o, j}
	case isP:
		return &struct {
			*guarded
			backend.Predictor
		}{w, p}
	case isO:
		return &struct {
			*guarded
			backend.Observer
		}{w, o}
	case isJ:
		return &struct {
			*guarded
			journaled
		}{w, j}
	}
	return w
}

type guarded struct {
	g *Guard
	b backend.Backend
}

var _ backend.Backend = (*guarded)(nil)

func (w *guarded) Unwrap() backend.Backend { return w.b }

// Guard returns the policy around the backend.
func (w *guarded) Guard() *Guard { return w.g }

func (w *guarded) Name() string                       { return w.b.Name() }
func (w *guarded) Handles(kind string) bool           { return w.b.Handles(kind) }
func (w *guarded) Describe(obj backend.Object) string { return w.b.Describe(obj) }
func (w *guarded) Digest(obj backend.Object) string   { return w.b.Digest(obj) }

// begin refuses the call when the circuit is open, else returns the call's context.
func (w *guarded) begin(ctx context.Context, op string, ref backend.Ref) (context.Context, context.CancelFunc, error) {
	if err := w.g.Open(); err != nil {
		return nil, nil, &backend.Error{Backend: w.b.Name(), Op: op, Ref: ref, Err: err}
	}
	ctx = context.WithValue(ctx, ctxKey{}, &opState{g: w.g}) // a fresh state per operation
	ctx, cancel := context.WithTimeout(ctx, w.g.cfg.OperationTimeout)
	return ctx, cancel, nil
}

// end classifies the call's outcome for the breaker and names an operation timeout.
func (w *guarded) end(parent, ctx context.Context, op string, err error, probe bool) error {
	if err == nil {
		w.g.Success()
		return nil
	}
	if errors.Is(err, ErrCircuitOpen) || errors.Is(parent.Err(), context.Canceled) {
		return err
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil {
		var te *TimeoutError
		if !errors.As(err, &te) {
			err = &OperationTimeoutError{Backend: w.b.Name(), Op: op, After: w.g.cfg.OperationTimeout, Err: err}
		}
	}
	if st := stateOf(ctx); (st != nil && st.get() != nil) || Transient(err) {
		// A timeout opens the circuit at once: a server that accepted the request and did not answer
		// within the timeout costs the whole timeout again on every further try.
		var te *TimeoutError
		var ot *OperationTimeoutError
		w.g.Failure(err, probe || errors.As(err, &te) || errors.As(err, &ot))
		return err
	}
	// The backend answered (a refusal, a conflict, an ownership error): it is reachable.
	w.g.Success()
	return err
}

func (w *guarded) Get(ctx context.Context, ref backend.Ref) (backend.State, error) {
	c, cancel, err := w.begin(ctx, "get", ref)
	if err != nil {
		return backend.State{}, err
	}
	defer cancel()
	st, err := w.b.Get(c, ref)
	return st, w.end(ctx, c, "get", err, false)
}

func (w *guarded) List(ctx context.Context, kind string) (map[string]backend.State, error) {
	ref := backend.Ref{Kind: kind}
	c, cancel, err := w.begin(ctx, "list", ref)
	if err != nil {
		return nil, err
	}
	defer cancel()
	out, err := w.b.List(c, kind)
	return out, w.end(ctx, c, "list", err, false)
}

func (w *guarded) Preflight(ctx context.Context, ref backend.Ref, obj *backend.Object, in backend.Intent) error {
	c, cancel, err := w.begin(ctx, "preflight", ref)
	if err != nil {
		return err
	}
	defer cancel()
	return w.end(ctx, c, "preflight", w.b.Preflight(c, ref, obj, in), false)
}

func (w *guarded) Put(ctx context.Context, obj backend.Object, in backend.Intent) (backend.State, backend.State, error) {
	c, cancel, err := w.begin(ctx, "put", obj.Ref)
	if err != nil {
		return backend.State{}, backend.State{}, err
	}
	defer cancel()
	prior, after, err := w.b.Put(c, obj, in)
	return prior, after, w.end(ctx, c, "put", err, false)
}

func (w *guarded) Delete(ctx context.Context, ref backend.Ref, in backend.Intent) (backend.State, error) {
	c, cancel, err := w.begin(ctx, "delete", ref)
	if err != nil {
		return backend.State{}, err
	}
	defer cancel()
	prior, err := w.b.Delete(c, ref, in)
	return prior, w.end(ctx, c, "delete", err, false)
}

func (w *guarded) Restore(ctx context.Context, ref backend.Ref, prior backend.State) error {
	c, cancel, err := w.begin(ctx, "restore", ref)
	if err != nil {
		return err
	}
	defer cancel()
	return w.end(ctx, c, "restore", w.b.Restore(c, ref, prior), false)
}

// DryRun passes the dry run to the backend under the same operation timeout, breaker and request policy
// as a write (backend.ErrNoDryRun when the backend makes none). A denial is an answer: the server is
// reachable.
func (w *guarded) DryRun(ctx context.Context, obj backend.Object) error {
	d, ok := w.b.(backend.DryRunner)
	if !ok {
		return backend.ErrNoDryRun
	}
	c, cancel, err := w.begin(ctx, "dry run", obj.Ref)
	if err != nil {
		return err
	}
	defer cancel()
	err = d.DryRun(c, obj)
	if errors.Is(err, backend.ErrNoDryRun) {
		return err
	}
	return w.end(ctx, c, "dry run", err, false)
}

// Check is the integration probe. A probe that fails with a timeout or a connection error opens the circuit
// at once: every later operation of the run fails immediately, referring to the probe's error, instead of
// waiting for the same silent server again.
func (w *guarded) Check(ctx context.Context) error {
	c, cancel, err := w.begin(ctx, "check", backend.Ref{})
	if err != nil {
		return err
	}
	defer cancel()
	return w.end(ctx, c, "check", w.b.Check(c), true)
}

// journalOf hands out the backend's journal behind the same guard.
type journalOf struct {
	w *guarded
	j journaled
}

func (x journalOf) Journal() backend.Journal {
	if inner := x.j.Journal(); inner != nil {
		return &guardedJournal{w: x.w, j: inner}
	}
	return nil
}

// guardedJournal applies the backend's operation timeout, circuit breaker and request policy to the journal.
type guardedJournal struct {
	w *guarded
	j backend.Journal
}

func (g *guardedJournal) Where() string { return g.j.Where() }

func (g *guardedJournal) call(ctx context.Context, op string, ref backend.Ref, f func(context.Context) error) error {
	c, cancel, err := g.w.begin(ctx, op, ref)
	if err != nil {
		return err
	}
	defer cancel()
	return g.w.end(ctx, c, op, f(c), false)
}

func (g *guardedJournal) Open(ctx context.Context, e backend.JournalEntry) error {
	return g.call(ctx, "journal open", e.Ref, func(c context.Context) error { return g.j.Open(c, e) })
}

func (g *guardedJournal) Close(ctx context.Context, e backend.JournalEntry) error {
	return g.call(ctx, "journal close", e.Ref, func(c context.Context) error { return g.j.Close(c, e) })
}

func (g *guardedJournal) Pending(ctx context.Context, owner string) ([]backend.JournalEntry, error) {
	var out []backend.JournalEntry
	err := g.call(ctx, "journal pending", backend.Ref{}, func(c context.Context) error {
		var err error
		out, err = g.j.Pending(c, owner)
		return err
	})
	return out, err
}
