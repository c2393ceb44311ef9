// Package provider is the thin Terraform layer: provider configuration, and one generic resource, data
// source and list resource that serve every fabric kind through the engine.
package provider

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	gitbackend "github.com/githedgehog/terraform-provider-hedgehog/internal/backend/git"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/guard"
	kubebackend "github.com/githedgehog/terraform-provider-hedgehog/internal/backend/kube"
	netboxbackend "github.com/githedgehog/terraform-provider-hedgehog/internal/backend/netbox"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/redact"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/saga"
)

var (
	_ provider.ProviderWithValidateConfig = (*hedgehogProvider)(nil)
	_ provider.ProviderWithListResources  = (*hedgehogProvider)(nil)
)

type hedgehogProvider struct {
	version string
	rec     *runRecord // what the validate walk saw, for the plan walk (runrecord.go)
	// eng is the engine the last successful Configure made, for the protocol server's direct plan, apply and
	// read paths (direct.go); the framework hands the same engine to every resource it configures.
	eng atomic.Pointer[engine.Engine]
}

// New returns the provider factory.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return newProvider(version) }
}

func newProvider(version string) *hedgehogProvider {
	return &hedgehogProvider{version: version, rec: newRunRecord()}
}

func (p *hedgehogProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "hedgehog"
	resp.Version = p.version
}

func str(desc string, sensitive bool) pschema.StringAttribute {
	return pschema.StringAttribute{Optional: true, Sensitive: sensitive, MarkdownDescription: desc}
}

// guardAttrs are the failure-policy attributes every backend block has (package guard).
func guardAttrs(attrs map[string]pschema.Attribute, name string) map[string]pschema.Attribute {
	attrs["request_timeout"] = str(fmt.Sprintf("How long one request to the %s backend may wait without receiving anything from the server "+
		"(connecting, the response headers, or the next part of the body), e.g. `10s` (default `%v`). A server that accepts "+
		"connections and never answers fails after this long. A timed-out request is not retried.", name, guard.DefaultRequestTimeout), false)
	attrs["operation_timeout"] = str(fmt.Sprintf("Deadline of one %s backend operation (a read, a list, a write with its retries, a rollback "+
		"step, the integration probe), e.g. `2m` (default `%v`).", name, guard.DefaultOperationTimeout), false)
	attrs["max_retries"] = pschema.Int64Attribute{Optional: true, MarkdownDescription: fmt.Sprintf("How often one request to the %s backend is "+
		"retried on 429 (honouring `Retry-After`, capped at %v), 503, other 5xx of idempotent requests, and refused or reset connections, "+
		"with exponential backoff and full jitter, within %v in all (default %d; `0` disables retries). After %d consecutive failed "+
		"operations (connection errors, exhausted retries) — or at once after a timeout or a failed integration probe — the backend's "+
		"remaining operations in the run fail at once, referring to the first failure.", name, guard.DefaultMaxDelay, guard.DefaultRetryBudget,
		guard.DefaultMaxRetries, guard.DefaultBreakerThreshold)}
	return attrs
}

