package netboxemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

func newBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// specInput returns the validation input for a request's route (nil when the
// document has no such route).
func (e *Emulator) specInput(r *http.Request, body []byte) *openapi3filter.RequestValidationInput {
	in, err := e.spec.routeInput(r.Method, r.URL.RequestURI())
	if err != nil {
		return nil
	}
	in.Request.Header = r.Header.Clone()
	in.Request.Body = newBody(body)
	return in
}

// flattenErr turns a kin-openapi error into readable strings.
func flattenErr(err error) []string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []string
		for _, x := range me {
			out = append(out, flattenErr(x)...)
		}
		return out
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		var inner openapi3.MultiError
		if errors.As(re.Err, &inner) {
			var out []string
			for _, x := range inner {
				for _, s := range flattenErr(x) {
					out = append(out, prefixOf(re)+s)
				}
			}
			return out
		}
	}
	msg := err.Error()
	if len(msg) > 600 {
		msg = msg[:600] + "..."
	}
	return []string{strings.ReplaceAll(msg, "\n", " ")}
}

func prefixOf(re *openapi3filter.RequestError) string {
	if re.Parameter != nil {
		return fmt.Sprintf("parameter %q: ", re.Parameter.Name)
	}
	if re.RequestBody != nil {
		return "request body: "
	}
	return ""
}

// validateRequest checks the request against the document; list bodies are
// checked item by item against the equivalent single-object operation
// (NetBox applies the single-object serializer to each item).
func (e *Emulator) validateRequest(r *http.Request, m *modelDef, id int64, body []byte, data any, isList bool) []string {
	if !isList {
		if _, err := e.spec.validateRequest(r, body); err != nil {
			return flattenErr(err)
		}
		return nil
	}
	var out []string
	items := data.([]any)
	for i, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			out = append(out, fmt.Sprintf("item %d: not an object", i))
			continue
		}
		method, path := r.Method, "/api/"+m.path+"/"
		itemBody := obj
		if r.Method != http.MethodPost {
			oid, ok := toInt(obj["id"])
			if !ok {
				out = append(out, fmt.Sprintf("item %d: bulk %s needs an integer id", i, r.Method))
				continue
			}
			path = fmt.Sprintf("/api/%s/%d/", m.path, oid)
			itemBody = map[string]any{}
			for k, v := range obj {
				if k != "id" {
					itemBody[k] = v
				}
			}
			if r.Method == http.MethodDelete {
				// Bulk delete items only carry ids.
				method = http.MethodPatch
			}
		}
		req, _ := http.NewRequest(method, path, nil)
		req.Header = r.Header.Clone()
		req.Header.Set("Content-Type", "application/json")
		if _, err := e.spec.validateRequest(req, mustJSON(itemBody)); err != nil {
			for _, s := range flattenErr(err) {
				out = append(out, fmt.Sprintf("item %d: %s", i, s))
			}
		}
	}
	return out
}

// responseCheck validates a success response against the document.
func (e *Emulator) responseCheck(r *http.Request, in *openapi3filter.RequestValidationInput) func(int, http.Header, []byte) {
	return func(status int, h http.Header, body []byte) {
		if in == nil {
			e.failf("response %s %s: no route in OpenAPI document", r.Method, r.URL.Path)
			return
		}
		if err := e.spec.validateResponse(in, status, h, body); err != nil {
			for _, s := range flattenErr(err) {
				e.failf("response %s %s %d: %s", r.Method, r.URL.Path, status, s)
			}
		}
	}
}

// bulkCreateCheck validates each created object against the single-create
// response schema.
func (e *Emulator) bulkCreateCheck(r *http.Request, m *modelDef) func(int, http.Header, []byte) {
	return func(status int, h http.Header, body []byte) {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			e.failf("response %s %s: bulk create body is not a list: %v", r.Method, r.URL.Path, err)
			return
		}
		in, err := e.spec.routeInput(http.MethodPost, "/api/"+m.path+"/")
		if err != nil {
			e.failf("response %s %s: %v", r.Method, r.URL.Path, err)
			return
		}
		for i, it := range items {
			if err := e.spec.validateResponse(in, status, h, it); err != nil {
				for _, s := range flattenErr(err) {
					e.failf("response %s %s item %d: %s", r.Method, r.URL.Path, i, s)
				}
			}
		}
	}
}

// errorCheck validates the shape of an error body, which the document does
// not describe: {"detail": str}, {"field": [str...]}, or a list of such
// dicts for bulk requests.
func (e *Emulator) errorCheck(r *http.Request) func(int, http.Header, []byte) {
	return func(status int, _ http.Header, body []byte) {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			e.failf("error response %s %s %d: not JSON: %v", r.Method, r.URL.Path, status, err)
			return
		}
		if !validErrorBody(v, true) {
			e.failf("error response %s %s %d: not NetBox-shaped: %s", r.Method, r.URL.Path, status, body)
		}
	}
}

func validErrorBody(v any, allowList bool) bool {
	switch t := v.(type) {
	case map[string]any:
		if d, ok := t["detail"]; ok && len(t) == 1 {
			_, isStr := d.(string)
			return isStr
		}
		for _, x := range t {
			list, ok := x.([]any)
			if !ok || len(list) == 0 {
				return false
			}
			for _, s := range list {
				if _, ok := s.(string); !ok {
					return false
				}
			}
		}
		return len(t) > 0
	case []any:
		if !allowList {
			return false
		}
		for _, x := range t {
			if m, ok := x.(map[string]any); ok && len(m) == 0 {
				continue
			}
			if !validErrorBody(x, false) {
				return false
			}
		}
		return true
	}
	return false
}

// briefListCheck validates a ?brief=true page: the document describes only
// full objects, so results are checked against the model's Brief schema.
func (e *Emulator) briefListCheck(r *http.Request, m *modelDef) func(int, http.Header, []byte) {
	return func(status int, _ http.Header, body []byte) {
		var page struct {
			Count   *int  `json:"count"`
			Results []any `json:"results"`
		}
		if err := json.Unmarshal(body, &page); err != nil || page.Count == nil || page.Results == nil {
			e.failf("response %s %s: brief page malformed", r.Method, r.URL.Path)
			return
		}
		ref := e.spec.doc.Components.Schemas[m.briefSchema]
		if ref == nil || ref.Value == nil {
			// No Brief schema for this model in the document.
			return
		}
		for i, it := range page.Results {
			if err := ref.Value.VisitJSON(it, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
				for _, s := range flattenErr(err) {
					e.failf("response %s %s result %d (%s): %s", r.Method, r.URL.Path, i, m.briefSchema, s)
				}
			}
		}
	}
}
