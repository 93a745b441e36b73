package payments

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RecoverReport says what [Router.Recover] did.
type RecoverReport struct {
	// Resolved lists the attempts whose outcome Recover established, as
	// stored afterwards.
	Resolved []Record `json:"resolved,omitempty"`
	// Owned lists the references whose routing had not ended (no attempt
	// owned them) and that Recover gave to an attempt, as stored.
	Owned []Record `json:"owned,omitempty"`
	// Released lists the references no provider had on its books, freed for
	// another try.
	Released []string `json:"released,omitempty"`
	// Unresolved lists what Recover could not settle, with the reason.
	Unresolved []Unresolved `json:"unresolved,omitempty"`
	// Conflicts lists the double charges found on the way (see
	// [Router.Conflicts], which lists all of them).
	Conflicts []Conflict `json:"conflicts,omitempty"`
	// More is set when there were more unsettled attempts than one call
	// handles (1000): call Recover again.
	More bool `json:"more,omitempty"`
}

// Unresolved is an attempt Recover could not settle.
type Unresolved struct {
	// Record is the attempt as stored.
	Record Record `json:"record"`
	// Reason says why, e.g. that the route cannot look payments up by
	// reference and no provider ID was recorded.
	Reason string `json:"reason"`
	// Err is the error met, if any.
	Err error `json:"-"`
}

// recoverBatch bounds the attempts one Recover call handles.
const recoverBatch = 1000

// Recover settles what a crash or a store failure left behind: attempts
// started more than olderThan ago whose outcome is unknown, and references
// whose routing never ended. Each unknown attempt is resolved with its
// provider (by provider ID where recorded, else by reference where the
// route can look payments up by reference) and recorded; a reference no
// attempt owns is then given to the attempt that ends its routing (the last
// one a provider holds), or released when no provider has it. What cannot
// be resolved is listed with the reason.
//
// olderThan must exceed the longest time an Authorize can take (gateway
// timeouts plus reconciliation), so Recover never races a live call. Recover
// is idempotent, and safe to run from several instances at once: every
// write is forward-only and ownership is claimed atomically by the Store.
func (r *Router) Recover(ctx context.Context, olderThan time.Duration) (RecoverReport, error) {
	var rep RecoverReport
	recs, err := r.cfg.store.Unsettled(ctx, r.cfg.now().Add(-olderThan), recoverBatch)
	if err != nil {
		return rep, fmt.Errorf("payments: recover: listing unsettled attempts: %w", err)
	}
	rep.More = len(recs) == recoverBatch
	var refs []string
	seen := map[string]bool{}
	for _, rec := range recs {
		if !seen[rec.Reference] {
			seen[rec.Reference] = true
			refs = append(refs, rec.Reference)
		}
	}
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if err := r.recoverReference(ctx, ref, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// recoverReference settles one reference. Only a failure of the store
// itself is returned; everything else goes into the report.
func (r *Router) recoverReference(ctx context.Context, ref string, rep *RecoverReport) error {
	atts, err := r.cfg.store.Attempts(ctx, ref)
	if err != nil {
		return fmt.Errorf("payments: recover %s: %w", ref, err)
	}
	settled := true
	for i, a := range atts {
		if a.Status != StatusUnknown {
			continue
		}
		stored, why, rerr := r.resolveAttempt(ctx, a)
		switch {
		case rerr != nil && CodeOf(rerr) == "":
			return fmt.Errorf("payments: recover %s: %w", ref, rerr)
		case why != "":
			settled = false
			rep.Unresolved = append(rep.Unresolved, Unresolved{Record: a, Reason: why, Err: rerr})
			continue
		}
		atts[i] = stored
		rep.Resolved = append(rep.Resolved, stored)
		if stored.Conflict {
			rep.Conflicts = append(rep.Conflicts, *conflictOf(stored))
		}
	}
	if !settled || len(atts) == 0 {
		return nil
	}
	for _, a := range atts {
		if a.Owner {
			return nil
		}
	}
	// Routing never ended: the last attempt a provider holds owns the
	// payment, as at the end of Authorize; none → release.
	for i := len(atts) - 1; i >= 0; i-- {
		a := atts[i]
		if a.ID == "" {
			continue
		}
		stored, err := r.finish(ctx, a, true)
		if err != nil {
			return fmt.Errorf("payments: recover %s: %w", ref, err)
		}
		if stored.Owner {
			rep.Owned = append(rep.Owned, stored)
		}
		return nil
	}
	if err := r.cfg.store.Release(ctx, ref); err != nil {
		return fmt.Errorf("payments: recover %s: %w", ref, err)
	}
	rep.Released = append(rep.Released, ref)
	return nil
}

// resolveAttempt asks the attempt's provider what happened and records it.
// It returns the stored attempt, or a reason it could not be resolved.
func (r *Router) resolveAttempt(ctx context.Context, a Record) (Record, string, error) {
	rt := r.byName[a.Route]
	if rt == nil {
		return a, fmt.Sprintf("route %q is not configured on this Router", a.Route), nil
	}
	var sreq StatusRequest
	switch _, pid, _ := SplitID(a.ID); {
	case pid != "":
		sreq.ID = pid
	case rt.Gateway.Capabilities().LookupByReference:
		sreq.Reference = a.Reference
	default:
		return a, fmt.Sprintf("route %q (%s) cannot look payments up by reference and no provider ID was recorded: reconcile %s by hand",
			a.Route, rt.Gateway.Name(), a.Reference), nil
	}
	p, err := rt.Gateway.Status(ctx, &sreq)
	err = classify(rt.Gateway.Name(), err)
	switch {
	case errors.Is(err, ErrNotFound) && sreq.ID == "":
		// The provider has no payment with this reference: the attempt
		// never reached it (the crash came before the call, or the call
		// was refused before processing).
		a.Status, a.Code = StatusFailed, NotFound
	case err != nil:
		return a, "status query failed: " + err.Error(), err
	case p == nil || p.Status == StatusUnknown:
		return a, "the provider does not say what happened", nil
	default:
		p = r.routerPayment(rt, a.Reference, p)
		a.ID, a.Status, a.Code = p.ID, p.Status, ""
		if p.Status == StatusFailed {
			a.Code = Declined
		}
	}
	// An attempt that ended routing may own; Finish never takes ownership
	// from another attempt (a charged one then becomes a conflict).
	stored, ferr := r.finish(ctx, a, a.Owner || a.Status != StatusFailed)
	if ferr != nil {
		return a, "", ferr
	}
	r.learn(ctx, a.Route, a.Reference, a.Attempt, nil, p, err)
	return stored, "", nil
}
