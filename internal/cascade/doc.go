// Package cascade is the validation cascade of the provider: it runs the stages
//
//	schema      ValidateSchema      the CRD openAPIV3Schema (types, enums, required, patterns, limits)
//	spec        spec.Validate       the object alone (package cascade/spec)
//	fabric      ValidateFabric      the fabric configuration (FabricConfig, ConfigMap fabric-ctrl-config)
//	cross       ValidateCross       other objects: the View of the fabric plus planned objects
//	            ValidateDelete      delete protection
//	integration ValidateIntegration the configured backends answer (Probe)
//	policy      ValidatePolicy      the platform team's compliance Policy
//
// over fabric objects and returns diag.Diagnostics with stable rule ids (Rule* constants). Run runs
// them all for a set of objects; ValidateObject runs all but integration for one object (plan time).
// Objects must be defaulted (fabric.Default) before they are validated; ValidateSchema also takes an
// object as configured and judges its required fields after the fabric's defaulting, as the cluster does.
package cascade
