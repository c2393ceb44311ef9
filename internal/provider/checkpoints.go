package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

// The `checkpoints` attribute: per backend that holds the object, one line of `key=value` pairs (sorted,
// space-separated) recording what the backend held after this state's last write or refresh:
//
//	git        = "blob=<sha1> digest=<d>"
//	kubernetes = "digest=<d> resource_version=<rv>"
//	netbox     = "digest=<d>"
//
// One line per backend keeps a plan short: a backend this plan does not write keeps its known line (hidden
// as unchanged), a backend it writes shows one line "-> (known after apply)". The stable parts (git_path,
// git_commit, cluster_uid, netbox_ids) keep attributes of their own. DECISIONS.md, entry 37.

// checkpointSet is the decoded attribute: backend name -> field -> value.
type checkpointSet map[string]map[string]string

const cpDigest = "digest"

// checkpointFields are the fields each backend keeps in its line (the digest besides).
var checkpointFields = map[string][]string{
	backend.Git:        {"blob"},
	backend.Kubernetes: {"resource_version"},
	backend.NetBox:     nil,
}

func encodeCheckpoint(f map[string]string) string {
	keys := make([]string, 0, len(f))
	for k, v := range f {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + f[k]
	}
	return strings.Join(parts, " ")
}

func decodeCheckpoint(s string) map[string]string {
	out := map[string]string{}
	for _, p := range strings.Fields(s) {
		if k, v, ok := strings.Cut(p, "="); ok {
			out[k] = v
		}
	}
	return out
}

// readCheckpoints decodes the attribute; ok is false when it is null (a state just imported, not read yet)
// or unknown.
func readCheckpoints(v tftypes.Value) (checkpointSet, bool) {
	m, ok := strMapVal(v)
	if !ok || v.IsNull() {
		return nil, false
	}
	out := checkpointSet{}
	for b, s := range m {
		out[b] = decodeCheckpoint(s)
	}
	return out, true
}

// digest is the backend's recorded digest ("" when none).
func (c checkpointSet) digest(b string) string { return c[b][cpDigest] }

func (c checkpointSet) value() tftypes.Value {
	m := map[string]string{}
	for b, f := range c {
		m[b] = encodeCheckpoint(f)
	}
	return tfStrMap(m)
}

// checkpointsFrom is the attribute's content after a write or read: every backend that holds the object.
// withDigest says whether a backend's digest is a checkpoint (an import leaves it out for a backend that
// holds the object in another form: that is drift, written by the first apply).
func checkpointsFrom(res engine.Result, withDigest func(string) bool) checkpointSet {
	c := checkpointSet{}
	for name, s := range res {
		if !s.Exists {
			continue
		}
		f := map[string]string{}
		if withDigest == nil || withDigest(name) {
			f[cpDigest] = s.Digest
		}
		for _, k := range checkpointFields[name] {
			f[k] = s.Checkpoint[k]
		}
		c[name] = f
	}
	return c
}

// plannedCheckpoints is the attribute in a plan: the known line of every backend in keep, unknown for the
// other backends that will hold the object (written by this apply).
func plannedCheckpoints(prior checkpointSet, backends []string, keep func(string) bool) tftypes.Value {
	m := map[string]tftypes.Value{}
	for _, b := range backends {
		if keep(b) {
			m[b] = tfStr(encodeCheckpoint(prior[b]))
		} else {
			m[b] = tfUnknown(tftypes.String)
		}
	}
	return tftypes.NewValue(strMapType, m)
}

// keepPlannedCheckpoints puts back every backend line the plan showed as known: the plan promised it, and a
// backend that was not written still holds it (a later refresh records any change).
func keepPlannedCheckpoints(m map[string]tftypes.Value, planned tftypes.Value) {
	if !planned.IsKnown() || planned.IsNull() {
		return
	}
	var pm map[string]tftypes.Value
	if err := planned.As(&pm); err != nil {
		return
	}
	cur := map[string]tftypes.Value{}
	if v := m[aCheckpoints]; v.IsKnown() && !v.IsNull() {
		_ = v.As(&cur)
	}
	for b, v := range pm {
		if v.IsKnown() {
			cur[b] = v
		}
	}
	m[aCheckpoints] = tftypes.NewValue(strMapType, cur)
}

// stateUpgraders moves state written by schema version 0 (earlier versions of this provider) to version 1:
//   - git_blob, cluster_resource_version and backend_digests become the lines of `checkpoints`;
//   - manifest leaves state (the typed attributes hold the object; provider::hedgehog::manifest renders it).
//
// It works on the raw JSON, so one upgrader serves every kind's derived schema.
func stateUpgraders() map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: func(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			if req.RawState == nil || len(req.RawState.JSON) == 0 {
				resp.Diagnostics.AddError("Cannot upgrade the state", "The prior state (schema version 0) holds no JSON to upgrade. Remove the resource from state (terraform state rm) and import it again.")
				return
			}
			b, err := upgradeV0(req.RawState.JSON)
			if err != nil {
				resp.Diagnostics.AddError("Cannot upgrade the state", fmt.Sprintf("The prior state (schema version 0) could not be read: %v. Remove the resource from state (terraform state rm) and import it again.", err))
				return
			}
			resp.DynamicValue = &tfprotov6.DynamicValue{JSON: b}
		}},
	}
}

// upgradeV0 rewrites one version-0 state object as version 1 (see stateUpgraders).
func upgradeV0(raw []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(m[k], &s)
		return s
	}
	var digests map[string]string
	_ = json.Unmarshal(m["backend_digests"], &digests)
	blob, rv := str("git_blob"), str("cluster_resource_version")
	hadManifest := str("manifest") != ""
	for _, k := range []string{"manifest", "git_blob", "cluster_resource_version", "backend_digests"} {
		delete(m, k)
	}
	if digests == nil && blob == "" && rv == "" && !hadManifest {
		m[aCheckpoints] = json.RawMessage("null") // an import not read yet: the next read fills it
	} else {
		c := checkpointSet{}
		add := func(b, k, v string) {
			if v == "" {
				return
			}
			if c[b] == nil {
				c[b] = map[string]string{}
			}
			c[b][k] = v
		}
		for b, d := range digests {
			add(b, cpDigest, d)
		}
		add(backend.Git, "blob", blob)
		add(backend.Kubernetes, "resource_version", rv)
		lines := map[string]string{}
		for b, f := range c {
			lines[b] = encodeCheckpoint(f)
		}
		cb, err := json.Marshal(lines)
		if err != nil {
			return nil, err
		}
		m[aCheckpoints] = cb
	}
	return json.Marshal(m)
}
