package apiserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
)

// delegate is the stand-in core API server with the stores its informers read.
type delegate struct {
	*httptest.Server
	// namespaces holds "default"; webhooks holds the ValidatingWebhookConfigurations the admission
	// plugin ValidatingAdmissionWebhook reads (Options.AdmissionWebhooks).
	namespaces, webhooks *watchStore
}

// newDelegate starts the stand-in for the core API server that the apiextensions-apiserver delegates to:
// it answers TokenReview (admin token → system:masters, denied token → an unprivileged user, anything
// else unauthenticated) and SubjectAccessReview (only system:masters is allowed), serves an empty
// Services list and watch for the service resolver's informer, and Namespaces and
// ValidatingWebhookConfigurations (list and watch) for the webhook admission plugin's informers.
func newDelegate(adminToken, deniedToken string) *delegate {
	d := &delegate{namespaces: newWatchStore("v1", "Namespace"),
		webhooks: newWatchStore("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration")}
	d.namespaces.set(map[string]any{"metadata": map[string]any{"name": "default"}, "spec": map[string]any{"finalizers": []any{"kubernetes"}},
		"status": map[string]any{"phase": "Active"}})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/namespaces", d.namespaces.serveHTTP)
	mux.HandleFunc("GET /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", d.webhooks.serveHTTP)
	mux.HandleFunc("POST /apis/authentication.k8s.io/v1/tokenreviews", func(w http.ResponseWriter, r *http.Request) {
		var tr map[string]any
		if err := json.NewDecoder(r.Body).Decode(&tr); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		spec, _ := tr["spec"].(map[string]any)
		token, _ := spec["token"].(string)
		status := map[string]any{"authenticated": false}
		switch token {
		case adminToken:
			status = map[string]any{"authenticated": true,
				"user": map[string]any{"username": "admin", "groups": []string{"system:masters", "system:authenticated"}}}
		case deniedToken:
			status = map[string]any{"authenticated": true,
				"user": map[string]any{"username": "denied", "groups": []string{"system:authenticated"}}}
		}
		tr["status"] = status
		writeJSON(w, http.StatusCreated, tr)
	})
	mux.HandleFunc("POST /apis/authorization.k8s.io/v1/subjectaccessreviews", func(w http.ResponseWriter, r *http.Request) {
		var sar map[string]any
		if err := json.NewDecoder(r.Body).Decode(&sar); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		spec, _ := sar["spec"].(map[string]any)
		groups, _ := spec["groups"].([]any)
		allowed := false
		for _, g := range groups {
			if g == "system:masters" {
				allowed = true
			}
		}
		st := map[string]any{"allowed": allowed}
		if !allowed {
			st["reason"] = "test harness denies everyone but system:masters"
		}
		sar["status"] = st
		writeJSON(w, http.StatusCreated, sar)
	})
	mux.HandleFunc("GET /api/v1/services", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("watch") != "true" && q.Get("watch") != "1" {
			writeJSON(w, http.StatusOK, map[string]any{"kind": "ServiceList", "apiVersion": "v1",
				"metadata": map[string]any{"resourceVersion": "1"}, "items": []any{}})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		if q.Get("sendInitialEvents") == "true" {
			_ = json.NewEncoder(w).Encode(map[string]any{"type": "BOOKMARK", "object": map[string]any{
				"kind": "Service", "apiVersion": "v1", "metadata": map[string]any{"resourceVersion": "1",
					"annotations": map[string]any{"k8s.io/initial-events-end": "true"}}}})
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		<-r.Context().Done()
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusNotFound, "NotFound", "the test harness core stub does not serve "+strings.TrimSpace(r.URL.Path))
	})
	d.Server = httptest.NewServer(mux)
	return d
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeStatus writes a metav1.Status failure.
func writeStatus(w http.ResponseWriter, code int, reason, msg string) {
	writeJSON(w, code, map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": msg, "reason": reason, "code": code})
}
