package io.customeranalytics.segmentation.rfm;

import io.customeranalytics.pipes.PipeEndpoint;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeSql;
import io.customeranalytics.common.schema.Revenue;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The RFM scoring (docs/api.md, "Segmentation endpoints") from segmentation-service's customer snapshot, for an {@code
 * as_of} after nearly every event: the default (now), or one close to it. It gives the same answer as the scoring over
 * the aggregates ({@link CustomerSegmentationSuggestions#SCORING}) without reading every customer's events:
 * <ul>
 *   <li><b>Each customer's values.</b> The snapshot row of a customer and the change records left for it cover
 *       each of its stored events exactly once (V16: the refresher deletes a customer's records in the
 *       statement that recomputes it). So a customer with records is its snapshot row plus what its records
 *       add. One with an event after {@code as_of} in the snapshot, or with a record that does not say what
 *       it adds (purchase null: written by hand, not by the Events API or the profile triggers, V17), is read
 *       from the raw events instead, only its events up to {@code as_of}. Every other customer is its snapshot
 *       row.</li>
 *   <li><b>The scores.</b> {@code r = ceil(5 x cume_dist)} is at least k exactly when at least
 *       {@code floor((k - 1) N / 5) + 1} purchasers have a recency of the customer's or more. So each score has
 *       four thresholds: the values at those positions among the N purchasers, ordered. They are found from
 *       the counts the refresher keeps (V16: purchasers per purchase count, per monetary bucket, per hour of
 *       the last purchase), corrected by the customers above, then within the one bucket by index.</li>
 * </ul>
 * All of it is one statement: one MVCC snapshot of the tables, so a refresh or a write at the same moment is
 * seen whole or not at all.
 */
final class SnapshotScoring {

    /**
     * The most customers read from the raw events: snapshot customers with an event after as_of, and customers
     * with a change record that does not say what it adds (one written by hand, as before V16).
     */
    static final long MOST_LATE_CUSTOMERS = 2_000;

    /** The most change records added up per request; beyond it the refresher is far behind. */
    static final long MOST_PENDING_RECORDS = 100_000;

    /**
     * Whether the snapshot answers for this as_of (?, null: now): it exists (the refresher built it), few
     * customers are to be read from the raw events, and the change records are few.
     */
    private static final String CHOICE = """
            SELECT EXISTS (SELECT FROM customer_metrics_snapshot_state) AS snapshot,
                   (SELECT count(*) FROM (SELECT FROM customer_metrics_snapshot s
                                          WHERE s.last_event_at > coalesce(?::timestamptz, now())
                                          LIMIT %1$d) AS l)
                   + (SELECT count(*) FROM (SELECT FROM customer_changes WHERE purchase IS NULL
                                            LIMIT %1$d) AS u) AS late,
                   (SELECT count(*) FROM (SELECT FROM customer_changes LIMIT %2$d) AS c) AS pending"""
            .formatted(MOST_LATE_CUSTOMERS + 1, MOST_PENDING_RECORDS + 1);

    /** The customers the snapshot holds as they are at as_of, as rows of {@code customers_now}. */
    static final String SNAPSHOT_CUSTOMERS = """
                SELECT s.customer_id, s.customer_segment AS current_segment, s.purchase_count AS frequency,
                       s.total_spent AS monetary, s.event_count AS total_events, s.session_count, false AS moved,
                       false AS recount, s.last_event_at, s.last_purchase_at
                FROM customer_metrics_snapshot s
                WHERE s.customer_id NOT IN (SELECT customer_id FROM moved)""";

    /** The other customers, as they are at as_of, as rows of {@code customers_now}. */
    static final String MOVED_CUSTOMERS = """
                SELECT customer_id, current_segment, frequency, monetary, total_events, session_count, true,
                       NOT late, last_event_at, last_purchase_at
                FROM moved_now""";

    /**
     * The CTEs up to {@code thresholds} (one row: r2..r5, f2..f5, m2..m5) and {@code customers_now} (every
     * customer at as_of); every ? is as_of (null: now).
     */
    static final String CTES = """
            WITH bounds AS (
                SELECT coalesce(?::timestamptz, now()) AS as_of
            ),
            pending AS (
                SELECT c.customer_id,
                       coalesce(sum(c.revenue) FILTER (WHERE c.event_timestamp <= b.as_of), 0) AS monetary,
                       count(*) FILTER (WHERE c.purchase AND c.event_timestamp <= b.as_of) AS frequency,
                       count(*) FILTER (WHERE c.event_timestamp <= b.as_of) AS events,
                       max(c.event_timestamp) FILTER (WHERE c.event_timestamp <= b.as_of) AS last_event_at,
                       max(c.event_timestamp) FILTER (WHERE c.purchase AND c.event_timestamp <= b.as_of)
                           AS last_purchase_at,
                       bool_or(c.purchase IS NULL) AS unknown
                FROM customer_changes c
                CROSS JOIN bounds b
                GROUP BY c.customer_id
            ),
            raw_ids AS MATERIALIZED (
                SELECT s.customer_id FROM customer_metrics_snapshot s
                WHERE s.last_event_at > coalesce(?::timestamptz, now())
                UNION
                SELECT customer_id FROM pending WHERE unknown
            ),
            late AS (
                SELECT e.customer_id,
                       sum(%1$s)::double precision AS monetary,
                       count(*) FILTER (WHERE e.event_type = 'purchase') AS frequency,
                       count(*) AS events,
                       count(DISTINCT e.session_id) AS sessions,
                       max(e.event_timestamp) AS last_event_at,
                       max(e.event_timestamp) FILTER (WHERE e.event_type = 'purchase') AS last_purchase_at
                FROM customer_events e
                WHERE e.customer_id = ANY (ARRAY(SELECT customer_id FROM raw_ids))
                  AND e.event_timestamp <= coalesce(?::timestamptz, now())
                GROUP BY e.customer_id
            ),
            moved AS MATERIALIZED (
                SELECT p.customer_id,
                       s.customer_id IS NOT NULL AS was_there,
                       s.purchase_count AS old_frequency,
                       s.total_spent AS old_monetary,
                       s.last_purchase_at AS old_purchase_at,
                       NULL::text AS current_segment,
                       false AS late,
                       coalesce(s.purchase_count, 0) + p.frequency AS frequency,
                       coalesce(s.total_spent, 0) + p.monetary AS monetary,
                       coalesce(s.event_count, 0) + p.events AS total_events,
                       NULL::bigint AS session_count,
                       greatest(s.last_event_at, p.last_event_at) AS last_event_at,
                       greatest(s.last_purchase_at, p.last_purchase_at) AS last_purchase_at
                FROM pending p
                LEFT JOIN (SELECT * FROM customer_metrics_snapshot
                           WHERE customer_id = ANY (ARRAY(SELECT customer_id FROM pending))) AS s
                       ON s.customer_id = p.customer_id
                WHERE NOT p.unknown AND (s.last_event_at IS NULL OR s.last_event_at <= coalesce(?::timestamptz, now()))
                UNION ALL
                SELECT r.customer_id, s.customer_id IS NOT NULL, s.purchase_count, s.total_spent, s.last_purchase_at,
                       NULL, true, coalesce(l.frequency, 0), coalesce(l.monetary, 0), coalesce(l.events, 0),
                       coalesce(l.sessions, 0), l.last_event_at, l.last_purchase_at
                FROM raw_ids r
                LEFT JOIN customer_metrics_snapshot s ON s.customer_id = r.customer_id
                LEFT JOIN late l ON l.customer_id = r.customer_id
            ),
            moved_now AS (
                SELECT * FROM moved m
                WHERE m.total_events > 0
                   OR EXISTS (SELECT FROM customer_profiles pr WHERE pr.customer_id = m.customer_id)
            ),
            frequency_counts AS (
            %2$s
            ),
            positions AS (
                SELECT k, floor((k - 1) * n.purchasers / 5)::bigint + 1 AS position
                FROM (SELECT coalesce(max(cum), 0) AS purchasers FROM frequency_counts) AS n,
                     generate_series(2, 5) AS k
            ),
            f_thresholds AS (
                SELECT po.k, (SELECT min(c.purchase_count) FROM frequency_counts c WHERE c.cum >= po.position)
                           AS threshold
                FROM positions po
            ),
            monetary_counts AS (
            %3$s
            ),
            m_thresholds AS (
            %4$s
            ),
            recency_counts AS (
            %5$s
            ),
            r_thresholds AS (
            %6$s
            ),
            thresholds AS MATERIALIZED (
                SELECT (SELECT threshold FROM r_thresholds WHERE k = 2) AS r2,
                       (SELECT threshold FROM r_thresholds WHERE k = 3) AS r3,
                       (SELECT threshold FROM r_thresholds WHERE k = 4) AS r4,
                       (SELECT threshold FROM r_thresholds WHERE k = 5) AS r5,
                       (SELECT threshold FROM f_thresholds WHERE k = 2) AS f2,
                       (SELECT threshold FROM f_thresholds WHERE k = 3) AS f3,
                       (SELECT threshold FROM f_thresholds WHERE k = 4) AS f4,
                       (SELECT threshold FROM f_thresholds WHERE k = 5) AS f5,
                       (SELECT threshold FROM m_thresholds WHERE k = 2) AS m2,
                       (SELECT threshold FROM m_thresholds WHERE k = 3) AS m3,
                       (SELECT threshold FROM m_thresholds WHERE k = 4) AS m4,
                       (SELECT threshold FROM m_thresholds WHERE k = 5) AS m5
            ),
            customers_now AS (
            %7$s
                UNION ALL
            %8$s
            )""".formatted(Revenue.of("e."),
            correctedCounts("rfm_frequency", "purchase_count", "old_frequency", "frequency", "purchase_count > 0"),
            correctedCounts("rfm_monetary", "bucket", "rfm_bucket(old_monetary)", "rfm_bucket(monetary)", "true"),
            quantileInBucket("monetary_counts", "bucket",
                    "rfm_bucket(s.total_spent) = c.bucket AND s.purchase_count > 0", "total_spent", "monetary",
                    "rfm_bucket(m.monetary)", "w.v"),
            correctedCounts("rfm_recency", "hour", "date_bin('1 hour', old_purchase_at, timestamptz 'epoch')",
                    "date_bin('1 hour', last_purchase_at, timestamptz 'epoch')", "true"),
            quantileInBucket("recency_counts", "hour",
                    "s.last_purchase_at >= c.hour AND s.last_purchase_at < c.hour + INTERVAL '1 hour'",
                    "last_purchase_at", "last_purchase_at",
                    "date_bin('1 hour', m.last_purchase_at, timestamptz 'epoch')",
                    "floor(extract(epoch FROM b.as_of - w.v) / 86400)::bigint"),
            SNAPSHOT_CUSTOMERS, MOVED_CUSTOMERS);

    /**
     * The purchasers per {key} of the snapshot's counts {counts} (filtered by {filter}), corrected by the
     * customers it does not hold as they are at as_of: their old values ({old}) taken away, their values now
     * ({new}) added; with the running total {@code cum} in the key's order.
     */
    private static String correctedCounts(String counts, String key, String old, String now, String filter) {
        return """
                    SELECT {key}, n, sum(n) OVER (ORDER BY {key}) AS cum
                    FROM (SELECT {key}, sum(n) AS n
                          FROM (SELECT {key}, customers AS n FROM {counts} WHERE {filter}
                                UNION ALL
                                SELECT {old}, -1 FROM moved WHERE was_there AND old_frequency > 0
                                UNION ALL
                                SELECT {new}, 1 FROM moved_now WHERE frequency > 0) AS x
                          GROUP BY {key}
                          HAVING sum(n) > 0) AS y"""
                .replace("{counts}", counts).replace("{key}", key).replace("{old}", old).replace("{new}", now)
                .replace("{filter}", filter);
    }

    /**
     * Per position k (2..5), the purchasers' value at it, as {value} of {@code w.v}: the bucket of {counts}
     * ({key}) whose running total reaches the position, then that bucket's values in order, those of the
     * snapshot ({in_bucket} over {@code s}, column {column}) but the customers it does not hold as they are,
     * and those customers' values now (column {moved} of {@code m}, whose bucket is {moved_key}).
     */
    private static String quantileInBucket(String counts, String key, String inBucket, String column, String moved,
                                           String movedKey, String value) {
        return """
                    SELECT po.k,
                           (SELECT {value}
                            FROM (SELECT s.{column} AS v
                                  FROM customer_metrics_snapshot s
                                  WHERE {in_bucket}
                                    AND s.customer_id NOT IN (SELECT customer_id FROM moved)
                                  UNION ALL
                                  SELECT m.{moved} FROM moved_now m
                                  WHERE m.frequency > 0 AND {moved_key} = c.{key}) AS w,
                                 bounds b
                            ORDER BY w.v
                            OFFSET (po.position - (c.cum - c.n) - 1)::bigint
                            LIMIT 1) AS threshold
                    FROM positions po
                    CROSS JOIN LATERAL (SELECT {key}, n, cum FROM {counts}
                                        WHERE cum >= po.position ORDER BY {key} LIMIT 1) AS c"""
                .replace("{counts}", counts).replace("{key}", key).replace("{in_bucket}", inBucket)
                .replace("{column}", column).replace("{moved_key}", movedKey).replace("{moved}", moved)
                .replace("{value}", value);
    }

    /**
     * Customers {@code u} (%1$s: their table or CTE; columns frequency, monetary, last_purchase_at and the rest;
     * %2$s: a WHERE clause over them, or nothing) with recency_days, r, f and m (null without a purchase) against
     * the thresholds at as_of. Each level is
     * kept from being merged into the next (OFFSET 0), so that every customer's values are computed once.
     */
    static final String SCORED_FROM = """
            SELECT q.*,
                   CASE WHEN q.frequency > 0 THEN {r} END AS r,
                   CASE WHEN q.frequency > 0 THEN {f} END AS f,
                   CASE WHEN q.frequency > 0 THEN {m} END AS m
            FROM (SELECT u.*, {recency} AS recency_days
                  FROM %1$s u
                  CROSS JOIN bounds b
                  %2$s
                  OFFSET 0) AS q
            CROSS JOIN thresholds t
            OFFSET 0"""
            .replace("{r}", rLevel("q.recency_days")).replace("{f}", fLevel("q.frequency"))
            .replace("{m}", mLevel("q.monetary")).replace("{recency}", recencyDays("u.last_purchase_at"));

    /** The whole days from {@code lastPurchase} to as_of ({@code b.as_of}). */
    static String recencyDays(String lastPurchase) {
        return "floor(extract(epoch FROM b.as_of - " + lastPurchase + ") / 86400)::bigint";
    }

    /** The r score (1..5) of a purchaser's {@code recencyDays} against the {@code thresholds t}. */
    static String rLevel(String recencyDays) {
        return level(recencyDays, "<=", "t.r");
    }

    /** The f score (1..5) of a purchaser's {@code frequency} against the {@code thresholds t}. */
    static String fLevel(String frequency) {
        return level(frequency, ">=", "t.f");
    }

    /** The m score (1..5) of a purchaser's {@code monetary} against the {@code thresholds t}. */
    static String mLevel(String monetary) {
        return level(monetary, ">=", "t.m");
    }

    private static String level(String value, String comparison, String threshold) {
        StringBuilder level = new StringBuilder("CASE");
        for (int k = 5; k >= 2; k--) {
            level.append(" WHEN ").append(value).append(' ').append(comparison).append(' ').append(threshold)
                    .append(k).append(" THEN ").append(k);
        }
        return level.append(" ELSE 1 END").toString();
    }

    /**
     * Scored customers {@code q} (%1$s: their CTE) with their suggested segment at as_of {@code b}, as the
     * aggregate scoring's {@code suggested} has them.
     */
    static final String SUGGESTED_FROM = """
            SELECT q.*,
                   CASE WHEN q.frequency > 0 THEN %s
                        WHEN q.last_event_at >= b.as_of - INTERVAL '30 days' THEN 'Browsers'
                        ELSE 'Inactive' END AS suggested_segment
            FROM %%1$s q
            CROSS JOIN bounds b""".formatted(RfmSegments.CASE_OF_SCORES);

    /**
     * {@link #CTES} and {@code suggested}: every customer at as_of with its scores and suggested segment, as the
     * aggregate scoring's {@code suggested} has them (and session_count, recount: whether to count it).
     */
    static final String SCORED = CTES + """
            ,
            scored AS (
            %s
            ),
            suggested AS (
            %s
            )""".formatted(SCORED_FROM.formatted("customers_now", ""), SUGGESTED_FROM.formatted("scored"));

    /**
     * After {@link #CTES}: {@code not_purchasers}, one row: the snapshot's customers without a purchase at as_of,
     * but those it does not hold as they are, as {@code browsers} (an event in the 30 days up to as_of, counted
     * over customer_metrics_snapshot_browsing_idx, V23) and {@code inactive} (the others: those the counts of
     * V16 hold without a purchase, but the Browsers and the customers taken out).
     */
    static final String NOT_PURCHASERS = """
            ,
            browsing AS (
                SELECT count(*) AS customers
                FROM customer_metrics_snapshot s
                CROSS JOIN bounds b
                WHERE s.purchase_count = 0
                  AND s.last_event_at >= b.as_of - INTERVAL '30 days'
                  AND s.customer_id NOT IN (SELECT customer_id FROM moved)
            ),
            not_purchasers AS (
                SELECT w.customers AS browsers,
                       coalesce((SELECT customers FROM rfm_frequency WHERE purchase_count = 0), 0)
                           - (SELECT count(*) FROM moved WHERE was_there AND old_frequency = 0)
                           - w.customers AS inactive
                FROM browsing w
            )""";

    /**
     * The current segment of an answer row {@code q} (columns customer_id, current_segment, moved): the
     * snapshot's, or the profile's for a customer the snapshot does not hold as it is (only answer rows).
     */
    static final String CURRENT_SEGMENT = """
            CASE WHEN q.moved THEN (SELECT pr.customer_segment FROM customer_profiles pr
                                    WHERE pr.customer_id = q.customer_id)
                 ELSE q.current_segment END""";

    /**
     * The session count of an answer row {@code q} (columns customer_id, session_count, recount) joined with
     * {@code recounted r}: the snapshot's, or counted again ({@link #RECOUNTED}) for a customer whose change
     * records are not applied yet.
     */
    static final String SESSION_COUNT = """
            CASE WHEN q.recount THEN coalesce(r.sessions, 0) ELSE coalesce(q.session_count, 0) END""";

    /**
     * {@code recounted}: the sessions up to as_of of the answer rows (%1$s: their CTE) to count again, the customers
     * whose change records are not applied yet, in one read: the whole UTC days before as_of's day from the daily
     * sessions aggregate (its days not materialized yet computed from the raw events), the rest from the raw
     * events. While events arrive, most of the top customers by monetary can be among them; counting their raw
     * events read 950k rows for 924 customers of an answer at M (0.47 s), where the aggregate has a row per day
     * and session.
     */
    static final String RECOUNTED = """
            ,
            recount_ids AS MATERIALIZED (
                SELECT customer_id FROM %1$s WHERE recount
            ),
            recounted AS (
                SELECT v.customer_id, count(DISTINCT v.session_id) AS sessions
                FROM ({whole_days}
                      UNION ALL
                      SELECT e.customer_id, e.session_id
                      FROM customer_events e
                      WHERE e.customer_id = ANY (ARRAY(SELECT customer_id FROM recount_ids))
                        AND e.event_timestamp >= (SELECT date_trunc('day', as_of, 'UTC') FROM bounds)
                        AND e.event_timestamp <= (SELECT as_of FROM bounds)) AS v
                GROUP BY v.customer_id
            )""".replace("{whole_days}", sessionsOfWholeDays("recount_ids", "date_trunc('day', b.as_of, 'UTC')"));

    /**
     * The (customer_id, session_id) rows of the customers of {@code ids} (a CTE with customer_id) on the whole UTC
     * days before {@code asOfDay} (an expression over {@code bounds b}): the daily sessions aggregate, and the rows
     * its days not materialized yet would have, computed from the raw events. The days from asOfDay on are the
     * caller's to add, from the raw events.
     */
    static String sessionsOfWholeDays(String ids, String asOfDay) {
        return """
                SELECT s.customer_id, s.session_id
                      FROM customer_daily_sessions s, bounds b
                      WHERE s.customer_id = ANY (ARRAY(SELECT customer_id FROM {ids})) AND s.day < {as_of_day}
                        AND NOT s.day <@ (SELECT coalesce(range_agg(tstzrange(range_start, range_end)), '{}')
                                          FROM unmaterialized_days('customer_daily_sessions'))
                      UNION ALL
                      SELECT u.customer_id, u.session_id
                      FROM bounds b, customer_daily_sessions_unmaterialized(NULL, {as_of_day}) u
                      WHERE u.customer_id = ANY (ARRAY(SELECT customer_id FROM {ids}))"""
                .replace("{ids}", ids).replace("{as_of_day}", asOfDay);
    }

    private SnapshotScoring() {
    }

    /** The check that chooses between the snapshot and the aggregates, for the request's as_of. */
    static PipeQuery choice(Object asOf) {
        return new PipeSql("").bind(CHOICE, asOf).build();
    }

    /** {@link #choice} as an endpoint's precondition: it never fails, its row chooses the query. */
    static PipeEndpoint.Precondition precondition(PipeParams params) {
        return new PipeEndpoint.Precondition(choice(params.dateTime("as_of")), row -> null);
    }

    /** Whether the snapshot answers, from the row of {@link #choice}. */
    static boolean answers(Row choice) {
        return choice.getBoolean("snapshot")
                && choice.getLong("late") <= MOST_LATE_CUSTOMERS
                && choice.getLong("pending") <= MOST_PENDING_RECORDS;
    }
}
