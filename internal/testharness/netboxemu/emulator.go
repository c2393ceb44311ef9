// Package netboxemu is an in-memory emulator of the subset of the NetBox 4.3
// REST API used by terraform-provider-hedgehog. Every request and response
// is validated against go-netbox's OpenAPI document so that tests passing
// against the emulator also hold against a real NetBox.
//
// Models (for Objects): dcim.site, ipam.vrf, ipam.prefix, ipam.vlangroup,
// ipam.vlan, extras.tag, extras.customfield, extras.journalentry.
//
// Behaviour choices (NetBox 4.3):
//   - ENFORCE_GLOBAL_UNIQUE defaults to True (changed by netbox#14536), so
//     prefixes without a VRF are unique; Options.AllowGlobalDuplicatePrefixes
//     turns that off. Prefixes in a VRF are unique only if enforce_unique.
//   - on_delete: Prefix.vrf, VLAN.group and VLAN.site are PROTECT (409
//     {"detail": "Unable to delete object. N dependent objects ..."});
//     Prefix.vlan is SET_NULL; prefixes scoped to a deleted site cascade;
//     journal entries are deleted with their object.
//   - The prefix filter "vrf" matches the VRF's RD, like NetBox's filterset.
//   - Bulk bodies (lists) are validated item by item against the
//     single-object operation; bulk requests are atomic.
//   - The document is patched where it contradicts the server: vid_ranges
//     is [[lo,hi],...] (go-netbox's VLANGroup cannot decode it, like with a
//     real NetBox), custom_fields values may be null, VLAN.qinq_role may be
//     null, and ?x_id=null is accepted for nullable filters.
package netboxemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultToken is the classic (v1) API token accepted when Options.Tokens is empty.
const DefaultToken = "0123456789abcdef0123456789abcdef01234567"

// Options configures an Emulator.
type Options struct {
	// Tokens lists accepted API tokens: classic 40-hex tokens (sent as
	// "Token <t>") and v2 tokens "nbt_<key>.<token>" (sent as "Bearer ...").
	// Empty means []string{DefaultToken}.
	Tokens []string
	// Strict, when nil or true, answers 400 to requests that violate the
	// OpenAPI document. With false they are recorded and still served.
	Strict *bool
	// AllowGlobalDuplicatePrefixes disables NetBox's ENFORCE_GLOBAL_UNIQUE
	// (default True since NetBox 3.0) for prefixes without a VRF.
	AllowGlobalDuplicatePrefixes bool
}

// RequestRecord is one request the emulator answered.
type RequestRecord struct {
	Method string
	Path   string // path with query string
	Status int
}

type fault struct {
	method, prefix string
	status, left   int
}

// record is one stored object.
type record struct {
	id      int64
	data    map[string]any
	tags    []int64
	cf      map[string]any
	created time.Time
	updated time.Time
}

// Emulator is an in-memory NetBox 4.3 API server.
type Emulator struct {
	// URL is the base URL (no trailing slash) once started.
	URL string
	// Token is the first configured token.
	Token string

	opts    Options
	strict  bool
	spec    *spec
	models  map[string]*modelDef
	byPath  map[string]*modelDef
	srv     *http.Server
	ln      net.Listener
	mu      sync.Mutex
	store   map[string]map[int64]*record
	nextID  map[string]int64
	fails   []string
	reqs    []RequestRecord
	faults  []*fault
	now     func() time.Time
	corrupt func(path string, body []byte) []byte // test hook
	curBase string                                // scheme://host of the request being served
}

// New creates an emulator; it loads the OpenAPI document (once per process).
func New(opts Options) (*Emulator, error) {
	s, err := loadSpec()
	if err != nil {
		return nil, err
	}
	if len(opts.Tokens) == 0 {
		opts.Tokens = []string{DefaultToken}
	}
	e := &Emulator{
		Token:  opts.Tokens[0],
		opts:   opts,
		strict: opts.Strict == nil || *opts.Strict,
		spec:   s,
		now:    func() time.Time { return time.Now().UTC() },
	}
	e.models = buildModels()
	e.byPath = map[string]*modelDef{}
	for _, m := range e.models {
		e.byPath[m.path] = m
	}
	e.Reset()
	return e, nil
}