func (p *hedgehogProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{
		MarkdownDescription: "Manages a Hedgehog Open Network Fabric through up to three backends — NetBox (DCIM/IPAM), a Git " +
			"repository (GitOps, one object per file) and the fabric's Kubernetes API — with every change validated " +
			"at plan time and applied as a saga that rolls every backend back when one fails. Configure at least one " +
			"backend; each can also be set from environment variables, so Terraform Cloud runs need no local files.",
		Attributes: map[string]pschema.Attribute{
			"fabric_config": str("The fabric configuration (the `config.yaml` of ConfigMap `fabric-ctrl-config`) used by the "+
				"fabric-rules stage. When unset it is read from the cluster (kubernetes backend), else the fabric's usual "+
				"defaults apply. Env: `HEDGEHOG_FABRIC_CONFIG`.", false),
			"policy": policyNode().ProviderAttribute(),
			"owner": str("Owner identity written into every mark this provider leaves (the cluster and Git annotation `"+backend.OwnerIDAnnotation+"`, "+
				"the NetBox custom field), e.g. `platform/prod-fabric`. Objects of other owners, and objects without a mark, are never "+
				"written over or deleted unless a resource sets `adopt = true` or is imported. Default: the Terraform Cloud workspace "+
				"(`tfc:<organization>/<workspace>` from `TFC_WORKSPACE_SLUG`) when run there, else `"+backend.DefaultOwner+"`. Env: `HEDGEHOG_OWNER`.", false),
			"plan_without_backends": pschema.BoolAttribute{Optional: true, MarkdownDescription: "Plan even when a configured " +
				"backend cannot be reached: the integration stage's failures become warnings and the cross-resource checks use " +
				"what could be read (the cluster, else Git, else only this plan's objects). Default `false`: an unreachable " +
				"backend fails the plan, naming the backend and the cause, so that a plan that passes can be applied. For " +
				"offline plans (a laptop without VPN, a policy check in CI). The apply always needs every backend. Env: " +
				"`HEDGEHOG_PLAN_WITHOUT_BACKENDS`."},
			"compensation_timeout": str(fmt.Sprintf("Deadline of the rollback of one failed apply or destroy across the backends, e.g. `2m` "+
				"(default `%v`). The rollback continues after Ctrl-C so that an interrupted apply still leaves every backend as it was, "+
				"but never longer than this.", saga.DefaultUndoTimeout), false),
		},
		Blocks: map[string]pschema.Block{
			"netbox": pschema.SingleNestedBlock{
				MarkdownDescription: "NetBox backend (DCIM/IPAM). Enabled when this block sets any attribute or `NETBOX_SERVER_URL` is set (a block whose attributes are all null counts as absent).",
				Attributes: guardAttrs(map[string]pschema.Attribute{
					"server_url":   str("NetBox URL, e.g. `https://netbox.example.com`. Sensitive: a URL may carry credentials. Env: `NETBOX_SERVER_URL`.", true),
					"api_token":    str("API token: a classic token (sent as `Token …`) or a NetBox ≥ 4.5 `nbt_…` token (sent as `Bearer …`). Env: `NETBOX_API_TOKEN`.", true),
					"site":         str("Site (name or slug) that scopes the VLAN groups. Env: `NETBOX_SITE`.", false),
					"insecure":     pschema.BoolAttribute{Optional: true, MarkdownDescription: "Skip TLS verification. Env: `NETBOX_ALLOW_INSECURE_HTTPS`."},
					"ca_cert_pem":  str("PEM CA bundle to verify NetBox's certificate. Env: `NETBOX_CA_CERT_PEM`.", false),
					"tag":          str("Slug of the tag that marks objects this provider owns (default `hedgehog-terraform`; created when missing).", false),
					"custom_field": str("Name of the text custom field that identifies the Hedgehog object (default `hedgehog_object`; created when missing).", false),
				}, "NetBox"),
			},
			"git": pschema.SingleNestedBlock{
				MarkdownDescription: "Git backend (GitOps repository, one object per file). Enabled when this block sets any attribute or `HEDGEHOG_GIT_URL` is set.",
				Attributes: guardAttrs(map[string]pschema.Attribute{
					"url":                   str("Repository URL: https://, ssh://, scp-like or file://. Sensitive: a URL may carry a token (`https://TOKEN@host/repo.git`); every message and plan shows it with its credentials masked. Env: `HEDGEHOG_GIT_URL`.", true),
					"branch":                str("Branch (default `main`). Env: `HEDGEHOG_GIT_BRANCH`.", false),
					"path_prefix":           str("Folder inside the repository (default `fabric`). Env: `HEDGEHOG_GIT_PATH_PREFIX`.", false),
					"token":                 str("Token for HTTPS (sent as basic auth with `username`, default `x-access-token`). Env: `HEDGEHOG_GIT_TOKEN`.", true),
					"username":              str("HTTPS username. Env: `HEDGEHOG_GIT_USERNAME`.", false),
					"password":              str("HTTPS password. Env: `HEDGEHOG_GIT_PASSWORD`.", true),
					"ssh_private_key":       str("PEM private key for SSH URLs. Env: `HEDGEHOG_GIT_SSH_PRIVATE_KEY`.", true),
					"ssh_key_passphrase":    str("Passphrase of the SSH key.", true),
					"ssh_known_hosts":       str("known_hosts content or path used to verify the SSH server.", false),
					"author_name":           str("Commit author name (default `terraform-provider-hedgehog`).", false),
					"author_email":          str("Commit author email.", false),
					"commit_message_prefix": str("Text put in front of every commit message.", false),
				}, "Git"),
			},
			"kubernetes": pschema.SingleNestedBlock{
				MarkdownDescription: "The fabric's Kubernetes API. Enabled when this block sets any attribute or `KUBE_CONFIG_PATH`, `KUBE_HOST` or `HEDGEHOG_KUBECONFIG` is set.",
				Attributes: guardAttrs(map[string]pschema.Attribute{
					"kubeconfig_path":        str("Path of a kubeconfig file. Env: `KUBE_CONFIG_PATH`.", false),
					"kubeconfig":             str("Kubeconfig content (exec plugins and client certificates work as in kubectl). Env: `HEDGEHOG_KUBECONFIG`.", true),
					"context":                str("Kubeconfig context. Env: `KUBE_CTX`.", false),
					"host":                   str("API server URL. Env: `KUBE_HOST`.", false),
					"token":                  str("Bearer token. Env: `KUBE_TOKEN`.", true),
					"cluster_ca_certificate": str("PEM CA of the API server. Env: `KUBE_CLUSTER_CA_CERT_DATA`.", false),
					"insecure":               pschema.BoolAttribute{Optional: true, MarkdownDescription: "Skip TLS verification. Env: `KUBE_INSECURE`."},
					"in_cluster":             pschema.BoolAttribute{Optional: true, MarkdownDescription: "Use the pod's service account."},
					"namespace": pschema.StringAttribute{Optional: true, DeprecationMessage: "The fabric keeps its objects in namespace \"default\" only; remove this setting.",
						MarkdownDescription: "Deprecated: the fabric keeps its objects in namespace `default` only, and any other value is refused."},
					"field_manager": str("Server-side apply field manager (default `terraform-provider-hedgehog`).", false),
					"mode":          str("`apply` (default): the provider writes the cluster. `observe`: a GitOps controller applies from Git; the provider only reads and waits for the object. Env: `HEDGEHOG_KUBERNETES_MODE`.", false),
					"qps":           pschema.Float64Attribute{Optional: true, MarkdownDescription: "Client-side request rate limit in requests per second. Unset or 0: none (the default): Terraform's `-parallelism` bounds the requests in flight, the API server's priority and fairness queues them, and 429 answers are retried after their `Retry-After`. client-go's own default of 5 makes 500 objects take minutes."},
					"burst":         pschema.Int64Attribute{Optional: true, MarkdownDescription: "Client-side burst, with `qps` (default 200)."},
					"exec": pschema.SingleNestedAttribute{Optional: true, MarkdownDescription: "A client-go exec credential plugin for the token (e.g. `aws eks get-token`), used with `host` and `cluster_ca_certificate`.",
						Attributes: map[string]pschema.Attribute{
							"api_version": str("ExecCredential API version (default `client.authentication.k8s.io/v1`).", false),
							"command":     pschema.StringAttribute{Required: true, MarkdownDescription: "Command to run."},
							"args":        pschema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Arguments."},
							"env":         pschema.MapAttribute{ElementType: types.StringType, Optional: true, Sensitive: true, MarkdownDescription: "Environment variables for the command (sensitive: they often carry credentials)."},
						}},
					"force_conflicts": pschema.BoolAttribute{Optional: true, MarkdownDescription: "Whether server-side apply takes over fields that another field manager changed on an object this provider owns (default `true`: the configuration is the source of truth, and an out-of-band edit is drift to converge). With `false` such an apply fails with the other manager's name."},
					"dry_run_at_plan": pschema.BoolAttribute{Optional: true, MarkdownDescription: "In `apply` mode, `terraform plan` also sends every created or changed object to the API server as a server-side apply with `dryRun=All` (same field manager and force as the apply; nothing is written), so that admission webhooks, the CRDs' schemas and admission policies judge it at plan (default `true`; one request per created or changed object). A refusal is a plan error on the object when every object it references already exists in the cluster, else a warning naming the planned objects it may be waiting for. Ignored in `observe` mode."},
					"observe_timeout": str("How long `observe` mode waits for the GitOps controller, e.g. `10m` (default `5m`). In observe mode "+
						"the operation timeout is at least `observe_timeout` plus `request_timeout`.", false),
				}, "Kubernetes"),
			},
		},
	}
}

