package saga

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type recorder struct{ log []string }

func (r *recorder) step(name string, fail, undoFail bool) Step {
	return Step{
		Name: name,
		Do: func(context.Context) error {
			r.log = append(r.log, "do "+name)
			if fail {
				return errors.New(name + " broke")
			}
			return nil
		},
		Undo: func(context.Context) error {
			r.log = append(r.log, "undo "+name)
			if undoFail {
				return errors.New(name + " undo broke")
			}
			return nil
		},
	}
}

func TestRunAllSucceed(t *testing.T) {
	r := &recorder{}
	if err := Run(context.Background(), []Step{r.step("a", false, false), r.step("b", false, false)}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"do a", "do b"}; !reflect.DeepEqual(r.log, want) {
		t.Fatalf("log %v, want %v", r.log, want)
	}
}

func TestRunCompensatesInReverse(t *testing.T) {
	r := &recorder{}
	err := Run(context.Background(), []Step{r.step("netbox", false, false), r.step("git", false, false), r.step("kubernetes", true, false)})
	f, ok := AsFailure(err)
	if !ok {
		t.Fatalf("want *Failure, got %v", err)
	}
	if f.Step != "kubernetes" || !f.Clean() {
		t.Fatalf("failure %+v", f)
	}
	if want := []string{"do netbox", "do git", "do kubernetes", "undo git", "undo netbox"}; !reflect.DeepEqual(r.log, want) {
		t.Fatalf("log %v, want %v", r.log, want)
	}
	if want := []string{"git", "netbox"}; !reflect.DeepEqual(f.RolledBack, want) {
		t.Fatalf("rolled back %v", f.RolledBack)
	}
	if !strings.Contains(err.Error(), `step "kubernetes" failed`) || !strings.Contains(err.Error(), "rolled back: git, netbox") {
		t.Fatalf("message %q", err)
	}
}

func TestRunReportsFailedCompensation(t *testing.T) {
	r := &recorder{}
	err := Run(context.Background(), []Step{r.step("netbox", false, true), r.step("git", true, false), r.step("kubernetes", false, false)})
	f, _ := AsFailure(err)
	if f == nil || f.Clean() || f.UndoErrors["netbox"] == nil {
		t.Fatalf("failure %+v", f)
	}
	if want := []string{"kubernetes"}; !reflect.DeepEqual(f.Skipped, want) {
		t.Fatalf("skipped %v", f.Skipped)
	}
	if !strings.Contains(err.Error(), "COULD NOT roll back netbox") {
		t.Fatalf("message %q", err)
	}
}

func TestUndoOnFailureCompensatesFailingStep(t *testing.T) {
	r := &recorder{}
	s := r.step("netbox", true, false)
	s.UndoOnFailure = true
	err := Run(context.Background(), []Step{s})
	if _, ok := AsFailure(err); !ok {
		t.Fatal(err)
	}
	if want := []string{"do netbox", "undo netbox"}; !reflect.DeepEqual(r.log, want) {
		t.Fatalf("log %v", r.log)
	}
}

func TestCompensationSurvivesCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var undoCtxErr error
	steps := []Step{
		{Name: "a", Do: func(context.Context) error { return nil }, Undo: func(c context.Context) error { undoCtxErr = c.Err(); return nil }},
		{Name: "b", Do: func(context.Context) error { cancel(); return context.Canceled }},
	}
	if err := Run(ctx, steps); err == nil {
		t.Fatal("want error")
	}
	if undoCtxErr != nil {
		t.Fatalf("undo ran on a cancelled context: %v", undoCtxErr)
	}
}

// Compensation has its own deadline: an Undo that hangs on a backend ends at the compensation timeout, even
// though the apply's own context is never cancelled.
func TestUndoIsBounded(t *testing.T) {
	ctx := WithUndoTimeout(context.Background(), 100*time.Millisecond)
	start := time.Now()
	err := Run(ctx, []Step{
		{Name: "a", Do: func(context.Context) error { return nil }, Undo: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}},
		{Name: "b", Do: func(context.Context) error { return errors.New("boom") }},
	})
	f, ok := AsFailure(err)
	if !ok || f.UndoErrors["a"] == nil || !strings.Contains(f.UndoErrors["a"].Error(), "timeout of 100ms") || time.Since(start) > time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}
