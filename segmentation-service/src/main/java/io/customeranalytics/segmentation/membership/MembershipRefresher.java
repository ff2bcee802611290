package io.customeranalytics.segmentation.membership;

import io.customeranalytics.common.rules.Rule;
import io.customeranalytics.common.rules.RuleException;
import io.customeranalytics.common.rules.RuleParser;
import io.customeranalytics.segmentation.rules.RuleCompiler;
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
import java.util.List;

/**
 * Computes segment membership (API.md section 3): rebuilds {@code customer_metrics_snapshot} from the
 * {@code customer_metrics} view, then, per segment, replaces its rows in {@code segment_membership} with the
 * customers whose profile label is the segment's name, or whose metrics satisfy its rules, or both.
 *
 * <p>Every step is one transaction: readers see the previous snapshot or membership until it commits, and a
 * segment being refreshed blocks no read of another. Transaction-level advisory locks, taken with
 * {@code pg_try_advisory_xact_lock}, make a second replica skip the work another one is doing instead of
 * repeating or interleaving it.
 */
@Unremovable
@ApplicationScoped
public class MembershipRefresher {

    private static final Logger LOG = Logger.getLogger(MembershipRefresher.class);

    private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked";

    private static final String CLEAR_SNAPSHOT = "DELETE FROM customer_metrics_snapshot";

    private static final String FILL_SNAPSHOT = """
            INSERT INTO customer_metrics_snapshot
                (customer_id, total_spent, purchase_count, event_count, session_count, page_view_count,
                 avg_order_value, days_since_last_event, days_since_last_purchase, lifetime_value, age, country,
                 city, gender, customer_segment, days_since_signup, last_event_at, last_purchase_at)
            SELECT customer_id, total_spent, purchase_count, event_count, session_count, page_view_count,
                   avg_order_value, days_since_last_event, days_since_last_purchase, lifetime_value, age, country,
                   city, gender, customer_segment, days_since_signup, last_event_at, last_purchase_at
            FROM customer_metrics""";

    private static final String MARK_SNAPSHOT = """
            INSERT INTO customer_metrics_snapshot_state (id, refreshed_at, duration_ms)
            VALUES (true, now(), (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint)
            ON CONFLICT (id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at, duration_ms = EXCLUDED.duration_ms
            RETURNING duration_ms""";

    private static final String ALL_SEGMENTS = """
            SELECT s.segment_id, s.segment_name, s.segment_rules, s.updated_at
            FROM customer_segments s""";

    private static final String CHANGED_SEGMENTS = """
            SELECT s.segment_id, s.segment_name, s.segment_rules, s.updated_at
            FROM customer_segments s
            LEFT JOIN segment_membership_state st ON st.segment_id = s.segment_id
            WHERE st.segment_id IS NULL OR st.segment_updated_at < s.updated_at""";

    private static final String SNAPSHOT_EXISTS = "SELECT count(*) AS n FROM customer_metrics_snapshot_state";

    private static final String CLEAR_MEMBERS = "DELETE FROM segment_membership WHERE segment_id = $1";

    /**
     * $1 segment_id, $2 segment_name, then the rule's parameters; %s is the compiled rule (or false). Labels are
     * read from the profiles as they are now; rules from the metrics snapshot (a customer not in it yet matches
     * no rule until the next snapshot).
     */
    private static final String ADD_MEMBERS = """
            INSERT INTO segment_membership (segment_id, customer_id, matched_by)
            SELECT $1::text, customer_id,
                   CASE WHEN by_label AND by_rules THEN 'both' WHEN by_label THEN 'label' ELSE 'rules' END
            FROM (SELECT coalesce(m.customer_id, p.customer_id) AS customer_id,
                         coalesce(p.customer_segment = $2::text, false) AS by_label,
                         (m.customer_id IS NOT NULL AND %s) AS by_rules
                  FROM customer_metrics_snapshot m
                  FULL JOIN customer_profiles p ON p.customer_id = m.customer_id) AS candidates
            WHERE by_label OR by_rules""";

