-- Why a segment's membership is not kept fresh: the last failure of its refresh, kept until a refresh of it
-- succeeds. segmentation-service writes it; the segment endpoints of query-service put it in their 503, so that
-- a client (and an operator) reads why one segment ages while the others stay fresh.
CREATE TABLE segment_refresh_errors (
    segment_id text        PRIMARY KEY,
    failed_at  timestamptz NOT NULL,
    error      text        NOT NULL
);