// block returns the attributes of a backend block and whether it configures anything: a block whose
// attributes are all null counts as absent, so that modules can pass null variables through.
func block(cfg map[string]tftypes.Value, name string) (map[string]tftypes.Value, bool) {
	v, ok := cfg[name]
	if !ok || v.IsNull() || !v.IsKnown() {
		return map[string]tftypes.Value{}, false
	}
	m := attrs(v)
	for _, a := range m {
		if !a.IsNull() {
			return m, true
		}
	}
	return m, false
}

// setting returns the configured value, else the first environment variable that is set.
func setting(b map[string]tftypes.Value, attr string, envs ...string) string {
	if s, ok := strVal(b[attr]); ok {
		return s
	}
	for _, e := range envs {
		if v := os.Getenv(e); v != "" {
			return v
		}
	}
	return ""
}

func boolSetting(b map[string]tftypes.Value, attr string, envs ...string) bool {
	if v := b[attr]; v.IsKnown() && !v.IsNull() {
		var x bool
		_ = v.As(&x)
		return x
	}
	s := setting(nil, "", envs...)
	x, _ := strconv.ParseBool(s)
	return x
}

func numSetting(b map[string]tftypes.Value, attr string) (float64, bool) {
	if v := b[attr]; v.IsKnown() && !v.IsNull() {
		var f big.Float
		if err := v.As(&f); err == nil {
			x, _ := f.Float64()
			return x, true
		}
	}
	return 0, false
}

