package provider

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// front is a TCP proxy on loopback in front of a real backend. In mode "pass" it forwards; in "silent" it
// accepts connections and never answers; in "refuse" it closes them at once. Switching the mode cuts the
// connections open at the time, so that clients holding keep-alive connections see the change.
type front struct {
	l      net.Listener
	target string
	mode   atomic.Value // string
	mu     sync.Mutex
	conns  map[net.Conn]bool
	// sniff, when set, sees every chunk a client sends (plain HTTP only).
	sniff func([]byte)
}

func newFront(t *testing.T, target string) *front {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &front{l: l, target: target, conns: map[net.Conn]bool{}}
	f.mode.Store("pass")
	go f.serve()
	t.Cleanup(func() {
		l.Close()
		f.cut()
	})
	return f
}

func (f *front) addr() string { return f.l.Addr().String() }

func (f *front) set(mode string) {
	f.mode.Store(mode)
	f.cut()
}

func (f *front) cut() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
	}
	f.conns = map[net.Conn]bool{}
}

func (f *front) track(cs ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		f.conns[c] = true
	}
}

func (f *front) serve() {
	for {
		c, err := f.l.Accept()
		if err != nil {
			return
		}
		switch f.mode.Load().(string) {
		case "silent":
			f.track(c) // held open, never answered
		case "refuse":
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
		default:
			up, err := net.Dial("tcp", f.target)
			if err != nil {
				c.Close()
				continue
			}
			f.track(c, up)
			go func() {
				defer up.Close()
				buf := make([]byte, 32<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if f.sniff != nil {
							f.sniff(buf[:n])
						}
						if _, werr := up.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, up)
			}()
		}
	}
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// swapHost replaces the host of raw (keeping scheme, credentials and path).
func swapHost(t *testing.T, raw, host string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host
	return u.String()
}

// A Git server that accepts connections and never answers fails a plan (the refresh of a resource in state)
// within the configured request timeout, naming the git backend once; the later reads say the circuit is
// open instead of waiting again.
func TestAccResilience_SilentGitFailsPlanFast(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	fr := newFront(t, hostOf(t, r.url))
	prov := fmt.Sprintf(`
provider "hedgehog" {
  git {
    url             = %q
    username        = %q
    password        = %q
    request_timeout = "2s"
  }
}
`, swapHost(t, r.url, fr.addr()), stk.Git.Username, stk.Git.Password)
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config: sliceConfig(prov, "sg", "sg-vpc", false),
		}, {
			PreConfig: func() {
				fr.set("silent")
				start = time.Now()
			},
			Config:      sliceConfig(prov, "sg", "sg-vpc", false),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`git\s+backend:\s+no\s+answer\s+from\s+127\.0\.0\.1:\d+\s+within\s+the\s+request\s+timeout\s+of\s+2s`),
		}, {
			PreConfig: func() {
				took := time.Since(start)
				t.Logf("plan against a silent Git server failed after %v (request_timeout 2s)", took)
				if took > 30*time.Second {
					t.Errorf("the plan took %v", took)
				}
				fr.set("pass")
				start = time.Now()
			},
			Config:   sliceConfig(prov, "sg", "sg-vpc", false),
			PlanOnly: true,
		}, {
			PreConfig: func() {
				t.Logf("for comparison, the same plan against the healthy Git server took %v", time.Since(start))
			},
			Config:   sliceConfig(prov, "sg", "sg-vpc", false),
			PlanOnly: true,
		}},
	})
}

// The same for NetBox: a NetBox that accepts connections and never answers fails the plan within the request
// timeout, naming the netbox backend (not the fixed 60 s of old, and not once per resource).
func TestAccResilience_SilentNetBoxFailsPlanFast(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	fr := newFront(t, hostOf(t, stk.NetBoxURL))
	prov := fmt.Sprintf(`
provider "hedgehog" {
  netbox {
    server_url      = %q
    api_token       = %q
    request_timeout = "2s"
  }
  git {
    url      = %q
    username = %q
    password = %q
  }
}
`, swapHost(t, stk.NetBoxURL, fr.addr()), stk.NetBoxToken, r.url, stk.Git.Username, stk.Git.Password)
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			Config: sliceConfig(prov, "sn", "sn-vpc", false),
		}, {
			PreConfig: func() {
				fr.set("silent")
				start = time.Now()
			},
			Config:      sliceConfig(prov, "sn", "sn-vpc", false),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`netbox\s+backend:\s+no\s+answer\s+from\s+127\.0\.0\.1:\d+\s+within\s+the\s+request\s+timeout\s+of\s+2s`),
		}, {
			PreConfig: func() {
				took := time.Since(start)
				t.Logf("plan against a silent NetBox failed after %v (request_timeout 2s)", took)
				if took > 30*time.Second {
					t.Errorf("the plan took %v", took)
				}
				fr.set("pass")
				start = time.Now()
			},
			Config:   sliceConfig(prov, "sn", "sn-vpc", false),
			PlanOnly: true,
		}, {
			PreConfig: func() { t.Logf("for comparison, the same plan against the healthy NetBox took %v", time.Since(start)) },
			Config:    sliceConfig(prov, "sn", "sn-vpc", false),
			PlanOnly:  true,
		}},
	})
}

