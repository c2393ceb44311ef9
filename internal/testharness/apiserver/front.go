package apiserver

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// front is the TLS endpoint the harness's kubeconfig points at. It serves core ConfigMaps ONLY
// (GET /api, GET /api/v1 and get/list/create/update/delete of /api/v1/namespaces/{ns}/configmaps[/{name}],
// lists filtered by equality-based label selectors) from memory, because the apiextensions-apiserver has no core group; everything else is reverse-proxied
// unchanged to the real apiextensions-apiserver. A request authenticated by a client certificate signed
// by the test CA is forwarded with the admin token, since TLS ends here.
type front struct {
	adminToken, deniedToken string
	proxy                   *httputil.ReverseProxy

	mu  sync.Mutex
	rv  int
	cms map[string]map[string]any // "ns/name" → ConfigMap object
}

func newFront(target *url.URL, tlsCfg *tls.Config, adminToken, deniedToken string) *front {
	f := &front{adminToken: adminToken, deniedToken: deniedToken, cms: map[string]map[string]any{}, rv: 1}
	f.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
		},
		Transport:     &http.Transport{TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 100},
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	return f
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		r.Header.Set("Authorization", "Bearer "+f.adminToken)
	}
	p := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case p == "/api" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"kind": "APIVersions", "versions": []string{"v1"},
			"serverAddressByClientCIDRs": []any{map[string]any{"clientCIDR": "0.0.0.0/0", "serverAddress": r.Host}}})
	case p == "/api/v1" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"kind": "APIResourceList", "groupVersion": "v1",
			"resources": []any{map[string]any{"name": "configmaps", "singularName": "configmap", "namespaced": true,
				"kind": "ConfigMap", "verbs": []string{"create", "delete", "get", "list", "update"}, "shortNames": []string{"cm"}}}})
	case strings.HasPrefix(p, "/api/"):
		f.configMaps(w, r, p)
	default:
		f.proxy.ServeHTTP(w, r)
	}
}

// configMaps serves /api/v1/namespaces/{ns}/configmaps[/{name}].
func (f *front) configMaps(w http.ResponseWriter, r *http.Request, p string) {
	parts := strings.Split(strings.TrimPrefix(p, "/api/v1/"), "/")
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "namespaces" || parts[2] != "configmaps" {
		writeStatus(w, http.StatusNotFound, "NotFound", "the test harness serves core ConfigMaps only, not "+p)
		return
	}
	switch strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") {
	case f.adminToken:
	case f.deniedToken:
		writeStatus(w, http.StatusForbidden, "Forbidden", "configmaps is forbidden for this user")
		return
	default:
		writeStatus(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized")
		return
	}
	ns, name := parts[1], ""
	if len(parts) == 4 {
		name = parts[3]
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && name == "":
		sel, err := parseSelector(r.URL.Query().Get("labelSelector"))
		if err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		items := []any{}
		for k, cm := range f.cms {
			if strings.HasPrefix(k, ns+"/") && sel.matches(cm) {
				items = append(items, cm)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"kind": "ConfigMapList", "apiVersion": "v1",
			"metadata": map[string]any{"resourceVersion": strconv.Itoa(f.rv)}, "items": items})
	case r.Method == http.MethodGet:
		cm, ok := f.cms[ns+"/"+name]
		if !ok {
			writeNotFound(w, name)
			return
		}
		writeJSON(w, http.StatusOK, cm)
	case r.Method == http.MethodPost && name == "", r.Method == http.MethodPut && name != "":
		var obj map[string]any
		if err := json.NewDecoder(r.Body).Decode(&obj); err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		md, _ := obj["metadata"].(map[string]any)
		if md == nil {
			md = map[string]any{}
		}
		if name == "" {
			name, _ = md["name"].(string)
		}
		key := ns + "/" + name
		old, exists := f.cms[key]
		if r.Method == http.MethodPost && exists {
			writeStatus(w, http.StatusConflict, "AlreadyExists", `configmaps "`+name+`" already exists`)
			return
		}
		if r.Method == http.MethodPut && !exists {
			writeNotFound(w, name)
			return
		}
		if exists {
			omd := old["metadata"].(map[string]any)
			if rv, _ := md["resourceVersion"].(string); rv != "" && rv != omd["resourceVersion"] {
				writeStatus(w, http.StatusConflict, "Conflict", `Operation cannot be fulfilled on configmaps "`+name+`": the object has been modified`)
				return
			}
			md["uid"], md["creationTimestamp"] = omd["uid"], omd["creationTimestamp"]
		}
		f.store(ns, name, md, obj["data"])
		code := http.StatusOK
		if !exists {
			code = http.StatusCreated
		}
		writeJSON(w, code, f.cms[key])
	case r.Method == http.MethodDelete && name != "":
		cm, ok := f.cms[ns+"/"+name]
		if !ok {
			writeNotFound(w, name)
			return
		}
		delete(f.cms, ns+"/"+name)
		f.rv++
		writeJSON(w, http.StatusOK, cm)
	default:
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the test harness serves get/list/create/update/delete of configmaps only")
	}
}

