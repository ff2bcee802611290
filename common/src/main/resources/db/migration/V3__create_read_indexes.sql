-- Indexes for the read endpoints (API.md section 3). Plain SQL: the same in both database modes.

-- Per-customer reads (customer_purchase_history, customer_activity) are index-only range scans: the key is the
-- filter and the order (customer_id, event_timestamp DESC, event_id), and every column those endpoints return
-- or filter on is included. It replaces the narrower index of V1.
CREATE INDEX customer_events_customer_read_idx
    ON customer_events (customer_id, event_timestamp DESC, event_id)
    INCLUDE (event_type, session_id, page_url, product_id, category_id, price, quantity, device_type, country,
             referrer);
DROP INDEX customer_events_customer_time_idx;

-- Quarantine pipes list rows newest request first, and the rows of one request in the order they were sent.
ALTER TABLE customer_events_quarantine ADD COLUMN c__seq bigserial;
ALTER TABLE customer_profiles_quarantine ADD COLUMN c__seq bigserial;
ALTER TABLE customer_segments_quarantine ADD COLUMN c__seq bigserial;
