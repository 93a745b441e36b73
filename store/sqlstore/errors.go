package sqlstore

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// index names the unique index a statement violated.
type index int

const (
	noIndex    index = iota
	pkIndex          // (reference, attempt): the claim, one row per attempt
	idIndex          // id: one attempt per Router ID
	ownerIndex       // reference WHERE owner: one owner per reference
	otherIndex       // any other
)

// SQLite extended result codes (sqlite3.h).
const (
	sqliteBusyCode             = 5
	sqliteConstraintCheck      = 275
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// uniqueViolation tells which unique index err violated, if any.
func uniqueViolation(err error) index {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if pe.Code != "23505" {
			return noIndex
		}
		switch pe.ConstraintName {
		case "payments_attempts_pkey":
			return pkIndex
		case "payments_attempts_id_key":
			return idIndex
		case "payments_attempts_one_owner":
			return ownerIndex
		}
		return otherIndex
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		if se.Code() != sqliteConstraintPrimaryKey && se.Code() != sqliteConstraintUnique {
			return noIndex
		}
		// "UNIQUE constraint failed: payments_attempts.reference, payments_attempts.attempt"
		msg := se.Error()
		switch {
		case strings.Contains(msg, "payments_attempts.attempt"):
			return pkIndex
		case strings.Contains(msg, "payments_attempts.id"):
			return idIndex
		case strings.Contains(msg, "payments_attempts.reference"), strings.Contains(msg, "payments_attempts_one_owner"):
			return ownerIndex
		}
		return otherIndex
	}
	return noIndex
}

// sqliteBusy reports SQLITE_BUSY (or one of its extended codes).
func sqliteBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteBusyCode
}

// retryable reports an error after which PostgreSQL has rolled the
// statement back and asks for it to be run again: a serialization failure
// or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
