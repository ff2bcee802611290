package io.customeranalytics.segmentation.rfm;

import io.customeranalytics.pipes.PipeColumn;
import io.customeranalytics.pipes.DeclaredPipe;
import io.customeranalytics.pipes.PipeParam;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeSql;
import io.customeranalytics.common.schema.Revenue;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code customer_segmentation_suggestions}: an RFM segment for every customer (docs/api.md, "Segmentation endpoints").
 *
 * <p>Customers are everyone seen in an event at or before {@code as_of}, or in a profile; only events at or
 * before {@code as_of} count. They are read as the behavioural analysis reads them: whole UTC days before
 * {@code as_of}'s day from the daily aggregates, the rest of that day from the raw events. Among customers with
 * a purchase, {@code r = ceil(5 * cume_dist)} over recency_days descending, f and m likewise over frequency and
 * monetary ascending, so ties share a score; the first matching rule names the segment. Customers without a
 * purchase are Browsers (an event in the 30 days up to as_of) or Inactive.
 */
@Singleton
public class CustomerSegmentationSuggestions extends DeclaredPipe {

    /**
     * The scoring, as CTEs ending with {@code suggested} (every customer: its frequency, monetary, recency_days,
     * r, f, m and suggested_segment); every ? is as_of (null: now). It reads only what the scores need: the
     * purchase rows of the daily aggregate, the rows of the 30 days up to as_of (Browsers), and which customers
     * without a profile were seen (every profile is a customer anyway); the events and sessions of the customers
     * answered are read after the limit ({@link #ANSWERED}). A customer without a profile is a snapshot row
     * without one or has change records (V24: the snapshot and the records cover every stored event), so only
     * those are looked up in the aggregates; before the first snapshot, every customer of the aggregates is
     * compared with the profiles (2.8 s at M). At M (10M events, 1M customers) reading every row of both
     * aggregates and ranking every customer took over a minute. The scans bound their time with the parameter
     * itself, not a column of {@code bounds}: only then are the chunks outside the range left unread
     * (TimescaleDB) and the indexes used.
     */
    static final String SCORING = """
            WITH bounds AS (
                SELECT coalesce(?::timestamptz, now()) AS as_of,
                       date_trunc('day', coalesce(?::timestamptz, now()), 'UTC') AS as_of_day
            ),
            pending_days AS MATERIALIZED (
                SELECT coalesce(range_agg(tstzrange(range_start, range_end)), '{}') AS days
                FROM unmaterialized_days('customer_daily_activity')
            ),
            pending_activity AS MATERIALIZED (
                SELECT u.customer_id, u.event_type, u.event_count, u.revenue, u.last_event_at
                FROM bounds b, customer_daily_activity_unmaterialized(NULL, b.as_of_day) u
            ),
            day_events AS MATERIALIZED (
                SELECT e.customer_id, e.event_type, %1$s AS revenue, e.event_timestamp, e.session_id
                FROM customer_events e
                WHERE e.event_timestamp >= {as_of_day} AND e.event_timestamp <= {as_of}
            ),
            purchasers AS (
                SELECT customer_id,
                       sum(event_count)::bigint AS frequency,
                       sum(revenue)::double precision AS monetary,
                       max(last_event_at) AS last_purchase_at
                FROM (SELECT a.customer_id, a.event_count, a.revenue, a.last_event_at
                      FROM customer_daily_activity a
                      WHERE a.event_type = 'purchase' AND a.day < {as_of_day}
                        AND NOT a.day <@ (SELECT days FROM pending_days)
                      UNION ALL
                      SELECT customer_id, event_count, revenue, last_event_at FROM pending_activity
                      WHERE event_type = 'purchase'
                      UNION ALL
                      SELECT customer_id, 1, revenue, event_timestamp FROM day_events
                      WHERE event_type = 'purchase') AS p
                GROUP BY customer_id
            ),
            recent AS (
                SELECT a.customer_id
                FROM customer_daily_activity a
                WHERE a.day >= date_trunc('day', {as_of} - INTERVAL '30 days', 'UTC') AND a.day < {as_of_day}
                  AND a.last_event_at >= {as_of} - INTERVAL '30 days'
                  AND NOT a.day <@ (SELECT days FROM pending_days)
                UNION
                SELECT u.customer_id FROM pending_activity u, bounds b
                WHERE u.last_event_at >= b.as_of - INTERVAL '30 days'
                UNION
                SELECT customer_id FROM day_events
            ),
            unprofiled AS MATERIALIZED (
                SELECT c.customer_id
                FROM (SELECT s.customer_id FROM customer_metrics_snapshot s WHERE NOT s.has_profile
                      UNION
                      SELECT x.customer_id FROM customer_changes x) AS c
                WHERE NOT EXISTS (SELECT FROM customer_profiles p WHERE p.customer_id = c.customer_id)
            ),
            seen_without_profile AS (
                SELECT w.customer_id
                FROM (SELECT u.customer_id FROM unprofiled u
                      WHERE u.customer_id IN (SELECT a.customer_id
                                              FROM customer_daily_activity a
                                              WHERE a.day < {as_of_day}
                                                AND NOT a.day <@ (SELECT days FROM pending_days))
                      UNION
                      SELECT u.customer_id FROM unprofiled u
                      WHERE u.customer_id IN (SELECT customer_id FROM pending_activity)
                      UNION
                      SELECT u.customer_id FROM unprofiled u
                      WHERE u.customer_id IN (SELECT customer_id FROM day_events)) AS w
                WHERE EXISTS (SELECT FROM customer_metrics_snapshot_state)
                UNION ALL
                SELECT DISTINCT v.customer_id
                FROM (SELECT a.customer_id
                      FROM customer_daily_activity a
                      WHERE a.day < {as_of_day} AND NOT a.day <@ (SELECT days FROM pending_days)
                      UNION ALL
                      SELECT customer_id FROM pending_activity
                      UNION ALL
                      SELECT customer_id FROM day_events) AS v
                WHERE NOT EXISTS (SELECT FROM customer_metrics_snapshot_state)
                  AND NOT EXISTS (SELECT FROM customer_profiles p WHERE p.customer_id = v.customer_id)
            ),
            purchasers_recency AS MATERIALIZED (
                SELECT p.*, %3$s AS recency_days
                FROM purchasers p
                CROSS JOIN bounds b
            ),
            ordered AS (
                SELECT count(*)::int AS n,
                       array_agg(recency_days ORDER BY recency_days DESC) AS recencies,
                       array_agg(frequency ORDER BY frequency) AS frequencies,
                       array_agg(monetary ORDER BY monetary) AS monetaries
                FROM purchasers_recency
            ),
            thresholds AS MATERIALIZED (
                SELECT %4$s
                FROM ordered o
            ),
            scored AS (
                SELECT x.*, %5$s AS r, %6$s AS f, %7$s AS m
                FROM purchasers_recency x
                CROSS JOIN thresholds t
            ),
            suggested AS MATERIALIZED (
                SELECT c.customer_id,
                       coalesce(s.frequency, 0) AS frequency,
                       coalesce(s.monetary, 0)::double precision AS monetary,
                       s.recency_days, s.r, s.f, s.m,
                       CASE WHEN s.customer_id IS NOT NULL THEN %2$s
                            WHEN w.customer_id IS NOT NULL THEN 'Browsers'
                            ELSE 'Inactive' END AS suggested_segment
                FROM (SELECT customer_id FROM customer_profiles
                      UNION ALL
                      SELECT customer_id FROM seen_without_profile) AS c
                LEFT JOIN scored s ON s.customer_id = c.customer_id
                LEFT JOIN recent w ON w.customer_id = c.customer_id
            )""".formatted(Revenue.of("e."), RfmSegments.CASE_OF_SCORES,
                    SnapshotScoring.recencyDays("p.last_purchase_at"), thresholdColumns(),
                    SnapshotScoring.rLevel("x.recency_days"), SnapshotScoring.fLevel("x.frequency"),
                    SnapshotScoring.mLevel("x.monetary"))
            .replace("{as_of_day}", "date_trunc('day', coalesce(?::timestamptz, now()), 'UTC')")
            .replace("{as_of}", "coalesce(?::timestamptz, now())");

