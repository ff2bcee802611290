package io.customeranalytics.segmentation.rfm;

import io.customeranalytics.pipes.PipeColumn;
import io.customeranalytics.pipes.DeclaredPipe;
import io.customeranalytics.pipes.PipeParam;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeSql;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;

/**
 * {@code segment_suggestions_summary}: one row per RFM segment (all eleven, in rule order) with its customers,
 * their share of all customers, average recency, frequency and monetary, total revenue, and
 * {@code suggested_rules}: a rule in the segment grammar (docs/api.md, "Segment rules") that selects the same customers
 * from the customer metrics, to post as a {@code customer_segments} row.
 *
 * <p>The rules follow from the score boundaries: scores are monotone in their value (ties share a score), so
 * {@code r >= k} is {@code days_since_last_purchase <= } the largest recency scored k or more, {@code f >= k} is
 * {@code purchase_count >= } the smallest frequency scored k or more, {@code m >= k} likewise on
 * {@code total_spent}; {@code f = 1} is {@code purchase_count <= } the largest frequency scored 1. A segment's
 * rule is its condition AND NOT every earlier segment's condition, as the first matching rule wins. A score
 * level nobody reached becomes {@code purchase_count < 0} (never true).
 */
@Singleton
public class SegmentSuggestionsSummary extends DeclaredPipe {

    /**
     * The score boundaries of a segment's rows ({@code r}, {@code f}, {@code m} scores and {@code frequency}): the
     * largest {@code recency} scored r 4, 3 and 2 or more, the smallest frequency scored f 4 and 2 or more, the
     * largest scored f 1, the smallest {@code monetary} scored m 4 and 3 or more.
     */
    private static String boundaries(String recency, String monetary) {
        return ("max(%1$s) FILTER (WHERE r >= 4) AS r4, max(%1$s) FILTER (WHERE r >= 3) AS r3,"
                + " max(%1$s) FILTER (WHERE r >= 2) AS r2, min(frequency) FILTER (WHERE f >= 4) AS f4,"
                + " min(frequency) FILTER (WHERE f >= 2) AS f2, max(frequency) FILTER (WHERE f = 1) AS f1,"
                + " min(%2$s) FILTER (WHERE m >= 4) AS m4, min(%2$s) FILTER (WHERE m >= 3) AS m3")
                .formatted(recency, monetary);
    }

    /** After a scoring's {@code suggested}: its customers per segment, {@code per_segment}. */
    private static final String PER_SEGMENT = """
            ,
            per_segment AS (
                SELECT suggested_segment,
                       count(*) AS customers,
                       avg(recency_days)::double precision AS avg_recency_days,
                       avg(frequency)::double precision AS avg_frequency,
                       avg(monetary)::double precision AS avg_monetary,
                       sum(monetary) AS total_revenue,
                       %s
                FROM suggested
                GROUP BY suggested_segment
            )""".formatted(boundaries("recency_days", "monetary"));

    /**
     * After {@link SnapshotScoring#CTES} and {@link SnapshotScoring#NOT_PURCHASERS}: {@code per_segment} without
     * scoring every customer. The snapshot's purchasers (but those it does not hold as they are) are grouped by
     * purchase count, r and m score over customer_metrics_snapshot_rfm_cell_idx (V23), with the sums, minimums
     * and maximums the summary needs; the customers it does not hold as they are are scored one by one; the
     * customers without a purchase are counted.
     */
    private static final String SNAPSHOT_PER_SEGMENT = """
            ,
            moved_customers AS (
            %1$s
            ),
            moved_scored AS (
            %2$s
            ),
            groups AS (
                SELECT p.frequency, %3$s AS r, %4$s AS m, count(*) AS customers,
                       sum(p.recency_days) AS recency_sum, max(p.recency_days) AS max_recency,
                       sum(p.monetary) AS monetary_sum, min(p.monetary) AS min_monetary
                FROM (SELECT s.purchase_count AS frequency, s.total_spent AS monetary, %5$s AS recency_days
                      FROM customer_metrics_snapshot s
                      CROSS JOIN bounds b
                      WHERE s.purchase_count > 0 AND s.customer_id NOT IN (SELECT customer_id FROM moved)
                      OFFSET 0) AS p
                CROSS JOIN thresholds t
                GROUP BY 1, 2, 3
                UNION ALL
                SELECT frequency, r, m, 1, recency_days, recency_days, monetary, monetary FROM moved_scored
            ),
            purchaser_segments AS (
                SELECT x.*, %6$s AS suggested_segment
                FROM (SELECT g.*, %7$s AS f FROM groups g CROSS JOIN thresholds t) AS x
            ),
            moved_not_purchasers AS (
                SELECT count(*) FILTER (WHERE m.last_event_at >= b.as_of - INTERVAL '30 days') AS browsers,
                       count(*) FILTER (WHERE NOT coalesce(m.last_event_at >= b.as_of - INTERVAL '30 days', false))
                           AS inactive
                FROM moved_customers m
                CROSS JOIN bounds b
                WHERE m.frequency = 0
            ),
            per_segment AS (
                SELECT suggested_segment,
                       sum(customers)::bigint AS customers,
                       (sum(recency_sum) / sum(customers))::double precision AS avg_recency_days,
                       (sum(frequency * customers) / sum(customers))::double precision AS avg_frequency,
                       sum(monetary_sum) / sum(customers)::double precision AS avg_monetary,
                       sum(monetary_sum) AS total_revenue,
                       %8$s
                FROM purchaser_segments
                GROUP BY suggested_segment
                UNION ALL
                SELECT w.name, w.customers, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
                FROM not_purchasers n
                CROSS JOIN moved_not_purchasers o
                CROSS JOIN LATERAL (VALUES ('Browsers', n.browsers + o.browsers),
                                           ('Inactive', n.inactive + o.inactive)) AS w(name, customers)
                WHERE w.customers > 0
            )""".formatted(SnapshotScoring.MOVED_CUSTOMERS,
            SnapshotScoring.SCORED_FROM.formatted("moved_customers", "WHERE u.frequency > 0"),
            SnapshotScoring.rLevel("p.recency_days"), SnapshotScoring.mLevel("p.monetary"),
            SnapshotScoring.recencyDays("s.last_purchase_at"), RfmSegments.CASE_OF_SCORES,
            SnapshotScoring.fLevel("g.frequency"), boundaries("max_recency", "min_monetary"));