// Start serves on 127.0.0.1 at a random port and returns the base URL.
func (e *Emulator) Start() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	e.ln = ln
	e.URL = "http://" + ln.Addr().String()
	e.srv = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()
	return e.URL, nil
}

// Close stops the server.
func (e *Emulator) Close() {
	if e.srv != nil {
		_ = e.srv.Close()
	}
}

// Start creates and starts an emulator for a test, closes it at cleanup and
// fails the test if any request or response violated the OpenAPI document.
func Start(t testing.TB) *Emulator {
	t.Helper()
	e, err := New(Options{})
	if err != nil {
		t.Fatalf("netboxemu: %v", err)
	}
	if _, err := e.Start(); err != nil {
		t.Fatalf("netboxemu: %v", err)
	}
	t.Cleanup(func() {
		e.Close()
		e.CheckNoFailures(t)
	})
	return e
}

// Reset drops all objects, failures, faults and request records.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.store = map[string]map[int64]*record{}
	e.nextID = map[string]int64{}
	for name := range e.models {
		e.store[name] = map[int64]*record{}
	}
	e.fails = nil
	e.reqs = nil
	e.faults = nil
}

// Failures returns the recorded OpenAPI validation failures.
func (e *Emulator) Failures() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.fails...)
}

// TakeFailures returns and clears the recorded failures (for tests that
// deliberately send invalid requests).
func (e *Emulator) TakeFailures() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	f := e.fails
	e.fails = nil
	return f
}

// CheckNoFailures fails t for every recorded validation failure.
func (e *Emulator) CheckNoFailures(t testing.TB) {
	t.Helper()
	for _, f := range e.Failures() {
		t.Errorf("netboxemu: OpenAPI validation failure: %s", f)
	}
}

// Requests returns the requests answered so far.
func (e *Emulator) Requests() []RequestRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]RequestRecord(nil), e.reqs...)
}

// FailNext answers the next n requests whose method matches (empty = any)
// and whose path starts with pathPrefix with status and a NetBox-shaped body.
func (e *Emulator) FailNext(method, pathPrefix string, status, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &fault{method: strings.ToUpper(method), prefix: pathPrefix, status: status, left: n})
}

// Objects returns the API representation of every stored object of model
// (e.g. "ipam.prefix"), ordered like NetBox lists them.
func (e *Emulator) Objects(model string) []map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.models[model]
	if !ok {
		return nil
	}
	var out []map[string]any
	for _, r := range e.sorted(m) {
		out = append(out, e.render(m, r, false))
	}
	return out
}

func (e *Emulator) failf(format string, args ...any) {
	e.fails = append(e.fails, fmt.Sprintf(format, args...))
}

// ServeHTTP implements http.Handler.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	defer e.mu.Unlock()
	// NetBox builds absolute URLs from the request's Host header.
	e.curBase = "http://" + r.Host
	defer func() { e.curBase = "" }()
	status, hdr, out, validate := e.handle(r, body)
	if validate != nil && e.corrupt != nil && len(out) > 0 {
		out = e.corrupt(r.URL.Path, out)
	}
	if validate != nil {
		validate(status, hdr, out)
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
	e.reqs = append(e.reqs, RequestRecord{Method: r.Method, Path: r.URL.RequestURI(), Status: status})
}

var hexToken = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)

// authenticate mirrors NetBox's TokenAuthentication; it returns a 403 body
// or "" when the request is authenticated.
func (e *Emulator) authenticate(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "Authentication credentials were not provided."
	}
	parts := strings.Fields(h)
	if len(parts) == 1 {
		return "Invalid token header. No credentials provided."
	}
	if len(parts) > 2 {
		return "Invalid token header. Token string should not contain spaces."
	}
	scheme, tok := parts[0], parts[1]
	switch strings.ToLower(scheme) {
	case "token":
		if !hexToken.MatchString(tok) {
			return "Invalid token"
		}
	case "bearer":
		if !strings.HasPrefix(tok, "nbt_") || !strings.Contains(tok, ".") {
			return "Invalid v2 token"
		}
	default:
		return "Authentication credentials were not provided."
	}
	for _, t := range e.opts.Tokens {
		if t == tok {
			return ""
		}
	}
	return "Invalid token"
}

func jsonHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("API-Version", "4.3")
	h.Set("Vary", "Accept, Cookie, Origin")
	h.Set("Allow", "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS")
	return h
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func detail(msg string) []byte { return mustJSON(map[string]any{"detail": msg}) }

// handle produces the response; validate (if non-nil) checks it against the
// spec.
func (e *Emulator) handle(r *http.Request, body []byte) (int, http.Header, []byte, func(int, http.Header, []byte)) {
	hdr := jsonHeader()
	path := r.URL.Path
	for _, f := range e.faults {
		if f.left > 0 && (f.method == "" || f.method == r.Method) && strings.HasPrefix(path, f.prefix) {
			f.left--
			msg := http.StatusText(f.status)
			var b []byte
			if f.status >= 500 {
				b = mustJSON(map[string]any{"error": "injected fault", "exception": "InjectedFault", "netbox_version": "4.3.0", "python_version": "3.12.3"})
			} else {
				b = detail("Injected fault: " + msg)
			}
			return f.status, hdr, b, nil
		}
	}
	if !strings.HasPrefix(path, "/api/") {
		return 404, hdr, detail("Not found."), nil
	}
	if msg := e.authenticate(r); msg != "" {
		return 403, hdr, detail(msg), e.errorCheck(r)
	}
	// Spec validation of the request.
	var in = e.specInput(r, body)
	if path == "/api/status/" {
		if r.Method != http.MethodGet {
			return 405, hdr, detail(fmt.Sprintf("Method \"%s\" not allowed.", r.Method)), e.errorCheck(r)
		}
		return 200, hdr, mustJSON(e.status()), e.responseCheck(r, in)
	}
	rest := strings.TrimPrefix(path, "/api/")
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if !strings.HasSuffix(path, "/") || len(seg) < 2 || len(seg) > 3 {
		return 404, hdr, detail("Not found."), nil
	}
	m := e.byPath[seg[0]+"/"+seg[1]]
	if m == nil {
		return 404, hdr, detail("Not found."), nil
	}
	var id int64 = -1
	if len(seg) == 3 {
		n, err := strconv.ParseInt(seg[2], 10, 64)
		if err != nil {
			return 404, hdr, detail("Not found."), nil
		}
		id = n
	}
	// Request validation: bulk (list) bodies are checked item by item
	// against the single-object operation, since the document models
	// bulk create/update/delete items without ids.
	var data any
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return 400, hdr, detail(fmt.Sprintf("JSON parse error - %v", err)), e.errorCheck(r)
		}
	}
	_, isList := data.([]any)
	specErrs := e.validateRequest(r, m, id, body, data, isList)
	snap := e.snapshot()
	status, out := e.dispatch(r, m, id, data, isList)
	if len(specErrs) > 0 {
		for _, s := range specErrs {
			e.failf("request %s %s: %s", r.Method, r.URL.RequestURI(), s)
		}
		if e.strict && status < 400 {
			// The emulator would have accepted it, but the NetBox
			// contract does not: roll back and answer 400.
			e.restore(snap)
			return 400, hdr, mustJSON(map[string]any{"non_field_errors": specErrs}), e.errorCheck(r)
		}
	}
	if status >= 400 {
		// Requests are atomic, like NetBox's transaction per request.
		e.restore(snap)
		return status, hdr, out, e.errorCheck(r)
	}
	if isList && r.Method == http.MethodPost {
		return status, hdr, out, e.bulkCreateCheck(r, m)
	}
	if id < 0 && r.Method == http.MethodGet && isBrief(r.URL.Query()) {
		return status, hdr, out, e.briefListCheck(r, m)
	}
	return status, hdr, out, e.responseCheck(r, in)
}
