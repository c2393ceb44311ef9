// Package spec is the "spec" stage of the validation cascade: rules about one object alone, with no
// fabric configuration and no other objects.
package spec

import (
	"reflect"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Validate returns the spec-stage findings for one defaulted object.
// It never panics on malformed values; on a valid object of ordinary size it allocates only its Builder.
func Validate(obj fabric.Object) diag.Diagnostics {
	if obj == nil {
		return nil
	}
	if v := reflect.ValueOf(obj); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil // a typed nil object has no metadata to read
	}
	m := obj.Meta()
	b := &diag.Builder{Stage: diag.StageSpec, Kind: obj.GetKind(), Name: m.Name}
	validateMeta(b, obj.GetKind(), m)

	switch o := obj.(type) {
	case *fabric.VPC:
		validateVPC(b, o)
	case *fabric.IPv4Namespace:
		validateIPv4Namespace(b, o)
	case *fabric.VLANNamespace:
		validateVLANNamespace(b, o)
	case *fabric.VPCPeering:
		validateVPCPeering(b, o)
	case *fabric.VPCAttachment:
		validateVPCAttachment(b, o)
	case *fabric.External:
		validateExternal(b, o)
	case *fabric.ExternalAttachment:
		validateExternalAttachment(b, o)
	case *fabric.Connection:
		validateConnection(b, o)
	case *fabric.Switch:
		validateSwitch(b, o)
	}
	return b.Out
}

// Rule ids shared by every kind.
const (
	RuleNameRFC1123    = "meta.name.rfc1123"
	RuleNameLength     = "meta.name.length"
	RuleNamespace      = "meta.namespace.default"
	maxShortNameLength = 11
	maxNameLength      = 253
)

// shortNameKind reports the kinds whose names the fabric limits to 11 characters (they become parts of
// switch-side identifiers such as VRF names).
func shortNameKind(kind string) bool {
	return kind == fabric.KindVPC || kind == fabric.KindExternal || kind == fabric.KindIPv4Namespace
}

func validateMeta(b *diag.Builder, kind string, m *fabric.ObjectMeta) {
	if !isRFC1123Subdomain(m.Name) {
		b.Errorf(RuleNameRFC1123, diag.F("metadata", "name"), "name is not a lowercase RFC 1123 name",
			"%s name %q must consist of lowercase letters, digits, '-' and '.', start and end with a letter or digit, and be at most %d characters; the fabric rejects any other name.", kind, m.Name, maxNameLength)
	}
	if shortNameKind(kind) && len(m.Name) > maxShortNameLength {
		b.Errorf(RuleNameLength, diag.F("metadata", "name"), "name is longer than 11 characters",
			"%s name %q has %d characters; the fabric limits %s names to %d characters because they are used in switch configuration identifiers. Choose a shorter name.", kind, m.Name, len(m.Name), kind, maxShortNameLength)
	}
	if m.Namespace != "default" {
		b.Errorf(RuleNamespace, diag.F("metadata", "namespace"), "only the namespace \"default\" is supported",
			"namespace %q is not supported: the fabric only accepts objects in the Kubernetes namespace \"default\". Remove the namespace or set it to \"default\".", m.Namespace)
	}
}

// isRFC1123Subdomain reports whether s is a lowercase RFC 1123 subdomain (dot-separated labels of
// [a-z0-9-], each starting and ending with an alphanumeric), at most 253 characters.
func isRFC1123Subdomain(s string) bool {
	if len(s) == 0 || len(s) > maxNameLength {
		return false
	}
	labelStart := true
	prev := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			labelStart = false
		case c == '-':
			if labelStart {
				return false
			}
		case c == '.':
			if labelStart || prev == '-' {
				return false
			}
			labelStart = true
		default:
			return false
		}
		prev = c
	}
	return !labelStart && prev != '-'
}
