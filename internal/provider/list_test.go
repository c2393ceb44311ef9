package provider

import (
	"context"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"k8s.io/client-go/dynamic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	gitbackend "github.com/githedgehog/terraform-provider-hedgehog/internal/backend/git"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/apiserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
)

// The list resources' tests drive the provider through its protocol server (NewServer, as main serves it) and
// the ListResource RPC, against a real API server and Git server: the acceptance stack when TF_ACC started
// it, else started here.

// protoProvider is the provider's protocol-6 server with its schemas.
type protoProvider struct {
	t      *testing.T
	srv    tfprotov6.ProviderServerWithListResource //nolint:staticcheck // the list RPCs are only there yet
	schema *tfprotov6.GetProviderSchemaResponse
	ids    *tfprotov6.GetResourceIdentitySchemasResponse
}

func newProtoProvider(t *testing.T) *protoProvider {
	t.Helper()
	s, err := NewServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	ls, ok := s.(tfprotov6.ProviderServerWithListResource) //nolint:staticcheck // see above
	if !ok {
		t.Fatalf("the provider server %T does not serve the list RPCs: terraform-plugin-go would answer Unimplemented", s)
	}
	ctx := context.Background()
	sch, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "GetProviderSchema", sch.Diagnostics)
	ids, err := s.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return &protoProvider{t: t, srv: ls, schema: sch, ids: ids}
}

// configure configures the provider with cfg (attributes and blocks as Go values; the rest null).
func (p *protoProvider) configure(cfg map[string]any) {
	p.t.Helper()
	typ := p.schema.Provider.ValueType()
	dv := dynValue(p.t, typ, cfg)
	resp, err := p.srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: &dv})
	if err != nil {
		p.t.Fatal(err)
	}
	requireNoErrors(p.t, "ConfigureProvider", resp.Diagnostics)
}

// listed is one result of the ListResource RPC, decoded.
type listed struct {
	display  string
	identity map[string]tftypes.Value
	resource tftypes.Value // null unless the resource was asked for
	diags    []*tfprotov6.Diagnostic
}

// list calls ListResource and reads its whole stream.
func (p *protoProvider) list(ctx context.Context, typeName string, cfg map[string]any, include bool, limit int64) []listed {
	p.t.Helper()
	var out []listed
	p.stream(ctx, typeName, cfg, include, limit, func(l listed) bool { out = append(out, l); return true })
	return out
}

// stream calls ListResource and hands each decoded result to each until it returns false.
func (p *protoProvider) stream(ctx context.Context, typeName string, cfg map[string]any, include bool, limit int64, each func(listed) bool) {
	p.t.Helper()
	ls := p.schema.ListResourceSchemas[typeName]
	if ls == nil {
		p.t.Fatalf("no list resource %s", typeName)
	}
	dv := dynValue(p.t, ls.ValueType(), cfg)
	st, err := p.srv.ListResource(ctx, &tfprotov6.ListResourceRequest{TypeName: typeName, Config: &dv, IncludeResource: include, Limit: limit})
	if err != nil {
		p.t.Fatal(err)
	}
	rtyp := p.schema.ResourceSchemas[typeName].ValueType()
	for r := range st.Results {
		l := listed{display: r.DisplayName, diags: r.Diagnostics, resource: tftypes.NewValue(rtyp, nil)}
		if r.Identity != nil && r.Identity.IdentityData != nil {
			v, err := r.Identity.IdentityData.Unmarshal(p.ids.IdentitySchemas[typeName].ValueType())
			if err != nil {
				p.t.Fatal(err)
			}
			l.identity = attrs(v)
		}
		if r.Resource != nil {
			v, err := r.Resource.Unmarshal(rtyp)
			if err != nil {
				p.t.Fatal(err)
			}
			l.resource = v
		}
		if !each(l) {
			return
		}
	}
}