// durationSetting parses a duration attribute ("30s", "2m"); unset is 0. A value that is not a positive
// duration is an attribute error.
func durationSetting(b map[string]tftypes.Value, at path.Path, attr string, diags interface {
	AddAttributeError(path.Path, string, string)
}) time.Duration {
	s, ok := strVal(b[attr])
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		diags.AddAttributeError(at.AtName(attr), "Invalid duration",
			fmt.Sprintf("%s must be a positive duration such as \"30s\", \"2m\" or \"1h30m\", got %q.", attr, s))
		return 0
	}
	return d
}

// guardConfig reads a backend block's failure policy (package guard).
func guardConfig(b map[string]tftypes.Value, name string, diags interface {
	AddAttributeError(path.Path, string, string)
}) guard.Config {
	at := path.Root(name)
	c := guard.Config{
		RequestTimeout:   durationSetting(b, at, "request_timeout", diags),
		OperationTimeout: durationSetting(b, at, "operation_timeout", diags),
	}
	if n, ok := numSetting(b, "max_retries"); ok {
		switch {
		case n < 0 || n > 20 || n != float64(int(n)):
			diags.AddAttributeError(at.AtName("max_retries"), "Invalid max_retries", fmt.Sprintf("max_retries must be a whole number from 0 to 20, got %v.", n))
		case n == 0:
			c.MaxRetries = -1 // none
		default:
			c.MaxRetries = int(n)
		}
	}
	return c
}

func (p *hedgehogProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	defer scrub(&resp.Diagnostics)
	cfg := attrs(req.Config.Raw)
	for _, name := range []string{"netbox", "git", "kubernetes"} {
		if b, ok := block(cfg, name); ok {
			guardConfig(b, name, &resp.Diagnostics)
		}
	}
	durationSetting(cfg, path.Empty(), "compensation_timeout", &resp.Diagnostics)
	if k, ok := block(cfg, "kubernetes"); ok {
		if ns, ok := strVal(k["namespace"]); ok && ns != kubebackend.DefaultNamespace {
			resp.Diagnostics.AddAttributeError(path.Root("kubernetes").AtName("namespace"), "Unsupported namespace",
				fmt.Sprintf("namespace is %q; the fabric keeps its objects in namespace %q only (DECISIONS.md). Remove the setting.", ns, kubebackend.DefaultNamespace))
		}
		if m, ok := strVal(k["mode"]); ok && m != "apply" && m != "observe" {
			resp.Diagnostics.AddAttributeError(path.Root("kubernetes").AtName("mode"), "Invalid kubernetes mode", fmt.Sprintf("mode must be \"apply\" or \"observe\", got %q.", m))
		}
	}
	if s, ok := strVal(cfg["fabric_config"]); ok {
		if _, err := cascade.ParseFabricConfig([]byte(s)); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("fabric_config"), "Invalid fabric configuration", err.Error())
		}
	}
	if v := cfg["policy"]; v.IsKnown() {
		if _, err := decodePolicy(policyNode(), v); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("policy"), "Invalid compliance policy", err.Error())
		}
	}
}

