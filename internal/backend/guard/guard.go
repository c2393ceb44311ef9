// Package guard holds the provider's failure policy for every backend in one place: request timeouts and
// retries at the HTTP transport (Transport), an overall deadline per backend operation and a circuit
// breaker per backend (Wrap). The backends only hand their HTTP transport to a Guard; none of them carries
// its own timeout, retry or breaker logic (the Git backend's re-apply on a moved branch is not a transport
// retry and stays there, bounded).
//
// Policy, per backend:
//   - Request timeout: one HTTP request may wait at most RequestTimeout for the server without receiving
//     anything (connecting, the response headers, or the next piece of the body). A server that accepts
//     connections and never answers fails after RequestTimeout. A timed-out request is not retried.
//   - Retries: 429 (any method, honouring Retry-After in seconds or as an HTTP date, capped at MaxDelay),
//     503 (any method), other 5xx (idempotent methods only), connection refused (any method: nothing was
//     sent) and connection reset / unexpected EOF (idempotent methods only), at most MaxRetries times and
//     within RetryBudget, with exponential backoff and full jitter. Request bodies are rewound with GetBody.
//   - Operation timeout: every backend call (Get, List, Put, Delete, Restore, Preflight, Check) runs under
//     context.WithTimeout(OperationTimeout).
//   - Circuit breaker: after BreakerThreshold consecutive failed operations (connection errors, exhausted
//     retries) in this run, or at once after a request or operation timeout or a failed integration probe of
//     that sort, the backend's remaining operations fail at once with ErrCircuitOpen, referring to the first
//     failure instead of repeating it.
package guard

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"
)

// Defaults (documented in the provider schema and docs/guides/concepts.md).
const (
	DefaultRequestTimeout   = 30 * time.Second
	DefaultOperationTimeout = 5 * time.Minute
	DefaultMaxRetries       = 4
	DefaultRetryBudget      = time.Minute
	DefaultBaseDelay        = 250 * time.Millisecond
	DefaultMaxDelay         = 10 * time.Second
	DefaultBreakerThreshold = 3
)

// Config is the policy of one backend. Zero fields take the defaults; MaxRetries < 0 disables retries.
type Config struct {
	RequestTimeout   time.Duration
	OperationTimeout time.Duration
	MaxRetries       int
	RetryBudget      time.Duration
	BaseDelay        time.Duration
	MaxDelay         time.Duration
	BreakerThreshold int
}

