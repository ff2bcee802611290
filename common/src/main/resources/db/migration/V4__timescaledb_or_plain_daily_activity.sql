-- =====================================================================================================
-- customer_daily_activity: one row per (UTC day, customer, event type, country, device type) with the event
-- count, the revenue and the last event time. It serves customer_behavioral_analysis (exact distinct
-- customers: they are counted over customer_id, never summed) and, later, per-customer metrics.
-- Unknown country / device type are '' (not NULL) so that the key has no NULL in either mode; no endpoint can
-- filter on '' (an empty parameter means "not given"), so answers are the same as over the raw rows.
--
-- TimescaleDB mode (the extension was created by V2): a continuous aggregate, real-time
-- (timescaledb.materialized_only = false: rows newer than the last refresh are aggregated at query time),
-- created WITH NO DATA (a refresh cannot run inside this migration's transaction) and kept up to date by a
-- refresh policy every minute. Written from TimescaleDB's documentation: CREATE MATERIALIZED VIEW ...
-- WITH (timescaledb.continuous), add_continuous_aggregate_policy(start_offset, end_offset, schedule_interval).
--
-- Plain PostgreSQL mode: a table with the same name and columns, maintained by a statement-level trigger on
-- customer_events in the same transaction as the insert (events are append-only in this API), so it is never
-- stale.
-- =====================================================================================================
DO $$
DECLARE
    timescale_schema text;
BEGIN
    SELECT n.nspname INTO timescale_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'timescaledb';

    IF timescale_schema IS NOT NULL THEN
        PERFORM set_config('search_path',
                           current_setting('search_path') || ',' || quote_ident(timescale_schema), true);
        EXECUTE $cagg$
            CREATE MATERIALIZED VIEW customer_daily_activity
            WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
            SELECT time_bucket(INTERVAL '1 day', event_timestamp) AS day,
                   customer_id,
                   event_type,
                   coalesce(country, '') AS country,
                   coalesce(device_type, '') AS device_type,
                   count(*) AS event_count,
                   sum(CASE WHEN event_type = 'purchase' THEN coalesce(price, 0) * coalesce(quantity, 1)
                            ELSE 0 END) AS revenue,
                   max(event_timestamp) AS last_event_at
            FROM customer_events
            GROUP BY 1, 2, 3, 4, 5
            WITH NO DATA
        $cagg$;
        PERFORM add_continuous_aggregate_policy('customer_daily_activity',
                                                start_offset => NULL,
                                                end_offset => INTERVAL '1 minute',
                                                schedule_interval => INTERVAL '1 minute');
        CREATE INDEX customer_daily_activity_customer_idx ON customer_daily_activity (customer_id, day);
        RETURN;
    END IF;

    CREATE TABLE customer_daily_activity (
        day           timestamptz      NOT NULL,
        customer_id   text             NOT NULL,
        event_type    text             NOT NULL,
        country       text             NOT NULL,
        device_type   text             NOT NULL,
        event_count   bigint           NOT NULL,
        revenue       double precision NOT NULL,
        last_event_at timestamptz      NOT NULL,
        CONSTRAINT customer_daily_activity_pkey PRIMARY KEY (day, customer_id, event_type, country, device_type)
    );
    CREATE INDEX customer_daily_activity_customer_idx ON customer_daily_activity (customer_id, day);

    CREATE FUNCTION customer_daily_activity_add() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
        -- Sorted, so that concurrent inserts lock the aggregate's rows in the same order.
        INSERT INTO customer_daily_activity AS t
            (day, customer_id, event_type, country, device_type, event_count, revenue, last_event_at)
        SELECT date_trunc('day', event_timestamp, 'UTC'), customer_id, event_type,
               coalesce(country, ''), coalesce(device_type, ''),
               count(*),
               sum(CASE WHEN event_type = 'purchase' THEN coalesce(price, 0) * coalesce(quantity, 1) ELSE 0 END),
               max(event_timestamp)
        FROM new_events
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (day, customer_id, event_type, country, device_type) DO UPDATE SET
            event_count = t.event_count + EXCLUDED.event_count,
            revenue = t.revenue + EXCLUDED.revenue,
            last_event_at = greatest(t.last_event_at, EXCLUDED.last_event_at);
        RETURN NULL;
    END
    $fn$;

    CREATE TRIGGER customer_events_daily_activity
        AFTER INSERT ON customer_events
        REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION customer_daily_activity_add();

    -- Events stored before this migration.
    INSERT INTO customer_daily_activity
        (day, customer_id, event_type, country, device_type, event_count, revenue, last_event_at)
    SELECT date_trunc('day', event_timestamp, 'UTC'), customer_id, event_type,
           coalesce(country, ''), coalesce(device_type, ''),
           count(*),
           sum(CASE WHEN event_type = 'purchase' THEN coalesce(price, 0) * coalesce(quantity, 1) ELSE 0 END),
           max(event_timestamp)
    FROM customer_events
    GROUP BY 1, 2, 3, 4, 5;
END
$$;
