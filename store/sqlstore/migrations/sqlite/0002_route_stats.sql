-- payments_route_stats: the approval counters learning routing strategies
-- share. See the PostgreSQL migration of the same number for the design;
-- here bucket is INTEGER microseconds since the Unix epoch (UTC). SQLite
-- turns an integer sum that overflows into a REAL: the typeof checks make
-- that a constraint failure, so a sum beyond int64 fails the whole batch as
-- it does in PostgreSQL.
CREATE TABLE payments_route_stats (
    route     TEXT    NOT NULL,
    segment   TEXT    NOT NULL,
    bucket    INTEGER NOT NULL,
    successes INTEGER NOT NULL DEFAULT 0 CHECK (typeof(successes) = 'integer'),
    failures  INTEGER NOT NULL DEFAULT 0 CHECK (typeof(failures) = 'integer'),
    PRIMARY KEY (route, segment, bucket)
);

CREATE INDEX payments_route_stats_bucket ON payments_route_stats (bucket);
