-- =====================================================================================================
-- customer_segmentation_suggestions for one suggested_segment without scoring every customer who could be in
-- it. A purchasers' segment is a set of cells: one purchase count (so one f score) and one m score's monetary
-- range, in which the r score alone decides. Each cell is a range of this index, read in the answer's order
-- (monetary desc, customer_id) and, for its count, by index only: the last purchase is in the index.
-- =====================================================================================================
CREATE INDEX customer_metrics_snapshot_rfm_cell_idx
    ON customer_metrics_snapshot (purchase_count, total_spent DESC, customer_id) INCLUDE (last_purchase_at)
    WHERE purchase_count > 0;

-- Browsers (no purchase, an event in the 30 days up to as_of) are counted over a range of this index.
CREATE INDEX customer_metrics_snapshot_browsing_idx
    ON customer_metrics_snapshot (last_event_at, customer_id)
    WHERE purchase_count = 0;
