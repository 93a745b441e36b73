-- The attempt log and the refund ledger of a payments.Router.
--
-- payments_attempts: one row per attempt (reference, attempt number).
--   Attempt 1 claims the reference: the primary key makes a second claim a
--   unique violation (ErrDuplicate). One owner per reference and one attempt
--   per Router ID are unique indexes. owned_by repeats, on every row of a
--   reference, the number of the attempt that owns it (NULL while none
--   does), so that each single-row write can decide a conflict from its own
--   row, under that row's lock.
CREATE TABLE payments_attempts (
    reference text COLLATE "C" NOT NULL,
    attempt   integer     NOT NULL CHECK (attempt >= 1),
    route     text        NOT NULL,
    id        text COLLATE "C",
    status    text        NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'pending', 'requires_action', 'authorized', 'partially_captured', 'captured', 'partially_refunded', 'refunded', 'canceled', 'failed', 'expired', 'chargeback')),
    code      text        NOT NULL DEFAULT '',
    owner     boolean     NOT NULL DEFAULT false,
    owned_by  integer,
    conflict  boolean     NOT NULL DEFAULT false,
    started   timestamptz NOT NULL,
    finished  timestamptz,
    updated   timestamptz NOT NULL,
    CONSTRAINT payments_attempts_pkey PRIMARY KEY (reference, attempt),
    CONSTRAINT payments_attempts_id_key UNIQUE (id),
    CONSTRAINT payments_attempts_owner_owns CHECK (NOT owner OR owned_by = attempt)
);

-- At most one attempt of a reference owns it.
CREATE UNIQUE INDEX payments_attempts_one_owner ON payments_attempts (reference) WHERE owner;

-- Unsettled: unknown outcomes and attempts of references no attempt owns.
CREATE INDEX payments_attempts_unsettled ON payments_attempts (started)
    WHERE status = 'unknown' OR owned_by IS NULL;

-- Conflicts: double charges to return.
CREATE INDEX payments_attempts_conflicts ON payments_attempts (started) WHERE conflict;

-- payments_refunds: the refund ledger, one row per (payment, refund).
-- Amounts are exact decimals; seq orders refunds written in the same
-- microsecond.
CREATE TABLE payments_refunds (
    payment_id text COLLATE "C" NOT NULL,
    refund_id  text COLLATE "C" NOT NULL,
    amount     numeric     NOT NULL,
    currency   text        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    created    timestamptz NOT NULL,
    updated    timestamptz NOT NULL,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT payments_refunds_pkey PRIMARY KEY (payment_id, refund_id)
);