// names are the identities' names of results without errors; errors fail the test.
func names(t *testing.T, rs []listed) []string {
	t.Helper()
	var out []string
	for _, r := range rs {
		requireNoErrors(t, "ListResource", r.diags)
		n, _ := strVal(r.identity[aName])
		out = append(out, n)
	}
	return out
}

func requireNoErrors(t *testing.T, what string, ds []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}

// dynValue encodes v (Go values: map[string]any for objects and maps, []any, string, bool, int, nil) as a
// value of typ; what v leaves out is null.
func dynValue(t *testing.T, typ tftypes.Type, v any) tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, goValue(t, typ, v))
	if err != nil {
		t.Fatal(err)
	}
	return dv
}

func goValue(t *testing.T, typ tftypes.Type, v any) tftypes.Value {
	t.Helper()
	if v == nil {
		return tftypes.NewValue(typ, nil)
	}
	switch tt := typ.(type) {
	case tftypes.Object:
		in := v.(map[string]any)
		m := map[string]tftypes.Value{}
		for k, at := range tt.AttributeTypes {
			m[k] = goValue(t, at, in[k])
		}
		for k := range in {
			if _, ok := tt.AttributeTypes[k]; !ok {
				t.Fatalf("no attribute %q in %s", k, typ)
			}
		}
		return tftypes.NewValue(typ, m)
	case tftypes.Map:
		m := map[string]tftypes.Value{}
		switch in := v.(type) {
		case map[string]string:
			for k, e := range in {
				m[k] = goValue(t, tt.ElementType, e)
			}
		case map[string]any:
			for k, e := range in {
				m[k] = goValue(t, tt.ElementType, e)
			}
		}
		return tftypes.NewValue(typ, m)
	case tftypes.List:
		var l []tftypes.Value
		for _, e := range v.([]any) {
			l = append(l, goValue(t, tt.ElementType, e))
		}
		return tftypes.NewValue(typ, l)
	}
	switch x := v.(type) {
	case int:
		return tftypes.NewValue(typ, big.NewFloat(float64(x)))
	default:
		return tftypes.NewValue(typ, x)
	}
}

// TestListResource_Registered: every managed kind has a list resource named as its resource, with the
// selecting settings of hedgehog_adoption; a name pattern that is not RE2 is refused at validation.
func TestListResource_Registered(t *testing.T) {
	p := newProtoProvider(t)
	var want []string
	for _, k := range managedKinds {
		want = append(want, "hedgehog_"+k.typeName)
	}
	sort.Strings(want)
	var got, resources []string
	for n := range p.schema.ListResourceSchemas {
		got = append(got, n)
	}
	for n := range p.schema.ResourceSchemas {
		resources = append(resources, n)
	}
	sort.Strings(got)
	sort.Strings(resources)
	if strings.Join(got, " ") != strings.Join(want, " ") || strings.Join(resources, " ") != strings.Join(want, " ") {
		t.Fatalf("list resources %v, resources %v; want both %v", got, resources, want)
	}
	md, err := p.srv.GetMetadata(context.Background(), &tfprotov6.GetMetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var meta []string
	for _, l := range md.ListResources {
		meta = append(meta, l.TypeName)
	}
	sort.Strings(meta)
	if strings.Join(meta, " ") != strings.Join(want, " ") {
		t.Errorf("GetMetadata lists %v, want %v", meta, want)
	}
	for _, n := range want {
		if p.ids.IdentitySchemas[n] == nil {
			t.Errorf("%s has no identity schema: a list result could not name it", n)
		}
		block := p.schema.ListResourceSchemas[n].Block
		attrsSeen := map[string]bool{}
		for _, a := range block.Attributes {
			attrsSeen[a.Name] = true
			if !a.Optional || a.Required || a.Computed {
				t.Errorf("%s: %s should be optional only", n, a.Name)
			}
		}
		if len(attrsSeen) != 3 || !attrsSeen[fLabels] || !attrsSeen[fNamePattern] || !attrsSeen[fIncludeOwned] {
			t.Errorf("%s: list settings %v, want labels, name_pattern, include_owned", n, attrsSeen)
		}
	}
	dv := dynValue(t, p.schema.ListResourceSchemas["hedgehog_vpc"].ValueType(), map[string]any{fNamePattern: "web-("})
	resp, err := p.srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: "hedgehog_vpc", Config: &dv})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Invalid name pattern" || !strings.Contains(resp.Diagnostics[0].Detail, "RE2") {
		t.Fatalf("validation of an invalid pattern: %+v", resp.Diagnostics)
	}
}

