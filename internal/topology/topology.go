// Package topology draws the fabric: switches by role and redundancy group, servers, connections by link
// type and, optionally, which VPCs are attached where. It renders Mermaid (which GitHub and most docs sites
// show as a picture) and Graphviz DOT from fabric objects; it knows nothing of Terraform or the backends.
package topology

import (
	"fmt"
	"sort"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Options choose what is drawn.
type Options struct {
	// Attachments draws each VPC and an edge to every server its attachments reach.
	Attachments bool
}

// Graph is the fabric reduced to what is drawn.
type Graph struct {
	roles     map[string][]*node // switch role → switches (in groups or not)
	servers   []*node
	externals []*node // one per external, static-external, gateway or loopback connection end
	vpcs      []*node
	edges     []edge
	groups    map[string]string // switch → redundancy group label
}

type node struct{ id, label string }

type edge struct {
	from, to, label string
	dashed          bool
}

// Build reduces objs to a Graph. Objects of other kinds are ignored.
func Build(objs []fabric.Object, opt Options) *Graph {
	g := &Graph{roles: map[string][]*node{}, groups: map[string]string{}}
	conns := map[string]*fabric.Connection{}
	roleOf := map[string]string{}
	var atts []*fabric.VPCAttachment
	vpcNames := map[string]bool{}
	for _, o := range objs {
		switch x := o.(type) {
		case *fabric.Switch:
			role := x.Spec.Role
			if role == "" {
				role = "switch"
			}
			g.roles[role] = append(g.roles[role], &node{id: id("sw", x.Metadata.Name), label: x.Metadata.Name})
			roleOf[x.Metadata.Name] = role
			if r := x.Spec.Redundancy; r != nil && r.Group != "" {
				g.groups[x.Metadata.Name] = fmt.Sprintf("%s (%s)", r.Group, r.Type)
			}
		case *fabric.Server:
			g.servers = append(g.servers, &node{id: id("srv", x.Metadata.Name), label: x.Metadata.Name})
		case *fabric.Connection:
			conns[x.Metadata.Name] = x
		case *fabric.VPCAttachment:
			atts = append(atts, x)
		case *fabric.VPC:
			vpcNames[x.Metadata.Name] = true
		}
	}
	for _, name := range sortedKeys(conns) {
		c := conns[name]
		lt, _ := c.LinkType()
		sws, srvs := c.Switches(), c.Servers()
		switch {
		case len(srvs) > 0: // switches above the servers they serve
			for _, s := range srvs {
				for _, w := range sws {
					g.edges = append(g.edges, edge{from: id("sw", w), to: id("srv", s), label: lt})
				}
			}
		case len(sws) >= 2: // spines above leaves
			sws = append([]string(nil), sws...)
			sort.SliceStable(sws, func(i, j int) bool { return roleRank(roleOf[sws[i]]) < roleRank(roleOf[sws[j]]) })
			for _, w := range sws[1:] {
				g.edges = append(g.edges, edge{from: id("sw", sws[0]), to: id("sw", w), label: lt})
			}
		case len(sws) == 1:
			n := &node{id: id("ext", name), label: name}
			g.externals = append(g.externals, n)
			g.edges = append(g.edges, edge{from: id("sw", sws[0]), to: n.id, label: lt})
		}
	}
	if opt.Attachments {
		seen := map[string]bool{}
		for _, a := range atts {
			vpc, sub := fabric.VPCSubnetName(a.Spec.Subnet)
			c := conns[a.Spec.Connection]
			if c == nil || !vpcNames[vpc] {
				continue
			}
			if !seen[vpc] {
				seen[vpc] = true
				g.vpcs = append(g.vpcs, &node{id: id("vpc", vpc), label: "VPC " + vpc})
			}
			for _, s := range c.Servers() {
				g.edges = append(g.edges, edge{from: id("vpc", vpc), to: id("srv", s), label: sub, dashed: true})
			}
		}
	}
	for _, ns := range g.roles {
		sortNodes(ns)
	}
	sortNodes(g.servers)
	sortNodes(g.externals)
	sortNodes(g.vpcs)
	sort.SliceStable(g.edges, func(i, j int) bool {
		a, b := g.edges[i], g.edges[j]
		if a.from != b.from {
			return a.from < b.from
		}
		if a.to != b.to {
			return a.to < b.to
		}
		return a.label < b.label
	})
	g.edges = dedupe(g.edges)
	return g
}

// roleOrder draws spines above leaves.
var roleOrder = []string{"spine", "border-leaf", "mixed-leaf", "server-leaf", "virtual-edge", "switch"}

func roleRank(role string) int {
	for i, r := range roleOrder {
		if r == role {
			return i
		}
	}
	return len(roleOrder)
}

func (g *Graph) roleNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range roleOrder {
		if len(g.roles[r]) > 0 {
			out = append(out, r)
			seen[r] = true
		}
	}
	for _, r := range sortedKeys(g.roles) {
		if !seen[r] {
			out = append(out, r)
		}
	}
	return out
}

