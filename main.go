// Command terraform-provider-hedgehog serves the Hedgehog Open Network Fabric provider to Terraform and
// OpenTofu over plugin protocol 6.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/provider"
)

// Set by goreleaser.
var (
	version = "dev"
	commit  = "none"
)

// quietSDK switches the plugin SDK's own trace logging off unless the user asked for logs: by default the
// framework logs every attribute at TRACE to stderr, which the CLI then parses line by line — a fifth of
// the provider's CPU in a 500-object plan, for output nobody sees.
func quietSDK() {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		os.Setenv(v, "OFF")
	}
}

func main() {
	quietSDK()
	stopProfiles := startProfiles()
	defer stopProfiles()
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	newServer := provider.NewServer(version)
	err := tf6server.Serve("registry.terraform.io/githedgehog/hedgehog", func() tfprotov6.ProviderServer {
		s, err := newServer()
		if err != nil {
			log.Fatal(err.Error(), " (commit ", commit, ")")
		}
		return s
	}, opts...)
	if err != nil {
		stopProfiles()
		log.Fatal(err.Error(), " (commit ", commit, ")")
	}
}