// TestListResource_Unreachable: a cluster and a Git server that cannot be reached make one error result
// (with the cause and a way forward), in the time the failure policy allows: a refused connection at once,
// a server that never answers after request_timeout.
func TestListResource_Unreachable(t *testing.T) {
	refused := func() string { // a port nothing listens on
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a := ln.Addr().String()
		ln.Close()
		return a
	}
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts connections, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	for _, tc := range []struct{ name, addr string }{{"refused", refused()}, {"silent", silent.Addr().String()}} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProtoProvider(t)
			p.configure(map[string]any{
				"owner":      "list-test-owner",
				"kubernetes": map[string]any{"host": "https://" + tc.addr, "token": "t", "insecure": true, "max_retries": 0, "request_timeout": "1s"},
				"git":        map[string]any{"url": "http://" + tc.addr + "/fabric.git", "max_retries": 0, "request_timeout": "1s"},
			})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			t0 := time.Now()
			rs := p.list(ctx, "hedgehog_vpc", nil, true, 0)
			took := time.Since(t0)
			if ctx.Err() != nil {
				t.Fatalf("the list did not end within a minute")
			}
			if took > 20*time.Second {
				t.Errorf("the list took %v", took)
			}
			if len(rs) != 1 || len(rs[0].diags) != 1 || rs[0].identity != nil {
				t.Fatalf("want one result with one diagnostic and no identity, got %+v", rs)
			}
			d := rs[0].diags[0]
			t.Logf("after %v: %s: %s", took.Round(time.Millisecond), d.Summary, d.Detail)
			if d.Severity != tfprotov6.DiagnosticSeverityError || d.Summary != "Cannot list VPC objects" ||
				!strings.Contains(d.Detail, "kubernetes") || !strings.Contains(d.Detail, "git") || !strings.Contains(d.Detail, "then run the query again") {
				t.Fatalf("diagnostic %q: %q", d.Summary, d.Detail)
			}
		})
	}
}

// listEnv is a real API server and Git server for the list tests.
type listEnv struct {
	kubeconfig string
	client     dynamic.Interface
	git        *gitserver.Server
	newRepo    func(name string) (url, dir string)
}

