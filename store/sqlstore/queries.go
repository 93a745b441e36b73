package sqlstore

import (
	"fmt"
	"strings"

	payments "github.com/gopayments/payments"
)

// queries are the statements of one dialect. Both dialects use $N
// placeholders (modernc.org/sqlite binds $N to the N-th argument).
type queries struct {
	beginFirst, beginLater string
	finish, repairOwner    string
	advance, release       string
	attempt, get           string
	getByReference         string
	attempts, unsettled    string
	conflicts              string
	putRefund, refunds     string
}

var refundStatuses = []payments.RefundStatus{payments.RefundPending, payments.RefundSucceeded, payments.RefundFailed}

// attemptColumns is what every statement returning attempts returns, in the
// order queryOnce scans.
const attemptColumns = "reference, attempt, route, COALESCE(id, ''), status, code, owner, conflict, started, finished, updated"

// transitions lists, as SQL string literals "from>to", every status change
// allowed by can (from ≠ to: writing the same status again changes
// nothing). The database then moves a status with
//
//	CASE WHEN status || '>' || $new IN (<transitions>) THEN $new ELSE status END
//
// in one statement: the rule stays in Go, the decision in the database.
func transitions[S interface {
	comparable
	fmt.Stringer
}](all []S, can func(from, to S) bool) string {
	var pairs []string
	for _, from := range all {
		for _, to := range all {
			if from != to && can(from, to) {
				pairs = append(pairs, "'"+from.String()+">"+to.String()+"'")
			}
		}
	}
	return strings.Join(pairs, ", ")
}

// inList lists, as SQL string literals, the statuses for which keep holds.
func inList(keep func(payments.Status) bool) string {
	var names []string
	for _, s := range payments.Statuses() {
		if keep(s) {
			names = append(names, "'"+s.String()+"'")
		}
	}
	return strings.Join(names, ", ")
}

