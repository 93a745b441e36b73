-- The attempt log and the refund ledger of a payments.Router. See the
-- PostgreSQL migration of the same number for the design; here times are
-- INTEGER microseconds since the Unix epoch (UTC), booleans INTEGER 0/1, and
-- amounts TEXT (never REAL).
CREATE TABLE payments_attempts (
    reference TEXT    NOT NULL,
    attempt   INTEGER NOT NULL CHECK (attempt >= 1),
    route     TEXT    NOT NULL,
    id        TEXT,
    status    TEXT    NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'pending', 'requires_action', 'authorized', 'partially_captured', 'captured', 'partially_refunded', 'refunded', 'canceled', 'failed', 'expired', 'chargeback')),
    code      TEXT    NOT NULL DEFAULT '',
    owner     INTEGER NOT NULL DEFAULT 0 CHECK (owner IN (0, 1)),
    owned_by  INTEGER,
    conflict  INTEGER NOT NULL DEFAULT 0 CHECK (conflict IN (0, 1)),
    started   INTEGER NOT NULL,
    finished  INTEGER,
    updated   INTEGER NOT NULL,
    PRIMARY KEY (reference, attempt),
    UNIQUE (id),
    CHECK (NOT owner OR owned_by = attempt)
);

CREATE UNIQUE INDEX payments_attempts_one_owner ON payments_attempts (reference) WHERE owner;

CREATE INDEX payments_attempts_unsettled ON payments_attempts (started)
    WHERE status = 'unknown' OR owned_by IS NULL;

CREATE INDEX payments_attempts_conflicts ON payments_attempts (started) WHERE conflict;

CREATE TABLE payments_refunds (
    seq        INTEGER PRIMARY KEY,
    payment_id TEXT    NOT NULL,
    refund_id  TEXT    NOT NULL,
    amount     TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    UNIQUE (payment_id, refund_id)
);
