// Command topology draws a fabric from its YAML (the docs script renders the sample fabric's picture with it
// and Graphviz): topology -in FILE [-format dot|mermaid] [-attachments].
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/topology"
)

func main() {
	in := flag.String("in", "", "fabric YAML (one or more documents)")
	format := flag.String("format", "dot", "dot or mermaid")
	atts := flag.Bool("attachments", false, "draw VPCs and where they are attached")
	flag.Parse()
	data, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "topology:", err)
		os.Exit(1)
	}
	objs, err := fabric.Decode(data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "topology:", err)
		os.Exit(1)
	}
	g := topology.Build(objs, topology.Options{Attachments: *atts})
	switch *format {
	case "dot":
		fmt.Print(g.DOT())
	case "mermaid":
		fmt.Print(g.Mermaid())
	default:
		fmt.Fprintln(os.Stderr, "topology: -format is dot or mermaid")
		os.Exit(2)
	}
}
