package provider

import (
	"context"
	"strings"
	"testing"

	fwdiag "github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/redact"
)

// TestSchemaSensitive: the settings that may carry credentials are sensitive, so Terraform never shows them.
func TestSchemaSensitive(t *testing.T) {
	var resp fwprovider.SchemaResponse
	New("test")().Schema(context.Background(), fwprovider.SchemaRequest{}, &resp)
	attr := func(blockName, name string) pschema.Attribute {
		return resp.Schema.Blocks[blockName].(pschema.SingleNestedBlock).Attributes[name]
	}
	exec := attr("kubernetes", "exec").(pschema.SingleNestedAttribute).Attributes["env"]
	for name, a := range map[string]pschema.Attribute{
		"git.url": attr("git", "url"), "git.token": attr("git", "token"), "git.password": attr("git", "password"),
		"netbox.server_url": attr("netbox", "server_url"), "netbox.api_token": attr("netbox", "api_token"),
		"kubernetes.token": attr("kubernetes", "token"), "kubernetes.exec.env": exec,
	} {
		if a == nil || !a.IsSensitive() {
			t.Errorf("%s is not sensitive", name)
		}
	}
}

// TestScrub: every diagnostic leaves the provider with URL credentials and registered secrets masked, its
// path and severity kept.
func TestScrub(t *testing.T) {
	redact.Register("scrub-registered-secret")
	var d fwdiag.Diagnostics
	d.AddAttributeError(path.Root("name"), "push to https://tok-abc@h/r.git failed", "detail scrub-registered-secret")
	d.AddWarning("plain", "https://u:p@h/x")
	d.AddError("clean", "nothing to hide")
	scrub(&d)
	for _, x := range d {
		if strings.Contains(x.Summary()+x.Detail(), "tok-abc") || strings.Contains(x.Detail(), "scrub-registered") || strings.Contains(x.Detail(), "u:p@") {
			t.Errorf("not redacted: %s / %s", x.Summary(), x.Detail())
		}
	}
	if wp, ok := d[0].(fwdiag.DiagnosticWithPath); !ok || !wp.Path().Equal(path.Root("name")) || d[0].Severity() != fwdiag.SeverityError {
		t.Errorf("first diagnostic lost its path or severity: %#v", d[0])
	}
	if d[1].Severity() != fwdiag.SeverityWarning || d[2].Detail() != "nothing to hide" {
		t.Errorf("severity or clean diagnostic changed: %#v", d)
	}
}