func (c Config) withDefaults() Config {
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.OperationTimeout <= 0 {
		c.OperationTimeout = DefaultOperationTimeout
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.RetryBudget <= 0 {
		c.RetryBudget = DefaultRetryBudget
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = DefaultBaseDelay
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = DefaultMaxDelay
	}
	if c.BreakerThreshold <= 0 {
		c.BreakerThreshold = DefaultBreakerThreshold
	}
	return c
}

// Guard is the policy and breaker state of one backend for one run (provider process). It is safe for
// concurrent use.
type Guard struct {
	name string
	cfg  Config
	br   breaker
	// noBreaker: the guard only supplies timeouts and retries (the fallback of a shared transport).
	noBreaker bool
}

// New returns the guard of the named backend.
func New(name string, cfg Config) *Guard {
	g := &Guard{name: name, cfg: cfg.withDefaults()}
	g.br.threshold = g.cfg.BreakerThreshold
	g.br.opened = make(chan struct{})
	return g
}

// Name is the backend's name.
func (g *Guard) Name() string { return g.name }

// Config is the policy in force (defaults applied).
func (g *Guard) Config() Config { return g.cfg }

// ErrCircuitOpen is in the chain of every error of an operation refused because the breaker is open.
var ErrCircuitOpen = errors.New("circuit open")

// OpenError says that a backend is not tried again in this run, and why.
type OpenError struct {
	Backend  string
	Failures int
	First    error // the first failure of the streak that opened the circuit
}

func (e *OpenError) Error() string {
	if e.Failures <= 1 {
		return fmt.Sprintf("%s backend not tried again in this run (circuit open after the failure reported above: %s)",
			e.Backend, rootMessage(e.First))
	}
	return fmt.Sprintf("%s backend not tried again in this run (circuit open after %d consecutive failures, the first reported above: %s)",
		e.Backend, e.Failures, rootMessage(e.First))
}

func (e *OpenError) Is(target error) bool { return target == ErrCircuitOpen }

// rootMessage is the innermost message of err: a short reference to a cause already reported in full.
func rootMessage(err error) string {
	if err == nil {
		return "unknown"
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// breaker counts consecutive failed operations.
type breaker struct {
	threshold int
	mu        sync.Mutex
	streak    int
	first     error
	open      bool
	opened    chan struct{} // closed when the circuit opens: requests in flight give up
}

// check returns the streak and its first failure when the circuit is open.
func (b *breaker) check() (open bool, n int, first error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open, b.streak, b.first
}

func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		b.streak, b.first = 0, nil
	}
}

func (b *breaker) failure(cause error, trip bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open {
		return
	}
	if b.streak == 0 {
		b.first = cause
	}
	b.streak++
	if trip || b.streak >= b.threshold {
		b.open = true
		close(b.opened)
	}
}

// Open returns the *OpenError when the backend's circuit is open, else nil.
func (g *Guard) Open() error {
	if g.noBreaker {
		return nil
	}
	if open, n, first := g.br.check(); open {
		return &OpenError{Backend: g.name, Failures: n, First: first}
	}
	return nil
}

// Failure records a failed operation (transient: timeout, connection error, exhausted retries). trip opens
// the circuit at once (a failed integration probe).
func (g *Guard) Failure(cause error, trip bool) {
	if !g.noBreaker {
		g.br.failure(cause, trip)
	}
}

// Success records an operation that reached the backend.
func (g *Guard) Success() { g.br.success() }

// TimeoutError is a request that received nothing from the server for the request timeout.
type TimeoutError struct {
	Backend string
	Method  string
	Host    string
	After   time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s backend: no answer from %s within the request timeout of %v (%s request)", e.Backend, e.Host, e.After, e.Method)
}

// Timeout marks the error as a timeout (net.Error style).
func (e *TimeoutError) Timeout() bool { return true }

// Is makes errors.Is(err, context.DeadlineExceeded) true, as for other deadlines.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// OperationTimeoutError is a backend operation that did not finish within the operation timeout.
type OperationTimeoutError struct {
	Backend string
	Op      string
	After   time.Duration
	Err     error
}

func (e *OperationTimeoutError) Error() string {
	return fmt.Sprintf("%v (%s backend: the %s did not finish within the operation timeout of %v)", e.Err, e.Backend, e.Op, e.After)
}

func (e *OperationTimeoutError) Unwrap() error { return e.Err }

// Transient reports whether err is the kind of failure the breaker counts: a request or operation timeout,
// a connection error, or a retryable answer the retries did not get past.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var te *TimeoutError
	var ot *OperationTimeoutError
	var ge *GiveUpError
	return errors.As(err, &te) || errors.As(err, &ot) || errors.As(err, &ge) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || isDialError(err)
}

type ctxKey struct{}

// opState is what the transport tells the operation around it: the last transient failure it gave up on.
type opState struct {
	g       *Guard
	mu      sync.Mutex
	lastErr error
}

func (s *opState) set(err error) {
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
}

func (s *opState) get() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// WithGuard puts g on ctx: a shared transport (ContextTransport) then applies g's policy to requests made
// with ctx.
func WithGuard(ctx context.Context, g *Guard) context.Context {
	if st, ok := ctx.Value(ctxKey{}).(*opState); ok && st.g == g {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, &opState{g: g})
}

func stateOf(ctx context.Context) *opState {
	st, _ := ctx.Value(ctxKey{}).(*opState)
	return st
}

// FromContext returns the guard on ctx, or nil.
func FromContext(ctx context.Context) *Guard {
	if st := stateOf(ctx); st != nil {
		return st.g
	}
	return nil
}
