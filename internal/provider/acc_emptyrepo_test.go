package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/stack"
)

// TestAccGit_EmptyRepository: a repository without any branch (as a Git host creates it) passes the
// integration stage (with a warning), and the first apply creates branch main with the objects.
func TestAccGit_EmptyRepository(t *testing.T) {
	accPreCheck(t)
	u, dir, err := stk.NewEmptyRepo(strings.ToLower(t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	r := repo{u, dir}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6(),
		CheckDestroy:             absentEverywhere(t, &r, fabric.KindVPC, "er-vpc"),
		Steps: []resource.TestStep{{
			Config: sliceConfig(stk.ProviderHCL(stack.All(r.url)), "er", "er-vpc", false),
			Check: checkAll(t, func(t *testing.T) {
				if gitFile(t, r, fabric.KindVPC, "er-vpc") == nil {
					t.Error("the first apply did not write the VPC to the new branch")
				}
				if l, err := gitserver.Log(r.dir, "main"); err != nil || len(l) == 0 {
					t.Errorf("branch main not created: %v", err)
				}
			}),
		}},
	})
}
