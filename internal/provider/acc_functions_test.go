package provider

import (
	"encoding/json"
	"testing"
)

// TestAccFunctions: the provider-defined functions with the real CLI, including an argument error.
func TestAccFunctions(t *testing.T) {
	accPreCheck(t)
	w := newWorkdir(t, "w")
	if cliMinor(t, w) < 8 {
		t.Skip("provider-defined functions need Terraform 1.8 or OpenTofu 1.7 or later")
	}
	w.write(`
output "gateway" {
  value = provider::hedgehog::subnet_gateway("10.0.1.0/24")
}

output "range" {
  value = provider::hedgehog::subnet_dhcp_range("10.0.1.0/24")
}

output "connection" {
  value = provider::hedgehog::connection_name("server-1", "mclag", ["leaf-01", "leaf-02"])
}

output "attachment" {
  value = provider::hedgehog::attachment_name("web", "default", provider::hedgehog::connection_name("server-4", "unbundled", ["leaf-02"]))
}
`)
	w.must("apply", "-auto-approve", "-no-color")
	var out map[string]struct{ Value any }
	if err := json.Unmarshal([]byte(w.must("output", "-json")), &out); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"gateway":    "10.0.1.1",
		"range":      map[string]any{"start": "10.0.1.2", "end": "10.0.1.255"},
		"connection": "server-1--mclag--leaf-01--leaf-02",
		"attachment": "web--default--server-4--unbundled--leaf-02",
	}
	for k, v := range want {
		got, _ := json.Marshal(out[k].Value)
		exp, _ := json.Marshal(v)
		if string(got) != string(exp) {
			t.Errorf("%s = %s, want %s", k, got, exp)
		}
	}
	w.write(`
output "bad" {
  value = provider::hedgehog::subnet_gateway("10.0.1.5/24")
}
`)
	w.fails(nil, []string{"is not an IPv4 subnet in canonical form"}, "plan", "-no-color")
}
