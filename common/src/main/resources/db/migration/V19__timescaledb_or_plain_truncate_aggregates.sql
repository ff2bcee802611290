-- =====================================================================================================
-- Truncating customer_events (ingest-service, POST /v0/datasources/customer_events/truncate; docs/api.md,
-- "Truncate"): the continuous aggregates over it, with the same names in both modes.
--   truncate_event_aggregates(): plain mode truncates the two trigger-kept tables in the truncate's
--     transaction; TimescaleDB mode has nothing to do there (its aggregates are views over the hypertable).
--   refresh_all_event_aggregates(): a procedure (CALL, outside a transaction block, as
--     refresh_continuous_aggregate requires): TimescaleDB mode refreshes both aggregates over all time, so that
--     their materialized rows go too; plain mode does nothing.
-- =====================================================================================================
DO $$
DECLARE
    timescale_schema text;
BEGIN
    SELECT n.nspname INTO timescale_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'timescaledb';

    IF timescale_schema IS NULL THEN
        CREATE FUNCTION truncate_event_aggregates() RETURNS void
            LANGUAGE sql
            SET search_path FROM CURRENT
            AS $fn$ TRUNCATE customer_daily_activity, customer_daily_sessions $fn$;
        CREATE PROCEDURE refresh_all_event_aggregates()
            LANGUAGE plpgsql
            AS $fn$ BEGIN END $fn$;
    ELSE
        CREATE FUNCTION truncate_event_aggregates() RETURNS void
            LANGUAGE plpgsql
            AS $fn$ BEGIN END $fn$;
        EXECUTE format($proc$
            CREATE PROCEDURE refresh_all_event_aggregates()
                LANGUAGE plpgsql
                AS $fn$
                BEGIN
                    CALL %2$I.refresh_continuous_aggregate('%1$I.customer_daily_activity', NULL, NULL);
                    CALL %2$I.refresh_continuous_aggregate('%1$I.customer_daily_sessions', NULL, NULL);
                END
                $fn$
            $proc$, current_schema(), timescale_schema);
    END IF;
END
$$;