func buildQueries(d Dialect) queries {
	statusMoves := transitions(payments.Statuses(), payments.Status.CanTransition)
	refundMoves := transitions(refundStatuses, payments.RefundStatus.CanTransition)
	charged := inList(payments.Status.Charged)
	// next is the status a row moves to when asked for newStatus.
	next := func(newStatus string) string {
		return fmt.Sprintf("CASE WHEN status || '>' || %[1]s IN (%[2]s) THEN %[1]s ELSE status END", newStatus, statusMoves)
	}
	// ownerElsewhere says that another attempt of the row's reference owns
	// it, for a row that did not learn it through owned_by (see repairOwner).
	const ownerElsewhere = "EXISTS (SELECT 1 FROM payments_attempts o WHERE o.reference = payments_attempts.reference AND o.owner AND o.attempt <> payments_attempts.attempt)"

	var q queries
	q.beginFirst = `INSERT INTO payments_attempts (reference, attempt, route, started, updated) VALUES ($1, $2, $3, $4, $5)`
	// A later attempt needs attempt 1 (the claim) and no owner. On
	// PostgreSQL the claim row is locked (FOR UPDATE), so a Finish taking
	// ownership at the same moment is either seen (owned_by re-read after
	// the lock) or waits.
	q.beginLater = `INSERT INTO payments_attempts (reference, attempt, route, started, updated)
SELECT $1, $2, $3, $4, $5 FROM payments_attempts h
WHERE h.reference = $1 AND h.attempt = 1 AND h.owned_by IS NULL AND NOT h.owner`
	if d == Postgres {
		q.beginLater += " FOR UPDATE"
	}

	// Finish: $1 reference, $2 attempt, $3 ID ('' for none), $4 status,
	// $5 code, $6 now, $7 own.
	//
	// One UPDATE over the attempt and, when it takes ownership ($7 and no
	// owner yet), every other attempt of the reference: the row of attempt
	// $2 gets the outcome and (if no attempt owns the reference) ownership;
	// every row learns the owner (owned_by); any row that then holds money
	// without owning is a conflict. Each row's new values are computed
	// from that row alone, so PostgreSQL re-evaluates them on the latest
	// version of a row a concurrent statement changed (READ COMMITTED):
	// two Finish(own) on one reference, or a Finish(own) and an Advance,
	// serialize on the rows they share and the second sees the first.
	// The EXISTS refuses the whole statement when attempt $2 has another ID
	// (ErrIntegrity, nothing written).
	rowStatus := fmt.Sprintf("CASE WHEN attempt = $2 THEN %s ELSE status END", next("CAST($4 AS TEXT)"))
	newOwner := "(owner OR (attempt = $2 AND $7 AND owned_by IS NULL))"
	newOwnedBy := "CASE WHEN owned_by IS NULL AND $7 THEN $2 ELSE owned_by END"
	newConflict := fmt.Sprintf("(conflict OR (NOT %[1]s AND (%[2]s) IN (%[3]s) AND (%[4]s IS NOT NULL OR %[5]s)))",
		newOwner, rowStatus, charged, newOwnedBy, ownerElsewhere)
	q.finish = fmt.Sprintf(`UPDATE payments_attempts SET
  id = CASE WHEN attempt = $2 AND id IS NULL AND CAST($3 AS TEXT) <> '' THEN CAST($3 AS TEXT) ELSE id END,
  status = %[1]s,
  code = CASE WHEN attempt = $2 AND (CAST($5 AS TEXT) <> '' OR status = 'unknown') THEN CAST($5 AS TEXT) ELSE code END,
  finished = CASE WHEN attempt = $2 THEN COALESCE(finished, $6) ELSE finished END,
  owner = %[2]s,
  owned_by = %[3]s,
  conflict = %[4]s,
  updated = CASE WHEN attempt = $2 OR (%[4]s AND NOT conflict) THEN $6 ELSE updated END
WHERE reference = $1
  AND (attempt = $2 OR ($7 AND owned_by IS NULL))
  AND EXISTS (SELECT 1 FROM payments_attempts x WHERE x.reference = $1 AND x.attempt = $2
              AND (x.id IS NULL OR CAST($3 AS TEXT) = '' OR x.id = CAST($3 AS TEXT)))
RETURNING %[5]s`, rowStatus, newOwner, newOwnedBy, newConflict, attemptColumns)

	// repairOwner: $1 reference, $2 now. Rows of an owned reference that
	// did not learn their owner learn it, and become conflicts if they
	// hold money. Run only after a Finish hit the one-owner index.
	q.repairOwner = fmt.Sprintf(`UPDATE payments_attempts SET
  owned_by = (SELECT o.attempt FROM payments_attempts o WHERE o.reference = $1 AND o.owner),
  conflict = (conflict OR (NOT owner AND status IN (%[1]s))),
  updated = $2
WHERE reference = $1 AND owned_by IS NULL
  AND EXISTS (SELECT 1 FROM payments_attempts o WHERE o.reference = $1 AND o.owner)`, charged)

	// Advance: $1 ID, $2 status, $3 now.
	q.advance = fmt.Sprintf(`UPDATE payments_attempts SET
  status = %[1]s,
  conflict = (conflict OR (NOT owner AND (%[1]s) IN (%[2]s) AND (owned_by IS NOT NULL OR %[3]s))),
  updated = $3
WHERE id = $1
RETURNING %[4]s`, next("CAST($2 AS TEXT)"), charged, ownerElsewhere, attemptColumns)

	// Release: $1 reference. Deletes every attempt of the reference, or
	// none: not when one owns it or has an ID. On PostgreSQL the rows are
	// locked first and the check reads their latest versions, so a Finish
	// writing an ID at the same moment is never deleted under.
	if d == Postgres {
		q.release = `WITH locked AS (SELECT owner, id FROM payments_attempts WHERE reference = $1 FOR UPDATE)
DELETE FROM payments_attempts WHERE reference = $1 AND NOT owner AND id IS NULL
  AND NOT EXISTS (SELECT 1 FROM locked WHERE owner OR id IS NOT NULL)`
	} else {
		q.release = `DELETE FROM payments_attempts WHERE reference = $1
  AND NOT EXISTS (SELECT 1 FROM payments_attempts x WHERE x.reference = $1 AND (x.owner OR x.id IS NOT NULL))`
	}

	sel := "SELECT " + attemptColumns + " FROM payments_attempts "
	q.attempt = sel + "WHERE reference = $1 AND attempt = $2"
	q.get = sel + "WHERE id = $1"
	q.getByReference = sel + "WHERE reference = $1 AND owner"
	q.attempts = sel + "WHERE reference = $1 ORDER BY attempt"
	q.unsettled = sel + `WHERE started < $1
  AND (status = 'unknown' OR (owned_by IS NULL AND NOT EXISTS (SELECT 1 FROM payments_attempts o WHERE o.reference = payments_attempts.reference AND o.owner)))
ORDER BY started, reference, attempt LIMIT $2`
	q.conflicts = sel + "WHERE conflict ORDER BY started, reference, attempt LIMIT $1"

	// PutRefund: $1 payment ID, $2 refund ID, $3 amount, $4 currency,
	// $5 status, $6 now.
	amountIn, amountOut := "$3", "amount"
	if d == Postgres {
		amountIn, amountOut = "CAST($3 AS NUMERIC)", "CAST(amount AS TEXT)"
	}
	refundColumns := "payment_id, refund_id, " + amountOut + ", currency, status, created, updated"
	q.putRefund = fmt.Sprintf(`INSERT INTO payments_refunds (payment_id, refund_id, amount, currency, status, created, updated)
VALUES ($1, $2, %[1]s, $4, $5, $6, $6)
ON CONFLICT (payment_id, refund_id) DO UPDATE SET
  status = CASE WHEN payments_refunds.status || '>' || excluded.status IN (%[2]s) THEN excluded.status ELSE payments_refunds.status END,
  updated = excluded.updated
RETURNING %[3]s`, amountIn, refundMoves, refundColumns)
	q.refunds = "SELECT " + refundColumns + " FROM payments_refunds WHERE payment_id = $1 ORDER BY created, seq"
	return q
}