func (p *hedgehogProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	defer scrub(&resp.Diagnostics)
	cfg := attrs(req.Config.Raw)
	var backends []backend.Backend
	var kube *kubebackend.Backend

	if b, present := block(cfg, "netbox"); present || os.Getenv("NETBOX_SERVER_URL") != "" {
		c := netboxbackend.Config{
			ServerURL:   setting(b, "server_url", "NETBOX_SERVER_URL"),
			APIToken:    setting(b, "api_token", "NETBOX_API_TOKEN"),
			Site:        setting(b, "site", "NETBOX_SITE"),
			Insecure:    boolSetting(b, "insecure", "NETBOX_ALLOW_INSECURE_HTTPS"),
			CACertPEM:   setting(b, "ca_cert_pem", "NETBOX_CA_CERT_PEM"),
			Tag:         setting(b, "tag"),
			CustomField: setting(b, "custom_field"),
			Owner:       ownerSetting(cfg),
			Guard:       guard.New(backend.NetBox, guardConfig(b, "netbox", &resp.Diagnostics)),
		}
		if c.ServerURL == "" || c.APIToken == "" {
			resp.Diagnostics.AddAttributeError(path.Root("netbox"), "Incomplete NetBox configuration", "The netbox backend needs server_url and api_token (or NETBOX_SERVER_URL and NETBOX_API_TOKEN).")
		}
		backends = append(backends, c.Guard.Wrap(netboxbackend.New(c)))
	}
	if b, present := block(cfg, "git"); present || os.Getenv("HEDGEHOG_GIT_URL") != "" {
		c := gitbackend.Config{
			URL:                 setting(b, "url", "HEDGEHOG_GIT_URL"),
			Branch:              setting(b, "branch", "HEDGEHOG_GIT_BRANCH"),
			PathPrefix:          setting(b, "path_prefix", "HEDGEHOG_GIT_PATH_PREFIX"),
			Token:               setting(b, "token", "HEDGEHOG_GIT_TOKEN"),
			Username:            setting(b, "username", "HEDGEHOG_GIT_USERNAME"),
			Password:            setting(b, "password", "HEDGEHOG_GIT_PASSWORD"),
			SSHPrivateKey:       setting(b, "ssh_private_key", "HEDGEHOG_GIT_SSH_PRIVATE_KEY"),
			SSHKeyPassphrase:    setting(b, "ssh_key_passphrase"),
			SSHKnownHosts:       setting(b, "ssh_known_hosts"),
			AuthorName:          setting(b, "author_name"),
			AuthorEmail:         setting(b, "author_email"),
			CommitMessagePrefix: setting(b, "commit_message_prefix"),
		}
		if c.URL == "" {
			resp.Diagnostics.AddAttributeError(path.Root("git").AtName("url"), "Missing Git URL", "The git backend needs url (or HEDGEHOG_GIT_URL).")
		}
		g := guard.New(backend.Git, guardConfig(b, "git", &resp.Diagnostics))
		backends = append(backends, g.Wrap(gitbackend.New(c)))
	}
	if b, present := block(cfg, "kubernetes"); present || os.Getenv("KUBE_CONFIG_PATH") != "" || os.Getenv("KUBE_HOST") != "" || os.Getenv("HEDGEHOG_KUBECONFIG") != "" {
		c := kubebackend.Config{
			KubeconfigPath: setting(b, "kubeconfig_path", "KUBE_CONFIG_PATH"),
			Kubeconfig:     setting(b, "kubeconfig", "HEDGEHOG_KUBECONFIG"),
			Context:        setting(b, "context", "KUBE_CTX"),
			Host:           setting(b, "host", "KUBE_HOST"),
			Token:          setting(b, "token", "KUBE_TOKEN"),
			CAData:         setting(b, "cluster_ca_certificate", "KUBE_CLUSTER_CA_CERT_DATA"),
			Insecure:       boolSetting(b, "insecure", "KUBE_INSECURE"),
			InCluster:      boolSetting(b, "in_cluster"),
			FieldManager:   setting(b, "field_manager"),
			Mode:           setting(b, "mode", "HEDGEHOG_KUBERNETES_MODE"),
		}
		if v := b["exec"]; v.IsKnown() && !v.IsNull() {
			e := attrs(v)
			x := &kubebackend.Exec{}
			x.APIVersion, _ = strVal(e["api_version"])
			x.Command, _ = strVal(e["command"])
			x.Env, _ = strMapVal(e["env"])
			var args []tftypes.Value
			if a := e["args"]; a.IsKnown() && !a.IsNull() {
				_ = a.As(&args)
			}
			for _, a := range args {
				if s, ok := strVal(a); ok {
					x.Args = append(x.Args, s)
				}
			}
			c.Exec = x
		}
		if v := b["force_conflicts"]; v.IsKnown() && !v.IsNull() {
			var force bool
			_ = v.As(&force)
			c.NoForceConflicts = !force
		}
		if q, ok := numSetting(b, "qps"); ok {
			c.QPS = float32(q)
		}
		if q, ok := numSetting(b, "burst"); ok {
			c.Burst = int(q)
		}
		if s := setting(b, "observe_timeout"); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("kubernetes").AtName("observe_timeout"), "Invalid duration", err.Error())
			}
			c.ObserveTimeout = d
		}
		gc := guardConfig(b, "kubernetes", &resp.Diagnostics)
		if c.Mode == kubebackend.ModeObserve {
			// observe mode waits within one operation: the operation must outlast the wait
			obs := c.ObserveTimeout
			if obs == 0 {
				obs = kubebackend.DefaultObserveTimeout
			}
			req := gc.RequestTimeout
			if req == 0 {
				req = guard.DefaultRequestTimeout
			}
			op := gc.OperationTimeout
			if op == 0 {
				op = guard.DefaultOperationTimeout
			}
			gc.OperationTimeout = max(op, obs+req)
		}
		c.Guard = guard.New(backend.Kubernetes, gc)
		kube = kubebackend.New(c)
		backends = append(backends, c.Guard.Wrap(kube))
	}
	registerSecrets(cfg)
	if len(backends) == 0 {
		resp.Diagnostics.AddError("No backend configured",
			"Configure at least one of the netbox, git and kubernetes blocks (or their environment variables: NETBOX_SERVER_URL, HEDGEHOG_GIT_URL, KUBE_CONFIG_PATH/KUBE_HOST/HEDGEHOG_KUBECONFIG).")
	}
	opts := engine.Options{Backends: backends, Owner: ownerSetting(cfg), Audit: runAudit()}
	if kube != nil {
		// Default true; the engine skips the dry run when the cluster only observes.
		opts.DryRunAtPlan = true
		if kb, _ := block(cfg, "kubernetes"); kb["dry_run_at_plan"].IsKnown() && !kb["dry_run_at_plan"].IsNull() {
			_ = kb["dry_run_at_plan"].As(&opts.DryRunAtPlan)
		}
	}
	opts.CompensationTimeout = durationSetting(cfg, path.Empty(), "compensation_timeout", &resp.Diagnostics)
	opts.Journal = pickJournal(backends)
	faults, err := engine.ParseFaults(os.Getenv("HEDGEHOG_TEST_FAULTS"))
	if err != nil {
		resp.Diagnostics.AddError("Invalid HEDGEHOG_TEST_FAULTS", err.Error())
	}
	opts.Faults = faults
	if s := setting(cfg, "fabric_config", "HEDGEHOG_FABRIC_CONFIG"); s != "" {
		fc, err := cascade.ParseFabricConfig([]byte(s))
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("fabric_config"), "Invalid fabric configuration", err.Error())
		}
		opts.FabricConfig = fc
	} else if kube != nil {
		opts.ConfigReader = kube.ReadFabricConfig
	}
	pol, err := decodePolicy(policyNode(), cfg["policy"])
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("policy"), "Invalid compliance policy", err.Error())
	}
	opts.Policy = pol
	opts.Declared = p.rec.take()
	opts.PlanWithoutBackends = boolSetting(cfg, "plan_without_backends", "HEDGEHOG_PLAN_WITHOUT_BACKENDS")
	opts.CrossNeedsDeclared = true
	if resp.Diagnostics.HasError() {
		return
	}
	eng := engine.New(opts)
	p.eng.Store(eng)
	resp.ResourceData = eng
	resp.DataSourceData = eng
	resp.ListResourceData = eng
}

