package guard

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

func fast() Config {
	return Config{RequestTimeout: 300 * time.Millisecond, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Second, MaxRetries: 3}
}

func client(g *Guard) *http.Client { return &http.Client{Transport: g.Transport(nil)} }

func TestRetryAfterSecondsThenOK(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	start := time.Now()
	resp, err := client(New("netbox", fast())).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	t.Logf("429 Retry-After: 1 then 200: %v, %d requests", took, n.Load())
	if string(b) != "ok" || n.Load() != 2 || took < 900*time.Millisecond || took > 3*time.Second {
		t.Fatalf("got %q after %d requests in %v", b, n.Load(), took)
	}
}

func TestRetryAfterHTTPDateCapped(t *testing.T) {
	if d := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 5*time.Second); d != 5*time.Second {
		t.Fatalf("date an hour ahead: %v, want the 5s cap", d)
	}
	if d := retryAfter(time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat), time.Minute); d < time.Second || d > 3*time.Second {
		t.Fatalf("date 3s ahead: %v", d)
	}
	if d := retryAfter("soon", time.Minute); d != 0 {
		t.Fatalf("invalid: %v", d)
	}
	if d := retryAfter("120", 10*time.Second); d != 10*time.Second {
		t.Fatalf("120s: %v, want the cap", d)
	}
}

// 5xx is retried for idempotent methods only; 503 for any method, with the body rewound.
func TestRetry5xxByMethod(t *testing.T) {
	var n atomic.Int32
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		switch {
		case r.URL.Path == "/500" && n.Add(1) <= 2:
			w.WriteHeader(http.StatusInternalServerError)
		case r.URL.Path == "/503" && n.Add(1) <= 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/500" || r.URL.Path == "/503":
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	c := client(New("netbox", fast()))
	resp, err := c.Get(srv.URL + "/500")
	if err != nil || resp.StatusCode != 200 || n.Load() != 3 {
		t.Fatalf("GET 500,500,200: %v %v after %d", resp, err, n.Load())
	}
	n.Store(0)
	resp, err = c.Post(srv.URL+"/500", "text/plain", strings.NewReader("x"))
	if err != nil || resp.StatusCode != 500 || n.Load() != 1 {
		t.Fatalf("POST 500 must not be retried: %v %v after %d", resp, err, n.Load())
	}
	n.Store(0)
	bodies = nil
	resp, err = c.Post(srv.URL+"/503", "text/plain", strings.NewReader("payload"))
	if err != nil || resp.StatusCode != 200 || n.Load() != 3 {
		t.Fatalf("POST 503,503,200: %v %v after %d", resp, err, n.Load())
	}
	for _, b := range bodies {
		if b != "payload" {
			t.Fatalf("body not rewound: %q", bodies)
		}
	}
}

// Retries are bounded: a server that always answers 503 costs MaxRetries+1 requests, and the caller gets the
// last answer without a Retry-After to retry on again.
func TestRetryBounded(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	resp, err := client(New("netbox", fast())).Get(srv.URL)
	if err != nil || resp.StatusCode != 503 || n.Load() != 4 || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("%v %v after %d", resp, err, n.Load())
	}
}

func TestConnectionRefusedRetriedThenGivesUp(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, err := client(New("git", fast())).Post("http://"+addr, "text/plain", strings.NewReader("x"))
	var gu *GiveUpError
	if !errors.As(err, &gu) || gu.Attempts != 4 || !Transient(err) {
		t.Fatalf("got %v", err)
	}
}

// silent accepts connections and never answers.
func silent(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestSilentServerTimesOut(t *testing.T) {
	addr := silent(t)
	start := time.Now()
	_, err := client(New("git", fast())).Get("http://" + addr + "/repo.git/info/refs")
	took := time.Since(start)
	var te *TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "git backend: no answer") {
		t.Fatalf("got %v", err)
	}
	t.Logf("silent server: %v (request timeout 300ms)", took)
	if took > time.Second {
		t.Fatalf("took %v", took)
	}
}