    /**
     * The columns of {@code thresholds} over {@code ordered o} (n purchasers; their recencies descending, their
     * frequencies and monetaries ascending): per score level k (2..5), the value at position
     * {@code floor((k - 1) n / 5) + 1}. {@code ceil(5 * cume_dist)} is at least k exactly when at least that many
     * purchasers come before or tie with the customer (SnapshotScoring says why), so a score is found by
     * comparing the customer's value with four thresholds ({@link SnapshotScoring#rLevel} and the others), after
     * one sort of each value instead of a window sort of every purchaser's row per score.
     */
    private static String thresholdColumns() {
        StringBuilder columns = new StringBuilder();
        String[][] scores = {{"r", "recencies"}, {"f", "frequencies"}, {"m", "monetaries"}};
        for (String[] score : scores) {
            for (int k = 2; k <= 5; k++) {
                columns.append(columns.isEmpty() ? "" : ", ").append("o.").append(score[1])
                        .append("[").append(k - 1).append(" * o.n / 5 + 1] AS ").append(score[0]).append(k);
            }
        }
        return columns.toString();
    }

    /**
     * After {@link #SCORING} and {@code answer} (the customers of {@code suggested} answered, in order): their
     * current segment, events, last event and sessions up to as_of, by index for these customers only, as
     * {@code answered}.
     */
    private static final String ANSWERED = """
            ,
            answer_ids AS MATERIALIZED (
                SELECT customer_id FROM answer
            ),
            activity_totals AS (
                SELECT v.customer_id, sum(v.event_count)::bigint AS total_events, max(v.last_event_at) AS last_event_at
                FROM (SELECT a.customer_id, a.event_count, a.last_event_at
                      FROM customer_daily_activity a, bounds b
                      WHERE a.customer_id = ANY (ARRAY(SELECT customer_id FROM answer_ids)) AND a.day < b.as_of_day
                        AND NOT a.day <@ (SELECT days FROM pending_days)
                      UNION ALL
                      SELECT u.customer_id, u.event_count, u.last_event_at
                      FROM pending_activity u JOIN answer_ids i ON i.customer_id = u.customer_id
                      UNION ALL
                      SELECT e.customer_id, 1, e.event_timestamp
                      FROM day_events e JOIN answer_ids i ON i.customer_id = e.customer_id) AS v
                GROUP BY v.customer_id
            ),
            session_totals AS (
                SELECT v.customer_id, count(DISTINCT v.session_id) AS session_count
                FROM (%s
                      UNION ALL
                      SELECT e.customer_id, e.session_id
                      FROM day_events e JOIN answer_ids i ON i.customer_id = e.customer_id
                      WHERE e.session_id IS NOT NULL) AS v
                GROUP BY v.customer_id
            ),
            answered AS (
                SELECT q.*, pr.customer_segment AS current_segment, coalesce(t.total_events, 0) AS total_events,
                       t.last_event_at, coalesce(ss.session_count, 0) AS session_count
                FROM answer q
                LEFT JOIN customer_profiles pr ON pr.customer_id = q.customer_id
                LEFT JOIN activity_totals t ON t.customer_id = q.customer_id
                LEFT JOIN session_totals ss ON ss.customer_id = q.customer_id
            )""".formatted(SnapshotScoring.sessionsOfWholeDays("answer_ids", "b.as_of_day"));

