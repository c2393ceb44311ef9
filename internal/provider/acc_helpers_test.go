package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// stk holds the backends every acceptance test of this package uses: one real API server (the CRDs are
// installed once), one Git server (a fresh repository per test) and one NetBox emulator (or a real NetBox,
// see test/netbox-docker).
var stk *stack.Stack

func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") == "" {
		os.Exit(m.Run())
	}
	s, err := stack.Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the test backends:", err)
		os.Exit(1)
	}
	stk = s
	if err := stack.EnsureCLIConfig(s.Dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		for _, name := range []string{"terraform", "tofu"} {
			if p, err := exec.LookPath(name); err == nil {
				os.Setenv("TF_ACC_TERRAFORM_PATH", p)
				if name == "tofu" {
					os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
				}
				break
			}
		}
		if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
			fmt.Fprintln(os.Stderr, stack.ErrNoCLI)
			os.Exit(1)
		}
	}
	code := m.Run()
	if s.NetBox != nil {
		if f := s.NetBox.Failures(); len(f) > 0 {
			fmt.Fprintf(os.Stderr, "NetBox emulator saw %d OpenAPI violations:\n%s\n", len(f), strings.Join(f, "\n"))
			code = 1
		}
	}
	s.Close()
	os.Exit(code)
}

func protoV6() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"hedgehog": NewServer("test"),
	}
}

func accPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc); TestMain then starts the backends")
	}
	if stk == nil {
		t.Fatal("the test backends did not start")
	}
}

// repo makes a fresh Git repository for one test.
type repo struct{ url, dir string }

func newRepo(t *testing.T) repo {
	t.Helper()
	u, d, err := stk.NewRepo(strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
	if err != nil {
		t.Fatal(err)
	}
	return repo{u, d}
}

func dyn(t *testing.T) dynamic.Interface {
	t.Helper()
	c, err := dynamic.NewForConfig(stk.API.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func gvr(kind string) schema.GroupVersionResource {
	k, _ := fabric.LookupKind(kind)
	return schema.GroupVersionResource{Group: k.Group, Version: k.Version, Resource: k.Plural}
}

// kubeGet returns the object from the API server, nil when absent.
func kubeGet(t *testing.T, kind, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := dyn(t).Resource(gvr(kind)).Namespace("default").Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// gitFile returns the file at the head of main, or nil.
func gitFile(t *testing.T, r repo, kind, name string) []byte {
	t.Helper()
	b, found, err := gitserver.ReadFile(r.dir, "main", filepath.ToSlash(filepath.Join("fabric", strings.ToLower(kind), name+".yaml")))
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		return nil
	}
	return b
}

func gitCommits(t *testing.T, r repo) []gitserver.Commit {
	t.Helper()
	c, err := gitserver.Log(r.dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// netboxList lists NetBox objects over the REST API (so it works against the emulator and a real NetBox).
func netboxList(t *testing.T, apiPath string, query url.Values) []map[string]any {
	t.Helper()
	if query == nil {
		query = url.Values{}
	}
	query.Set("limit", "1000")
	req, _ := http.NewRequest(http.MethodGet, stk.NetBoxURL+apiPath+"?"+query.Encode(), nil)
	req.Header.Set("Authorization", "Token "+stk.NetBoxToken)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", apiPath, resp.StatusCode, body)
	}
	var page struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	return page.Results
}

// netboxHas reports whether NetBox holds an object of the model whose field equals value.
func netboxHas(t *testing.T, apiPath, field, value string) bool {
	for _, o := range netboxList(t, apiPath, url.Values{field: {value}}) {
		if fmt.Sprint(o[field]) == value {
			return true
		}
	}
	return false
}

// checkAll returns a TestCheckFunc that runs f with the test's *testing.T.
func checkAll(t *testing.T, f func(t *testing.T)) func(*terraform.State) error {
	return func(*terraform.State) error {
		f(t)
		return nil
	}
}

// absentEverywhere is a CheckDestroy: the objects are gone from the cluster, the repository and NetBox.
func absentEverywhere(t *testing.T, r *repo, kind string, names ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, n := range names {
			if u := kubeGet(t, kind, n); u != nil {
				return fmt.Errorf("%s %s still in the cluster", kind, n)
			}
			if r != nil {
				if b := gitFile(t, *r, kind, n); b != nil {
					return fmt.Errorf("%s %s still in Git", kind, n)
				}
			}
			if kind == fabric.KindVPC && netboxHas(t, "/api/ipam/vrfs/", "name", n) {
				return fmt.Errorf("VRF %s still in NetBox", n)
			}
		}
		return nil
	}
}
