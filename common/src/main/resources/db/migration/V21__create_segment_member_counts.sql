-- =====================================================================================================
-- segment_customers at 1M customers: its rows_before_limit_at_least without counting every member that passes
-- an age or lifetime-value filter, and its pages of one country without reading other countries' members. The
-- counts are kept by segmentation-service (MembershipRefresher) in the same statements that keep
-- segment_membership, as segment_stats is (V15).
-- =====================================================================================================

-- The lower bounds of the lifetime-value bands: 0 (below it, band 0), then the E12 series (1, 1.2, 1.5, ..., 8.2
-- in each decade) up to 1e10. Above 1 a band is at most 25% wide, so that the members of the one band a filter cuts are
-- few; there are 122 bands, so that a segment's counts stay small.
CREATE FUNCTION segment_ltv_bounds() RETURNS double precision[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '{0,1,1.2,1.5,1.8,2.2,2.7,3.3,3.9,4.7,5.6,6.8,8.2,1e1,1.2e1,1.5e1,1.8e1,2.2e1,2.7e1,3.3e1,3.9e1,4.7e1,
    5.6e1,6.8e1,8.2e1,1e2,1.2e2,1.5e2,1.8e2,2.2e2,2.7e2,3.3e2,3.9e2,4.7e2,5.6e2,6.8e2,8.2e2,1e3,1.2e3,
    1.5e3,1.8e3,2.2e3,2.7e3,3.3e3,3.9e3,4.7e3,5.6e3,6.8e3,8.2e3,1e4,1.2e4,1.5e4,1.8e4,2.2e4,2.7e4,3.3e4,
    3.9e4,4.7e4,5.6e4,6.8e4,8.2e4,1e5,1.2e5,1.5e5,1.8e5,2.2e5,2.7e5,3.3e5,3.9e5,4.7e5,5.6e5,6.8e5,8.2e5,
    1e6,1.2e6,1.5e6,1.8e6,2.2e6,2.7e6,3.3e6,3.9e6,4.7e6,5.6e6,6.8e6,8.2e6,1e7,1.2e7,1.5e7,1.8e7,2.2e7,
    2.7e7,3.3e7,3.9e7,4.7e7,5.6e7,6.8e7,8.2e7,1e8,1.2e8,1.5e8,1.8e8,2.2e8,2.7e8,3.3e8,3.9e8,4.7e8,5.6e8,
    6.8e8,8.2e8,1e9,1.2e9,1.5e9,1.8e9,2.2e9,2.7e9,3.3e9,3.9e9,4.7e9,5.6e9,6.8e9,8.2e9,1e10}'::double precision[];

-- The band of a lifetime value: how many bounds are at or below it (0 for a negative value), -1 for none. It
-- compares only, so it is exactly monotone: every value of a higher band is greater than every value of a lower.
CREATE FUNCTION segment_ltv_band(v double precision) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(width_bucket(v, segment_ltv_bounds()), -1);

-- The first value above the band of v (infinity for the top band): the members of v's band at or above v are
-- those in [v, segment_ltv_band_end(v)).
CREATE FUNCTION segment_ltv_band_end(v double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce((segment_ltv_bounds())[width_bucket(v, segment_ltv_bounds()) + 1], 'Infinity');

-- Per segment, member country ('' for none), age (-1 for none) and lifetime-value band: how many members. The
-- members that pass segment_customers' filters are those of the whole bands above the minimum lifetime value,
-- added up here, and those of the minimum's own band at or above it, counted over segment_membership_top_idx.
CREATE TABLE segment_member_counts (
    segment_id text    NOT NULL,
    country    text    NOT NULL,
    age        integer NOT NULL,
    ltv_band   integer NOT NULL,
    members    bigint  NOT NULL,
    CONSTRAINT segment_member_counts_pkey PRIMARY KEY (segment_id, country, age, ltv_band)
);

-- A page of members of one country: without it, a country filter read the segment's members in order until it
-- found a page of that country's (a country of no member: every member of the segment, 210,000 index entries,
-- 29 ms at M; one of 7% of them: 13,000 entries, 8 ms).
CREATE INDEX segment_membership_country_top_idx
    ON segment_membership (segment_id, country, lifetime_value DESC NULLS LAST, customer_id) INCLUDE (age);

-- The counts of the membership that stands, so that no segment has to be computed again for them.
INSERT INTO segment_member_counts (segment_id, country, age, ltv_band, members)
SELECT segment_id, coalesce(country, ''), coalesce(age, -1), segment_ltv_band(lifetime_value), count(*)
FROM segment_membership
GROUP BY segment_id, coalesce(country, ''), coalesce(age, -1), segment_ltv_band(lifetime_value);