    /** The answer columns of a row {@code q} of {@code suggested} (%s: its current_segment, %s: its session_count). */
    private static final String ANSWER_COLUMNS = """
            q.customer_id, %s AS current_segment, q.suggested_segment, q.recency_days, q.frequency, q.monetary,
                   q.r AS r_score, q.f AS f_score, q.m AS m_score,
                   q.r::text || q.f::text || q.m::text AS rfm_score,
                   q.total_events, %s AS session_count, q.last_event_at""";

    /** After {@link #SCORING}: the customers answered, filtered by the segment if one is asked (appended after). */
    private static final String SUGGESTIONS = SCORING + """
            ,
            answer AS (
                SELECT q.* FROM suggested q
                WHERE true""";

    /** After {@link #ANSWERED}: the answer; then the count of the customers in the filter (appended after). */
    private static final String SUGGESTIONS_ANSWER = ANSWERED + "\n" + """
            SELECT %s,
                   (SELECT count(*) FROM suggested q WHERE true""".formatted(
            ANSWER_COLUMNS.formatted("q.current_segment", "q.session_count"));

    private static final String SUGGESTIONS_END = """
            ) AS rows_before_limit
            FROM answered q
            ORDER BY q.monetary DESC, q.customer_id""";

    /** The answer columns of a row {@code q} of the snapshot scoring. */
    private static final String SNAPSHOT_ANSWER_COLUMNS = ANSWER_COLUMNS.formatted(SnapshotScoring.CURRENT_SEGMENT,
            SnapshotScoring.SESSION_COUNT);