func startListEnv(t *testing.T) *listEnv {
	t.Helper()
	if stk != nil { // TF_ACC: the acceptance stack
		return &listEnv{kubeconfig: stk.Kubeconfig, client: dyn(t), git: stk.Git, newRepo: func(n string) (string, string) {
			u, d, err := stk.NewRepo(n)
			if err != nil {
				t.Fatal(err)
			}
			return u, d
		}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	api, err := apiserver.Start(ctx)
	if err != nil {
		t.Fatalf("API server: %v", err)
	}
	t.Cleanup(api.Stop)
	kc, err := api.WriteKubeconfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	client, err := dynamic.NewForConfig(api.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	g, err := gitserver.Start()
	if err != nil {
		t.Fatalf("Git server: %v", err)
	}
	t.Cleanup(g.Close)
	return &listEnv{kubeconfig: kc, client: client, git: g, newRepo: func(n string) (string, string) {
		u, err := g.NewRepo(n)
		if err != nil {
			t.Fatal(err)
		}
		return u, g.RepoDir(n)
	}}
}

// listFabric: IPv4 namespaces without a mark (a, b), of this test's owner (own) and of another owner
// (other), a VPC and a server, every object labelled list-test=lt.
const listFabric = `
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata: {name: lt-ip-a, labels: {list-test: lt, team: a}}
spec: {subnets: [10.91.0.0/16]}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata: {name: lt-ip-b, labels: {list-test: lt, team: b}}
spec: {subnets: [10.92.0.0/16]}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata:
  name: lt-ip-own
  labels: {list-test: lt, team: a}
  annotations: {terraform.githedgehog.com/managed-by: terraform-provider-hedgehog, terraform.githedgehog.com/owner: list-test-owner}
spec: {subnets: [10.93.0.0/16]}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: IPv4Namespace
metadata:
  name: lt-ip-other
  labels: {list-test: lt}
  annotations: {terraform.githedgehog.com/managed-by: terraform-provider-hedgehog, terraform.githedgehog.com/owner: someone-else}
spec: {subnets: [10.94.0.0/16]}
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata: {name: lt-vpc, labels: {list-test: lt}}
spec: {ipv4Namespace: lt-ip-a, vlanNamespace: default, subnets: {web: {subnet: 10.91.1.0/24, vlan: 1911, dhcp: {enable: true}}}}
---
apiVersion: wiring.githedgehog.com/v1beta1
kind: Server
metadata: {name: lt-srv, labels: {list-test: lt}}
spec: {description: listed}
`

// TestListResource_Backends: the list resources against a real cluster and Git repository: every kind lists;
// labels, the name pattern and the owner narrow the results; each result is the object's identity with a
// display name, and its resource is exactly the state an import of the object makes; without a cluster
// Git is read; the limit and a cancelled context end the stream.
func TestListResource_Backends(t *testing.T) {
	env := startListEnv(t)
	createDefaulted(t, env.client, listFabric, nil)
	url, dir := env.newRepo("list-test")
	// The same objects in Git, one file per object as the Git backend lays them out, but for the marks.
	objs, err := fabric.Decode([]byte(listFabric))
	if err != nil {
		t.Fatal(err)
	}
	layout := gitbackend.New(gitbackend.Config{URL: url})
	files := map[string][]byte{}
	for _, o := range objs {
		fabric.Default(o)
		m, err := fabric.ToUnstructured(o)
		if err != nil {
			t.Fatal(err)
		}
		delete(m, "status")
		md := m["metadata"].(map[string]any)
		md["namespace"] = "default"
		delete(md, "annotations")
		ref := backend.Ref{Kind: o.GetKind(), Namespace: "default", Name: o.Meta().Name}
		path, err := layout.Path(ref)
		if err != nil {
			t.Fatal(err)
		}
		if files[path], err = backend.YAML(backend.Object{Ref: ref, APIVersion: fmt.Sprint(m["apiVersion"]), Manifest: m}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := gitserver.CommitFiles(dir, "main", files, "the fabric, by hand"); err != nil {
		t.Fatal(err)
	}
	gitBlock := map[string]any{"url": url, "username": env.git.Username, "password": env.git.Password}
	kubeBlock := map[string]any{"kubeconfig_path": env.kubeconfig}
	p := newProtoProvider(t)
	p.configure(map[string]any{"owner": "list-test-owner", "kubernetes": kubeBlock, "git": gitBlock})
	ctx := context.Background()
	mine := map[string]any{fLabels: map[string]string{"list-test": "lt"}}

	t.Run("every kind", func(t *testing.T) {
		want := map[string]string{"hedgehog_ipv4_namespace": "lt-ip-a lt-ip-b lt-ip-other", "hedgehog_vpc": "lt-vpc", "hedgehog_server": "lt-srv"}
		for _, k := range managedKinds {
			typ := "hedgehog_" + k.typeName
			if got := strings.Join(names(t, p.list(ctx, typ, mine, false, 0)), " "); got != want[typ] {
				t.Errorf("%s lists %q, want %q", typ, got, want[typ])
			}
		}
	})

	t.Run("identity and display name", func(t *testing.T) {
		rs := p.list(ctx, "hedgehog_ipv4_namespace", mine, false, 0)
		if got := strings.Join(names(t, rs), " "); got != "lt-ip-a lt-ip-b lt-ip-other" {
			t.Fatalf("listed %q", got)
		}
		for _, r := range rs {
			if ns, _ := strVal(r.identity[aNamespace]); ns != "default" {
				t.Errorf("identity %v: namespace %q", r.identity, ns)
			}
			if !r.resource.IsNull() {
				t.Errorf("a resource came without being asked for: %v", r.resource)
			}
		}
		if rs[0].display != "lt-ip-a" || rs[2].display != "lt-ip-other (owner someone-else)" {
			t.Errorf("display names %q, %q", rs[0].display, rs[2].display)
		}
	})

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			cfg  map[string]any
			want string
		}{
			{"include owned", map[string]any{fLabels: map[string]string{"list-test": "lt"}, fIncludeOwned: true}, "lt-ip-a lt-ip-b lt-ip-other lt-ip-own"},
			{"labels", map[string]any{fLabels: map[string]string{"list-test": "lt", "team": "a"}}, "lt-ip-a"},
			{"labels, include owned", map[string]any{fLabels: map[string]string{"list-test": "lt", "team": "a"}, fIncludeOwned: true}, "lt-ip-a lt-ip-own"},
			{"name pattern", map[string]any{fNamePattern: "^lt-ip-(a|b|own)$"}, "lt-ip-a lt-ip-b"},
			{"no match", map[string]any{fLabels: map[string]string{"list-test": "none"}}, ""},
		} {
			if got := strings.Join(names(t, p.list(ctx, "hedgehog_ipv4_namespace", tc.cfg, false, 0)), " "); got != tc.want {
				t.Errorf("%s: listed %q, want %q", tc.name, got, tc.want)
			}
		}
		rs := p.list(ctx, "hedgehog_ipv4_namespace", map[string]any{fNamePattern: "(["}, false, 0)
		if len(rs) != 1 || len(rs[0].diags) != 1 || rs[0].diags[0].Summary != "Invalid name pattern" ||
			rs[0].diags[0].Attribute.String() != tftypes.NewAttributePath().WithAttributeName(fNamePattern).String() {
			t.Errorf("an invalid pattern: %+v", rs)
		}
	})

	t.Run("resource as imported", func(t *testing.T) {
		rs := p.list(ctx, "hedgehog_vpc", map[string]any{fNamePattern: "^lt-vpc$"}, true, 0)
		if len(names(t, rs)) != 1 {
			t.Fatalf("listed %d", len(rs))
		}
		got := rs[0].resource
		want := p.importState(t, "hedgehog_vpc", "lt-vpc")
		if !got.Equal(want) {
			d, _ := got.Diff(want)
			t.Fatalf("the listed resource is not the imported state:\n%v", d)
		}
		m := attrs(got)
		if id, _ := strVal(m[aID]); id != "default/lt-vpc" {
			t.Errorf("id %q", id)
		}
		// The fabric's defaults are part of it, as in an imported state (the configuration generated from it
		// writes them).
		web := attrs(attrs(m["subnets"])["web"])
		if gw, _ := strVal(web["gateway"]); gw != "10.91.1.1" {
			t.Errorf("the subnet's default gateway is missing: %v", web)
		}
		cp, _ := strMapVal(m[aCheckpoints])
		if !strings.Contains(cp[backend.Kubernetes], "resource_version=") || !strings.Contains(cp[backend.Git], "blob=") {
			t.Errorf("checkpoints %v", cp)
		}
	})

	t.Run("git without a cluster", func(t *testing.T) {
		pg := newProtoProvider(t)
		pg.configure(map[string]any{"owner": "list-test-owner", "git": gitBlock})
		rs := pg.list(ctx, "hedgehog_ipv4_namespace", mine, true, 0)
		// Git holds no marks here: every object is listed, lt-ip-own too.
		if got := strings.Join(names(t, rs), " "); got != "lt-ip-a lt-ip-b lt-ip-other lt-ip-own" {
			t.Fatalf("listed %q", got)
		}
		if gp, _ := strVal(attrs(rs[0].resource)[aGitPath]); gp == "" || !strings.HasSuffix(gp, "lt-ip-a.yaml") {
			t.Errorf("git_path %q", gp)
		}
		if !rs[0].resource.Equal(pg.importState(t, "hedgehog_ipv4_namespace", "lt-ip-a")) {
			t.Error("the listed resource is not the imported state")
		}
	})

	t.Run("limit", func(t *testing.T) {
		if got := strings.Join(names(t, p.list(ctx, "hedgehog_ipv4_namespace", mine, false, 2)), " "); got != "lt-ip-a lt-ip-b" {
			t.Errorf("with limit 2: %q", got)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		p.stream(cctx, "hedgehog_ipv4_namespace", mine, true, 0, func(l listed) bool {
			requireNoErrors(t, "ListResource", l.diags)
			n++
			cancel() // as Ctrl-C would, after the first result
			return true
		})
		if n != 1 {
			t.Errorf("%d results after the context was cancelled at the first, want 1", n)
		}
		n = 0
		p.stream(cctx, "hedgehog_ipv4_namespace", mine, true, 0, func(listed) bool { n++; return true })
		if n != 0 {
			t.Errorf("%d results from a cancelled context", n)
		}
	})
}

// importState imports the object by its name and reads it, as `terraform import` does, and returns the
// state.
func (p *protoProvider) importState(t *testing.T, typeName, name string) tftypes.Value {
	t.Helper()
	ctx := context.Background()
	imp, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: name})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "ImportResourceState", imp.Diagnostics)
	ir := imp.ImportedResources[0]
	rd, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: ir.State, Private: ir.Private, CurrentIdentity: ir.Identity})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "ReadResource", rd.Diagnostics)
	v, err := rd.NewState.Unmarshal(p.schema.ResourceSchemas[typeName].ValueType())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestListResourceDocs: the list resources' pages are written by hand (templates/list-resources: the OpenTofu
