-- The three datasources of the Events API and their quarantines (API.md sections 2 and 5).
-- Everything here is plain PostgreSQL (>= 14). What changes under TimescaleDB lives in V2 alone.
-- Flyway runs this in the schema `analytics` (see README, "Schema migrations").

CREATE TABLE customer_events (
    event_id        text             NOT NULL,
    customer_id     text             NOT NULL,
    event_type      text             NOT NULL,
    event_timestamp timestamptz      NOT NULL,
    session_id      text,
    page_url        text,
    product_id      text,
    category_id     text,
    device_type     text,
    country         text,
    referrer        text,
    user_agent      text,
    price           double precision,
    quantity        integer,
    -- Idempotency: a retried event (same id and timestamp) is stored once.
    CONSTRAINT customer_events_pkey PRIMARY KEY (event_id, event_timestamp)
);

-- Per-customer time ranges (purchase history, activity, customer metrics).
CREATE INDEX customer_events_customer_time_idx ON customer_events (customer_id, event_timestamp DESC);
-- Time ranges over everyone (behavioural analysis).
CREATE INDEX customer_events_time_idx ON customer_events (event_timestamp DESC);

CREATE TABLE customer_profiles (
    customer_id      text PRIMARY KEY,
    email            text,
    first_name       text,
    last_name        text,
    gender           text,
    city             text,
    country          text,
    customer_segment text,
    age              integer,
    signup_date      date,
    last_login       timestamptz,
    lifetime_value   double precision,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_profiles_segment_idx ON customer_profiles (customer_segment);

CREATE TABLE customer_segments (
    segment_id          text PRIMARY KEY,
    segment_name        text NOT NULL,
    segment_description text,
    creation_date       date,
    update_date         date,
    segment_rules       text,
    segment_type        text,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- Checked at commit, so that one request may swap names between segments.
    CONSTRAINT customer_segments_name_key UNIQUE (segment_name) DEFERRABLE INITIALLY DEFERRED
);

-- Quarantines: one row per rejected input row. Source columns are text, filled where they could be read.
CREATE TABLE customer_events_quarantine (
    c__error_column text[]      NOT NULL,
    c__error        text[]      NOT NULL,
    c__import_id    uuid        NOT NULL,
    c__raw          text        NOT NULL,
    event_id        text,
    customer_id     text,
    event_type      text,
    event_timestamp text,
    session_id      text,
    page_url        text,
    product_id      text,
    category_id     text,
    device_type     text,
    country         text,
    referrer        text,
    user_agent      text,
    price           text,
    quantity        text,
    insertion_date  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_events_quarantine_insertion_idx ON customer_events_quarantine (insertion_date DESC);

CREATE TABLE customer_profiles_quarantine (
    c__error_column  text[]      NOT NULL,
    c__error         text[]      NOT NULL,
    c__import_id     uuid        NOT NULL,
    c__raw           text        NOT NULL,
    customer_id      text,
    email            text,
    first_name       text,
    last_name        text,
    gender           text,
    city             text,
    country          text,
    customer_segment text,
    age              text,
    signup_date      text,
    last_login       text,
    lifetime_value   text,
    insertion_date   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_profiles_quarantine_insertion_idx ON customer_profiles_quarantine (insertion_date DESC);

CREATE TABLE customer_segments_quarantine (
    c__error_column     text[]      NOT NULL,
    c__error            text[]      NOT NULL,
    c__import_id        uuid        NOT NULL,
    c__raw              text        NOT NULL,
    segment_id          text,
    segment_name        text,
    segment_description text,
    creation_date       text,
    update_date         text,
    segment_rules       text,
    segment_type        text,
    insertion_date      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_segments_quarantine_insertion_idx ON customer_segments_quarantine (insertion_date DESC);
