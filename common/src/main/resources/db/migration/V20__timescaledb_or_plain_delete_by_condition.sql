-- =====================================================================================================
-- Deleting the rows of a datasource that match a condition (ingest-service, POST /v0/datasources/<name>/delete;
-- docs/api.md, "Delete rows").
--
-- datasource_jobs: one record per delete, written in the delete's transaction: what was deleted (the datasource,
-- the condition as given, the rows), when, and its status. GET /v0/jobs/<job_id> serves it, as Tinybird's jobs
-- API does; records older than analytics.jobs.retention go when the next job is written.
--
-- Plain mode: the trigger-kept tables customer_daily_activity and customer_daily_sessions (V4, V5) follow deletes
-- of customer_events: a statement trigger recomputes, from the events left, every (UTC day, customer) that the
-- statement deleted events of. TimescaleDB mode needs no trigger: its continuous aggregates read a deleted range
-- from the raw events until it is refreshed (refresh_erased_days, V18, refreshes the days a delete records in
-- aggregate_days_to_refresh).
-- =====================================================================================================
CREATE TABLE datasource_jobs (
    job_id           uuid        PRIMARY KEY,
    kind             text        NOT NULL,
    datasource       text        NOT NULL,
    delete_condition text        NOT NULL,
    status           text        NOT NULL,
    rows_affected    bigint      NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX datasource_jobs_created_idx ON datasource_jobs (created_at);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        RETURN;
    END IF;

    CREATE FUNCTION customer_daily_aggregates_recompute() RETURNS trigger
        LANGUAGE plpgsql
        SET search_path FROM CURRENT
    AS $fn$
    BEGIN
        DELETE FROM customer_daily_activity a
        USING (SELECT DISTINCT date_trunc('day', event_timestamp, 'UTC') AS day, customer_id FROM old_events) d
        WHERE a.day = d.day AND a.customer_id = d.customer_id;
        -- Sorted, as the insert trigger sorts (V4), so that concurrent writers lock rows in the same order.
        INSERT INTO customer_daily_activity AS t
            (day, customer_id, event_type, country, device_type, event_count, revenue, last_event_at)
        SELECT d.day, e.customer_id, e.event_type, coalesce(e.country, ''), coalesce(e.device_type, ''),
               count(*),
               sum(CASE WHEN e.event_type = 'purchase' THEN coalesce(e.price, 0) * coalesce(e.quantity, 1)
                        ELSE 0 END),
               max(e.event_timestamp)
        FROM (SELECT DISTINCT date_trunc('day', event_timestamp, 'UTC') AS day, customer_id FROM old_events) d
        JOIN customer_events e ON e.customer_id = d.customer_id
                              AND e.event_timestamp >= d.day AND e.event_timestamp < d.day + interval '1 day'
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (day, customer_id, event_type, country, device_type) DO UPDATE SET
            event_count = EXCLUDED.event_count,
            revenue = EXCLUDED.revenue,
            last_event_at = EXCLUDED.last_event_at;

        DELETE FROM customer_daily_sessions s
        USING (SELECT DISTINCT date_trunc('day', event_timestamp, 'UTC') AS day, customer_id FROM old_events) d
        WHERE s.day = d.day AND s.customer_id = d.customer_id;
        INSERT INTO customer_daily_sessions AS t (day, customer_id, session_id, event_count)
        SELECT d.day, e.customer_id, e.session_id, count(*)
        FROM (SELECT DISTINCT date_trunc('day', event_timestamp, 'UTC') AS day, customer_id FROM old_events) d
        JOIN customer_events e ON e.customer_id = d.customer_id
                              AND e.event_timestamp >= d.day AND e.event_timestamp < d.day + interval '1 day'
        WHERE e.session_id IS NOT NULL
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (day, customer_id, session_id) DO UPDATE SET event_count = EXCLUDED.event_count;

        RETURN NULL;
    END
    $fn$;

    CREATE TRIGGER customer_events_deleted
        AFTER DELETE ON customer_events
        REFERENCING OLD TABLE AS old_events
        FOR EACH STATEMENT EXECUTE FUNCTION customer_daily_aggregates_recompute();
END
$$;
