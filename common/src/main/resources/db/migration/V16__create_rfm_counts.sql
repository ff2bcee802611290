-- =====================================================================================================
-- customer_segmentation_suggestions at 1M customers without scoring every customer on every request.
-- The scores are quantiles (ceil(5 x cume_dist)) of recency, frequency and monetary among the purchasers. They
-- are found from counts of the snapshot's customers kept by segmentation-service (MembershipRefresher) in the
-- same statements as the snapshot rows, corrected by the change records not yet applied to it.
-- =====================================================================================================

-- An event's change record carries what it adds to its customer's RFM values, so that a reader adds it to the
-- customer's snapshot row: the snapshot row of a customer and the change records left for it always cover
-- every stored event of that customer exactly once (a refresh deletes the records of the customers it
-- recomputes in the statement that recomputes them). A profile's record carries none of these (all null).
ALTER TABLE customer_changes
    ADD COLUMN event_timestamp timestamptz,
    ADD COLUMN revenue         double precision,
    ADD COLUMN purchase        boolean;

-- The bucket of a monetary value in rfm_monetary: non-decreasing in the value, 1 wide below 1,000, then three
-- significant digits. Fixed divisors (exact in double precision) keep it monotone across its steps.
CREATE FUNCTION rfm_bucket(v double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN v < 1e3 THEN floor(v)
            WHEN v < 1e4 THEN floor(v / 1e1) * 1e1
            WHEN v < 1e5 THEN floor(v / 1e2) * 1e2
            WHEN v < 1e6 THEN floor(v / 1e3) * 1e3
            WHEN v < 1e7 THEN floor(v / 1e4) * 1e4
            WHEN v < 1e8 THEN floor(v / 1e5) * 1e5
            WHEN v < 1e9 THEN floor(v / 1e6) * 1e6
            WHEN v < 1e10 THEN floor(v / 1e7) * 1e7
            WHEN v < 1e11 THEN floor(v / 1e8) * 1e8
            WHEN v < 1e12 THEN floor(v / 1e9) * 1e9
            ELSE v END;

-- The snapshot's customers per purchase count (0 included: their sum is every customer of the snapshot).
CREATE TABLE rfm_frequency (
    purchase_count bigint NOT NULL PRIMARY KEY,
    customers      bigint NOT NULL
);

-- The snapshot's purchasers per rfm_bucket(total_spent).
CREATE TABLE rfm_monetary (
    bucket    double precision NOT NULL PRIMARY KEY,
    customers bigint           NOT NULL
);

-- The snapshot's purchasers per UTC hour of their last purchase.
CREATE TABLE rfm_recency (
    hour      timestamptz NOT NULL PRIMARY KEY,
    customers bigint      NOT NULL
);

-- A quantile is found in its bucket over these, and the top customers by monetary are an index scan.
CREATE INDEX customer_metrics_snapshot_monetary_bucket_idx
    ON customer_metrics_snapshot (rfm_bucket(total_spent), total_spent) WHERE purchase_count > 0;
CREATE INDEX customer_metrics_snapshot_monetary_idx
    ON customer_metrics_snapshot (total_spent DESC, customer_id);

-- The next refresh builds the snapshot again (and these counts with it, and every segment after it); the
-- records written before this migration carry no values and are covered by that rebuild.
DELETE FROM customer_metrics_snapshot_state;
