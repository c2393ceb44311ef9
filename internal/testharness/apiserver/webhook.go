package apiserver

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// validatingWebhookPlugin is the admission plugin Options.AdmissionWebhooks enables.
const validatingWebhookPlugin = "ValidatingAdmissionWebhook"

// Judge decides one admission request: allowed, or refused with message (the webhook's denial, which the
// API server returns as `admission webhook "<name>" denied the request: <message>`).
type Judge func(req *admissionv1.AdmissionRequest) (allowed bool, message string)

// Seen is one admission request a webhook received.
type Seen struct {
	Kind, Name, Operation string
	DryRun                bool
	Allowed               bool
}

// Webhook is a validating admission webhook served over HTTPS (a certificate of the server's CA) and
// registered with the API server as a ValidatingWebhookConfiguration of the same name.
type Webhook struct {
	Name string
	URL  string

	s    *Server
	srv  *http.Server
	mu   sync.Mutex
	seen []Seen
}

// ServeValidatingWebhook starts a validating webhook that judges the requests matching rules and registers
// it (sideEffects None, so dry runs are judged too; failurePolicy Fail). It returns once the API server's
// informer has received the configuration; the caller may still want one probe request, since the
// informer's cache is filled asynchronously. It needs Options.AdmissionWebhooks.
func (s *Server) ServeValidatingWebhook(name string, rules []admissionregistrationv1.RuleWithOperations, judge Judge) (*Webhook, error) {
	if !s.opts.AdmissionWebhooks {
		return nil, errors.New("the API server was started without Options.AdmissionWebhooks")
	}
	certPEM, keyPEM, err := s.ca.issue("127.0.0.1", nil, true)
	if err != nil {
		return nil, err
	}
	cert, err := tlsCert(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w := &Webhook{Name: name, URL: "https://" + ln.Addr().String() + "/validate", s: s}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /validate", func(rw http.ResponseWriter, r *http.Request) { w.handle(rw, r, judge) })
	w.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go func() { _ = w.srv.ServeTLS(ln, "", "") }()

	none := admissionregistrationv1.SideEffectClassNone
	fail := admissionregistrationv1.Fail
	timeout := int32(10)
	url := w.URL
	// What the real API server's defaulting would add: nil selectors would match nothing.
	equivalent := admissionregistrationv1.Equivalent
	anyScope := admissionregistrationv1.AllScopes
	rules = append([]admissionregistrationv1.RuleWithOperations(nil), rules...)
	for i := range rules {
		if rules[i].Scope == nil {
			rules[i].Scope = &anyScope
		}
	}
	cfg := admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    name,
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: s.CAData},
			Rules:                   rules,
			MatchPolicy:             &equivalent,
			NamespaceSelector:       &metav1.LabelSelector{},
			ObjectSelector:          &metav1.LabelSelector{},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			TimeoutSeconds:          &timeout,
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		w.Close()
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		w.Close()
		return nil, err
	}
	rv := s.delegate.webhooks.set(obj)
	if !s.delegate.webhooks.waitDelivered(rv, 30*time.Second) {
		w.Close()
		return nil, fmt.Errorf("the API server's informer did not receive ValidatingWebhookConfiguration %s within 30s", name)
	}
	return w, nil
}

func (w *Webhook) handle(rw http.ResponseWriter, r *http.Request, judge Judge) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(rw, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	req := review.Request
	allowed, msg := judge(req)
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: allowed}
	if !allowed {
		resp.Result = &metav1.Status{Status: metav1.StatusFailure, Message: msg, Reason: metav1.StatusReasonForbidden, Code: http.StatusForbidden}
	}
	w.mu.Lock()
	w.seen = append(w.seen, Seen{Kind: req.Kind.Kind, Name: req.Name, Operation: string(req.Operation),
		DryRun: req.DryRun != nil && *req.DryRun, Allowed: allowed})
	w.mu.Unlock()
	writeJSON(rw, http.StatusOK, admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp})
}

// Seen returns the requests the webhook received, in order.
func (w *Webhook) Seen() []Seen {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Seen(nil), w.seen...)
}

// Close unregisters the webhook and stops its server.
func (w *Webhook) Close() {
	if w.s != nil && w.s.delegate != nil {
		if rv := w.s.delegate.webhooks.remove(w.Name); rv > 0 {
			w.s.delegate.webhooks.waitDelivered(rv, 10*time.Second)
		}
	}
	if w.srv != nil {
		_ = w.srv.Close()
	}
}
