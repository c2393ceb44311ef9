package guard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// GiveUpError is a retryable answer or connection error that the retries did not get past.
type GiveUpError struct {
	Backend  string
	Attempts int
	Err      error
}

func (e *GiveUpError) Error() string {
	return fmt.Sprintf("%s backend: gave up after %d attempt(s): %v", e.Backend, e.Attempts, e.Err)
}

func (e *GiveUpError) Unwrap() error { return e.Err }

// Transport returns base wrapped with g's request timeout and retries (base nil: http.DefaultTransport).
func (g *Guard) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, fixed: g}
}

// ContextTransport returns a transport that applies the policy of the guard on each request's context
// (WithGuard), and fallback's timeouts and retries to requests without one (fallback's breaker is
// switched off: a request outside any backend operation must not close the way for the others). It serves
// clients that are shared by every backend instance of a process, such as go-git's protocol registry.
func ContextTransport(base http.RoundTripper, fallback *Guard) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if fallback != nil {
		fallback.noBreaker = true
	}
	return &transport{base: base, fallback: fallback}
}

type transport struct {
	base     http.RoundTripper
	fixed    *Guard
	fallback *Guard
}

func (t *transport) guardFor(req *http.Request) *Guard {
	if t.fixed != nil {
		return t.fixed
	}
	if g := FromContext(req.Context()); g != nil {
		return g
	}
	return t.fallback
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	g := t.guardFor(req)
	if g == nil {
		return t.base.RoundTrip(req)
	}
	if err := g.Open(); err != nil {
		return nil, err
	}
	st := stateOf(req.Context())
	cfg := g.cfg
	start := time.Now()
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(req.Context())
			if req.Body != nil && req.Body != http.NoBody {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := t.once(g, r)
		retry, why := false, error(nil)
		var wait time.Duration
		switch {
		case err != nil:
			var te *TimeoutError
			if errors.As(err, &te) || req.Context().Err() != nil {
				if te != nil && st != nil {
					st.set(err)
				}
				return nil, err
			}
			why = err
			retry = isRefused(err) || (isConnError(err) && idempotent(req.Method))
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			retry, why = true, fmt.Errorf("%s %s: %s", req.Method, req.URL.Redacted(), resp.Status)
			wait = retryAfter(resp.Header.Get("Retry-After"), cfg.MaxDelay)
		case resp.StatusCode >= 500 && idempotent(req.Method):
			retry, why = true, fmt.Errorf("%s %s: %s", req.Method, req.URL.Redacted(), resp.Status)
		}
		if !retry {
			if err != nil {
				return nil, err
			}
			if st != nil && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
				st.set(nil)
			}
			return resp, nil
		}
		if wait == 0 {
			wait = backoff(cfg.BaseDelay, cfg.MaxDelay, attempt)
		}
		canRewind := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if attempt >= cfg.MaxRetries || time.Since(start)+wait > cfg.RetryBudget || !canRewind || g.Open() != nil {
			gu := &GiveUpError{Backend: g.name, Attempts: attempt + 1, Err: why}
			if st != nil {
				st.set(gu)
			}
			if err != nil {
				return nil, gu
			}
			// The caller sees the last answer; it must not retry it again on its own (client-go honours
			// Retry-After up to 10 times), so the hint goes.
			resp.Header.Del("Retry-After")
			return resp, nil
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
		}
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
}

// once runs one attempt under the request timeout: the attempt is cancelled when nothing arrives from the
// server for RequestTimeout (before the headers, and between reads of the body).
func (t *transport) once(g *Guard, req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	w := &watchdog{d: g.cfg.RequestTimeout, cancel: cancel}
	w.timer = time.AfterFunc(w.d, w.fire)
	// Until the answer arrives, the attempt also ends when the circuit opens (another request of the
	// backend timed out): requests waiting on the same silent server fail together, once.
	answered := make(chan struct{})
	var tripped atomic.Bool
	go func() {
		select {
		case <-g.br.opened:
			tripped.Store(true)
			cancel()
		case <-answered:
		}
	}()
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	close(answered)
	if err != nil {
		w.stop()
		cancel()
		switch {
		case req.Context().Err() != nil:
		case w.fired():
			te := &TimeoutError{Backend: g.name, Method: req.Method, Host: req.URL.Host, After: w.d}
			g.Failure(te, true)
			return nil, te
		case tripped.Load():
			if oe := g.Open(); oe != nil {
				return nil, oe
			}
		}
		return nil, err
	}
	w.reset()
	resp.Body = &watchedBody{rc: resp.Body, w: w, cancel: cancel, g: g, req: req}
	return resp, nil
}

type watchdog struct {
	d      time.Duration
	cancel context.CancelFunc
	mu     sync.Mutex
	timer  *time.Timer
	done   bool
}

func (w *watchdog) fire() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
	w.cancel()
}

func (w *watchdog) fired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done
}

func (w *watchdog) reset() { w.timer.Reset(w.d) }
func (w *watchdog) stop()  { w.timer.Stop() }

type watchedBody struct {
	rc     io.ReadCloser
	w      *watchdog
	cancel context.CancelFunc
	g      *Guard
	req    *http.Request
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.w.reset()
	}
	if err != nil && err != io.EOF && b.w.fired() && b.req.Context().Err() == nil {
		te := &TimeoutError{Backend: b.g.name, Method: b.req.Method, Host: b.req.URL.Host, After: b.w.d}
		b.g.Failure(te, true)
		if st := stateOf(b.req.Context()); st != nil {
			st.set(te)
		}
		return n, te
	}
	return n, err
}

func (b *watchedBody) Close() error {
	b.w.stop()
	err := b.rc.Close()
	b.cancel()
	return err
}

// backoff is exponential with full jitter: a random wait in [0, min(max, base*2^attempt)).
func backoff(base, max time.Duration, attempt int) time.Duration {
	limit := base << min(attempt, 20)
	if limit <= 0 || limit > max {
		limit = max
	}
	return time.Duration(rand.Int64N(int64(limit)) + 1)
}

// retryAfter parses a Retry-After header (seconds or an HTTP date), capped at max; 0 when absent or invalid.
func retryAfter(h string, max time.Duration) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0
		}
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	} else {
		return 0
	}
	if d <= 0 {
		return time.Millisecond
	}
	return min(d, max)
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// isConnError is a connection that could not be made or broke: refused, reset, closed before the answer.
func isConnError(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	return isDialError(err)
}

func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}