func (p *hedgehogProvider) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, s := range sortedKindSpecs(isManaged) {
		out = append(out, newResourceFactory(s, p.rec))
	}
	return out
}

// ListResources are the list resources of `terraform query` (Terraform ≥ 1.14): one per managed kind, named
// as its resource (list.go).
func (p *hedgehogProvider) ListResources(context.Context) []func() list.ListResource {
	var out []func() list.ListResource
	for _, s := range sortedKindSpecs(isManaged) {
		out = append(out, newListResourceFactory(s))
	}
	return out
}

func (p *hedgehogProvider) DataSources(context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for _, s := range sortedKindSpecs(func(string) bool { return true }) {
		out = append(out, newDataSourceFactory(s))
	}
	out = append(out, func() datasource.DataSource { return &adoptionDataSource{} })
	out = append(out, func() datasource.DataSource { return &topologyDataSource{} })
	out = append(out, func() datasource.DataSource { return &freeSpaceDataSource{} })
	out = append(out, func() datasource.DataSource { return &addressPlanDataSource{} })
	return out
}

// ownerSetting is the owner identity: the setting, else HEDGEHOG_OWNER, else the Terraform Cloud workspace,
// else the default.
func ownerSetting(cfg map[string]tftypes.Value) string {
	if s := setting(cfg, "owner", "HEDGEHOG_OWNER"); s != "" {
		return s
	}
	if ws := os.Getenv("TFC_WORKSPACE_SLUG"); ws != "" {
		return "tfc:" + ws
	}
	if ws := os.Getenv("TFC_WORKSPACE_NAME"); ws != "" {
		return "tfc:" + ws
	}
	return backend.DefaultOwner
}