// byGroup splits switches into their redundancy groups (sorted) and the ungrouped.
func (g *Graph) byGroup(sws []*node) (groups []string, members map[string][]*node, loose []*node) {
	members = map[string][]*node{}
	for _, n := range sws {
		if grp := g.groups[n.label]; grp != "" {
			members[grp] = append(members[grp], n)
		} else {
			loose = append(loose, n)
		}
	}
	return sortedKeys(members), members, loose
}

// Mermaid renders the graph as a Mermaid flowchart.
func (g *Graph) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart TB\n")
	for _, role := range g.roleNames() {
		fmt.Fprintf(&b, "  subgraph %s[%q]\n", id("role", role), role)
		groups, members, loose := g.byGroup(g.roles[role])
		for _, grp := range groups {
			fmt.Fprintf(&b, "    subgraph %s[%q]\n", id("grp", grp), grp)
			for _, n := range members[grp] {
				fmt.Fprintf(&b, "      %s[%q]\n", n.id, n.label)
			}
			b.WriteString("    end\n")
		}
		for _, n := range loose {
			fmt.Fprintf(&b, "    %s[%q]\n", n.id, n.label)
		}
		b.WriteString("  end\n")
	}
	section := func(name, title string, ns []*node, shape string) {
		if len(ns) == 0 {
			return
		}
		fmt.Fprintf(&b, "  subgraph %s[%q]\n", name, title)
		for _, n := range ns {
			fmt.Fprintf(&b, "    %s%s\n", n.id, fmt.Sprintf(shape, n.label))
		}
		b.WriteString("  end\n")
	}
	section("servers", "servers", g.servers, "[%q]")
	section("externals", "external links", g.externals, "([%q])")
	section("vpcs", "VPCs", g.vpcs, "{{%q}}")
	for _, e := range g.edges {
		arrow := "---"
		if e.dashed {
			arrow = "-.-"
		}
		fmt.Fprintf(&b, "  %s %s|%q| %s\n", e.from, arrow, e.label, e.to)
	}
	return b.String()
}

// DOT renders the graph for Graphviz.
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("graph fabric {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	for _, role := range g.roleNames() {
		fmt.Fprintf(&b, "  subgraph cluster_%s {\n    label=%q;\n", id("role", role), role)
		groups, members, loose := g.byGroup(g.roles[role])
		for _, grp := range groups {
			fmt.Fprintf(&b, "    subgraph cluster_%s {\n      label=%q; style=dashed;\n", id("grp", grp), grp)
			for _, n := range members[grp] {
				fmt.Fprintf(&b, "      %s [label=%q];\n", n.id, n.label)
			}
			b.WriteString("    }\n")
		}
		for _, n := range loose {
			fmt.Fprintf(&b, "    %s [label=%q];\n", n.id, n.label)
		}
		b.WriteString("  }\n")
	}
	section := func(name, title string, ns []*node, attrs string) {
		if len(ns) == 0 {
			return
		}
		fmt.Fprintf(&b, "  subgraph cluster_%s {\n    label=%q;\n", name, title)
		for _, n := range ns {
			fmt.Fprintf(&b, "    %s [label=%q%s];\n", n.id, n.label, attrs)
		}
		b.WriteString("  }\n")
	}
	section("servers", "servers", g.servers, "")
	section("externals", "external links", g.externals, ", shape=ellipse")
	section("vpcs", "VPCs", g.vpcs, ", shape=hexagon")
	for _, e := range g.edges {
		style := ""
		if e.dashed {
			style = ", style=dashed"
		}
		fmt.Fprintf(&b, "  %s -- %s [label=%q%s];\n", e.from, e.to, e.label, style)
	}
	b.WriteString("}\n")
	return b.String()
}

// id makes a node identifier both Mermaid and DOT accept: a prefix, then the name with every rune that is not
// an ASCII letter or digit written as _<hex>_ (so that "a-b" and "a_b" stay apart).
func id(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix + "_")
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "_%x_", r)
		}
	}
	return b.String()
}

func sortNodes(ns []*node) { sort.Slice(ns, func(i, j int) bool { return ns[i].label < ns[j].label }) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dedupe(es []edge) []edge {
	var out []edge
	for i, e := range es {
		if i > 0 && e == es[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}
