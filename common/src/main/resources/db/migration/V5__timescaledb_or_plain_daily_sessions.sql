-- =====================================================================================================
-- customer_daily_sessions: one row per (UTC day, customer, session) for events with a session_id, with the
-- event count. session_count (distinct sessions of a customer, API.md section 3) is counted over it.
-- Same pattern as V4: a real-time continuous aggregate in TimescaleDB mode (refresh policy every minute,
-- created WITH NO DATA), a table kept by a statement-level trigger in plain PostgreSQL mode.
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
            CREATE MATERIALIZED VIEW customer_daily_sessions
            WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
            SELECT time_bucket(INTERVAL '1 day', event_timestamp) AS day,
                   customer_id,
                   session_id,
                   count(*) AS event_count
            FROM customer_events
            WHERE session_id IS NOT NULL
            GROUP BY 1, 2, 3
            WITH NO DATA
        $cagg$;
        PERFORM add_continuous_aggregate_policy('customer_daily_sessions',
                                                start_offset => NULL,
                                                end_offset => INTERVAL '1 minute',
                                                schedule_interval => INTERVAL '1 minute');
        CREATE INDEX customer_daily_sessions_customer_idx ON customer_daily_sessions (customer_id, day);
        RETURN;
    END IF;

    CREATE TABLE customer_daily_sessions (
        day         timestamptz NOT NULL,
        customer_id text        NOT NULL,
        session_id  text        NOT NULL,
        event_count bigint      NOT NULL,
        CONSTRAINT customer_daily_sessions_pkey PRIMARY KEY (day, customer_id, session_id)
    );
    CREATE INDEX customer_daily_sessions_customer_idx ON customer_daily_sessions (customer_id, day);

    CREATE FUNCTION customer_daily_sessions_add() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
        INSERT INTO customer_daily_sessions AS t (day, customer_id, session_id, event_count)
        SELECT date_trunc('day', event_timestamp, 'UTC'), customer_id, session_id, count(*)
        FROM new_events
        WHERE session_id IS NOT NULL
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (day, customer_id, session_id) DO UPDATE SET event_count = t.event_count + EXCLUDED.event_count;
        RETURN NULL;
    END
    $fn$;

    CREATE TRIGGER customer_events_daily_sessions
        AFTER INSERT ON customer_events
        REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION customer_daily_sessions_add();

    INSERT INTO customer_daily_sessions (day, customer_id, session_id, event_count)
    SELECT date_trunc('day', event_timestamp, 'UTC'), customer_id, session_id, count(*)
    FROM customer_events
    WHERE session_id IS NOT NULL
    GROUP BY 1, 2, 3;
END
$$;
