package netbox

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// objectTypes are NetBox's content types of the models, as journal entries name their object.
var objectTypes = map[string]string{
	modelVRF: "ipam.vrf", modelPrefix: "ipam.prefix", modelVLAN: "ipam.vlan", modelVLANGroup: "ipam.vlangroup",
}

// primaryModel is the model of the record that carries an object's NetBox journal entries: the VRF of a
// VPC, the VLAN group of a VLANNamespace, the first container prefix of an IPv4Namespace.
var primaryModel = map[string]string{kindVPC: modelVRF, kindVLANNamespace: modelVLANGroup, kindIPv4Namespace: modelPrefix}

// primary returns the record of after that carries the journal entries: the first record of the kind's
// primary model in the desired order (false when there is none).
func primary(kind string, want, after []record) (record, bool) {
	model := primaryModel[kind]
	byKey := map[string]record{}
	for _, r := range after {
		if _, dup := byKey[r.key()]; !dup {
			byKey[r.key()] = r
		}
	}
	for _, w := range want {
		if w.Model != model {
			continue
		}
		if r, ok := byKey[w.key()]; ok && r.ID != 0 {
			return r, true
		}
	}
	return record{}, false
}

// NoGitCommitYet is what a NetBox journal entry says about the Git commit when NetBox's step runs before
// Git's in the saga (create and update), so that the commit is not known yet.
const NoGitCommitYet = "not known yet: NetBox is written before Git; the Git commit with the same Hedgehog-Resource trailer and run follows"

// auditComments renders the journal entry's text: the same keys as the Git commit trailers.
func auditComments(ref backend.Ref, a backend.Audit) string {
	var sb strings.Builder
	ns := ref.Namespace
	if ns == "" {
		ns = "default"
	}
	fmt.Fprintf(&sb, "terraform-provider-hedgehog: %s %s %s/%s\n\n", orDash(a.Op), ref.Kind, ns, ref.Name)
	line := func(k, v string) {
		if v = strings.Join(strings.Fields(v), " "); v != "" {
			fmt.Fprintf(&sb, "%s: %s\n", k, v)
		}
	}
	line("Hedgehog-Owner", a.Owner)
	line("Hedgehog-Resource", a.Resource)
	line("Hedgehog-Operation", a.Op)
	line("Hedgehog-Run-Id", a.RunID)
	line("Hedgehog-Workspace", a.Workspace)
	line("Hedgehog-VCS-Commit", a.VCSCommit)
	if a.GitCommit != "" {
		line("Hedgehog-Git-Commit", a.GitCommit)
	} else {
		line("Hedgehog-Git-Commit", NoGitCommitYet)
	}
	return strings.TrimRight(sb.String(), "\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// journal writes one NetBox journal entry (kind info) on r with the write's audit. It goes as an item of
// a bulk POST merged with other sagas' concurrent entries (bulk.go); NetBox creates a bulk request's
// entries in one transaction, and a merged request that fails is sent again per saga, so each write
// still gets its own entry or its own error.
func (b *Backend) journal(ctx context.Context, ref backend.Ref, r record, a backend.Audit) error {
	req := nb.NewWritableJournalEntryRequest(objectTypes[r.Model], int64(r.ID), auditComments(ref, a))
	req.SetKind(nb.JOURNALENTRYKINDVALUE_INFO)
	if _, err := b.bulk(ctx, http.MethodPost, "/api/extras/journal-entries/", []any{req}); err != nil {
		return fmt.Errorf("the write's audit record could not be kept, so the write is rolled back (the API token needs permission extras.add_journalentry): create journal entry on %s %d: %w",
			modelLabel(r.Model), r.ID, err)
	}
	return nil
}
