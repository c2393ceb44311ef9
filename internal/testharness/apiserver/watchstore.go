package apiserver

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// watchStore serves one cluster-scoped resource of the core stub to the API server's informers: list and
// watch (from a resourceVersion, or with initial events for client-go's watch-list), with every change
// kept so that a watch started from a list's resourceVersion misses nothing.
type watchStore struct {
	apiVersion, kind string

	mu      sync.Mutex
	rv      int64
	items   map[string]map[string]any
	history []watchEvent
	subs    map[chan struct{}]struct{}
	// delivered is the highest resourceVersion flushed to any watcher.
	delivered int64
	cond      *sync.Cond
}

type watchEvent struct {
	rv  int64
	typ string
	obj map[string]any
}

func newWatchStore(apiVersion, kind string) *watchStore {
	s := &watchStore{apiVersion: apiVersion, kind: kind, items: map[string]map[string]any{}, subs: map[chan struct{}]struct{}{}}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// set creates or replaces the object named in obj's metadata and returns its resourceVersion.
func (s *watchStore) set(obj map[string]any) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rv++
	md, _ := obj["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		obj["metadata"] = md
	}
	name, _ := md["name"].(string)
	typ := "ADDED"
	if old, ok := s.items[name]; ok {
		typ = "MODIFIED"
		md["uid"] = old["metadata"].(map[string]any)["uid"]
	} else {
		md["uid"] = randToken()
	}
	md["resourceVersion"] = strconv.FormatInt(s.rv, 10)
	if _, ok := md["creationTimestamp"]; !ok {
		md["creationTimestamp"] = time.Now().UTC().Format(time.RFC3339)
	}
	obj["apiVersion"], obj["kind"] = s.apiVersion, s.kind
	s.items[name] = obj
	s.history = append(s.history, watchEvent{rv: s.rv, typ: typ, obj: obj})
	s.notify()
	return s.rv
}

// remove deletes the object and returns the resourceVersion of the deletion (0 when it was not there).
func (s *watchStore) remove(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.items[name]
	if !ok {
		return 0
	}
	s.rv++
	delete(s.items, name)
	gone := map[string]any{}
	for k, v := range old {
		gone[k] = v
	}
	md := map[string]any{}
	for k, v := range old["metadata"].(map[string]any) {
		md[k] = v
	}
	md["resourceVersion"] = strconv.FormatInt(s.rv, 10)
	gone["metadata"] = md
	s.history = append(s.history, watchEvent{rv: s.rv, typ: "DELETED", obj: gone})
	s.notify()
	return s.rv
}

func (s *watchStore) notify() {
	for c := range s.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// waitDelivered waits until a watcher received resourceVersion rv (the informer has the change on its
// way to its cache), or the timeout passed.
func (s *watchStore) waitDelivered(rv int64, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	t := time.AfterFunc(timeout, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer t.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.delivered < rv {
		if time.Now().After(deadline) {
			return false
		}
		s.cond.Wait()
	}
	return true
}

func (s *watchStore) serveHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("watch") != "true" && q.Get("watch") != "1" {
		s.mu.Lock()
		names := make([]string, 0, len(s.items))
		for n := range s.items {
			names = append(names, n)
		}
		sort.Strings(names)
		items := make([]any, 0, len(names))
		for _, n := range names {
			items = append(items, s.items[n])
		}
		rv := s.rv
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"kind": s.kind + "List", "apiVersion": s.apiVersion,
			"metadata": map[string]any{"resourceVersion": strconv.FormatInt(rv, 10)}, "items": items})
		s.markDelivered(rv)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	wake := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs[wake] = struct{}{}
	var from int64
	var initial []watchEvent
	if q.Get("sendInitialEvents") == "true" {
		names := make([]string, 0, len(s.items))
		for n := range s.items {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			initial = append(initial, watchEvent{typ: "ADDED", obj: s.items[n]})
		}
		from = s.rv
		initial = append(initial, watchEvent{rv: s.rv, typ: "BOOKMARK", obj: map[string]any{"kind": s.kind, "apiVersion": s.apiVersion,
			"metadata": map[string]any{"resourceVersion": strconv.FormatInt(s.rv, 10),
				"annotations": map[string]any{"k8s.io/initial-events-end": "true"}}}})
	} else {
		from, _ = strconv.ParseInt(q.Get("resourceVersion"), 10, 64)
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, wake)
		s.mu.Unlock()
	}()
	send := func(evs []watchEvent) bool {
		for _, ev := range evs {
			if err := enc.Encode(map[string]any{"type": ev.typ, "object": ev.obj}); err != nil {
				return false
			}
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	if !send(initial) {
		return
	}
	if len(initial) > 0 {
		s.markDelivered(from)
	}
	for {
		s.mu.Lock()
		var evs []watchEvent
		for _, ev := range s.history {
			if ev.rv > from {
				evs = append(evs, ev)
			}
		}
		s.mu.Unlock()
		if len(evs) > 0 {
			if !send(evs) {
				return
			}
			from = evs[len(evs)-1].rv
			s.markDelivered(from)
		}
		select {
		case <-wake:
		case <-r.Context().Done():
			return
		}
	}
}

func (s *watchStore) markDelivered(rv int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rv > s.delivered {
		s.delivered = rv
	}
	s.cond.Broadcast()
}
