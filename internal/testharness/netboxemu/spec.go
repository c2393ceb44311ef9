package netboxemu

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// goNetboxModule is the module whose api/openapi.yaml describes NetBox 4.3.
const goNetboxModule = "github.com/netbox-community/go-netbox/v4"

// spec is the parsed OpenAPI document plus its router, shared per process.
type spec struct {
	doc      *openapi3.T
	router   routers.Router
	path     string
	loadTime time.Duration
}

var (
	specOnce sync.Once
	specVal  *spec
	specErr  error
)

// SpecLoadTime reports how long parsing the OpenAPI document took (zero
// before the first successful load).
func SpecLoadTime() time.Duration {
	if specVal == nil {
		return 0
	}
	return specVal.loadTime
}

// loadSpec parses the NetBox OpenAPI document once per process.
func loadSpec() (*spec, error) {
	specOnce.Do(func() {
		specVal, specErr = parseSpec()
	})
	return specVal, specErr
}

// locateSpec finds openapi.yaml: $NETBOX_OPENAPI, else the go-netbox module dir.
func locateSpec() (string, error) {
	if p := os.Getenv("NETBOX_OPENAPI"); p != "" {
		return p, nil
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", goNetboxModule)
	if root := moduleRoot(); root != "" {
		cmd.Dir = root
	}
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("netboxemu: locating %s (set NETBOX_OPENAPI): %w", goNetboxModule, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("netboxemu: %s not found in module graph", goNetboxModule)
	}
	return filepath.Join(dir, "api", "openapi.yaml"), nil
}

// moduleRoot walks up from the working directory to the nearest go.mod.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func parseSpec() (*spec, error) {
	path, err := locateSpec()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("netboxemu: loading %s: %w", path, err)
	}
	// The document declares a single server with an empty URL; route on
	// paths alone.
	doc.Servers = nil
	patchSpec(doc)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("netboxemu: building router: %w", err)
	}
	return &spec{doc: doc, router: router, path: path, loadTime: time.Since(start)}, nil
}

// patchSpec corrects known divergences between go-netbox's v4.3.0 document
// and what a real NetBox 4.3 sends and accepts. Each patch makes the
// emulator match the server, not the generated client.
//
// vid_ranges: the document nests IntegerRange (itself [[lo,hi],...]) inside
// an array, giving [[[lo,hi]]]; NetBox serialises a list of [lo,hi] pairs
// (go-netbox issue #222). The go-netbox VLANGroup model therefore cannot
// decode real NetBox responses, and the emulator reproduces that.
//
// VLAN.qinq_role: NetBox renders an unset choice as null (DRF skips
// to_representation for None) but the document marks it non-nullable.
//
// custom_fields: NetBox reports every defined custom field, null when unset,
// but the document's additionalProperties {} is non-nullable.
func patchSpec(doc *openapi3.T) {
	for _, ref := range doc.Components.Schemas {
		if ref == nil || ref.Value == nil {
			continue
		}
		if cf := ref.Value.Properties["custom_fields"]; cf != nil && cf.Value != nil && cf.Value.AdditionalProperties.Schema != nil {
			c := *cf.Value
			c.AdditionalProperties = openapi3.AdditionalProperties{Schema: openapi3.NewSchemaRef("", &openapi3.Schema{Nullable: true})}
			ref.Value.Properties["custom_fields"] = openapi3.NewSchemaRef("", &c)
		}
	}
	if ref := doc.Components.Schemas["VLAN"]; ref != nil && ref.Value != nil {
		if q := ref.Value.Properties["qinq_role"]; q != nil && q.Value != nil {
			c := *q.Value
			c.Nullable = true
			ref.Value.Properties["qinq_role"] = openapi3.NewSchemaRef("", &c)
		}
	}
	pair := openapi3.NewArraySchema().WithItems(openapi3.NewIntegerSchema()).WithMinItems(2).WithMaxItems(2)
	ranges := openapi3.NewArraySchema().WithItems(pair)
	for name, ref := range doc.Components.Schemas {
		if ref == nil || ref.Value == nil || !strings.Contains(name, "VLANGroup") {
			continue
		}
		if _, ok := ref.Value.Properties["vid_ranges"]; ok {
			ref.Value.Properties["vid_ranges"] = openapi3.NewSchemaRef("", ranges)
		}
	}
}

// validationOptions accepts any request that carries credentials; the
// emulator authenticates before validating.
func validationOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:         true,
		AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
	}
}

// validateRequest checks a request (with its body bytes) against the spec.
func (s *spec) validateRequest(r *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	clone := r.Clone(context.Background())
	clone.Body = newBody(body)
	route, params, err := s.router.FindRoute(clone)
	if err != nil {
		return nil, fmt.Errorf("no route in OpenAPI document for %s %s: %w", r.Method, r.URL.Path, err)
	}
	stripNullQuery(clone, route)
	in := &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: params,
		Route:      route,
		Options:    validationOptions(),
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return in, err
	}
	return in, nil
}

// stripNullQuery drops "null" values of query parameters whose items are
// nullable: NetBox filters accept ?vrf_id=null, which kin-openapi cannot
// parse as a nullable integer.
func stripNullQuery(r *http.Request, route *routers.Route) {
	q := r.URL.Query()
	changed := false
	for _, p := range route.Operation.Parameters {
		if p.Value == nil || p.Value.In != "query" || p.Value.Schema == nil || p.Value.Schema.Value == nil {
			continue
		}
		sch := p.Value.Schema.Value
		nullable := sch.Nullable
		if sch.Items != nil && sch.Items.Value != nil {
			nullable = nullable || sch.Items.Value.Nullable
		}
		vals, ok := q[p.Value.Name]
		if !ok || !nullable {
			continue
		}
		var keep []string
		for _, v := range vals {
			if v != "null" {
				keep = append(keep, v)
			}
		}
		if len(keep) != len(vals) {
			changed = true
			if len(keep) == 0 {
				q.Del(p.Value.Name)
			} else {
				q[p.Value.Name] = keep
			}
		}
	}
	if changed {
		r.URL.RawQuery = q.Encode()
	}
}

// validateResponse checks a response against the spec for the given request.
func (s *spec) validateResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	opts := validationOptions()
	opts.IncludeResponseStatus = true
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// routeInput builds a validation input for method+path without validating
// the request, for checking a response to a synthetic request.
func (s *spec) routeInput(method, path string) (*openapi3filter.RequestValidationInput, error) {
	r, err := http.NewRequest(method, path, nil)
	if err != nil {
		return nil, err
	}
	route, params, err := s.router.FindRoute(r)
	if err != nil {
		return nil, err
	}
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: validationOptions()}, nil
}
