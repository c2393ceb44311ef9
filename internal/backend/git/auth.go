package git

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	xssh "golang.org/x/crypto/ssh"
)

// authMethod picks the transport auth for the URL's protocol:
// http(s): Token (basic auth, username default x-access-token) or Username/Password;
// ssh and scp-like: SSHPrivateKey; file: none.
func (b *Backend) authMethod() (transport.AuthMethod, error) {
	if b.authSet {
		return b.auth, b.authErr
	}
	b.auth, b.authErr = buildAuth(b.cfg)
	b.authSet = true
	return b.auth, b.authErr
}

func buildAuth(cfg Config) (transport.AuthMethod, error) {
	ep, err := transport.NewEndpoint(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("invalid repository URL %q: %w", redact(cfg.URL), err)
	}
	switch ep.Protocol {
	case "file":
		return nil, nil
	case "http", "https":
		switch {
		case cfg.Token != "":
			user := cfg.Username
			if user == "" {
				user = DefaultTokenUser
			}
			return &githttp.BasicAuth{Username: user, Password: cfg.Token}, nil
		case cfg.Username != "" || cfg.Password != "":
			return &githttp.BasicAuth{Username: cfg.Username, Password: cfg.Password}, nil
		}
		return nil, nil
	case "ssh":
		if cfg.SSHPrivateKey == "" {
			return nil, errors.New("an ssh URL needs ssh_private_key")
		}
		user := ep.User
		if user == "" {
			user = "git"
		}
		keys, err := gitssh.NewPublicKeys(user, []byte(cfg.SSHPrivateKey), cfg.SSHKeyPassphrase)
		if err != nil {
			return nil, fmt.Errorf("ssh private key: %w", err)
		}
		switch {
		case cfg.SSHInsecureIgnoreHostKey:
			keys.HostKeyCallback = xssh.InsecureIgnoreHostKey() //nolint:gosec // explicitly requested
		case cfg.SSHKnownHosts != "":
			cb, err := knownHostsCallback(cfg.SSHKnownHosts)
			if err != nil {
				return nil, err
			}
			keys.HostKeyCallback = cb
		}
		return keys, nil
	}
	return nil, fmt.Errorf("unsupported repository URL scheme %q", ep.Protocol)
}

// knownHostsCallback verifies host keys against known_hosts content, or a known_hosts file when the value
// is the path of an existing file.
func knownHostsCallback(v string) (xssh.HostKeyCallback, error) {
	if !strings.ContainsAny(v, " \n") {
		if _, err := os.Stat(v); err == nil {
			return gitssh.NewKnownHostsCallback(v)
		}
	}
	f, err := os.CreateTemp("", "hedgehog-known-hosts-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name()) // the callback has read the file by the time it is returned
	if _, err := f.WriteString(v + "\n"); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	cb, err := gitssh.NewKnownHostsCallback(f.Name())
	if err != nil {
		return nil, fmt.Errorf("ssh known hosts: %w", err)
	}
	return cb, nil
}

// explain turns transport failures into messages that say what to fix.
func (b *Backend) explain(err error) error {
	u := redact(b.cfg.URL)
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return fmt.Errorf("authentication to %s failed (check token or username/password): %w", u, err)
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("not authorized for %s (credentials lack access): %w", u, err)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return fmt.Errorf("repository %s not found: %w", u, err)
	}
	return err
}
