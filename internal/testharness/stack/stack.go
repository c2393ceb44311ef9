// Package stack starts every local backend the provider talks to — a real Kubernetes API server with the
// fabric's CRDs, a real Git server over smart HTTP, and the NetBox emulator — for the acceptance tests and
// for `make demo`. It also renders the provider configuration that points at them.
package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/apiserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/netboxemu"
)

// Stack is the set of running backends.
type Stack struct {
	API    *apiserver.Server
	Git    *gitserver.Server
	NetBox *netboxemu.Emulator
	// NetBoxURL and NetBoxToken point at the emulator, or at a real NetBox when
	// HEDGEHOG_TEST_NETBOX_URL and HEDGEHOG_TEST_NETBOX_TOKEN are set (NetBox is then nil).
	NetBoxURL, NetBoxToken string
	// Dir holds the kubeconfig and other files of this stack.
	Dir string
	// Kubeconfig is the path of an admin kubeconfig for the API server.
	Kubeconfig string

	repos atomic.Int64
}

// Start starts all three backends.
func Start(ctx context.Context) (*Stack, error) {
	s := &Stack{}
	var err error
	if s.Dir, err = os.MkdirTemp("", "hedgehog-stack-"); err != nil {
		return nil, err
	}
	if s.API, err = apiserver.Start(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("kubernetes API server: %w", err)
	}
	if s.Kubeconfig, err = s.API.WriteKubeconfig(s.Dir); err != nil {
		s.Close()
		return nil, err
	}
	if s.Git, err = gitserver.Start(); err != nil {
		s.Close()
		return nil, fmt.Errorf("git server: %w", err)
	}
	if url, tok := os.Getenv("HEDGEHOG_TEST_NETBOX_URL"), os.Getenv("HEDGEHOG_TEST_NETBOX_TOKEN"); url != "" && tok != "" {
		s.NetBoxURL, s.NetBoxToken = strings.TrimRight(url, "/"), tok
		return s, nil
	}
	if s.NetBox, err = netboxemu.New(netboxemu.Options{}); err != nil {
		s.Close()
		return nil, fmt.Errorf("netbox emulator: %w", err)
	}
	if _, err = s.NetBox.Start(); err != nil {
		s.Close()
		return nil, fmt.Errorf("netbox emulator: %w", err)
	}
	s.NetBoxURL, s.NetBoxToken = s.NetBox.URL, s.NetBox.Token
	return s, nil
}

// Close stops everything and removes the stack's files.
func (s *Stack) Close() {
	if s.NetBox != nil {
		s.NetBox.Close()
	}
	if s.Git != nil {
		s.Git.Close()
	}
	if s.API != nil {
		s.API.Stop()
	}
	if s.Dir != "" {
		_ = os.RemoveAll(s.Dir)
	}
}

// NewRepo makes a fresh bare repository on the Git server and returns its URL and directory.
func (s *Stack) NewRepo(prefix string) (url, dir string, err error) {
	name := fmt.Sprintf("%s-%d", prefix, s.repos.Add(1))
	url, err = s.Git.NewRepo(name)
	return url, s.Git.RepoDir(name), err
}

// NewEmptyRepo makes a fresh bare repository without any branch and returns its URL and directory.
func (s *Stack) NewEmptyRepo(prefix string) (url, dir string, err error) {
	name := fmt.Sprintf("%s-%d", prefix, s.repos.Add(1))
	url, err = s.Git.NewEmptyRepo(name)
	return url, s.Git.RepoDir(name), err
}

// Backends selects the backends a provider configuration enables.
type Backends struct {
	NetBox, Git, Kubernetes bool
	// GitURL is the repository (from NewRepo) when Git is set.
	GitURL string
	// KubernetesMode is "apply" (default) or "observe".
	KubernetesMode string
	// Extra is HCL placed verbatim inside the provider block (fabric_config, policy, ...).
	Extra string
}

// All enables every backend with the given Git repository.
func All(gitURL string) Backends {
	return Backends{NetBox: true, Git: true, Kubernetes: true, GitURL: gitURL}
}

// ProviderHCL renders a provider "hedgehog" block for the selected backends.
func (s *Stack) ProviderHCL(b Backends) string {
	var sb strings.Builder
	sb.WriteString("provider \"hedgehog\" {\n")
	if b.NetBox {
		fmt.Fprintf(&sb, "  netbox {\n    server_url = %q\n    api_token  = %q\n  }\n", s.NetBoxURL, s.NetBoxToken)
	}
	if b.Git {
		fmt.Fprintf(&sb, "  git {\n    url         = %q\n    username    = %q\n    password    = %q\n    author_name = \"acceptance\"\n    author_email = \"acc@example.com\"\n  }\n", b.GitURL, s.Git.Username, s.Git.Password)
	}
	if b.Kubernetes {
		mode := b.KubernetesMode
		if mode == "" {
			mode = "apply"
		}
		fmt.Fprintf(&sb, "  kubernetes {\n    kubeconfig_path = %q\n    mode            = %q\n  }\n", s.Kubeconfig, mode)
	}
	sb.WriteString(b.Extra)
	sb.WriteString("}\n")
	return sb.String()
}

// EnsureCLIConfig points TF_CLI_CONFIG_FILE at an existing file: the machine image sets it to a path that
// does not exist, which Terraform reports on every run.
func EnsureCLIConfig(dir string) error {
	if p := os.Getenv("TF_CLI_CONFIG_FILE"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	p := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		return err
	}
	return os.Setenv("TF_CLI_CONFIG_FILE", p)
}

// ErrNoCLI says no Terraform-compatible CLI was found.
var ErrNoCLI = errors.New("no terraform or tofu on PATH and TF_ACC_TERRAFORM_PATH unset (run scripts/tf-cli.sh)")

// ProviderSource is the provider's registry address as examples and local CLI configurations name it.
const ProviderSource = "githedgehog/hedgehog"

// DevOverridesConfig is a CLI configuration that uses the provider built into providerDir and downloads
// nothing else. by names the program that wrote it.
func DevOverridesConfig(providerDir, by string) string {
	return fmt.Sprintf(`# Written by %s: use the locally built provider, download nothing else.
provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, by, ProviderSource, providerDir)
}

// ChildEnv is this process's environment for a CLI child process: the given CLI configuration, and none of
// the settings that would change what the provider or the CLI does (backend defaults read from HEDGEHOG_*,
// NETBOX_*, KUBE_*; TF_LOG; TF_CLI_ARGS).
func ChildEnv(cliConfig string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "TF_CLI_CONFIG_FILE" || k == "TF_LOG" || k == "TF_LOG_PROVIDER" || strings.HasPrefix(k, "HEDGEHOG_") ||
			strings.HasPrefix(k, "NETBOX_") || strings.HasPrefix(k, "KUBE_") || strings.HasPrefix(k, "TF_CLI_ARGS") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
}
