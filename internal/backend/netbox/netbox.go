// Package netbox is the NetBox backend of the saga: it maps VPCs, IPv4Namespaces and VLANNamespaces to
// VRFs, prefixes, VLANs and VLAN groups, marked as owned by a tag and a custom field.
package netbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/guard"
)

// Config configures the NetBox backend.
type Config struct {
	ServerURL string
	APIToken  string
	// Site, when set, scopes VLAN groups to this site (name or slug).
	Site      string
	Insecure  bool
	CACertPEM string
	// Tag is the ownership tag slug (default "hedgehog-terraform").
	Tag string
	// CustomField is the ownership custom field name (default "hedgehog_object").
	CustomField string
	// Owner is the owner identity written into every mark (default backend.DefaultOwner).
	Owner string
	// Timeout is the request timeout when Guard is nil (guard.DefaultRequestTimeout when 0).
	Timeout time.Duration
	// Guard applies the request timeout and retries to every HTTP request (nil: a guard with Timeout).
	Guard *guard.Guard
}

// Backend is the NetBox backend. It is safe for concurrent use.
type Backend struct {
	cfg Config

	once    sync.Once
	client  *nb.APIClient
	http    *http.Client
	initErr error

	setupMu   sync.Mutex
	setupDone bool
	siteID    int32

	idx index     // the run's cached lookups (index.go)
	co  coalescer // merged bulk requests (bulk.go)
}

var _ backend.Backend = (*Backend)(nil)

// New returns a backend; no connection is made until first use.
func New(cfg Config) *Backend {
	if cfg.Tag == "" {
		cfg.Tag = "hedgehog-terraform"
	}
	if cfg.CustomField == "" {
		cfg.CustomField = "hedgehog_object"
	}
	if cfg.Guard == nil {
		cfg.Guard = guard.New(backend.NetBox, guard.Config{RequestTimeout: cfg.Timeout})
	}
	cfg.ServerURL = strings.TrimRight(cfg.ServerURL, "/")
	return &Backend{cfg: cfg}
}

// Name implements backend.Backend.
func (b *Backend) Name() string { return backend.NetBox }

// Handles implements backend.Backend.
func (b *Backend) Handles(kind string) bool { return modelsOf(kind) != nil }

// Describe implements backend.Backend.
func (b *Backend) Describe(obj backend.Object) string { return describe(obj) }

// Predict implements backend.Predictor: the keys of the checkpoint's record ids (netbox_ids), each with an
// empty value, for the ids are NetBox's to give. An update patches records in place, so a record whose key
// stays keeps its id.
func (b *Backend) Predict(obj backend.Object) map[string]string {
	recs := desiredRecords(obj).Records
	for i := range recs {
		recs[i].ID = 1
	}
	keys := checkpointOf(recs)
	for k := range keys {
		keys[k] = ""
	}
	return keys
}

// Digest implements backend.Backend.
func (b *Backend) Digest(obj backend.Object) string { return backend.HashJSON(projectDesired(obj)) }

// authHeader returns the Authorization header value: v2 tokens (nbt_ prefix) use Bearer.
func authHeader(token string) string {
	if strings.HasPrefix(token, "nbt_") {
		return "Bearer " + token
	}
	return "Token " + token
}

type ctxKey int

const queryKey ctxKey = 0

// withQuery adds query parameters the generated client does not know (custom field filters).
func withQuery(ctx context.Context, q url.Values) context.Context {
	return context.WithValue(ctx, queryKey, q)
}

// transport injects extra query parameters from the request context.
type transport struct{ base http.RoundTripper }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if extra, ok := req.Context().Value(queryKey).(url.Values); ok && req.Method == http.MethodGet {
		req = req.Clone(req.Context())
		q := req.URL.Query()
		for k, vs := range extra {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		req.URL.RawQuery = q.Encode()
	}
	return t.base.RoundTrip(req)
}

// api returns the lazily built client.
func (b *Backend) api() (*nb.APIClient, error) {
	b.once.Do(func() {
		if b.cfg.ServerURL == "" {
			b.initErr = errors.New("server URL is not set")
			return
		}
		if _, err := url.Parse(b.cfg.ServerURL); err != nil {
			b.initErr = fmt.Errorf("server URL: %w", err)
			return
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: b.cfg.Insecure} //nolint:gosec // user option
		if b.cfg.CACertPEM != "" {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM([]byte(b.cfg.CACertPEM)) {
				b.initErr = errors.New("CA certificate PEM holds no certificate")
				return
			}
			tlsCfg.RootCAs = pool
		}
		tr.TLSClientConfig = tlsCfg
		// The guard's transport bounds each request (no answer within the request timeout) and retries
		// 429, 5xx and connection errors; the client itself has no overall timeout, so that a long list
		// that keeps arriving is not cut short.
		b.http = &http.Client{Transport: transport{base: b.cfg.Guard.Transport(tr)}}
		c := nb.NewConfiguration()
		c.Servers[0].URL = b.cfg.ServerURL
		c.HTTPClient = b.http
		c.UserAgent = "terraform-provider-hedgehog"
		c.AddDefaultHeader("Authorization", authHeader(b.cfg.APIToken))
		c.AddDefaultHeader("Accept-Language", "en-US")
		b.client = nb.NewAPIClient(c)
	})
	return b.client, b.initErr
}

// wrap makes a *backend.Error, adding NetBox's response body when there is one.
func wrap(op string, ref backend.Ref, err error) error {
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	return &backend.Error{Backend: backend.NetBox, Op: op, Ref: ref, Err: err}
}

// apiErr adds the HTTP status and body of a failed call to err.
func apiErr(what string, resp *http.Response, err error) error {
	if err == nil {
		return nil
	}
	var oe *nb.GenericOpenAPIError
	body := ""
	if errors.As(err, &oe) {
		body = strings.TrimSpace(string(oe.Body()))
	}
	status := ""
	if resp != nil {
		status = resp.Status
	}
	switch {
	case status != "" && body != "":
		return fmt.Errorf("%s: %s: %s", what, status, body)
	case status != "":
		return fmt.Errorf("%s: %s: %w", what, status, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
