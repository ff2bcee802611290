-- A profile's change record says that it adds no event (revenue 0, not a purchase), so that a record saying
-- nothing at all (purchase null: one written by hand, as V14's operations notes asked of bulk writers) can be
-- told apart: customer_segmentation_suggestions reads such a customer from its raw events instead of adding
-- the record to its snapshot row.
CREATE OR REPLACE FUNCTION customer_profiles_record_changes() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO customer_changes (customer_id, revenue, purchase)
        SELECT DISTINCT customer_id, 0, false FROM old_rows;
    ELSE
        INSERT INTO customer_changes (customer_id, revenue, purchase)
        SELECT DISTINCT customer_id, 0, false FROM new_rows;
    END IF;
    RETURN NULL;
END
$$;
