-- payments_route_stats: the approval counters learning routing strategies
-- share (payments.StatsStore), one row per (route, segment, bucket).
-- AddRouteStats adds deltas with INSERT … ON CONFLICT DO UPDATE SET
-- successes = successes + excluded.successes (likewise failures), so
-- concurrent adds from several instances sum in any order. Deltas may be
-- negative (corrections), so no CHECK (>= 0): a check would make the order
-- of concurrent adds matter. A sum beyond bigint fails the statement
-- (numeric_value_out_of_range) and the whole batch with it.
--
-- bucket is the start of the time bucket, kept to the microsecond like the
-- attempt log's times. The index on bucket serves LoadRouteStats (WHERE
-- bucket >= since) and the pruning of buckets over 25 hours old.
CREATE TABLE payments_route_stats (
    route     text COLLATE "C" NOT NULL,
    segment   text COLLATE "C" NOT NULL,
    bucket    timestamptz NOT NULL,
    successes bigint      NOT NULL DEFAULT 0,
    failures  bigint      NOT NULL DEFAULT 0,
    CONSTRAINT payments_route_stats_pkey PRIMARY KEY (route, segment, bucket)
);

CREATE INDEX payments_route_stats_bucket ON payments_route_stats (bucket);
