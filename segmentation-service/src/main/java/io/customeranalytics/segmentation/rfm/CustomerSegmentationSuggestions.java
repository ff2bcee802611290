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

    /** The scoring, as CTEs ending with {@code suggested}; every ? is as_of (null: now). */
    static final String SCORING = """
            WITH bounds AS (
                SELECT coalesce(?::timestamptz, now()) AS as_of,
                       date_trunc('day', coalesce(?::timestamptz, now()), 'UTC') AS as_of_day
            ),
            activity AS (
                SELECT a.customer_id, a.event_type, a.event_count, a.revenue, a.last_event_at
                FROM customer_daily_activity a, bounds b
                WHERE a.day < b.as_of_day
                  AND NOT a.day <@ (SELECT coalesce(range_agg(tstzrange(range_start, range_end)), '{}')
                                    FROM unmaterialized_days('customer_daily_activity'))
                UNION ALL
                SELECT u.customer_id, u.event_type, u.event_count, u.revenue, u.last_event_at
                FROM bounds b, customer_daily_activity_unmaterialized(NULL, b.as_of_day) u
                UNION ALL
                SELECT e.customer_id, e.event_type, 1, %1$s, e.event_timestamp
                FROM customer_events e, bounds b
                WHERE e.event_timestamp >= b.as_of_day AND e.event_timestamp <= b.as_of
            ),
            per_customer AS (
                SELECT customer_id,
                       sum(revenue) AS monetary,
                       coalesce(sum(event_count) FILTER (WHERE event_type = 'purchase'), 0) AS frequency,
                       sum(event_count) AS total_events,
                       max(last_event_at) AS last_event_at,
                       max(last_event_at) FILTER (WHERE event_type = 'purchase') AS last_purchase_at
                FROM activity
                GROUP BY customer_id
            ),
            sessions AS (
                SELECT customer_id, count(DISTINCT session_id) AS session_count
                FROM (SELECT s.customer_id, s.session_id
                      FROM customer_daily_sessions s, bounds b
                      WHERE s.day < b.as_of_day
                        AND NOT s.day <@ (SELECT coalesce(range_agg(tstzrange(range_start, range_end)), '{}')
                                          FROM unmaterialized_days('customer_daily_sessions'))
                      UNION ALL
                      SELECT u.customer_id, u.session_id
                      FROM bounds b, customer_daily_sessions_unmaterialized(NULL, b.as_of_day) u
                      UNION ALL
                      SELECT e.customer_id, e.session_id
                      FROM customer_events e, bounds b
                      WHERE e.session_id IS NOT NULL AND e.event_timestamp >= b.as_of_day
                        AND e.event_timestamp <= b.as_of) AS all_sessions
                GROUP BY customer_id
            ),
            customers AS (
                SELECT coalesce(c.customer_id, p.customer_id) AS customer_id,
                       p.customer_segment AS current_segment,
                       coalesce(c.frequency, 0)::bigint AS frequency,
                       coalesce(c.monetary, 0)::double precision AS monetary,
                       coalesce(c.total_events, 0)::bigint AS total_events,
                       c.last_event_at,
                       floor(extract(epoch FROM b.as_of - c.last_purchase_at) / 86400)::bigint AS recency_days,
                       c.last_event_at >= b.as_of - INTERVAL '30 days' AS recent
                FROM per_customer c
                FULL JOIN customer_profiles p ON p.customer_id = c.customer_id
                CROSS JOIN bounds b
            ),
            scored AS (
                SELECT c.*,
                       CASE WHEN c.frequency > 0 THEN ceil(5 * cume_dist() OVER (PARTITION BY c.frequency > 0
                           ORDER BY c.recency_days DESC))::int END AS r,
                       CASE WHEN c.frequency > 0 THEN ceil(5 * cume_dist() OVER (PARTITION BY c.frequency > 0
                           ORDER BY c.frequency))::int END AS f,
                       CASE WHEN c.frequency > 0 THEN ceil(5 * cume_dist() OVER (PARTITION BY c.frequency > 0
                           ORDER BY c.monetary))::int END AS m
                FROM customers c
            ),
            suggested AS MATERIALIZED (
                SELECT s.*,
                       CASE WHEN s.frequency > 0 THEN %2$s
                            WHEN s.recent THEN 'Browsers'
                            ELSE 'Inactive' END AS suggested_segment
                FROM scored s
            )""".formatted(Revenue.of("e."), RfmSegments.CASE_OF_SCORES);

    /** The answer columns of a row {@code q} of {@code suggested} (%s: its current_segment, %s: its session_count). */
    private static final String ANSWER_COLUMNS = """
            q.customer_id, %s AS current_segment, q.suggested_segment, q.recency_days, q.frequency, q.monetary,
                   q.r AS r_score, q.f AS f_score, q.m AS m_score,
                   q.r::text || q.f::text || q.m::text AS rfm_score,
                   q.total_events, %s AS session_count, q.last_event_at""";

    private static final String SUGGESTIONS = SCORING + """
            SELECT %s,
                   count(*) OVER () AS rows_before_limit
            FROM suggested q
            LEFT JOIN sessions ss ON ss.customer_id = q.customer_id
            WHERE true""".formatted(ANSWER_COLUMNS.formatted("q.current_segment", "coalesce(ss.session_count, 0)"));

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
            )
            SELECT %s,
                   coalesce((SELECT sum(customers) FROM rfm_frequency), 0)
                       - (SELECT count(*) FROM moved WHERE was_there)
                       + (SELECT count(*) FROM moved_now) AS rows_before_limit
            FROM suggested q
            CROSS JOIN bounds b
            ORDER BY q.monetary DESC, q.customer_id""".formatted(SnapshotScoring.SNAPSHOT_CUSTOMERS,
            SnapshotScoring.MOVED_CUSTOMERS, SnapshotScoring.SCORED_FROM.formatted("top", ""),
            SnapshotScoring.SUGGESTED_FROM.formatted("scored"), SNAPSHOT_ANSWER_COLUMNS);

    /**
     * After {@link SnapshotScoring#SCORED_BY_PURCHASE}, the customers of one suggested segment (the ?), then
     * {@link #SEGMENT_LIMIT}; the session count is taken for the answer rows only.
     */
    private static final String SEGMENT_FROM_SNAPSHOT = """
            ,
            answer AS (
                SELECT q.*, count(*) OVER () AS rows_before_limit
                FROM suggested q
                WHERE q.suggested_segment = ?""";

    /** The rest of {@link #SEGMENT_FROM_SNAPSHOT}; the ? is the limit. */
    private static final String SEGMENT_LIMIT = """

                ORDER BY q.monetary DESC, q.customer_id
                LIMIT ?
            )
            SELECT %s, q.rows_before_limit
            FROM answer q
            CROSS JOIN bounds b
            ORDER BY q.monetary DESC, q.customer_id""".formatted(SNAPSHOT_ANSWER_COLUMNS);

    /** The suggested segments of customers without a purchase. */
    private static final Set<String> NOT_PURCHASERS = Set.of("Browsers", "Inactive");

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
        return new PipeSql("")
                .bindShared(SUGGESTIONS, params.dateTime("as_of"))
                .bindIfPresent(" AND q.suggested_segment = ?", params.string("suggested_segment"))
                .append(" ORDER BY q.monetary DESC, q.customer_id")
                .bind(" LIMIT ?", params.int32("limit"))
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
        // Every ? of the scoring is as_of but its last, the purchaser flag: only the customers that can be in the
        // segment are scored.
        int flag = SnapshotScoring.SCORED_BY_PURCHASE.lastIndexOf('?');
        return new PipeSql("")
                .bindShared(SnapshotScoring.SCORED_BY_PURCHASE.substring(0, flag), params.dateTime("as_of"))
                .bind(SnapshotScoring.SCORED_BY_PURCHASE.substring(flag), !NOT_PURCHASERS.contains(segment))
                .bind(SEGMENT_FROM_SNAPSHOT, segment)
                .bind(SEGMENT_LIMIT, params.int32("limit"))
                .build();
    }
}