// A server that sends the headers and then stalls fails while the body is read.
func TestStalledBodyTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	resp, err := client(New("kubernetes", fast())).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("got %v", err)
	}
}

// The shared transport applies the policy of the guard on the request's context.
func TestContextTransport(t *testing.T) {
	addr := silent(t)
	c := &http.Client{Transport: ContextTransport(nil, New("fallback", Config{RequestTimeout: time.Hour}))}
	g := New("git", fast())
	req, _ := http.NewRequestWithContext(WithGuard(context.Background(), g), http.MethodGet, "http://"+addr, nil)
	start := time.Now()
	_, err := c.Do(req)
	if !strings.Contains(fmtErr(err), "git backend: no answer") || time.Since(start) > time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

type fake struct {
	calls atomic.Int32
	err   error
	delay time.Duration
}

func (f *fake) Name() string                   { return "netbox" }
func (f *fake) Handles(string) bool            { return true }
func (f *fake) Describe(backend.Object) string { return "" }
func (f *fake) Digest(backend.Object) string   { return "" }
func (f *fake) Get(ctx context.Context, r backend.Ref) (backend.State, error) {
	return backend.State{}, f.do(ctx)
}
func (f *fake) List(ctx context.Context, _ string) (map[string]backend.State, error) {
	return nil, f.do(ctx)
}
func (f *fake) Preflight(ctx context.Context, _ backend.Ref, _ *backend.Object, _ backend.Intent) error {
	return f.do(ctx)
}
func (f *fake) Put(ctx context.Context, _ backend.Object, _ backend.Intent) (backend.State, backend.State, error) {
	return backend.State{}, backend.State{}, f.do(ctx)
}
func (f *fake) Delete(ctx context.Context, _ backend.Ref, _ backend.Intent) (backend.State, error) {
	return backend.State{}, f.do(ctx)
}
func (f *fake) Restore(ctx context.Context, _ backend.Ref, _ backend.State) error { return f.do(ctx) }
func (f *fake) Check(ctx context.Context) error                                   { return f.do(ctx) }

func (f *fake) do(ctx context.Context) error {
	f.calls.Add(1)
	if f.delay > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.delay):
		}
	}
	return f.err
}

func TestBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	f := &fake{err: &GiveUpError{Backend: "netbox", Attempts: 5, Err: errors.New("GET /api/: 502 Bad Gateway")}}
	b := New("netbox", Config{BreakerThreshold: 3}).Wrap(f)
	ctx := context.Background()
	var errs []error
	for i := 0; i < 5; i++ {
		_, err := b.List(ctx, "VPC")
		errs = append(errs, err)
	}
	if f.calls.Load() != 3 {
		t.Fatalf("backend called %d times, want 3", f.calls.Load())
	}
	for i, err := range errs[3:] {
		if !errors.Is(err, ErrCircuitOpen) || !strings.Contains(err.Error(), "after 3 consecutive failures, the first reported above: GET /api/: 502 Bad Gateway") {
			t.Fatalf("call %d: %v", i+3, err)
		}
	}
	if errors.Is(errs[0], ErrCircuitOpen) {
		t.Fatalf("the first failure must name its cause: %v", errs[0])
	}
}

func TestBreakerResetsOnSuccessAndIgnoresAnswers(t *testing.T) {
	f := &fake{err: &GiveUpError{Backend: "netbox", Err: errors.New("503")}}
	g := New("netbox", Config{BreakerThreshold: 3})
	b := g.Wrap(f)
	ctx := context.Background()
	_, _ = b.Get(ctx, backend.Ref{})
	_, _ = b.Get(ctx, backend.Ref{})
	f.err = nil
	_, _ = b.Get(ctx, backend.Ref{})
	f.err = errors.New("400 Bad Request: the server answered")
	for i := 0; i < 5; i++ {
		_, _ = b.Get(ctx, backend.Ref{})
	}
	f.err = &GiveUpError{Backend: "netbox", Err: errors.New("503")}
	_, _ = b.Get(ctx, backend.Ref{})
	_, _ = b.Get(ctx, backend.Ref{})
	if g.Open() != nil {
		t.Fatal("circuit opened although no 3 transient failures were consecutive")
	}
}

