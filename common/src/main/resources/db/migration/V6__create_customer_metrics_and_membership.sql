-- Customer metrics (API.md section 3) and segment membership. Plain SQL over the aggregates of V4 and V5, so
-- the same text in both database modes.

-- Every customer seen in an event or a profile, with every metric a rule can use. Whole days are counted with
-- floor((now - t) / 1 day) in UTC; null when there was no such event.
CREATE VIEW customer_metrics AS
WITH activity AS (
    SELECT customer_id,
           sum(revenue) AS total_spent,
           sum(event_count) FILTER (WHERE event_type = 'purchase') AS purchase_count,
           sum(event_count) AS event_count,
           sum(event_count) FILTER (WHERE event_type = 'page_view') AS page_view_count,
           max(last_event_at) AS last_event_at,
           max(last_event_at) FILTER (WHERE event_type = 'purchase') AS last_purchase_at
    FROM customer_daily_activity
    GROUP BY customer_id
),
sessions AS (
    SELECT customer_id, count(DISTINCT session_id) AS session_count
    FROM customer_daily_sessions
    GROUP BY customer_id
)
SELECT coalesce(a.customer_id, p.customer_id) AS customer_id,
       coalesce(a.total_spent, 0)::double precision AS total_spent,
       coalesce(a.purchase_count, 0)::bigint AS purchase_count,
       coalesce(a.event_count, 0)::bigint AS event_count,
       coalesce(s.session_count, 0)::bigint AS session_count,
       coalesce(a.page_view_count, 0)::bigint AS page_view_count,
       CASE WHEN coalesce(a.purchase_count, 0) > 0 THEN a.total_spent / a.purchase_count ELSE 0 END
           ::double precision AS avg_order_value,
       floor(extract(epoch FROM now() - a.last_event_at) / 86400)::bigint AS days_since_last_event,
       floor(extract(epoch FROM now() - a.last_purchase_at) / 86400)::bigint AS days_since_last_purchase,
       p.lifetime_value,
       p.age,
       p.country,
       p.city,
       p.gender,
       p.customer_segment,
       ((now() AT TIME ZONE 'UTC')::date - p.signup_date)::bigint AS days_since_signup,
       a.last_event_at,
       a.last_purchase_at
FROM activity a
FULL JOIN customer_profiles p ON p.customer_id = a.customer_id
LEFT JOIN sessions s ON s.customer_id = coalesce(a.customer_id, p.customer_id);

-- Members of each segment, kept by segmentation-service (README, "Segment membership"): a customer is in a
-- segment by its profile's label, by the segment's rules, or both.
CREATE TABLE segment_membership (
    segment_id  text NOT NULL,
    customer_id text NOT NULL,
    matched_by  text NOT NULL CHECK (matched_by IN ('label', 'rules', 'both')),
    CONSTRAINT segment_membership_pkey PRIMARY KEY (segment_id, customer_id)
);

-- When each segment's membership was last computed, and from which version of the segment.
CREATE TABLE segment_membership_state (
    segment_id         text        PRIMARY KEY,
    refreshed_at       timestamptz NOT NULL,
    segment_updated_at timestamptz NOT NULL,
    member_count       bigint      NOT NULL
);

-- Every customer's metrics as of the last refresh (same columns as customer_metrics): rules are evaluated
-- against it, and the segment endpoints report from it. Rebuilt whole by each refresh, in one transaction.
CREATE TABLE customer_metrics_snapshot (
    customer_id              text PRIMARY KEY,
    total_spent              double precision NOT NULL,
    purchase_count           bigint           NOT NULL,
    event_count              bigint           NOT NULL,
    session_count            bigint           NOT NULL,
    page_view_count          bigint           NOT NULL,
    avg_order_value          double precision NOT NULL,
    days_since_last_event    bigint,
    days_since_last_purchase bigint,
    lifetime_value           double precision,
    age                      integer,
    country                  text,
    city                     text,
    gender                   text,
    customer_segment         text,
    days_since_signup        bigint,
    last_event_at            timestamptz,
    last_purchase_at         timestamptz
);
CREATE INDEX customer_metrics_snapshot_segment_idx ON customer_metrics_snapshot (customer_segment);

-- When the snapshot was last rebuilt (one row).
CREATE TABLE customer_metrics_snapshot_state (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    refreshed_at timestamptz NOT NULL,
    duration_ms  bigint      NOT NULL
);
