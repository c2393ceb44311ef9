package cascade

import (
	"fmt"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// BuiltinSwitchProfiles returns a small catalog of SwitchProfiles for Git-only use and tests, where the
// cluster's profiles are not at hand. Real users get profiles from the cluster (the fabric ships its
// catalog built in; see RULES-NOTES "Switch profiles").
//
//   - vs: the fabric's virtual switch, ports E1/1–E1/48, no breakouts (as RULES-NOTES describes it).
//   - cumulus-vx: the NVIDIA Air virtual switch used by the nvidia-air-demo sample; its real port list
//     is not in our sources, so it is modelled like vs with E1/1–E1/64 and no breakouts — enough for the
//     sample (which uses E1/1–E1/32).
//
// Each call returns new objects; callers may add them to a View.
func BuiltinSwitchProfiles() []fabric.Object {
	return []fabric.Object{
		virtualProfile("vs", "Virtual Switch", 48),
		virtualProfile("cumulus-vx", "NVIDIA Cumulus VX (modelled)", 64),
	}
}

func virtualProfile(name, display string, ports int) *fabric.SwitchProfile {
	p := &fabric.SwitchProfile{
		APIVersion: "wiring.githedgehog.com/v1beta1",
		Kind:       fabric.KindSwitchProfile,
		Metadata:   fabric.ObjectMeta{Name: name, Namespace: "default"},
		Spec: fabric.SwitchProfileSpec{
			DisplayName: display,
			Features:    &fabric.SwitchProfileFeatures{Subinterfaces: true, ACLs: true, L2VNI: true, L3VNI: true, ESLAG: true, MCLAG: true},
			NOSType:     "sonic-bcm-vs",
			Platform:    "vs",
			PortProfiles: map[string]fabric.SwitchProfilePortProfile{
				"SFP28-25G": {Speed: &fabric.SwitchProfilePortSpeed{Default: "25G", Supported: []string{"10G", "25G"}}},
			},
			Ports: map[string]fabric.SwitchProfilePort{
				"M1": {NOS: "Management0", Management: true, ONIEPortName: "eth0"},
			},
		},
	}
	for i := 1; i <= ports; i++ {
		p.Spec.Ports[fmt.Sprintf("E1/%d", i)] = fabric.SwitchProfilePort{
			NOS: fmt.Sprintf("Ethernet%d", (i-1)*4), Label: fmt.Sprint(i), Profile: "SFP28-25G",
		}
	}
	return p
}