// runAudit collects the facts of a Terraform Cloud run (empty elsewhere).
func runAudit() backend.Audit {
	ws := os.Getenv("TFC_WORKSPACE_SLUG")
	if ws == "" {
		ws = os.Getenv("TFC_WORKSPACE_NAME")
	}
	return backend.Audit{RunID: os.Getenv("TFC_RUN_ID"), Workspace: ws, VCSCommit: os.Getenv("TFC_CONFIGURATION_VERSION_GIT_COMMIT_SHA")}
}

// journaled is implemented by backends that can keep the saga journal.
type journaled interface{ Journal() backend.Journal }

// pickJournal keeps the journal in the cluster when the provider writes it, else in Git (DECISIONS.md).
func pickJournal(bs []backend.Backend) backend.Journal {
	for _, name := range []string{backend.Kubernetes, backend.Git} {
		for _, b := range bs {
			if b.Name() != name {
				continue
			}
			if o, ok := b.(backend.Observer); ok && o.Observes() {
				continue
			}
			if j, ok := b.(journaled); ok {
				return j.Journal()
			}
		}
	}
	return nil
}

// engineFrom checks the provider data handed to a resource or data source: nil before the provider is
// configured (validation calls), the engine after.
func engineFrom(data any) (*engine.Engine, string) {
	if data == nil {
		return nil, ""
	}
	eng, ok := data.(*engine.Engine)
	if !ok {
		return nil, fmt.Sprintf("Expected *engine.Engine, got %T. This is a bug in the provider; please report it.", data)
	}
	return eng, ""
}

// registerSecrets hands every credential of the configuration (and of the environment variables that stand
// in for it) to redact.Register, so that no message can quote one: tokens, passwords, keys, the user
// information of the Git and NetBox URLs and the exec plugin's environment values.
func registerSecrets(cfg map[string]tftypes.Value) {
	nb, _ := block(cfg, "netbox")
	g, _ := block(cfg, "git")
	k, _ := block(cfg, "kubernetes")
	redact.Register(
		setting(nb, "api_token", "NETBOX_API_TOKEN"),
		setting(g, "token", "HEDGEHOG_GIT_TOKEN"),
		setting(g, "password", "HEDGEHOG_GIT_PASSWORD"),
		setting(g, "ssh_key_passphrase"),
		setting(k, "token", "KUBE_TOKEN"),
	)
	for _, pem := range []string{setting(g, "ssh_private_key", "HEDGEHOG_GIT_SSH_PRIVATE_KEY")} {
		for _, line := range strings.Split(pem, "\n") {
			if l := strings.TrimSpace(line); !strings.HasPrefix(l, "-----") {
				redact.Register(l)
			}
		}
	}
	redact.Register(redact.Credentials(setting(g, "url", "HEDGEHOG_GIT_URL"))...)
	redact.Register(redact.Credentials(setting(nb, "server_url", "NETBOX_SERVER_URL"))...)
	redact.Register(redact.Credentials(setting(k, "host", "KUBE_HOST"))...)
	if v := k["exec"]; v.IsKnown() && !v.IsNull() {
		env, _ := strMapVal(attrs(v)["env"])
		for _, val := range env {
			redact.Register(val)
		}
	}
}
