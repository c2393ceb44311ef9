package provider

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCheckpointCodec(t *testing.T) {
	f := map[string]string{"resource_version": "42", "digest": "abc", "empty": ""}
	line := encodeCheckpoint(f)
	if line != "digest=abc resource_version=42" {
		t.Fatalf("encoded %q", line)
	}
	if got := decodeCheckpoint(line); !reflect.DeepEqual(got, map[string]string{"digest": "abc", "resource_version": "42"}) {
		t.Fatalf("decoded %v", got)
	}
}

func TestUpgradeV0(t *testing.T) {
	cases := []struct {
		name, in string
		want     map[string]any
	}{
		{
			name: "written",
			in:   `{"name":"v","manifest":"apiVersion: x\n","git_blob":"b1","git_commit":"c1","cluster_resource_version":"7","backend_digests":{"git":"d1","kubernetes":"d2","netbox":"d3"}}`,
			want: map[string]any{"name": "v", "git_commit": "c1", "checkpoints": map[string]any{
				"git": "blob=b1 digest=d1", "kubernetes": "digest=d2 resource_version=7", "netbox": "digest=d3"}},
		},
		{
			// an import whose backends disagree: git holds it in another form (no digest), the blob is kept
			name: "imported with drift",
			in:   `{"name":"v","manifest":"x","git_blob":"b1","cluster_resource_version":null,"backend_digests":{"kubernetes":"d2"}}`,
			want: map[string]any{"name": "v", "checkpoints": map[string]any{"git": "blob=b1", "kubernetes": "digest=d2"}},
		},
		{
			name: "import not read yet",
			in:   `{"name":"v","manifest":null,"git_blob":null,"cluster_resource_version":null,"backend_digests":null}`,
			want: map[string]any{"name": "v", "checkpoints": nil},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := upgradeV0([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("upgraded %s\nwant %v", b, c.want)
			}
		})
	}
	if _, err := upgradeV0([]byte(`[`)); err == nil {
		t.Error("broken JSON upgraded")
	}
}
