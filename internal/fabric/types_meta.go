// Package fabric models the Hedgehog fabric API objects (vpc.githedgehog.com and
// wiring.githedgehog.com, v1beta1) as plain Go structs, with a strict codec and
// the fabric's defaulting.
package fabric

// ObjectMeta is the subset of Kubernetes object metadata the provider manages.
type ObjectMeta struct {
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Object is implemented by every fabric kind.
type Object interface {
	// GetKind returns the object's kind, e.g. "VPC".
	GetKind() string
	// Meta returns a pointer to the object's metadata.
	Meta() *ObjectMeta
	// SpecAny returns a pointer to the object's spec.
	SpecAny() any
}

// Key returns "Kind/namespace/name" for o.
func Key(o Object) string {
	m := o.Meta()
	return o.GetKind() + "/" + m.Namespace + "/" + m.Name
}
