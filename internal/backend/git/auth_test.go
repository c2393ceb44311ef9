package git

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	xssh "golang.org/x/crypto/ssh"
)

func TestBuildAuth(t *testing.T) {
	basic := func(cfg Config) *githttp.BasicAuth {
		t.Helper()
		a, err := buildAuth(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ba, ok := a.(*githttp.BasicAuth)
		if !ok {
			t.Fatalf("auth %T for %+v", a, cfg)
		}
		return ba
	}
	if a := basic(Config{URL: "https://github.com/o/r.git", Token: "tok"}); a.Username != "x-access-token" || a.Password != "tok" {
		t.Fatalf("token auth %+v", a)
	}
	if a := basic(Config{URL: "https://h/o/r.git", Token: "tok", Username: "oauth2"}); a.Username != "oauth2" || a.Password != "tok" {
		t.Fatalf("token auth with user %+v", a)
	}
	if a := basic(Config{URL: "http://h/o/r.git", Username: "u", Password: "p"}); a.Username != "u" || a.Password != "p" {
		t.Fatalf("basic auth %+v", a)
	}
	for _, u := range []string{"file:///tmp/r.git", "https://h/o/r.git"} {
		if a, err := buildAuth(Config{URL: u}); err != nil || a != nil {
			t.Fatalf("%s: %v %v", u, a, err)
		}
	}

	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := xssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key := string(pem.EncodeToMemory(block))
	for url, user := range map[string]string{"git@github.com:o/r.git": "git", "ssh://deploy@h:2222/o/r.git": "deploy"} {
		a, err := buildAuth(Config{URL: url, SSHPrivateKey: key, SSHInsecureIgnoreHostKey: true})
		if err != nil {
			t.Fatal(err)
		}
		pk, ok := a.(*gitssh.PublicKeys)
		if !ok || pk.User != user || pk.HostKeyCallback == nil {
			t.Fatalf("%s: %T %+v", url, a, a)
		}
	}
	signer, _ := xssh.NewSignerFromKey(priv)
	kh := "h.example " + string(xssh.MarshalAuthorizedKey(signer.PublicKey()))
	if _, err := buildAuth(Config{URL: "git@h.example:o/r.git", SSHPrivateKey: key, SSHKnownHosts: kh}); err != nil {
		t.Fatalf("known hosts content: %v", err)
	}
	if _, err := buildAuth(Config{URL: "git@h:o/r.git"}); err == nil {
		t.Fatal("ssh URL without key accepted")
	}
	if _, err := buildAuth(Config{URL: "git@h:o/r.git", SSHPrivateKey: "not a key"}); err == nil {
		t.Fatal("bad key accepted")
	}
}
