-- =====================================================================================================
-- Incremental segment membership: segmentation-service recomputes the metrics of the customers whose events
-- or profile changed, and re-evaluates only them (and the customers whose days_since_* metrics crossed a
-- threshold of a rule since the last evaluation), instead of every customer on every refresh.
-- =====================================================================================================

-- One record per customer a write touched since segmentation-service last recomputed its metrics;
-- append-only for writers (no unique key, so a writer never waits on another writer or on the refresher).
-- Writers of customer_events add it to their statement (EventChangeLog); customer_profiles records its own
-- changes with the triggers below, whoever writes. The refresher takes (deletes) the records of a batch of
-- customers and recomputes them in the same transaction, so a record is gone only once its customer is done.
CREATE TABLE customer_changes (
    customer_id text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_changes_customer_idx ON customer_changes (customer_id);

CREATE FUNCTION customer_profiles_record_changes() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO customer_changes (customer_id) SELECT DISTINCT customer_id FROM old_rows;
    ELSE
        INSERT INTO customer_changes (customer_id) SELECT DISTINCT customer_id FROM new_rows;
    END IF;
    RETURN NULL;
END
$$;

-- Statement triggers with transition tables: one insert per statement, not per row (a COPY of a million
-- profiles records them in one statement). A trigger with a transition table takes a single event.
CREATE TRIGGER customer_profiles_inserted AFTER INSERT ON customer_profiles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_profiles_record_changes();
CREATE TRIGGER customer_profiles_updated AFTER UPDATE ON customer_profiles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_profiles_record_changes();
CREATE TRIGGER customer_profiles_deleted AFTER DELETE ON customer_profiles
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_profiles_record_changes();

-- The snapshot keeps the instants and the signup date that days_since_* are computed from, not the day
-- counts: those change with the clock alone, and a rule on them is evaluated against the current time. The
-- next refresh rebuilds the snapshot whole (no state row), then keeps it up to date customer by customer.
DELETE FROM customer_metrics_snapshot_state;
DELETE FROM customer_metrics_snapshot;
ALTER TABLE customer_metrics_snapshot
    DROP COLUMN days_since_last_event,
    DROP COLUMN days_since_last_purchase,
    DROP COLUMN days_since_signup,
    ADD COLUMN signup_date date;

-- The customers whose days_since_* metric reaches a rule's threshold between two evaluations are found by
-- range over these instants (MembershipRefresher, "time windows").
CREATE INDEX customer_metrics_snapshot_last_event_idx ON customer_metrics_snapshot (last_event_at);
CREATE INDEX customer_metrics_snapshot_last_purchase_idx ON customer_metrics_snapshot (last_purchase_at);
CREATE INDEX customer_metrics_snapshot_signup_idx ON customer_metrics_snapshot (signup_date);

-- When each segment's rules were last evaluated against the clock (days_since_* metrics); refreshed_at stays
-- the instant up to which the customers' changes are applied.
ALTER TABLE segment_membership_state ADD COLUMN evaluated_at timestamptz;