    /**
     * After {@link SnapshotScoring#CTES}, the top customers by monetary (both ? are the limit): the snapshot's
     * top customers by index, except those it does not hold as they are at as_of, and those customers as they are.
     */
    private static final String TOP_FROM_SNAPSHOT = """
            ,
            top AS (
                (%s
                 ORDER BY s.total_spent DESC, s.customer_id
                 LIMIT ?)
                UNION ALL
            %s
            ),
            top_scored AS (
            %s
            ),
            scored AS (
                SELECT * FROM top_scored ORDER BY monetary DESC, customer_id LIMIT ?
            ),
            suggested AS (
            %s
            )%s
            SELECT %s,
                   coalesce((SELECT sum(customers) FROM rfm_frequency), 0)
                       - (SELECT count(*) FROM moved WHERE was_there)
                       + (SELECT count(*) FROM moved_now) AS rows_before_limit
            FROM suggested q
            CROSS JOIN bounds b
            LEFT JOIN recounted r ON r.customer_id = q.customer_id
            ORDER BY q.monetary DESC, q.customer_id""".formatted(SnapshotScoring.SNAPSHOT_CUSTOMERS,
            SnapshotScoring.MOVED_CUSTOMERS, SnapshotScoring.SCORED_FROM.formatted("top", ""),
            SnapshotScoring.SUGGESTED_FROM.formatted("scored"), SnapshotScoring.RECOUNTED.formatted("suggested"),
            SNAPSHOT_ANSWER_COLUMNS);

    /**
     * After {@link SnapshotScoring#CTES}, the segment asked for and the limit (a ? each, in two fragments), so that
     * the parts below read them by name.
     */
    private static final String ASKED = """
            ,
            asked AS (
                SELECT ?::text AS segment""";

    private static final String ASKED_LIMIT = """
            , ?::int AS most
            )""";

    /**
     * The cells of a purchasers' segment: per purchase count among the purchasers (its f score) and m score, the
     * monetary range [low, high) of that score ('NaN' sorts above every number); only the cells where some r
     * score gives the segment. A segment's purchasers in the snapshot are in these cells, found by index
     * (customer_metrics_snapshot_rfm_cell_idx, V23), never by scoring every purchaser.
     */
    private static final String CELLS = """
            ,
            cells AS MATERIALIZED (
                SELECT c.purchase_count, l.f AS f_score, x.m AS m_score, x.low, x.high
                FROM frequency_counts c
                CROSS JOIN thresholds t
                CROSS JOIN LATERAL (SELECT %1$s AS f) AS l
                CROSS JOIN LATERAL (VALUES (5, t.m5, 'NaN'::double precision), (4, t.m4, t.m5), (3, t.m3, t.m4),
                                           (2, t.m2, t.m3), (1, '-Infinity'::double precision, t.m2))
                                   AS x(m, low, high)
                WHERE x.low < x.high
                  AND EXISTS (SELECT FROM generate_series(1, 5) AS g(r)
                              WHERE %2$s = (SELECT segment FROM asked))
            ),
            since AS MATERIALIZED (
                SELECT %3$s
                FROM bounds b
                CROSS JOIN thresholds t
            )""".formatted(SnapshotScoring.fLevel("c.purchase_count"), RfmSegments.CASE_OF_SCORES, sinceColumns());

