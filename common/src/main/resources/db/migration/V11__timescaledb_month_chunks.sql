-- =====================================================================================================
-- TimescaleDB only: customer_events gets 30-day chunks instead of V2's 1-day chunks.
--
-- A per-customer read has no time bound, so the planner plans and probes every chunk. With 1-day chunks a
-- year of events is 366 chunks: at 10M events (27,000 a day, chunks of 4 MB) one customer's page took 68 ms
-- to plan warm and 500 ms cold, against 1 ms to execute. With 30-day chunks the same year is 13 chunks and
-- the same page plans in about 2 ms (TimescaleDB 2.28.3, measured with psql). 30 days of 10M-a-year events
-- is about 140 MB uncompressed, far under TimescaleDB's guide of a quarter of memory for the chunks being
-- written; a workspace that ingests a hundred times more should set a shorter interval itself with
-- set_chunk_time_interval('analytics.customer_events', ...), which, like this migration, applies to chunks
-- created from then on. Chunks that exist already keep their interval.
--
-- Plain PostgreSQL: nothing to do.
-- =====================================================================================================
DO $$
DECLARE
    timescale_schema text;
BEGIN
    SELECT n.nspname INTO timescale_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'timescaledb';
    IF timescale_schema IS NULL THEN
        RETURN;
    END IF;
    -- The extension's functions are visible for the rest of this transaction only (as in V2).
    PERFORM set_config('search_path', current_setting('search_path') || ',' || quote_ident(timescale_schema), true);
    PERFORM set_chunk_time_interval('customer_events', INTERVAL '30 days');
END
$$;