    /** A segment's refresh failed: why and when, for its endpoints' 503 (V12). */
    private static final String RECORD_FAILURE = """
            INSERT INTO segment_refresh_errors (segment_id, failed_at, error) VALUES ($1, now(), $2)
            ON CONFLICT (segment_id) DO UPDATE SET failed_at = EXCLUDED.failed_at, error = EXCLUDED.error""";

    private static final String CLEAR_FAILURE = "DELETE FROM segment_refresh_errors WHERE segment_id = $1";

    /** Longest failure text kept: the database's message, not a stack. */
    private static final int FAILURE_CHARS = 300;

    private static final String MARK_SEGMENT = """
            INSERT INTO segment_membership_state (segment_id, refreshed_at, segment_updated_at, member_count)
            SELECT $1::text, refreshed_at, $2::timestamptz, $3::bigint FROM customer_metrics_snapshot_state
            ON CONFLICT (segment_id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at,
                segment_updated_at = EXCLUDED.segment_updated_at, member_count = EXCLUDED.member_count""";

    /** One segment as stored. */
    public record Segment(String id, String name, String rules, OffsetDateTime updatedAt) {
        static Segment from(Row row) {
            return new Segment(row.getString("segment_id"), row.getString("segment_name"),
                    row.getString("segment_rules"), row.getOffsetDateTime("updated_at"));
        }
    }

    /**
     * What a refresh did: whether this replica rebuilt the snapshot, the segments it refreshed, and the segments
     * whose refresh failed (each logged; the others were refreshed all the same). {@code skipped}: another
     * replica was rebuilding the snapshot, so this one did nothing (that replica refreshes the segments next,
     * against its new snapshot).
     */
    public record Report(boolean snapshotRebuilt, long snapshotMillis, long segments, long members,
                         long failedSegments, boolean skipped) {

        static final Report SKIPPED = new Report(false, 0, 0, 0, 0, true);
    }

    /** What {@link #rebuildSnapshot} and {@link #refreshSegment} answer when another replica holds the lock. */
    private static final long LOCKED_ELSEWHERE = -1L;

    /** What {@link #refreshSegments} counts for a segment whose refresh failed. */
    private static final long FAILED = -2L;

    private final Pool pool;

    public MembershipRefresher(Pool pool) {
        this.pool = pool;
    }

    /**
     * The full refresh: a new snapshot of every customer's metrics, then every segment's members. Skipped when
     * another replica holds the snapshot's lock: the segments would be computed against the snapshot that
     * replica is about to replace, and then again by that replica.
     */
    public Uni<Report> refreshAll() {
        return rebuildSnapshot()
                .chain(millis -> millis == LOCKED_ELSEWHERE
                        ? Uni.createFrom().item(Report.SKIPPED)
                        : segments(ALL_SEGMENTS)
                                .chain(this::refreshSegments)
                                .map(counts -> new Report(true, millis, counts[0], counts[1], counts[2], false)));
    }

    /**
     * Segments created or changed since their membership was computed, against the current snapshot. With no
     * snapshot yet, this replica builds it first; if another replica is building it, nothing is done here (a
     * segment computed against no snapshot would match by label only).
     */
    public Uni<Report> refreshChanged() {
        return pool.query(SNAPSHOT_EXISTS).execute()
                .chain(rows -> rows.iterator().next().getLong("n") > 0
                        ? Uni.createFrom().item(NO_REBUILD)
                        : rebuildSnapshot())
                .chain(millis -> millis == LOCKED_ELSEWHERE
                        ? Uni.createFrom().item(Report.SKIPPED)
                        : segments(CHANGED_SEGMENTS)
                                .chain(this::refreshSegments)
                                .map(counts -> new Report(millis >= 0, Math.max(millis, 0), counts[0], counts[1],
                                        counts[2], false)));
    }

    /** What {@link #refreshChanged} passes on when a snapshot exists and none was built. */
    private static final long NO_REBUILD = -3L;