    /**
     * The columns of {@code since}: {@code sk}, the instant after which a last purchase scores r >= k. The recency
     * {@code floor(seconds / 86400)} is at most {@code t.rk} exactly when the seconds from the last purchase to
     * as_of are fewer than {@code (t.rk + 1) * 86400}, so a row's r is found with comparisons of instants.
     */
    private static String sinceColumns() {
        StringBuilder columns = new StringBuilder();
        for (int k = 5; k >= 2; k--) {
            columns.append(k == 5 ? "" : ", ").append("b.as_of - (t.r").append(k)
                    .append(" + 1) * INTERVAL '86400 seconds' AS s").append(k);
        }
        return columns.toString();
    }

    /** The r score of a snapshot row {@code s} in a cell, against {@code since w}. */
    private static String rOfLastPurchase() {
        StringBuilder level = new StringBuilder("CASE");
        for (int k = 5; k >= 2; k--) {
            level.append(" WHEN s.last_purchase_at > w.s").append(k).append(" THEN ").append(k);
        }
        return level.append(" ELSE 1 END").toString();
    }

    /**
     * The snapshot's purchasers of cell {@code c} in the segment, but those it does not hold as they are at
     * as_of: every column read is in the cell index, so this is an index-only scan of the cell.
     */
    private static final String IN_CELL = """
                      FROM customer_metrics_snapshot s
                      CROSS JOIN since w
                      CROSS JOIN LATERAL (SELECT %1$s AS r, c.f_score AS f, c.m_score AS m) AS q
                      WHERE s.purchase_count = c.purchase_count AND s.purchase_count > 0
                        AND s.total_spent >= c.low AND s.total_spent < c.high
                        AND s.customer_id NOT IN (SELECT customer_id FROM moved)
                        AND %2$s = (SELECT segment FROM asked)""".formatted(rOfLastPurchase(),
            RfmSegments.CASE_OF_SCORES);

    /** A purchasers' segment's snapshot customers: the first of each cell, and how many there are. */
    private static final String PURCHASERS = CELLS + """
            ,
            top AS (
                SELECT w.customer_id, w.total_spent
                FROM cells c
                CROSS JOIN LATERAL (SELECT s.customer_id, s.total_spent
            %1$s
                                    ORDER BY s.total_spent DESC, s.customer_id
                                    LIMIT (SELECT most FROM asked)) AS w
            ),
            counted AS (
                SELECT count(*) AS customers
                FROM cells c
                CROSS JOIN LATERAL (SELECT
            %1$s) AS w
            )""".formatted(IN_CELL);

    /**
     * A segment of customers without a purchase (Browsers: an event in the 30 days up to as_of; Inactive: the
     * others) in the snapshot: the first by customer_id (their monetary is 0), and how many there are.
     */
    private static final String NOT_PURCHASERS = SnapshotScoring.NOT_PURCHASERS + """
            ,
            top AS (
                SELECT s.customer_id, s.total_spent
                FROM customer_metrics_snapshot s
                CROSS JOIN bounds b
                WHERE s.purchase_count = 0
                  AND coalesce(s.last_event_at >= b.as_of - INTERVAL '30 days', false)
                      = (SELECT segment = 'Browsers' FROM asked)
                  AND s.customer_id NOT IN (SELECT customer_id FROM moved)
                ORDER BY s.customer_id
                LIMIT (SELECT most FROM asked)
            ),
            counted AS (
                SELECT CASE WHEN a.segment = 'Browsers' THEN n.browsers ELSE n.inactive END AS customers
                FROM not_purchasers n
                CROSS JOIN asked a
            )""";

