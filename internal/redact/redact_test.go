package redact

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://ghp_tok3n@github.com/org/repo.git", "https://REDACTED@github.com/org/repo.git"},
		{"https://user:pa55word@host:8443/repo.git", "https://REDACTED@host:8443/repo.git"},
		{"https://user:p%40ss@host/r", "https://REDACTED@host/r"},
		{"http://x-access-token:abc@127.0.0.1:9/r.git?ref=main", "http://REDACTED@127.0.0.1:9/r.git?ref=main"},
		{"ssh://git@example.com/repo.git", "ssh://REDACTED@example.com/repo.git"},
		{"https://github.com/org/repo.git", "https://github.com/org/repo.git"},
		{"https://host/path@not-userinfo", "https://host/path@not-userinfo"},
		{"https://host/x?token=abc&page=2#frag", "https://host/x?token=REDACTED&page=2#frag"},
		{"https://host/x?Access_Token=abc", "https://host/x?Access_Token=REDACTED"},
		{`Get "https://tok123@netbox.example.com/api/": dial tcp: refused`, `Get "https://REDACTED@netbox.example.com/api/": dial tcp: refused`},
		{"ls-remote https://t0k@h/r.git, https://u:p@h2/r2.git failed.", "ls-remote https://REDACTED@h/r.git, https://REDACTED@h2/r2.git failed."},
		{"(see https://tok@h/r.git).", "(see https://REDACTED@h/r.git)."},
		{"no url here: user@host", "no url here: user@host"},
		{"git@github.com:org/repo.git", "git@github.com:org/repo.git"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := URL(c.in); got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRegister(t *testing.T) {
	Register("registered-secret-1", "short", "registered-secret-1-longer")
	got := Text("a registered-secret-1-longer and registered-secret-1 and short")
	if strings.Contains(got, "registered-secret") {
		t.Errorf("secret survived: %q", got)
	}
	if !strings.Contains(got, "short") {
		t.Errorf("a value under six characters was masked: %q", got)
	}
	if want := "a REDACTED and REDACTED and short"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCredentials(t *testing.T) {
	got := Credentials("https://user%40corp:p%2Fss@host/repo")
	want := []string{"user%40corp", "user@corp", "p%2Fss", "p/ss"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if c := Credentials("https://host/repo"); c != nil {
		t.Errorf("no user information: got %q", c)
	}
}

func TestError(t *testing.T) {
	base := errors.New("boom")
	err := fmt.Errorf("push to https://tok-xyz@h/r.git: %w", base)
	r := Error(err)
	if strings.Contains(r.Error(), "tok-xyz") || !errors.Is(r, base) {
		t.Errorf("Error: %v (Is base: %v)", r, errors.Is(r, base))
	}
	if Error(nil) != nil || Error(base) != base {
		t.Error("Error must return nil for nil and an unchanged error as is")
	}
}

func FuzzText(f *testing.F) {
	f.Add("https://tok@h/r.git and http://u:p@x:1/?token=t")
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if Text(out) != out {
			t.Errorf("not idempotent: %q -> %q -> %q", s, out, Text(out))
		}
	})
}
