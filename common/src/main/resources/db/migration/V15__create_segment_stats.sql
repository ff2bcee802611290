-- =====================================================================================================
-- What the segment endpoints read at 1M customers without aggregating every member on every request.
-- Kept by segmentation-service in the same statements that keep segment_membership (MembershipRefresher).
-- =====================================================================================================

-- Each member row carries what segment_customers filters and orders on (the profile's lifetime_value, age
-- and country) and what segment_metrics adds up, as of the member's last evaluation: the top members of a
-- segment are then an index scan, and its counts a range over an index.
ALTER TABLE segment_membership
    ADD COLUMN lifetime_value double precision,
    ADD COLUMN age            integer,
    ADD COLUMN country        text,
    ADD COLUMN last_event_at  timestamptz,
    ADD COLUMN total_spent    double precision,
    ADD COLUMN purchase_count bigint,
    ADD COLUMN event_count    bigint,
    ADD COLUMN session_count  bigint;

CREATE INDEX segment_membership_top_idx
    ON segment_membership (segment_id, lifetime_value DESC NULLS LAST, customer_id) INCLUDE (country, age);
CREATE INDEX segment_membership_active_idx
    ON segment_membership (last_event_at) INCLUDE (segment_id, country);

-- Per segment and member country ('' for none: no country parameter can ask for ''), the sums of
-- segment_metrics. Sums are numeric, so that adding and taking away a member's values leaves no rounding
-- behind however many times it is done.
CREATE TABLE segment_stats (
    segment_id     text    NOT NULL,
    country        text    NOT NULL,
    customers      bigint  NOT NULL,
    ltv_sum        numeric NOT NULL,
    ltv_count      bigint  NOT NULL,
    age_sum        numeric NOT NULL,
    age_count      bigint  NOT NULL,
    events         numeric NOT NULL,
    purchases      numeric NOT NULL,
    revenue        numeric NOT NULL,
    sessions       numeric NOT NULL,
    CONSTRAINT segment_stats_pkey PRIMARY KEY (segment_id, country)
);

-- The same per profile label (customer_segment) and country, over every customer of the snapshot that carries
-- it: segment_metrics lists the labels that name no defined segment from it.
CREATE TABLE label_stats (
    label          text    NOT NULL,
    country        text    NOT NULL,
    customers      bigint  NOT NULL,
    ltv_sum        numeric NOT NULL,
    ltv_count      bigint  NOT NULL,
    age_sum        numeric NOT NULL,
    age_count      bigint  NOT NULL,
    events         numeric NOT NULL,
    purchases      numeric NOT NULL,
    revenue        numeric NOT NULL,
    sessions       numeric NOT NULL,
    CONSTRAINT label_stats_pkey PRIMARY KEY (label, country)
);

-- A label's customers active in the last 30 days, and the top customers of a label-only name.
CREATE INDEX customer_metrics_snapshot_label_active_idx
    ON customer_metrics_snapshot (customer_segment, last_event_at);
CREATE INDEX customer_profiles_label_top_idx
    ON customer_profiles (customer_segment, lifetime_value DESC NULLS LAST, customer_id);

-- Per segment, member country and UTC day of the member's last event: how many members. segment_metrics'
-- active_customers_30d adds up the whole days of the last 30 and counts the members of the day the 30 days
-- start in over segment_membership_active_idx, instead of counting every active member.
CREATE TABLE segment_active_days (
    segment_id text        NOT NULL,
    country    text        NOT NULL,
    day        timestamptz NOT NULL,
    members    bigint      NOT NULL,
    CONSTRAINT segment_active_days_pkey PRIMARY KEY (segment_id, country, day)
);

-- The next refresh builds the snapshot again (and with it label_stats), then computes every segment whole
-- (and with it its rows of segment_stats and segment_active_days).
DELETE FROM customer_metrics_snapshot_state;
DELETE FROM segment_membership_state;