// A NetBox that answers 429 Too Many Requests with Retry-After (GETs and POSTs alike) is waited for: the
// apply succeeds, each throttled request having been retried after the server's delay.
func TestAccResilience_NetBox429RetryAfter(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	target, err := url.Parse(stk.NetBoxURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var n, throttled atomic.Int32
	var methods sync.Map
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// every 4th request, at most 4 times, is throttled
		if n.Add(1)%4 == 0 && throttled.Load() < 4 {
			throttled.Add(1)
			methods.Store(req.Method, true)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"detail":"Request was throttled."}`)
			return
		}
		proxy.ServeHTTP(w, req)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	prov := fmt.Sprintf(`
provider "hedgehog" {
  netbox {
    server_url = %q
    api_token  = %q
  }
  git {
    url      = %q
    username = %q
    password = %q
  }
}
`, "http://"+l.Addr().String(), stk.NetBoxToken, r.url, stk.Git.Username, stk.Git.Password)
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "tr-vpc"),
		Steps: []resource.TestStep{{
			PreConfig: func() { start = time.Now() },
			Config:    sliceConfig(prov, "tr", "tr-vpc", false),
			Check: checkAll(t, func(t *testing.T) {
				var ms []string
				methods.Range(func(k, _ any) bool { ms = append(ms, k.(string)); return true })
				t.Logf("apply through a NetBox answering 429 (Retry-After: 1) %d times (methods %v) of %d requests: %v",
					throttled.Load(), ms, n.Load(), time.Since(start))
				if throttled.Load() == 0 {
					t.Error("no request was throttled")
				}
				if !netboxHas(t, "/api/ipam/vrfs/", "name", "tr-vpc") {
					t.Error("the VRF is not in NetBox")
				}
			}),
		}},
	})
}

// An API server that goes away in the middle of an apply (it stops answering right after the Git step
// pushed) fails the apply with an error naming the kubernetes backend, within the request timeout, and the
// Git step is rolled back.
func TestAccResilience_APIServerGoesAwayMidApply(t *testing.T) {
	accPreCheck(t)
	r := newRepo(t)
	gitFront := newFront(t, hostOf(t, r.url))
	kubeFront := newFront(t, hostOf(t, stk.API.URL))
	var cutKube atomic.Bool
	gitFront.sniff = func(b []byte) {
		if bytes.Contains(b, []byte("POST ")) && bytes.Contains(b, []byte("git-receive-pack")) && cutKube.Load() {
			kubeFront.set("silent")
		}
	}
	prov := fmt.Sprintf(`
provider "hedgehog" {
  git {
    url      = %q
    username = %q
    password = %q
  }
  kubernetes {
    host                   = %q
    token                  = %q
    cluster_ca_certificate = %q
    request_timeout        = "2s"
    operation_timeout      = "20s"
  }
  compensation_timeout = "1m"
}
`, swapHost(t, r.url, gitFront.addr()), stk.Git.Username, stk.Git.Password,
		swapHost(t, stk.API.URL, kubeFront.addr()), stk.API.AdminToken, string(stk.API.CAData))
	cfg := sliceConfig(prov, "gone", "gone-vpc", false)
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				cutKube.Store(true)
				start = time.Now()
			},
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)kubernetes.*(no\s+answer\s+from\s+127\.0\.0\.1:\d+\s+within\s+the\s+request\s+timeout\s+of\s+2s|circuit\s+open)`),
		}, {
			PreConfig: func() {
				took := time.Since(start)
				t.Logf("apply with the API server gone after the Git push failed after %v", took)
				if took > 60*time.Second {
					t.Errorf("the failed apply took %v", took)
				}
				cutKube.Store(false)
				kubeFront.set("pass")
				// Every saga either completed or was rolled back: an object is in Git exactly when it is in
				// the cluster, and at least one of them failed.
				failed := 0
				for _, o := range [][2]string{{fabric.KindIPv4Namespace, "gone-ip"}, {fabric.KindVLANNamespace, "gone-vl"}, {fabric.KindVPC, "gone-vpc"}} {
					inGit, inKube := gitFile(t, r, o[0], o[1]) != nil, kubeGet(t, o[0], o[1]) != nil
					if inGit != inKube {
						t.Errorf("%s %s: in Git %v, in the cluster %v (the Git step was not rolled back)", o[0], o[1], inGit, inKube)
					}
					if !inGit {
						failed++
					}
				}
				if failed == 0 {
					t.Error("nothing failed")
				}
			},
			Config:             cfg,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}