// selector is an equality-based label selector: every requirement must hold.
type selector []requirement

type requirement struct {
	key, value string
	op         string // "=", "!=", "exists", "!exists"
}

// parseSelector reads "k=v,k2==v2,k3!=v3,k4,!k5" (set-based selectors are refused, not ignored).
func parseSelector(s string) (selector, error) {
	var sel selector
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
		case strings.ContainsAny(part, "() "):
			return nil, errors.New("the test harness supports equality-based label selectors only, not " + strconv.Quote(part))
		case strings.Contains(part, "!="):
			k, v, _ := strings.Cut(part, "!=")
			sel = append(sel, requirement{key: k, value: v, op: "!="})
		case strings.Contains(part, "="):
			k, v, _ := strings.Cut(part, "=")
			sel = append(sel, requirement{key: k, value: strings.TrimPrefix(v, "="), op: "="})
		case strings.HasPrefix(part, "!"):
			sel = append(sel, requirement{key: part[1:], op: "!exists"})
		default:
			sel = append(sel, requirement{key: part, op: "exists"})
		}
	}
	return sel, nil
}

func (sel selector) matches(cm map[string]any) bool {
	md, _ := cm["metadata"].(map[string]any)
	labels, _ := md["labels"].(map[string]any)
	for _, r := range sel {
		v, ok := labels[r.key].(string)
		switch r.op {
		case "=":
			if !ok || v != r.value {
				return false
			}
		case "!=":
			if ok && v == r.value {
				return false
			}
		case "exists":
			if !ok {
				return false
			}
		case "!exists":
			if ok {
				return false
			}
		}
	}
	return true
}

// store saves a ConfigMap with a fresh resourceVersion; f.mu must be held.
func (f *front) store(ns, name string, md map[string]any, data any) {
	f.rv++
	meta := map[string]any{"name": name, "namespace": ns, "resourceVersion": strconv.Itoa(f.rv)}
	for _, k := range []string{"labels", "annotations", "uid", "creationTimestamp"} {
		if v, ok := md[k]; ok && v != nil {
			meta[k] = v
		}
	}
	if meta["uid"] == nil {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		meta["uid"] = hex.EncodeToString(b)
		meta["creationTimestamp"] = time.Now().UTC().Format(time.RFC3339)
	}
	cm := map[string]any{"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta}
	if data != nil {
		cm["data"] = data
	}
	f.cms[ns+"/"+name] = cm
}

func writeNotFound(w http.ResponseWriter, name string) {
	writeJSON(w, http.StatusNotFound, map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": `configmaps "` + name + `" not found`, "reason": "NotFound",
		"details": map[string]any{"name": name, "kind": "configmaps"}, "code": http.StatusNotFound})
}
