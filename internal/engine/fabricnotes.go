package engine

import (
	"fmt"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
)

// configFallbackNote is the warning for a fabric configuration that could not be read: it names the
// error and the defaults the checks use instead, so the fallback is never silent.
func configFallbackNote(err error, used *cascade.FabricConfig) string {
	return fmt.Sprintf("Reading the fabric configuration (ConfigMap %s, key %s) failed: %v. The fabric-stage checks use the fabric's usual defaults instead: %s. Set fabric_config in the provider configuration (or fix the ConfigMap) if the fabric differs.",
		cascade.FabricConfigMapName, cascade.FabricConfigMapKey, err, used.Summary())
}

// noteSkipped records the note about the objects of source that did not decode ("" when all did). The
// caller holds viewMu (readAll runs under View).
func (e *Engine) noteSkipped(source, note string) {
	if e.skipped == nil {
		e.skipped = map[string]string{}
	}
	e.skipped[source] = note
}

// fabricNotes returns what the plan-time checks could not read as the fabric has it, each once per run:
// a fabric configuration that failed to read (the defaults used instead) and objects of the view's
// source that do not decode. ValidatePlan returns them with its notes (shown as warnings).
func (e *Engine) fabricNotes() []string {
	var out []string
	if e.cfgWarn != "" && e.ReportOnce("note:fabric-config") {
		out = append(out, e.cfgWarn)
	}
	e.viewMu.Lock()
	from := e.viewFrom
	note := e.skipped[from]
	e.viewMu.Unlock()
	if note != "" && e.ReportOnce("note:undecodable:"+from) {
		out = append(out, note)
	}
	return out
}
