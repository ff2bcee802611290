-- =====================================================================================================
-- The one place for TimescaleDB-specific DDL of the datasource tables (API.md section 5).
--
-- Mode detection: when the server offers the `timescaledb` extension (pg_available_extensions), the extension
-- is created if needed and customer_events becomes a hypertable on event_timestamp with 1-day chunks,
-- compressed (segmented by customer_id) once a chunk is 7 days old. Without the extension nothing happens
-- here and customer_events stays the plain table of V1 with the same columns and indexes, so every query
-- is the same text in both modes.
--
-- Written from TimescaleDB's documentation: create_hypertable(..., by_range(column, interval)),
-- ALTER TABLE ... SET (timescaledb.compress, ...), add_compression_policy(..., compress_after => ...).
-- The compression API is superseded by the "columnstore" names since 2.18 but still supported.
-- =====================================================================================================
DO $$
DECLARE
    timescale_schema text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        RAISE NOTICE 'timescaledb is not available: customer_events stays a plain PostgreSQL table';
        RETURN;
    END IF;

    CREATE EXTENSION IF NOT EXISTS timescaledb;

    -- The extension may live in another schema than ours (usually public): make its functions visible for
    -- the rest of this transaction only.
    SELECT n.nspname INTO timescale_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'timescaledb';
    PERFORM set_config('search_path', current_setting('search_path') || ',' || quote_ident(timescale_schema), true);

    -- V1 already made the (customer_id, event_timestamp) and (event_timestamp) indexes: no default indexes.
    PERFORM create_hypertable('customer_events', by_range('event_timestamp', INTERVAL '1 day'),
                              create_default_indexes => false);

    -- event_id is in the order-by so that the (event_id, event_timestamp) key stays cheap to check on
    -- compressed chunks.
    ALTER TABLE customer_events SET (
        timescaledb.compress,
        timescaledb.compress_segmentby = 'customer_id',
        timescaledb.compress_orderby = 'event_timestamp DESC, event_id'
    );
    PERFORM add_compression_policy('customer_events', compress_after => INTERVAL '7 days');
END
$$;
