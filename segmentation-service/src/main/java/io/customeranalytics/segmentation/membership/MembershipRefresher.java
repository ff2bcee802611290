package io.customeranalytics.segmentation.membership;

import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeSql;
import io.customeranalytics.common.schema.Revenue;
import io.customeranalytics.common.rules.Metric;
import io.customeranalytics.common.rules.Rule;
import io.customeranalytics.common.rules.RuleException;
import io.customeranalytics.common.rules.RuleCompiler;
import io.customeranalytics.common.rules.RuleParser;
import io.customeranalytics.common.schema.MembershipLock;
import io.customeranalytics.common.segments.SegmentsConfig;
import io.quarkus.arc.Unremovable;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Keeps segment membership (docs/api.md, "Segment membership") in {@code segment_membership}, with every customer's
 * metrics in {@code customer_metrics_snapshot}, at a cost that follows what changed:
 * <ul>
 *   <li><b>Changed customers.</b> Writers record each event they store and each profile they write in
 *       {@code customer_changes} (V14, V16). A batch picks the customers of up to {@link #BATCH} records,
 *       recomputes their metrics from the raw events and their profile in the statement that deletes their
 *       records, and re-evaluates every segment for them, all in one transaction: a record is gone only once
 *       its customer is done, and a customer's snapshot row and its remaining records never share an event.
 *       The same statements keep the RFM counts of the snapshot (V16) for the suggestions, and label_stats and
 *       label_active_days (V15, V22) for segment_metrics.</li>
 *   <li><b>The clock.</b> A rule on days_since_* is evaluated against the stored instants and the current
 *       time. Each batch also re-evaluates the customers whose metric crossed one of the rule's thresholds since
 *       the segment's last evaluation ({@link ClockThresholds}), found by range over the snapshot's indexes.</li>
 *   <li><b>Changed segments.</b> A segment created, changed, or whose refresh failed more than
 *       {@code analytics.segments.retry-failed-after} ago is computed whole against the snapshot. Before each
 *       one, the changed customers are drained if the last drain started a refresh interval ago or more: a burst
 *       of changed segments (each under the lock) would otherwise keep the drains out and age the snapshot.</li>
 *   <li><b>No snapshot yet</b> (a new installation, after V14, or a bulk load that deleted the state row):
 *       every customer is computed from the raw events at once, then every segment whole.</li>
 * </ul>
 * {@code refreshed_at} of the snapshot and of each segment is the start of the last batch that found fewer
 * changes than it could take: every change committed before it is applied. A segment whose statement fails in
 * the database keeps its previous membership (and ages until its endpoints answer 503 with the recorded
 * error) while every other segment is refreshed.
 *
 * <p>Every transaction that writes takes one advisory lock, {@code pg_try_advisory_xact_lock}: a second replica
 * finds it taken and skips its refresh instead of repeating or interleaving the work. Transactions are begun
 * and ended with plain SQL on one connection, so that a failing segment is rolled back to its own savepoint.
 */
@Unremovable
@ApplicationScoped
public class MembershipRefresher {

    private static final Logger LOG = Logger.getLogger(MembershipRefresher.class);

    /** The most customers one batch takes. */
    static final int BATCH = 10_000;

    /** The advisory lock every transaction that writes membership takes (hashtext of it). */
    public static final String LOCK_KEY = MembershipLock.KEY;

    private static final String TRY_LOCK = """
            SELECT pg_try_advisory_xact_lock(hashtext('%s')) AS locked, now() AS now""".formatted(LOCK_KEY);

    private static final String SNAPSHOT_EXISTS = "SELECT count(*) AS n FROM customer_metrics_snapshot_state";

    /** Whether the snapshot's last drain started $1 seconds ago or more (true without a snapshot state). */
    private static final String DRAIN_DUE = """
            SELECT coalesce(bool_and(refreshed_at <= now() - make_interval(secs => $1)), true) AS due
            FROM customer_metrics_snapshot_state""";

    /** The columns of customer_metrics_snapshot, as filled from {@link #ACTIVITY} {@code a} and profiles {@code p}. */
    private static final String SNAPSHOT_COLUMNS = """
            customer_id, total_spent, purchase_count, event_count, session_count, page_view_count, avg_order_value,
            lifetime_value, age, country, city, gender, customer_segment, signup_date, last_event_at,
            last_purchase_at, has_profile""";

    private static final String SNAPSHOT_VALUES = """
            coalesce(a.total_spent, 0), coalesce(a.purchase_count, 0), coalesce(a.event_count, 0),
                   coalesce(a.session_count, 0), coalesce(a.page_view_count, 0),
                   CASE WHEN coalesce(a.purchase_count, 0) > 0 THEN a.total_spent / a.purchase_count ELSE 0 END,
                   p.lifetime_value, p.age, p.country, p.city, p.gender, p.customer_segment, p.signup_date,
                   a.last_event_at, a.last_purchase_at, p.customer_id IS NOT NULL""";

    /**
     * The sums of segment_stats and label_stats (V15) over rows with a {@code sign} (+1 added, -1 taken away) and
     * the columns lifetime_value, age, event_count, purchase_count, total_spent, session_count.
     */
    private static final String STATS_SUMS = """
            sum(sign)::bigint, coalesce(sum(sign * lifetime_value::numeric), 0),
                   coalesce(sum(sign * (lifetime_value IS NOT NULL)::int), 0)::bigint, coalesce(sum(sign * age), 0),
                   coalesce(sum(sign * (age IS NOT NULL)::int), 0)::bigint, coalesce(sum(sign * event_count), 0),
                   coalesce(sum(sign * purchase_count), 0), coalesce(sum(sign * total_spent::numeric), 0),
                   coalesce(sum(sign * session_count), 0)""";

    /** Adds what was inserted to a stats row that exists (%1$s: its table, %2$s: its first key column). */
    private static final String STATS_ADD = """
            ON CONFLICT (%2$s, country) DO UPDATE SET customers = t.customers + EXCLUDED.customers,
                ltv_sum = t.ltv_sum + EXCLUDED.ltv_sum, ltv_count = t.ltv_count + EXCLUDED.ltv_count,
                age_sum = t.age_sum + EXCLUDED.age_sum, age_count = t.age_count + EXCLUDED.age_count,
                events = t.events + EXCLUDED.events, purchases = t.purchases + EXCLUDED.purchases,
                revenue = t.revenue + EXCLUDED.revenue, sessions = t.sessions + EXCLUDED.sessions""";

    /** {@code pattern} (%1$s: the column) for each column of the comma-separated {@code columns}, joined by commas. */
    private static String each(String columns, String pattern) {
        return Arrays.stream(columns.split(","))
                .map(String::strip)
                .map(pattern::formatted)
                .collect(Collectors.joining(", "));
    }

    /** The columns a member row carries (V15), as the snapshot row {@code m} has them. */
    private static final String MEMBER_COLUMNS = """
            lifetime_value, age, country, last_event_at, total_spent, purchase_count, event_count, session_count""";

    private static final String MEMBER_VALUES = """
            m.lifetime_value, m.age, m.country, m.last_event_at, m.total_spent, m.purchase_count, m.event_count,
                   m.session_count""";

    /**
     * Each customer's metrics from the raw events (docs/api.md, "Segment membership"); %s: the WHERE clause or nothing.
     */
    private static final String ACTIVITY = """
            SELECT e.customer_id,
                   sum(%s)::double precision AS total_spent,
                   count(*) FILTER (WHERE e.event_type = 'purchase') AS purchase_count,
                   count(*) AS event_count,
                   count(DISTINCT e.session_id) AS session_count,
                   count(*) FILTER (WHERE e.event_type = 'page_view') AS page_view_count,
                   max(e.event_timestamp) AS last_event_at,
                   max(e.event_timestamp) FILTER (WHERE e.event_type = 'purchase') AS last_purchase_at
            FROM customer_events e
            %s
            GROUP BY e.customer_id""";

    private static final String CLEAR_SNAPSHOT = "DELETE FROM customer_metrics_snapshot";

    private static final String CLEAR_LABEL_STATS = "DELETE FROM label_stats";

    private static final String FILL_LABEL_STATS = """
            INSERT INTO label_stats (label, country, customers, ltv_sum, ltv_count, age_sum, age_count, events,
                                     purchases, revenue, sessions)
            SELECT customer_segment, coalesce(country, ''), %s
            FROM (SELECT 1 AS sign, * FROM customer_metrics_snapshot WHERE customer_segment IS NOT NULL) AS m
            GROUP BY customer_segment, coalesce(country, '')""".formatted(STATS_SUMS);

    private static final String CLEAR_LABEL_ACTIVE_DAYS = "DELETE FROM label_active_days";

    /** The key of a label_active_days row (V22) over a snapshot row, and whether the row has one. */
    private static final String LABEL_DAY_KEY =
            "customer_segment, coalesce(country, ''), date_trunc('day', last_event_at, 'UTC')";

    private static final String HAS_LABEL_DAY = "customer_segment IS NOT NULL AND last_event_at IS NOT NULL";

    private static final String FILL_LABEL_ACTIVE_DAYS = """
            INSERT INTO label_active_days (label, country, day, members)
            SELECT %1$s, count(*)
            FROM customer_metrics_snapshot
            WHERE %2$s
            GROUP BY %1$s""".formatted(LABEL_DAY_KEY, HAS_LABEL_DAY);

    /** A new snapshot: every segment is computed whole against it next (as a new segment is). */
    private static final String CLEAR_SEGMENT_STATES = "DELETE FROM segment_membership_state";

    /**
     * Every customer from the raw events and the profiles; the change records are deleted in the same statement
     * (the same MVCC snapshot): the records left cover exactly the events it did not read.
     */
    private static final String FILL_SNAPSHOT = """
            WITH cleared AS (
                DELETE FROM customer_changes
            )
            INSERT INTO customer_metrics_snapshot (%s)
            SELECT coalesce(a.customer_id, p.customer_id), %s
            FROM (%s) AS a
            FULL JOIN customer_profiles p ON p.customer_id = a.customer_id"""
            .formatted(SNAPSHOT_COLUMNS, SNAPSHOT_VALUES, ACTIVITY.formatted(Revenue.of("e."), ""));

    /** Enough memory for the one big aggregate of a first snapshot, for its own transaction only. */
    private static final String FILL_WORK_MEM = "SET LOCAL work_mem = '256MB'";

    private static final String MARK_SNAPSHOT = """
            INSERT INTO customer_metrics_snapshot_state (id, refreshed_at, duration_ms)
            VALUES (true, now(), (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint)
            ON CONFLICT (id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at, duration_ms = EXCLUDED.duration_ms
            RETURNING duration_ms""";

    /**
     * The RFM counts (V16) moved by rows with a {@code sign} (%1$s: their CTE or table): two CTEs and a final
     * INSERT, each adding to the row of its key. A count that reaches 0 stays as a row of 0.
     */
    private static final String RFM_COUNTS = """
            frequencies AS (
                INSERT INTO rfm_frequency AS t (purchase_count, customers)
                SELECT purchase_count, sum(sign) FROM %1$s GROUP BY purchase_count
                ON CONFLICT (purchase_count) DO UPDATE SET customers = t.customers + EXCLUDED.customers
            ),
            monetary AS (
                INSERT INTO rfm_monetary AS t (bucket, customers)
                SELECT rfm_bucket(total_spent), sum(sign) FROM %1$s WHERE purchase_count > 0
                GROUP BY rfm_bucket(total_spent)
                ON CONFLICT (bucket) DO UPDATE SET customers = t.customers + EXCLUDED.customers
            )
            INSERT INTO rfm_recency AS t (hour, customers)
            SELECT date_bin('1 hour', last_purchase_at, timestamptz 'epoch'), sum(sign) FROM %1$s
            WHERE purchase_count > 0
            GROUP BY date_bin('1 hour', last_purchase_at, timestamptz 'epoch')
            ON CONFLICT (hour) DO UPDATE SET customers = t.customers + EXCLUDED.customers""";

    private static final String CLEAR_RFM_COUNTS = """
            WITH f AS (DELETE FROM rfm_frequency), m AS (DELETE FROM rfm_monetary) DELETE FROM rfm_recency""";

    /** The RFM counts of the whole snapshot, just filled. */
    private static final String FILL_RFM_COUNTS = ("""
            WITH whole AS (
                SELECT 1 AS sign, * FROM customer_metrics_snapshot
            ),
            """ + RFM_COUNTS).formatted("whole");

    /**
     * The customers of up to $1 change records, and how many records that was; the records are deleted by
     * {@link #RECOMPUTE_CUSTOMERS}, in the statement that recomputes their customers. The ids are picked by a
     * LIMIT inside an array: a burst of records (a bulk update of profiles) comes before the table's statistics
     * know it.
     */
    private static final String PICK_CHANGES = """
            SELECT coalesce(array_agg(DISTINCT customer_id), '{}') AS customers, count(*) AS records
            FROM (SELECT customer_id FROM customer_changes LIMIT $1) AS picked""";

    /**
     * The metrics of the customers $1 again (a customer with neither events nor a profile leaves the snapshot),
     * and label_stats, label_active_days and the RFM counts moved by the difference: their old rows taken away,
     * their new ones added. Their change records are deleted in the same statement, so in the same MVCC snapshot
     * as the events are read: a customer's snapshot row and the records left for it cover each of its events once
     * (what customer_segmentation_suggestions relies on).
     */
    private static final String RECOMPUTE_CUSTOMERS = """
            WITH changed AS (
                SELECT unnest($1::text[]) AS customer_id
            ),
            taken AS (
                DELETE FROM customer_changes WHERE customer_id = ANY($1::text[])
            ),
            a AS (%1$s),
            metrics (%2$s, present) AS (
                SELECT c.customer_id, %3$s, (a.customer_id IS NOT NULL OR p.customer_id IS NOT NULL)
                FROM changed c
                LEFT JOIN a ON a.customer_id = c.customer_id
                LEFT JOIN customer_profiles p ON p.customer_id = c.customer_id
            ),
            old AS (
                SELECT s.* FROM customer_metrics_snapshot s WHERE s.customer_id = ANY($1::text[])
            ),
            gone AS (
                DELETE FROM customer_metrics_snapshot s USING metrics m
                WHERE s.customer_id = m.customer_id AND NOT m.present
                RETURNING 1
            ),
            written AS (
                INSERT INTO customer_metrics_snapshot (%2$s)
                SELECT %2$s FROM metrics WHERE present
                ON CONFLICT (customer_id) DO UPDATE SET %4$s
                RETURNING 1
            ),
            moved AS (
                SELECT -1 AS sign, customer_segment, country, lifetime_value, age, event_count, purchase_count,
                       total_spent, session_count, last_purchase_at, last_event_at
                FROM old
                UNION ALL
                SELECT 1, customer_segment, country, lifetime_value, age, event_count, purchase_count, total_spent,
                       session_count, last_purchase_at, last_event_at
                FROM metrics WHERE present
            ),
            label_days AS (
                INSERT INTO label_active_days AS t (label, country, day, members)
                SELECT %8$s, sum(sign)
                FROM moved
                WHERE %9$s
                GROUP BY %8$s
                HAVING sum(sign) <> 0
                ON CONFLICT (label, country, day) DO UPDATE SET members = t.members + EXCLUDED.members
            ),
            labels AS (
                INSERT INTO label_stats AS t (label, country, customers, ltv_sum, ltv_count, age_sum, age_count,
                                              events, purchases, revenue, sessions)
                SELECT customer_segment, coalesce(country, ''), %5$s
                FROM moved
                WHERE customer_segment IS NOT NULL
                GROUP BY customer_segment, coalesce(country, '')
                %6$s
            ),
            %7$s"""
            .formatted(ACTIVITY.formatted(Revenue.of("e."), "WHERE e.customer_id = ANY($1::text[])"),
                    SNAPSHOT_COLUMNS, SNAPSHOT_VALUES,
                    each(SNAPSHOT_COLUMNS.replace("customer_id,", ""), "%1$s = EXCLUDED.%1$s"),
                    STATS_SUMS, STATS_ADD.formatted("label_stats", "label"), RFM_COUNTS.formatted("moved"),
                    LABEL_DAY_KEY, HAS_LABEL_DAY);

    /**
     * Segments to compute whole: new, changed since computed, or failed; one that failed is tried again
     * {@code retry-failed-after} later, or at once when it was changed since.
     */
    private static final String SEGMENTS_TO_COMPUTE = """
            SELECT s.segment_id, s.segment_name, s.segment_rules, s.updated_at, NULL::timestamptz AS evaluated_at
            FROM customer_segments s
            LEFT JOIN segment_membership_state st ON st.segment_id = s.segment_id
            LEFT JOIN segment_refresh_errors e ON e.segment_id = s.segment_id
            WHERE (st.segment_id IS NULL OR st.segment_updated_at < s.updated_at OR e.segment_id IS NOT NULL)
              AND (e.segment_id IS NULL OR e.failed_at < now() - make_interval(secs => $1)
                   OR s.updated_at > e.failed_at)""";

    /** Segments kept up to date batch by batch: computed from their current definition, not failing. */
    private static final String SEGMENTS_TO_KEEP = """
            SELECT s.segment_id, s.segment_name, s.segment_rules, s.updated_at,
                   coalesce(st.evaluated_at, st.refreshed_at) AS evaluated_at
            FROM customer_segments s
            JOIN segment_membership_state st ON st.segment_id = s.segment_id
            WHERE st.segment_updated_at >= s.updated_at
              AND NOT EXISTS (SELECT 1 FROM segment_refresh_errors e WHERE e.segment_id = s.segment_id)""";

    private static final String CLEAR_MEMBERS = "DELETE FROM segment_membership WHERE segment_id = $1";

    /** Whether a snapshot row {@code m} is a member of segment $1 named $2; %s: the compiled rule (or false). */
    private static final String MATCH = """
            coalesce(m.customer_segment = $2::text, false) AS by_label, (%s) AS by_rules""";

    private static final String MATCHED_BY = """
            CASE WHEN by_label AND by_rules THEN 'both' WHEN by_label THEN 'label' ELSE 'rules' END""";

    /** $1 segment_id, $2 segment_name, then the rule's parameters from $3; %s: {@link #MATCH}. */
    private static final String ADD_MEMBERS = """
            INSERT INTO segment_membership (segment_id, customer_id, matched_by, %s)
            SELECT $1::text, customer_id, %s, %s
            FROM (SELECT m.*, %%s FROM customer_metrics_snapshot m) AS candidates
            WHERE by_label OR by_rules""".formatted(MEMBER_COLUMNS, MATCHED_BY, MEMBER_COLUMNS);

    private static final String CLEAR_SEGMENT_STATS = "DELETE FROM segment_stats WHERE segment_id = $1";

    private static final String CLEAR_SEGMENT_ACTIVE_DAYS = "DELETE FROM segment_active_days WHERE segment_id = $1";

    private static final String FILL_SEGMENT_ACTIVE_DAYS = """
            INSERT INTO segment_active_days (segment_id, country, day, members)
            SELECT $1::text, coalesce(country, ''), date_trunc('day', last_event_at, 'UTC'), count(*)
            FROM segment_membership
            WHERE segment_id = $1 AND last_event_at IS NOT NULL
            GROUP BY coalesce(country, ''), date_trunc('day', last_event_at, 'UTC')""";

    private static final String CLEAR_SEGMENT_COUNTS = "DELETE FROM segment_member_counts WHERE segment_id = $1";

    /** The key of a segment_member_counts row (V21) over the columns of a member row. */
    private static final String COUNTS_KEY =
            "coalesce(country, ''), coalesce(age, -1), segment_ltv_band(lifetime_value)";

    private static final String FILL_SEGMENT_COUNTS = """
            INSERT INTO segment_member_counts (segment_id, country, age, ltv_band, members)
            SELECT $1::text, %1$s, count(*)
            FROM segment_membership
            WHERE segment_id = $1
            GROUP BY %1$s""".formatted(COUNTS_KEY);

    private static final String FILL_SEGMENT_STATS = """
            INSERT INTO segment_stats (segment_id, country, customers, ltv_sum, ltv_count, age_sum, age_count, events,
                                       purchases, revenue, sessions)
            SELECT $1::text, coalesce(country, ''), %s
            FROM (SELECT 1 AS sign, * FROM segment_membership WHERE segment_id = $1) AS m
            GROUP BY coalesce(country, '')""".formatted(STATS_SUMS);

    /**
     * The customers of the snapshot with an instant in one of the windows, each window one {@link #WINDOW} of
     * these, joined with OR (a bitmap of index ranges). Apart from {@link #REEVALUATE}, so that the planner of
     * that one sees a list of ids; and with the bounds as parameters of their own, not joined from arrays, so
     * that it sizes each range (from an array, it planned sequential scans of the million-row snapshot).
     */
    private static final String CLOCK_CANDIDATES = """
            SELECT coalesce(array_agg(DISTINCT m.customer_id), '{}') AS customers
            FROM customer_metrics_snapshot m
            WHERE false""";

    /** One window {@code (after, upTo]}: %s is the column; the two ? its bounds. */
    private static final String WINDOW = " OR (m.%1$s > ? AND m.%1$s <= ?)";

    /**
     * Re-evaluates segment $1 (named $2) for the customers $3 (distinct); the rule's parameters from $4. Member
     * rows whose membership or values changed are written, and segment_stats, segment_active_days and
     * segment_member_counts moved by the difference. Answers the members added and removed.
     */
    private static final String REEVALUATE = """
            WITH evaluated AS (
                SELECT c.customer_id, m.customer_id IS NOT NULL AND (by_label OR by_rules) AS member,
                       m.by_label, m.by_rules, %1$s
                FROM unnest($3::text[]) AS c(customer_id)
                LEFT JOIN LATERAL (SELECT m.*, %%s FROM customer_metrics_snapshot m
                                   WHERE m.customer_id = c.customer_id) AS m ON true
            ),
            old AS (
                SELECT mb.* FROM segment_membership mb WHERE mb.segment_id = $1 AND mb.customer_id = ANY($3::text[])
            ),
            removed AS (
                DELETE FROM segment_membership mb USING evaluated v
                WHERE mb.segment_id = $1 AND mb.customer_id = v.customer_id AND NOT v.member
                RETURNING 1
            ),
            upserted AS (
                INSERT INTO segment_membership AS mb (segment_id, customer_id, matched_by, %2$s)
                SELECT $1::text, customer_id, %3$s, %2$s FROM evaluated WHERE member
                ON CONFLICT (segment_id, customer_id) DO UPDATE SET matched_by = EXCLUDED.matched_by, %4$s
                    WHERE (mb.matched_by, %5$s) IS DISTINCT FROM (EXCLUDED.matched_by, %6$s)
                RETURNING (xmax = 0) AS inserted
            ),
            moved AS (
                SELECT -1 AS sign, country, lifetime_value, age, event_count, purchase_count, total_spent,
                       session_count, last_event_at
                FROM old
                UNION ALL
                SELECT 1, country, lifetime_value, age, event_count, purchase_count, total_spent, session_count,
                       last_event_at
                FROM evaluated WHERE member
            ),
            active_days AS (
                INSERT INTO segment_active_days AS t (segment_id, country, day, members)
                SELECT $1::text, coalesce(country, ''), date_trunc('day', last_event_at, 'UTC'), sum(sign)
                FROM moved
                WHERE last_event_at IS NOT NULL
                GROUP BY coalesce(country, ''), date_trunc('day', last_event_at, 'UTC')
                ON CONFLICT (segment_id, country, day) DO UPDATE SET members = t.members + EXCLUDED.members
            ),
            counts AS (
                INSERT INTO segment_member_counts AS t (segment_id, country, age, ltv_band, members)
                SELECT $1::text, %9$s, sum(sign)
                FROM moved
                GROUP BY %9$s
                HAVING sum(sign) <> 0
                ON CONFLICT (segment_id, country, age, ltv_band) DO UPDATE SET members = t.members + EXCLUDED.members
            ),
            stats AS (
                INSERT INTO segment_stats AS t (segment_id, country, customers, ltv_sum, ltv_count, age_sum,
                                                age_count, events, purchases, revenue, sessions)
                SELECT $1::text, coalesce(country, ''), %7$s
                FROM moved
                GROUP BY coalesce(country, '')
                %8$s
            )
            SELECT (SELECT count(*) FROM upserted WHERE inserted) AS added,
                   (SELECT count(*) FROM removed) AS removed"""
            .formatted(MEMBER_VALUES, MEMBER_COLUMNS, MATCHED_BY, each(MEMBER_COLUMNS, "%1$s = EXCLUDED.%1$s"),
                    each(MEMBER_COLUMNS, "mb.%1$s"), each(MEMBER_COLUMNS, "EXCLUDED.%1$s"),
                    STATS_SUMS, STATS_ADD.formatted("segment_stats", "segment_id"), COUNTS_KEY);

    /** A segment computed whole: $1 id, $2 the segment's updated_at applied, $3 members, $4 evaluated at. */
    private static final String MARK_SEGMENT = """
            INSERT INTO segment_membership_state (segment_id, refreshed_at, segment_updated_at, member_count,
                                                  evaluated_at)
            SELECT $1::text, refreshed_at, $2::timestamptz, $3::bigint, $4::timestamptz
            FROM customer_metrics_snapshot_state
            ON CONFLICT (segment_id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at,
                segment_updated_at = EXCLUDED.segment_updated_at, member_count = EXCLUDED.member_count,
                evaluated_at = EXCLUDED.evaluated_at""";

    /** A segment kept up to date by a batch: $1 id, $2 members added minus removed, $3 evaluated at. */
    private static final String ADVANCE_SEGMENT = """
            UPDATE segment_membership_state SET member_count = member_count + $2, evaluated_at = $3
            WHERE segment_id = $1""";

    /** The last batch of a drain: everything committed before this transaction began is applied; $1 segments. */
    private static final String MARK_FRESH = """
            WITH snapshot AS (
                UPDATE customer_metrics_snapshot_state SET refreshed_at = now() RETURNING 1
            )
            UPDATE segment_membership_state SET refreshed_at = now() WHERE segment_id = ANY($1::text[])""";

    /** A segment's refresh failed: why and when, for its endpoints' 503 (V12). */
    private static final String RECORD_FAILURE = """
            INSERT INTO segment_refresh_errors (segment_id, failed_at, error) VALUES ($1, now(), $2)
            ON CONFLICT (segment_id) DO UPDATE SET failed_at = EXCLUDED.failed_at, error = EXCLUDED.error""";

    private static final String CLEAR_FAILURE = "DELETE FROM segment_refresh_errors WHERE segment_id = $1";

    /** Longest failure text kept: the database's message, not a stack. */
    private static final int FAILURE_CHARS = 300;

    /** The SQL of each metric over a snapshot row {@code m}: days_since_* from the stored instants and now(). */
    private static final Function<Metric, String> SNAPSHOT_METRIC = metric -> switch (metric) {
        case DAYS_SINCE_LAST_EVENT -> "floor(extract(epoch FROM now() - m.last_event_at) / 86400)";
        case DAYS_SINCE_LAST_PURCHASE -> "floor(extract(epoch FROM now() - m.last_purchase_at) / 86400)";
        case DAYS_SINCE_SIGNUP -> "((now() AT TIME ZONE 'UTC')::date - m.signup_date)";
        default -> "m." + metric.ruleName();
    };

    /** One segment as stored, with when its rules were last evaluated against the clock. */
    public record Segment(String id, String name, String rules, OffsetDateTime updatedAt,
                          OffsetDateTime evaluatedAt) {
        static Segment from(Row row) {
            return new Segment(row.getString("segment_id"), row.getString("segment_name"),
                    row.getString("segment_rules"), row.getOffsetDateTime("updated_at"),
                    row.getOffsetDateTime("evaluated_at"));
        }
    }

    /** A segment's rule compiled for the snapshot, with its thresholds on the clock. */
    private record Compiled(Segment segment, String match, List<Object> ruleValues, ClockThresholds clock) {

        static Compiled of(Segment segment, int firstRuleParameter) {
            Rule rule = parse(segment);
            if (rule == null) {
                return new Compiled(segment, MATCH.formatted("false"), List.of(), ClockThresholds.of(null));
            }
            RuleCompiler.CompiledRule compiled = RuleCompiler.compile(rule, SNAPSHOT_METRIC, firstRuleParameter);
            return new Compiled(segment, MATCH.formatted(compiled.sql()), compiled.values(), ClockThresholds.of(rule));
        }
    }

    /**
     * What a refresh did: whether it built the first snapshot (and in how long), the customers whose changes it
     * applied, the customers it re-evaluated because of the clock, the segments it computed whole, the
     * segments whose refresh failed (each logged; the others were refreshed all the same), and whether it was
     * {@code skipped} because another replica held the lock (that replica does the work).
     */
    public record Report(boolean snapshotRebuilt, long snapshotMillis, long changedCustomers, long clockCustomers,
                         long segmentsComputed, long failedSegments, boolean skipped) {

        static final Report SKIPPED = new Report(false, 0, 0, 0, 0, 0, true);
        static final Report NOTHING = new Report(false, 0, 0, 0, 0, 0, false);

        Report plus(Report other) {
            return new Report(snapshotRebuilt || other.snapshotRebuilt, snapshotMillis + other.snapshotMillis,
                    changedCustomers + other.changedCustomers, clockCustomers + other.clockCustomers,
                    segmentsComputed + other.segmentsComputed, failedSegments + other.failedSegments,
                    skipped || other.skipped);
        }
    }

    /** One batch: its report, and whether it took everything there was (the drain is over). */
    private record Batch(Report report, boolean last) {
    }

    private final Pool pool;
    private final double retryFailedAfterSeconds;
    private final double refreshIntervalSeconds;

    public MembershipRefresher(Pool pool, SegmentsConfig config) {
        this.pool = pool;
        this.retryFailedAfterSeconds = config.retryFailedAfter().toMillis() / 1000.0;
        this.refreshIntervalSeconds = config.refreshInterval().toMillis() / 1000.0;
    }

    /**
     * One refresh: the first snapshot if there is none, the changed customers batch after batch until a batch
     * takes all there is left, then the segments to compute whole ({@link #computeSegments}).
     */
    public Uni<Report> refresh() {
        return ensureSnapshot()
                .chain(built -> built.skipped() ? Uni.createFrom().item(built) : drainChanges()
                        .chain(drained -> drained.skipped() ? Uni.createFrom().item(built.plus(drained))
                                : computeSegments().map(segments -> built.plus(drained).plus(segments))));
    }

    /**
     * The segments created or changed since computed (and those failed a while ago), each computed whole; nothing
     * while there is no snapshot yet ({@link #refresh} builds it, then computes every segment).
     */
    public Uni<Report> refreshSegments() {
        return pool.query(SNAPSHOT_EXISTS).execute()
                .chain(rows -> rows.iterator().next().getLong("n") > 0
                        ? computeSegments()
                        : Uni.createFrom().item(Report.NOTHING));
    }

    /** Builds the first snapshot when there is none (then every segment is computed whole). */
    private Uni<Report> ensureSnapshot() {
        return pool.query(SNAPSHOT_EXISTS).execute()
                .chain(rows -> rows.iterator().next().getLong("n") > 0
                        ? Uni.createFrom().item(Report.NOTHING)
                        : rebuildSnapshot());
    }

    /**
     * Every customer's metrics from the raw events, in one transaction; readers see the previous snapshot until
     * it commits. The change records are deleted by the statement that fills it. Segment states are cleared
     * with it, so every segment is computed whole against the new snapshot.
     */
    Uni<Report> rebuildSnapshot() {
        return inTransaction((connection, now) -> connection.query(FILL_WORK_MEM).execute()
                .chain(() -> connection.query(CLEAR_SNAPSHOT).execute())
                .chain(() -> connection.query(FILL_SNAPSHOT).execute())
                .chain(() -> connection.query(CLEAR_LABEL_STATS).execute())
                .chain(() -> connection.query(FILL_LABEL_STATS).execute())
                .chain(() -> connection.query(CLEAR_LABEL_ACTIVE_DAYS).execute())
                .chain(() -> connection.query(FILL_LABEL_ACTIVE_DAYS).execute())
                .chain(() -> connection.query(CLEAR_RFM_COUNTS).execute())
                .chain(() -> connection.query(FILL_RFM_COUNTS).execute())
                .chain(() -> connection.query(CLEAR_SEGMENT_STATES).execute())
                .chain(() -> connection.query(MARK_SNAPSHOT).execute())
                .map(rows -> rows.iterator().next().getLong("duration_ms"))
                .map(millis -> new Report(true, millis, 0, 0, 0, 0, false)));
    }

    private Uni<List<Segment>> segments(SqlConnection connection, String sql, Tuple params) {
        return connection.preparedQuery(sql).execute(params)
                .map(rows -> {
                    List<Segment> list = new ArrayList<>();
                    rows.forEach(row -> list.add(Segment.from(row)));
                    return list;
                });
    }

    /**
     * Computes each segment to compute whole, one transaction each; a failing one is recorded and skipped. Before
     * each segment, the changed customers are drained when the snapshot's last drain is a refresh interval old:
     * many changed segments (each computed whole, under the lock) never hold the snapshot's freshness back.
     */
    private Uni<Report> computeSegments() {
        return pool.withConnection(connection -> segments(connection, SEGMENTS_TO_COMPUTE,
                        Tuple.of(retryFailedAfterSeconds)))
                .chain(list -> Multi.createFrom().iterable(list)
                        .onItem().transformToUniAndConcatenate(segment -> drainIfDue()
                                .chain(drained -> computeSegment(segment).map(drained::plus)))
                        .collect().with(Collectors.reducing(Report.NOTHING, Report::plus)));
    }

    /** {@link #drainChanges} when the snapshot's last drain started a refresh interval ago or more. */
    private Uni<Report> drainIfDue() {
        return pool.preparedQuery(DRAIN_DUE).execute(Tuple.of(refreshIntervalSeconds))
                .chain(rows -> rows.iterator().next().getBoolean("due")
                        ? drainChanges()
                        : Uni.createFrom().item(Report.NOTHING));
    }

    /** Replaces one segment's members with those of its current definition, evaluated now. */
    Uni<Report> computeSegment(Segment segment) {
        return inTransaction((connection, now) -> replaceMembers(connection, segment, now)
                .call(() -> connection.preparedQuery(CLEAR_FAILURE).execute(Tuple.of(segment.id())))
                .replaceWith(new Report(false, 0, 0, 0, 1, 0, false)))
                .onFailure().recoverWithUni(failure -> {
                    LOG.errorf("segment %s: membership refresh failed, its previous membership stays: %s",
                            segment.id(), failure.getMessage());
                    return recordFailure(pool, segment, failure)
                            .replaceWith(new Report(false, 0, 0, 0, 0, 1, false));
                });
    }

    /** The segment's members computed whole against the snapshot, at {@code now} (the transaction's now()). */
    private static Uni<Void> replaceMembers(SqlConnection connection, Segment segment, OffsetDateTime now) {
        Compiled compiled = Compiled.of(segment, 3);
        List<Object> params = new ArrayList<>(List.of(segment.id(), segment.name()));
        params.addAll(compiled.ruleValues());
        return connection.preparedQuery(CLEAR_MEMBERS).execute(Tuple.of(segment.id()))
                .chain(() -> connection.preparedQuery(ADD_MEMBERS.formatted(compiled.match()))
                        .execute(Tuple.from(params)))
                .chain(rows -> connection.preparedQuery(MARK_SEGMENT)
                        .execute(Tuple.of(segment.id(), segment.updatedAt(), (long) rows.rowCount(), now)))
                .chain(() -> connection.preparedQuery(CLEAR_SEGMENT_STATS).execute(Tuple.of(segment.id())))
                .chain(() -> connection.preparedQuery(FILL_SEGMENT_STATS).execute(Tuple.of(segment.id())))
                .chain(() -> connection.preparedQuery(CLEAR_SEGMENT_ACTIVE_DAYS).execute(Tuple.of(segment.id())))
                .chain(() -> connection.preparedQuery(FILL_SEGMENT_ACTIVE_DAYS).execute(Tuple.of(segment.id())))
                .chain(() -> connection.preparedQuery(CLEAR_SEGMENT_COUNTS).execute(Tuple.of(segment.id())))
                .chain(() -> connection.preparedQuery(FILL_SEGMENT_COUNTS).execute(Tuple.of(segment.id())))
                .replaceWithVoid();
    }

    /** Batches until one takes fewer change records than it could, that is all there were. */
    private Uni<Report> drainChanges() {
        return Uni.createFrom().deferred(this::batch)
                .repeat().whilst(batch -> !batch.last() && !batch.report().skipped())
                .collect().with(Collectors.reducing(Report.NOTHING,
                        Batch::report, Report::plus));
    }

    /**
     * One transaction: takes the change records of up to {@link #BATCH} customers, recomputes their metrics and
     * re-evaluates every kept segment for them and for the customers the clock moved; the last batch of a drain
     * also marks the snapshot and the segments fresh. A segment whose statement fails is rolled back to its
     * savepoint, recorded as failed and left out; it is computed whole {@code retry-failed-after} later.
     */
    private Uni<Batch> batch() {
        return inTransactionAt((connection, now) -> connection.preparedQuery(PICK_CHANGES).execute(Tuple.of(BATCH))
                .map(rows -> rows.iterator().next())
                .chain(taken -> {
                    String[] customers = taken.getArrayOfStrings("customers");
                    boolean last = taken.getLong("records") < BATCH;
                    Uni<Void> recomputed = customers.length == 0 ? Uni.createFrom().voidItem()
                            : connection.preparedQuery(RECOMPUTE_CUSTOMERS).execute(Tuple.of(customers))
                                    .replaceWithVoid();
                    return recomputed
                            .chain(() -> segments(connection, SEGMENTS_TO_KEEP, Tuple.tuple()))
                            .chain(kept -> reevaluateAll(connection, kept, customers, now, last)
                                    .chain(result -> (last
                                            ? connection.preparedQuery(MARK_FRESH)
                                                    .execute(Tuple.of((Object) result.fresh().toArray(String[]::new)))
                                                    .replaceWithVoid()
                                            : Uni.createFrom().voidItem())
                                            .replaceWith(new Batch(new Report(false, 0, customers.length,
                                                    result.clockCustomers(), result.computed(), result.failed(),
                                                    false), last))));
                }))
                .map(batch -> batch == null ? new Batch(Report.SKIPPED, true) : batch);
    }

    /** What re-evaluating the kept segments in one batch did. */
    private record Reevaluated(List<String> fresh, long clockCustomers, long computed, long failed) {
    }

    private Uni<Reevaluated> reevaluateAll(SqlConnection connection, List<Segment> kept, String[] customers,
                                          OffsetDateTime now, boolean last) {
        List<String> fresh = new ArrayList<>();
        long[] totals = new long[3];
        return Multi.createFrom().iterable(kept)
                .onItem().transformToUniAndConcatenate(segment -> inSavepoint(connection,
                        () -> reevaluate(connection, Compiled.of(segment, 4), customers, now, last))
                        .invoke(outcome -> {
                            fresh.add(segment.id());
                            totals[0] += outcome[0];
                            totals[1] += outcome[1];
                        })
                        .onFailure().recoverWithUni(failure -> {
                            LOG.errorf("segment %s: membership refresh failed, it is left out until computed whole"
                                    + " again: %s", segment.id(), failure.getMessage());
                            totals[2]++;
                            return recordFailure(connection, segment, failure).replaceWith(new long[0]);
                        }))
                .collect().last()
                .map(ignored -> new Reevaluated(fresh, totals[0], totals[1], totals[2]));
    }

    /**
     * One segment in one batch: the customers of the batch and those the clock moved since the segment's last
     * evaluation; a rule that compares a days_since metric with another metric is computed whole in the last
     * batch instead. Answers {customers re-evaluated for the clock, 1 if computed whole}.
     */
    private Uni<long[]> reevaluate(SqlConnection connection, Compiled compiled, String[] customers,
                                   OffsetDateTime now, boolean last) {
        Segment segment = compiled.segment();
        if (compiled.clock().everyCustomer() && last) {
            return replaceMembers(connection, segment, now).replaceWith(new long[]{0, 1});
        }
        boolean clockMoves = !compiled.clock().none() && !compiled.clock().everyCustomer();
        ClockThresholds.Windows windows = clockMoves
                ? compiled.clock().windows(segment.evaluatedAt(), now)
                : new ClockThresholds.Windows();
        OffsetDateTime evaluated = clockMoves || compiled.clock().none() ? now : segment.evaluatedAt();
        return clockCandidates(connection, windows)
                .chain(moved -> {
                    Set<String> candidates = new LinkedHashSet<>(Arrays.asList(customers));
                    candidates.addAll(Arrays.asList(moved));
                    long byClock = candidates.size() - customers.length;
                    if (candidates.isEmpty()) {
                        // Nobody to look at: the clock was still read up to now (windows stay narrow).
                        return evaluated.equals(segment.evaluatedAt()) ? Uni.createFrom().item(new long[]{0, 0})
                                : connection.preparedQuery(ADVANCE_SEGMENT).execute(Tuple.of(segment.id(), 0L, evaluated))
                                        .replaceWith(new long[]{0, 0});
                    }
                    List<Object> params = new ArrayList<>();
                    params.add(segment.id());
                    params.add(segment.name());
                    params.add(candidates.toArray(String[]::new));
                    params.addAll(compiled.ruleValues());
                    return connection.preparedQuery(REEVALUATE.formatted(compiled.match())).execute(Tuple.from(params))
                            .map(rows -> rows.iterator().next())
                            .chain(row -> connection.preparedQuery(ADVANCE_SEGMENT).execute(Tuple.of(segment.id(),
                                    row.getLong("added") - row.getLong("removed"), evaluated)))
                            .replaceWith(new long[]{byClock, 0});
                });
    }

    /** The customers in the windows (none without a window: no statement then). */
    private static Uni<String[]> clockCandidates(SqlConnection connection, ClockThresholds.Windows windows) {
        if (windows.isEmpty()) {
            return Uni.createFrom().item(new String[0]);
        }
        PipeSql sql = new PipeSql(CLOCK_CANDIDATES);
        windows.lastEvent.forEach(w -> window(sql, "last_event_at", w));
        windows.lastPurchase.forEach(w -> window(sql, "last_purchase_at", w));
        windows.signup.forEach(w -> window(sql, "signup_date", w));
        PipeQuery query = sql.build();
        return connection.preparedQuery(query.sql()).execute(query.params())
                .map(rows -> rows.iterator().next().getArrayOfStrings("customers"));
    }

    private static void window(PipeSql sql, String column, ClockThresholds.Range<?> range) {
        String fragment = WINDOW.formatted(column);
        int second = fragment.lastIndexOf('?');
        sql.bind(fragment.substring(0, second), range.after()).bind(fragment.substring(second), range.upTo());
    }

    /**
     * Keeps why the segment's refresh failed (the database's message, at most {@link #FAILURE_CHARS} characters).
     * If even that write fails, the failure is logged and the refresh of the other segments goes on.
     */
    private static Uni<Void> recordFailure(io.vertx.mutiny.sqlclient.SqlClient client, Segment segment,
                                           Throwable failure) {
        String message = failure instanceof io.vertx.pgclient.PgException pg ? pg.getErrorMessage()
                : "the refresh did not complete; segmentation-service logged why";
        if (message == null || message.isBlank()) {
            message = "the database refused the membership statement";
        }
        String kept = message.length() > FAILURE_CHARS ? message.substring(0, FAILURE_CHARS) + "..." : message;
        return client.preparedQuery(RECORD_FAILURE)
                .execute(Tuple.of(segment.id(), kept))
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("segment %s: could not record why its refresh failed: %s", segment.id(), e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    private static Rule parse(Segment segment) {
        if (segment.rules() == null || segment.rules().isBlank()) {
            return null;
        }
        try {
            return RuleParser.parse(segment.rules());
        } catch (RuleException e) {
            // Only rows stored before rules were validated can get here: match them by label only.
            LOG.warnf("segment %s: rules do not parse (%s); matching by label only", segment.id(), e.getMessage());
            return null;
        }
    }

    /** {@code work} in one transaction under the lock; {@link Report#SKIPPED} when another replica holds it. */
    private Uni<Report> inTransaction(BiFunction<SqlConnection, OffsetDateTime, Uni<Report>> work) {
        return inTransactionAt(work).map(report -> report == null ? Report.SKIPPED : report);
    }

    /**
     * Begins a transaction on one connection, takes the lock and runs {@code work} with the transaction's
     * {@code now()}; commits when it succeeds, rolls back when it fails. Null when the lock is taken elsewhere.
     */
    private <T> Uni<T> inTransactionAt(BiFunction<SqlConnection, OffsetDateTime, Uni<T>> work) {
        return pool.withConnection(connection -> connection.query("BEGIN").execute()
                .chain(() -> connection.query(TRY_LOCK).execute())
                .map(rows -> rows.iterator().next())
                .chain(lock -> lock.getBoolean("locked")
                        ? work.apply(connection, lock.getOffsetDateTime("now"))
                        : Uni.createFrom().<T>nullItem())
                .call(() -> connection.query("COMMIT").execute())
                .onFailure().call(() -> connection.query("ROLLBACK").execute()
                        .onFailure().recoverWithNull()));
    }

    /** {@code work} inside a savepoint: on failure, the transaction goes back to where it was, and fails on. */
    private static <T> Uni<T> inSavepoint(SqlConnection connection, Supplier<Uni<T>> work) {
        return connection.query("SAVEPOINT segment").execute()
                .chain(work::get)
                .call(() -> connection.query("RELEASE SAVEPOINT segment").execute())
                .onFailure().call(() -> connection.query("ROLLBACK TO SAVEPOINT segment").execute());
    }
}