    /** After {@code per_segment}: the summary; the ? is the names of the segments in rule order. */
    private static final String SUMMARY = """
            ,
            boundaries AS (
                SELECT coalesce('days_since_last_purchase <= ' || max(r4)::text, 'purchase_count < 0') AS r4,
                       coalesce('days_since_last_purchase <= ' || max(r3)::text, 'purchase_count < 0') AS r3,
                       coalesce('days_since_last_purchase <= ' || max(r2)::text, 'purchase_count < 0') AS r2,
                       coalesce('purchase_count >= ' || min(f4)::text, 'purchase_count < 0') AS f4,
                       coalesce('purchase_count >= ' || min(f2)::text, 'purchase_count < 0') AS f2,
                       coalesce('purchase_count <= ' || max(f1)::text, 'purchase_count < 0') AS f1,
                       coalesce('total_spent >= ' || min(m4)::text, 'purchase_count < 0') AS m4,
                       coalesce('total_spent >= ' || min(m3)::text, 'purchase_count < 0') AS m3
                FROM per_segment
            ),
            conditions AS (
                SELECT ARRAY[
                           format('(%s AND %s AND %s)', r4, f4, m4),
                           format('(%s AND %s)', f4, r3),
                           format('(%s AND %s)', r4, f1),
                           format('(%s)', r4),
                           format('(%s AND NOT (%s))', r3, r4),
                           format('(%s)', f4),
                           format('(%s AND %s)', f2, m3),
                           format('(%s AND NOT (%s))', r2, r3)] AS c
                FROM boundaries
            ),
            rules AS (
                SELECT name, position,
                       CASE WHEN position <= 9 THEN
                                'purchase_count >= 1'
                                || CASE WHEN position <= 8 THEN ' AND ' || c[position] ELSE '' END
                                || coalesce((SELECT string_agg(' AND NOT ' || c[i], '' ORDER BY i)
                                             FROM generate_series(1, position - 1) AS i), '')
                            WHEN name = 'Browsers' THEN 'purchase_count = 0 AND days_since_last_event < 30'
                            ELSE 'purchase_count = 0 AND NOT (days_since_last_event < 30)' END AS suggested_rules
                FROM conditions,
                     unnest(?::text[]) WITH ORDINALITY AS names(name, position)
            ),
            totals AS (
                SELECT sum(customers) AS customers FROM per_segment
            )
            SELECT r.name AS suggested_segment,
                   coalesce(g.customers, 0) AS customer_count,
                   coalesce(g.customers, 0)::double precision / nullif(t.customers, 0) AS share_of_customers,
                   g.avg_recency_days, g.avg_frequency, g.avg_monetary,
                   coalesce(g.total_revenue, 0) AS total_revenue,
                   r.suggested_rules
            FROM rules r
            CROSS JOIN totals t
            LEFT JOIN per_segment g ON g.suggested_segment = r.name
            ORDER BY r.position""";

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.dateTime("as_of", "The moment the analysis is made at (default: now)", "2023-07-01 00:00:00"));

    private static final List<PipeColumn> COLUMNS = List.of(
            PipeColumn.string("suggested_segment"),
            PipeColumn.uint64("customer_count"),
            PipeColumn.nullableFloat64("share_of_customers"),
            PipeColumn.nullableFloat64("avg_recency_days"),
            PipeColumn.nullableFloat64("avg_frequency"),
            PipeColumn.nullableFloat64("avg_monetary"),
            PipeColumn.float64("total_revenue"),
            PipeColumn.string("suggested_rules"));

    public SegmentSuggestionsSummary() {
        super("segment_suggestions_summary",
                "Per RFM segment: customers, share, averages, revenue and a rule that selects them",
                PARAMS, COLUMNS);
    }

    /** Which scoring answers: the snapshot's, for an as_of after nearly every event, or the aggregates'. */
    @Override
    public Optional<Precondition> precondition(PipeParams params) {
        return Optional.of(SnapshotScoring.precondition(params));
    }

    /** Over the aggregates (what {@link #query(PipeParams, Row)} chooses when the snapshot cannot answer). */
    @Override
    public PipeQuery query(PipeParams params) {
        return summary(CustomerSegmentationSuggestions.SCORING + PER_SEGMENT, params);
    }

    @Override
    public PipeQuery query(PipeParams params, Row choice) {
        return SnapshotScoring.answers(choice)
                ? summary(SnapshotScoring.CTES + SnapshotScoring.NOT_PURCHASERS + SNAPSHOT_PER_SEGMENT, params)
                : query(params);
    }

    /** The summary after {@code perSegment} (CTEs ending with {@code per_segment}, every ? of them as_of). */
    private static PipeQuery summary(String perSegment, PipeParams params) {
        return new PipeSql("")
                .bindShared(perSegment, params.dateTime("as_of"))
                .bind(SUMMARY, RfmSegments.NAMES.toArray(String[]::new))
                .build();
    }
}