// that scripts/docs.sh reads the schema with exports no list resources), so this keeps them in line with the
// schema: one page and one example per list resource, each with the schema's description and every setting
// with its type and description.
func TestListResourceDocs(t *testing.T) {
	p := newProtoProvider(t)
	root := filepath.Join("..", "..")
	pages, err := filepath.Glob(filepath.Join(root, "templates", "list-resources", "*.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != len(p.schema.ListResourceSchemas) {
		t.Errorf("%d pages in templates/list-resources for %d list resources", len(pages), len(p.schema.ListResourceSchemas))
	}
	for typeName, ls := range p.schema.ListResourceSchemas {
		short := strings.TrimPrefix(typeName, "hedgehog_")
		page, err := os.ReadFile(filepath.Join(root, "templates", "list-resources", short+".md.tmpl"))
		if err != nil {
			t.Errorf("%s: %v", typeName, err)
			continue
		}
		example := filepath.Join("examples", "list-resources", typeName, "list-resource.tfquery.hcl")
		want := []string{"# " + typeName + " (List Resource)", ls.Block.Description, `{{ tffile "` + filepath.ToSlash(example) + `" }}`}
		for _, a := range ls.Block.Attributes {
			var kind string
			switch {
			case a.Type.Is(tftypes.Bool):
				kind = "Boolean"
			case a.Type.Is(tftypes.String):
				kind = "String"
			case a.Type.Is(tftypes.Map{ElementType: tftypes.String}):
				kind = "Map of String"
			default:
				t.Fatalf("%s.%s: no documented form for %s", typeName, a.Name, a.Type)
			}
			want = append(want, fmt.Sprintf("- `%s` (%s) %s", a.Name, kind, a.Description))
		}
		for _, w := range want {
			if !strings.Contains(string(page), w) {
				t.Errorf("templates/list-resources/%s.md.tmpl lacks %q", short, w)
			}
		}
		ex, err := os.ReadFile(filepath.Join(root, example))
		if err != nil || !strings.Contains(string(ex), `list "`+typeName+`"`) {
			t.Errorf("%s: example %s: %v", typeName, example, err)
		}
	}
}
