-- =====================================================================================================
-- Erasing one customer everywhere (ingest-service, POST /v0/erasures; docs/api.md, "Erasure").
--
-- customer_erasures: the audit record of each erasure, what was erased and when. It keeps a SHA-256 of the
-- customer id, not the id itself, so that the log of erasures holds no personal data, and an erasure can still
-- be confirmed for a given id.
--
-- aggregate_days_to_refresh: the UTC days whose continuous aggregates (customer_daily_activity,
-- customer_daily_sessions) held rows of an erased customer. The erasure's transaction records them;
-- refresh_erased_days() rebuilds them afterwards. Until then the aggregates' readers already read those days
-- from the raw events (an erasure's DELETE is an invalidation: unmaterialized_days, V8), so their answers leave
-- the customer out at once; the refresh removes its materialized rows too.
--
-- Mode-specific, with the same names in both modes:
--   erase_customer_aggregates(customer) -> rows deleted: plain mode deletes the customer's rows of the two
--     trigger-kept tables in the erasure's transaction; TimescaleDB mode has nothing to delete there (0).
--   refresh_erased_days(): a procedure (CALL, outside a transaction block, as refresh_continuous_aggregate
--     requires): TimescaleDB mode refreshes each recorded day of both aggregates and forgets it, committing after
--     each day; plain mode only forgets the days.
-- =====================================================================================================
CREATE TABLE customer_erasures (
    erasure_id      uuid        PRIMARY KEY,
    customer_sha256 text        NOT NULL,
    erased_at       timestamptz NOT NULL DEFAULT now(),
    rows            jsonb       NOT NULL
);

CREATE INDEX customer_erasures_customer_idx ON customer_erasures (customer_sha256);

CREATE TABLE aggregate_days_to_refresh (
    day timestamptz PRIMARY KEY
);

DO $$
DECLARE
    timescale_schema text;
BEGIN
    SELECT n.nspname INTO timescale_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'timescaledb';

    IF timescale_schema IS NULL THEN
        CREATE FUNCTION erase_customer_aggregates(customer text) RETURNS bigint
            LANGUAGE sql
            SET search_path FROM CURRENT
            AS $fn$
                WITH activity AS (DELETE FROM customer_daily_activity WHERE customer_id = customer RETURNING 1),
                     sessions AS (DELETE FROM customer_daily_sessions WHERE customer_id = customer RETURNING 1)
                SELECT (SELECT count(*) FROM activity) + (SELECT count(*) FROM sessions)
            $fn$;
        CREATE PROCEDURE refresh_erased_days()
            LANGUAGE sql
            SET search_path FROM CURRENT
            AS $fn$ DELETE FROM aggregate_days_to_refresh $fn$;
    ELSE
        CREATE FUNCTION erase_customer_aggregates(customer text) RETURNS bigint
            LANGUAGE sql IMMUTABLE
            AS $fn$ SELECT 0::bigint $fn$;
        EXECUTE format($proc$
            CREATE PROCEDURE refresh_erased_days()
                LANGUAGE plpgsql
                AS $fn$
                DECLARE
                    erased timestamptz;
                BEGIN
                    FOR erased IN SELECT day FROM %1$I.aggregate_days_to_refresh ORDER BY day LOOP
                        CALL %2$I.refresh_continuous_aggregate('%1$I.customer_daily_activity', erased,
                                                               erased + interval '1 day');
                        CALL %2$I.refresh_continuous_aggregate('%1$I.customer_daily_sessions', erased,
                                                               erased + interval '1 day');
                        DELETE FROM %1$I.aggregate_days_to_refresh WHERE day = erased;
                        COMMIT;
                    END LOOP;
                END
                $fn$
            $proc$, current_schema(), timescale_schema);
    END IF;
END
$$;