    /** Rebuilds the snapshot; the duration in milliseconds, or -1 when another replica holds the lock. */
    Uni<Long> rebuildSnapshot() {
        return pool.withTransaction(connection -> tryLock(connection, "analytics.customer_metrics_snapshot")
                .chain(locked -> {
                    if (!locked) {
                        return Uni.createFrom().item(LOCKED_ELSEWHERE);
                    }
                    return connection.query(CLEAR_SNAPSHOT).execute()
                            .chain(() -> connection.query(FILL_SNAPSHOT).execute())
                            .chain(() -> connection.query(MARK_SNAPSHOT).execute())
                            .map(rows -> rows.iterator().next().getLong("duration_ms"));
                }));
    }

    private Uni<List<Segment>> segments(String sql) {
        return pool.query(sql).execute()
                .map(rows -> {
                    List<Segment> list = new ArrayList<>();
                    rows.forEach(row -> list.add(Segment.from(row)));
                    return list;
                });
    }

    /**
     * Refreshes the segments one after the other; {count refreshed, members, count failed}. One segment that
     * fails (its statement fails in the database) is logged and left with its previous membership, which ages
     * until its own endpoints answer 503; every other segment is still refreshed.
     */
    private Uni<long[]> refreshSegments(List<Segment> segments) {
        return Multi.createFrom().iterable(segments)
                .onItem().transformToUniAndConcatenate(segment -> refreshSegment(segment)
                        .onFailure().recoverWithUni(failure -> {
                            LOG.errorf("segment %s: membership refresh failed, its previous membership stays: %s",
                                    segment.id(), failure.getMessage());
                            return recordFailure(segment, failure).replaceWith(FAILED);
                        }))
                .collect().in(() -> new long[3], (totals, members) -> {
                    if (members == FAILED) {
                        totals[2]++;
                    } else if (members >= 0) {
                        totals[0]++;
                        totals[1] += members;
                    }
                });
    }

    /** Replaces one segment's members; their number, or -1 when another replica is refreshing it. */
    public Uni<Long> refreshSegment(Segment segment) {
        List<Object> params = new ArrayList<>(List.of(segment.id(), segment.name()));
        String byRules = "false";
        Rule rule = parse(segment);
        if (rule != null) {
            RuleCompiler.CompiledRule compiled = RuleCompiler.compile(rule, "m.", 3);
            byRules = compiled.sql();
            params.addAll(compiled.values());
        }
        String addMembers = ADD_MEMBERS.formatted(byRules);
        return pool.withTransaction(connection -> tryLock(connection, "analytics.segment:" + segment.id())
                .chain(locked -> {
                    if (!locked) {
                        return Uni.createFrom().item(LOCKED_ELSEWHERE);
                    }
                    return connection.preparedQuery(CLEAR_MEMBERS).execute(Tuple.of(segment.id()))
                            .chain(() -> connection.preparedQuery(addMembers).execute(Tuple.from(params)))
                            .map(rows -> (long) rows.rowCount())
                            .call(members -> connection.preparedQuery(MARK_SEGMENT)
                                    .execute(Tuple.of(segment.id(), segment.updatedAt(), members)))
                            .call(() -> connection.preparedQuery(CLEAR_FAILURE).execute(Tuple.of(segment.id())));
                }));
    }

    /**
     * Keeps why the segment's refresh failed (the database's message, at most {@link #FAILURE_CHARS} characters).
     * If even that write fails, the failure is logged and the refresh of the other segments goes on.
     */
    private Uni<Void> recordFailure(Segment segment, Throwable failure) {
        String message = failure instanceof io.vertx.pgclient.PgException pg ? pg.getErrorMessage()
                : "the refresh did not complete; segmentation-service logged why";
        if (message == null || message.isBlank()) {
            message = "the database refused the membership statement";
        }
        String kept = message.length() > FAILURE_CHARS ? message.substring(0, FAILURE_CHARS) + "..." : message;
        return pool.preparedQuery(RECORD_FAILURE)
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

    private static Uni<Boolean> tryLock(SqlConnection connection, String key) {
        return connection.preparedQuery(TRY_LOCK)
                .execute(Tuple.of(key))
                .map(rows -> rows.iterator().next().getBoolean("locked"));
    }
}
