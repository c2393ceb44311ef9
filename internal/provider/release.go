package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The framework's protocol server keeps every request's context until Terraform calls StopProvider
// (proto6server registerContext appends each request's cancel function to a slice that only StopProvider
// clears), and each context holds the request's whole chain: the gRPC stream, the plugin SDK's loggers (a
// copy of the logger options per attribute visited) and the values derived from them. Measured with 2,000
// VPCs: every one of a plan's requests was still reachable at its end, about half of the provider's live
// heap. DECISIONS 41.
//
// releasingContext is the context the wrapper hands to the framework instead of the request's: it answers
// exactly as the request's context while the request runs, and when the framework returns it lets go of the
// request's context and answers as an ended one. What the framework keeps is then this small value and its
// own cancel function, not the request.
type releasingContext struct {
	p atomic.Pointer[context.Context]
}

// endedContext is what a released context answers with: cancelled, no values. Nothing of ours uses a
// request's context after the request (work that outlives one runs with context.WithoutCancel or
// context.Background, taken while the request runs).
var endedContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func newReleasingContext(ctx context.Context) *releasingContext {
	r := &releasingContext{}
	r.p.Store(&ctx)
	return r
}

func (r *releasingContext) ctx() context.Context        { return *r.p.Load() }
func (r *releasingContext) Deadline() (time.Time, bool) { return r.ctx().Deadline() }
func (r *releasingContext) Done() <-chan struct{}       { return r.ctx().Done() }
func (r *releasingContext) Err() error                  { return r.ctx().Err() }
func (r *releasingContext) Value(key any) any           { return r.ctx().Value(key) }
func (r *releasingContext) String() string              { return "hedgehog request context" }
func (r *releasingContext) release()                    { r.p.Store(&endedContext) }

// released runs one RPC of the framework's server with a releasing context.
func released[Req, Resp any](ctx context.Context, req Req, f func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := newReleasingContext(ctx)
	defer rc.release()
	return f(rc, req)
}

// The RPCs Terraform calls once per resource instance (or more). The once-per-process ones (GetMetadata,
// GetProviderSchema, ConfigureProvider, ...) and the list resource stream, whose context must outlive the
// call, keep the framework's behaviour.

func (s *jsonStateServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s *jsonStateServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if resp, ok := s.upgradeCurrent(ctx, req); ok {
		return resp, nil
	}
	return released(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s *jsonStateServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return released(ctx, req, s.ProviderServer.UpgradeResourceIdentity)
}

func (s *jsonStateServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if resp, ok := s.planDirect(ctx, req); ok {
		return resp, nil
	}
	return released(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s *jsonStateServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if resp, ok := s.applyDirect(ctx, req); ok {
		return resp, nil
	}
	return released(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s *jsonStateServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s *jsonStateServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return released(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s *jsonStateServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return released(ctx, req, s.ProviderServer.ReadDataSource)
}

func (s *jsonStateServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return released(ctx, req, s.ProviderServer.CallFunction)
}
