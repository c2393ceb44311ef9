// Package redact masks credentials in text before it reaches a diagnostic, a log line or an attribute
// (and so Terraform state and every plan). It is the provider's one redaction function: every URL found in
// a text loses its user information — the username position included, since `https://TOKEN@host/repo.git`
// is how many Git hosts take a token — and the values of query parameters that carry credentials; every
// secret registered with Register is masked wherever it appears.
package redact

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces what is hidden.
const Mask = "REDACTED"

// schemeURL finds the start of a URL with a scheme: "scheme://". What follows up to the first character
// that cannot be part of a URL in free text is the URL.
var schemeURL = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*://`)

// sensitiveParams are query parameters whose values are credentials (compared case-insensitively).
var sensitiveParams = map[string]bool{
	"token": true, "access_token": true, "accesstoken": true, "private_token": true, "api_key": true,
	"apikey": true, "key": true, "password": true, "passwd": true, "pass": true, "secret": true,
	"client_secret": true, "sig": true, "signature": true, "x-amz-signature": true, "x-amz-credential": true,
	"x-amz-security-token": true, "auth": true, "authorization": true, "jwt": true,
}

// URL masks the credentials of one URL: the whole user information (`https://REDACTED@host/…`, also when it
// holds only a username) and the values of credential query parameters. Text that is not a URL with a
// scheme is returned unchanged, apart from registered secrets.
func URL(raw string) string { return Text(raw) }

// Text masks the credentials of every URL in s (see URL) and every registered secret.
func Text(s string) string {
	if s == "" {
		return s
	}
	s = maskSecrets(s)
	locs := schemeURL.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		if loc[0] < last {
			continue // inside the previous URL (e.g. a URL in a query value)
		}
		end := urlEnd(s, loc[1])
		b.WriteString(s[last:loc[0]])
		b.WriteString(s[loc[0]:loc[1]])
		b.WriteString(maskRest(s[loc[1]:end]))
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// urlEnd returns the index where the URL whose authority starts at i ends in free text: at white space,
// a quote, angle bracket or backtick. A trailing ')' ',' '.' ';' ':' stays outside.
func urlEnd(s string, i int) int {
	j := i
	for j < len(s) {
		c := s[j]
		if c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == 0x7f {
			break
		}
		j++
	}
	for j > i && strings.IndexByte(").,;:", s[j-1]) >= 0 {
		j--
	}
	return j
}

// maskRest masks what follows "scheme://": the user information before the last '@' of the authority
// (the authority ends at the first '/', '?' or '#'), and credential query parameters.
func maskRest(rest string) string {
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	auth, tail := rest[:authEnd], rest[authEnd:]
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		auth = Mask + auth[at:]
	}
	return auth + maskQuery(tail)
}

// maskQuery masks the values of credential parameters in "path?query#fragment".
func maskQuery(tail string) string {
	q := strings.IndexByte(tail, '?')
	if q < 0 {
		return tail
	}
	query, frag := tail[q+1:], ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, frag = query[:h], query[h:]
	}
	parts := strings.Split(query, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		if hasValue && sensitiveParams[strings.ToLower(k)] {
			parts[i] = k + "=" + Mask
		}
	}
	return tail[:q+1] + strings.Join(parts, "&") + frag
}

// minSecret is the shortest value Register accepts: shorter ones would mask ordinary words.
const minSecret = 6

var (
	mu      sync.RWMutex
	secrets []string // longest first, so that a secret containing another is masked whole
)

// Register records secret values (tokens, passwords, keys, credentials found in URLs) that must never
// appear in any text passed through Text: the last line of defence for messages that quote a secret
// without a URL around it. Values shorter than six characters are ignored. Registration is process-wide.
func Register(values ...string) {
	mu.Lock()
	defer mu.Unlock()
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < minSecret {
			continue
		}
		dup := false
		for _, s := range secrets {
			if s == v {
				dup = true
				break
			}
		}
		if !dup {
			secrets = append(secrets, v)
		}
	}
	sort.SliceStable(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
}

// Credentials returns the credentials held in a URL's user information (username and password, when not
// empty), for Register.
func Credentials(raw string) []string {
	loc := schemeURL.FindStringIndex(raw)
	if loc == nil {
		return nil
	}
	rest := raw[loc[1]:]
	if e := strings.IndexAny(rest, "/?#"); e >= 0 {
		rest = rest[:e]
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return nil
	}
	var out []string
	user, pass, _ := strings.Cut(rest[:at], ":")
	for _, v := range []string{user, pass} {
		if v != "" {
			out = append(out, v)
			if d, err := unescape(v); err == nil && d != v {
				out = append(out, d)
			}
		}
	}
	return out
}

func maskSecrets(s string) string {
	mu.RLock()
	defer mu.RUnlock()
	for _, v := range secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mask)
		}
	}
	return s
}

// Error returns err with its message redacted (nil for nil). errors.Is and errors.As still see the
// original chain.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := Text(msg); red != msg {
		return &redacted{msg: red, err: err}
	}
	return err
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// unescape decodes %XX escapes (user information may be percent-encoded).
func unescape(s string) (string, error) { return url.PathUnescape(s) }
