-- =====================================================================================================
-- segment_metrics at 1M customers: active_customers_30d of a profile label that names no defined segment,
-- without reading every carrier active in the last 30 days. Under ingest those are the snapshot rows being
-- rewritten, so their index entries cost a heap fetch each: 3,800 rows and 8 ms a request at M, for one
-- label. Kept by segmentation-service (MembershipRefresher) with label_stats, as segment_active_days is kept
-- with segment_stats (V15).
-- =====================================================================================================

-- Per profile label, country ('' for none) and UTC day of the last event: how many customers of the snapshot
-- carry the label. segment_metrics adds up the whole days of the last 30 and counts the carriers of the day the
-- 30 days start in over customer_metrics_snapshot_label_active_idx.
CREATE TABLE label_active_days (
    label   text        NOT NULL,
    country text        NOT NULL,
    day     timestamptz NOT NULL,
    members bigint      NOT NULL,
    CONSTRAINT label_active_days_pkey PRIMARY KEY (label, country, day)
);

-- From the snapshot as it stands (a refresher of this version keeps it from here; a rebuilt snapshot refills it).
INSERT INTO label_active_days (label, country, day, members)
SELECT customer_segment, coalesce(country, ''), date_trunc('day', last_event_at, 'UTC'), count(*)
FROM customer_metrics_snapshot
WHERE customer_segment IS NOT NULL AND last_event_at IS NOT NULL
GROUP BY customer_segment, coalesce(country, ''), date_trunc('day', last_event_at, 'UTC');