func TestTimeoutOpensAtOnce(t *testing.T) {
	f := &fake{err: &TimeoutError{Backend: "git"}}
	g := New("git", Config{})
	b := g.Wrap(f)
	_, _ = b.List(context.Background(), "VPC")
	if _, err := b.List(context.Background(), "VPC"); !errors.Is(err, ErrCircuitOpen) || f.calls.Load() != 1 {
		t.Fatalf("got %v after %d calls", err, f.calls.Load())
	}
}

func TestProbeFailureOpensAtOnce(t *testing.T) {
	f := &fake{err: &GiveUpError{Backend: "git", Err: errors.New("connection refused")}}
	g := New("git", Config{})
	b := g.Wrap(f)
	_ = b.Check(context.Background())
	if _, err := b.List(context.Background(), "VPC"); !errors.Is(err, ErrCircuitOpen) || f.calls.Load() != 1 {
		t.Fatalf("got %v after %d calls", err, f.calls.Load())
	}
}

func TestOperationTimeout(t *testing.T) {
	f := &fake{delay: time.Hour}
	b := New("git", Config{OperationTimeout: 100 * time.Millisecond}).Wrap(f)
	start := time.Now()
	_, err := b.Get(context.Background(), backend.Ref{Kind: "VPC", Name: "x"})
	var ot *OperationTimeoutError
	if !errors.As(err, &ot) || time.Since(start) > time.Second || !strings.Contains(err.Error(), "operation timeout of 100ms") {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}

type predictingObserver struct{ fake }

func (*predictingObserver) Predict(backend.Object) map[string]string {
	return map[string]string{"path": "p"}
}
func (*predictingObserver) Observes() bool           { return true }
func (*predictingObserver) Journal() backend.Journal { return nil }

func TestWrapKeepsOptionalInterfaces(t *testing.T) {
	g := New("git", Config{})
	w := g.Wrap(&predictingObserver{})
	if _, ok := w.(backend.Predictor); !ok {
		t.Error("Predictor lost")
	}
	if o, ok := w.(backend.Observer); !ok || !o.Observes() {
		t.Error("Observer lost")
	}
	if _, ok := w.(journaled); !ok {
		t.Error("Journal lost")
	}
	plain := g.Wrap(&fake{})
	if _, ok := plain.(backend.Predictor); ok {
		t.Error("Predictor invented")
	}
	if _, ok := plain.(backend.Observer); ok {
		t.Error("Observer invented")
	}
	if _, ok := plain.(journaled); ok {
		t.Error("Journal invented")
	}
	if u, ok := w.(Unwrapper); !ok || u.Unwrap() == nil {
		t.Error("Unwrap missing")
	}
}

// Requests waiting on the same silent server fail together when the first one times out: the others report
// the open circuit instead of waiting out their own timeouts and repeating the cause.
func TestConcurrentSilentRequestsFailOnce(t *testing.T) {
	addr := silent(t)
	c := client(New("netbox", fast()))
	start := time.Now()
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			time.Sleep(time.Duration(i) * 50 * time.Millisecond)
			_, err := c.Get("http://" + addr)
			errs <- err
		}()
	}
	timeouts, open := 0, 0
	for i := 0; i < 4; i++ {
		err := <-errs
		var te *TimeoutError
		switch {
		case errors.As(err, &te):
			timeouts++
		case errors.Is(err, ErrCircuitOpen):
			open++
		default:
			t.Fatalf("got %v", err)
		}
	}
	t.Logf("4 requests to a silent server: %d timed out, %d saw the open circuit, in %v", timeouts, open, time.Since(start))
	if timeouts != 1 || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("%d timeouts in %v", timeouts, time.Since(start))
	}
}