    /**
     * After {@link #PURCHASERS} or {@link #NOT_PURCHASERS}: the answer. Its candidates are the snapshot's first
     * customers of the segment and every customer the snapshot does not hold as it is, scored; the count adds
     * those of the latter in the segment.
     */
    private static final String SEGMENT_ANSWER = """
            ,
            top_customers AS (
            %1$s
                  AND s.customer_id IN (SELECT customer_id FROM top
                                        ORDER BY total_spent DESC, customer_id
                                        LIMIT (SELECT most FROM asked))
                UNION ALL
            %2$s
            ),
            scored AS (
            %3$s
            ),
            suggested AS (
            %4$s
            ),
            answer AS (
                SELECT * FROM suggested
                WHERE suggested_segment = (SELECT segment FROM asked)
                ORDER BY monetary DESC, customer_id
                LIMIT (SELECT most FROM asked)
            )%6$s
            SELECT %5$s,
                   (SELECT customers FROM counted)
                       + (SELECT count(*) FROM suggested m
                          WHERE m.moved AND m.suggested_segment = (SELECT segment FROM asked)) AS rows_before_limit
            FROM answer q
            CROSS JOIN bounds b
            LEFT JOIN recounted r ON r.customer_id = q.customer_id
            ORDER BY q.monetary DESC, q.customer_id""".formatted(SnapshotScoring.SNAPSHOT_CUSTOMERS,
            SnapshotScoring.MOVED_CUSTOMERS, SnapshotScoring.SCORED_FROM.formatted("top_customers", ""),
            SnapshotScoring.SUGGESTED_FROM.formatted("scored"), SNAPSHOT_ANSWER_COLUMNS,
            SnapshotScoring.RECOUNTED.formatted("answer"));

    /** The suggested segments of customers without a purchase. */
    private static final Set<String> WITHOUT_PURCHASE = Set.of("Browsers", "Inactive");

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.oneOf("suggested_segment", RfmSegments.NAMES, null, "Only customers suggested for this segment"),
            PipeParam.dateTime("as_of", "The moment the analysis is made at (default: now)", "2023-07-01 00:00:00"),
            PipeParam.limit(1000, 100_000));

    private static final List<PipeColumn> COLUMNS = List.of(
            PipeColumn.string("customer_id"),
            PipeColumn.nullableString("current_segment"),
            PipeColumn.string("suggested_segment"),
            PipeColumn.nullableUInt64("recency_days"),
            PipeColumn.uint64("frequency"),
            PipeColumn.float64("monetary"),
            PipeColumn.nullableUInt8("r_score"),
            PipeColumn.nullableUInt8("f_score"),
            PipeColumn.nullableUInt8("m_score"),
            PipeColumn.nullableString("rfm_score"),
            PipeColumn.uint64("total_events"),
            PipeColumn.uint64("session_count"),
            PipeColumn.nullableDateTime("last_event_at"));

    public CustomerSegmentationSuggestions() {
        super("customer_segmentation_suggestions",
                "RFM scores and a suggested segment for every customer (monetary desc, customer_id)",
                PARAMS,
                COLUMNS);
    }

    /** Which scoring answers: the snapshot's, for an as_of after nearly every event, or the aggregates'. */
    @Override
    public Optional<Precondition> precondition(PipeParams params) {
        return Optional.of(SnapshotScoring.precondition(params));
    }

    /** Over the aggregates (what {@link #query(PipeParams, Row)} chooses when the snapshot cannot answer). */
    @Override
    public PipeQuery query(PipeParams params) {
        String segment = params.string("suggested_segment");
        return new PipeSql("")
                .bindShared(SUGGESTIONS, params.dateTime("as_of"))
                .bindIfPresent(" AND q.suggested_segment = ?", segment)
                .append(" ORDER BY q.monetary DESC, q.customer_id")
                .bind(" LIMIT ?", params.int32("limit"))
                .append(")")
                .append(SUGGESTIONS_ANSWER)
                .bindIfPresent(" AND q.suggested_segment = ?", segment)
                .append(SUGGESTIONS_END)
                .build();
    }

    @Override
    public PipeQuery query(PipeParams params, Row choice) {
        if (!SnapshotScoring.answers(choice)) {
            return query(params);
        }
        String segment = params.string("suggested_segment");
        if (segment == null) {
            return new PipeSql("")
                    .bindShared(SnapshotScoring.CTES, params.dateTime("as_of"))
                    .bindShared(TOP_FROM_SNAPSHOT, params.int32("limit"))
                    .build();
        }
        return new PipeSql("")
                .bindShared(SnapshotScoring.CTES, params.dateTime("as_of"))
                .bind(ASKED, segment)
                .bind(ASKED_LIMIT, params.int32("limit"))
                .append(WITHOUT_PURCHASE.contains(segment) ? NOT_PURCHASERS : PURCHASERS)
                .append(SEGMENT_ANSWER)
                .build();
    }
}
