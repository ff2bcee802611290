package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.TestEvents;
import io.vertx.mutiny.sqlclient.Pool;

import java.util.List;
import java.util.Map;

/**
 * Segment membership as segmentation-service leaves it, written without segmentation-service: query-service only
 * reads membership, so its tests state the membership they read, and segmentation-service's own tests check that
 * its refresher computes the same (both from {@link io.customeranalytics.testsupport.SegmentScenario}).
 *
 * <p>The metrics snapshot rows are computed here from the raw events and profiles by the definition of docs/api.md,
 * "Segment membership", not by segmentation-service's SQL.
 */
final class SegmentMembershipFixture {

    private static final String CLEAR_SNAPSHOT_OF = "DELETE FROM customer_metrics_snapshot WHERE customer_id = ANY($1)";

    private static final String SNAPSHOT_OF = """
            INSERT INTO customer_metrics_snapshot
                (customer_id, total_spent, purchase_count, event_count, session_count, page_view_count,
                 avg_order_value, lifetime_value, age, country, city, gender, customer_segment, signup_date,
                 last_event_at, last_purchase_at)
            SELECT c.id, coalesce(e.total_spent, 0), coalesce(e.purchases, 0), coalesce(e.events, 0),
                   coalesce(e.sessions, 0), coalesce(e.page_views, 0),
                   CASE WHEN e.purchases > 0 THEN e.total_spent / e.purchases ELSE 0 END,
                   p.lifetime_value, p.age, p.country, p.city, p.gender, p.customer_segment, p.signup_date,
                   e.last_event_at, e.last_purchase_at
            FROM unnest($1::text[]) AS c(id)
            LEFT JOIN (SELECT customer_id,
                              sum(CASE WHEN event_type = 'purchase' THEN coalesce(price, 0) * coalesce(quantity, 1)
                                       ELSE 0 END) AS total_spent,
                              count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
                              count(*) AS events,
                              count(DISTINCT session_id) AS sessions,
                              count(*) FILTER (WHERE event_type = 'page_view') AS page_views,
                              max(event_timestamp) AS last_event_at,
                              max(event_timestamp) FILTER (WHERE event_type = 'purchase') AS last_purchase_at
                       FROM customer_events WHERE customer_id = ANY($1) GROUP BY customer_id) e
                   ON e.customer_id = c.id
            LEFT JOIN customer_profiles p ON p.customer_id = c.id""";

    private static final String SNAPSHOT_FRESH = """
            INSERT INTO customer_metrics_snapshot_state (id, refreshed_at, duration_ms) VALUES (true, now(), 0)
            ON CONFLICT (id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at""";

    private static final String CLEAR_MEMBERS = "DELETE FROM segment_membership WHERE segment_id = $1";

    /** Each member row with the snapshot's values it carries (V15). */
    private static final String ADD_MEMBERS = """
            INSERT INTO segment_membership (segment_id, customer_id, matched_by, lifetime_value, age, country,
                                            last_event_at, total_spent, purchase_count, event_count, session_count)
            SELECT $1, a.customer_id, a.matched_by, s.lifetime_value, s.age, s.country, s.last_event_at,
                   s.total_spent, s.purchase_count, s.event_count, s.session_count
            FROM unnest($2::text[], $3::text[]) AS a(customer_id, matched_by)
            LEFT JOIN customer_metrics_snapshot s ON s.customer_id = a.customer_id""";

    /** The sums segment_metrics reads, added up here over the rows of {@code from} (V15). */
    private static final String SUMS = """
            count(*), coalesce(sum(lifetime_value::numeric), 0), count(lifetime_value), coalesce(sum(age), 0),
                   count(age), coalesce(sum(event_count), 0), coalesce(sum(purchase_count), 0),
                   coalesce(sum(total_spent::numeric), 0), coalesce(sum(session_count), 0)""";

    private static final String CLEAR_SEGMENT_STATS = "DELETE FROM segment_stats WHERE segment_id = $1";

    private static final String SEGMENT_STATS = """
            INSERT INTO segment_stats
            SELECT $1, coalesce(country, ''), %s FROM segment_membership WHERE segment_id = $1
            GROUP BY coalesce(country, '')""".formatted(SUMS);

    private static final String CLEAR_ACTIVE_DAYS = "DELETE FROM segment_active_days WHERE segment_id = $1";

    private static final String ACTIVE_DAYS = """
            INSERT INTO segment_active_days
            SELECT $1, coalesce(country, ''), date_trunc('day', last_event_at, 'UTC'), count(*)
            FROM segment_membership WHERE segment_id = $1 AND last_event_at IS NOT NULL
            GROUP BY coalesce(country, ''), date_trunc('day', last_event_at, 'UTC')""";

    private static final String CLEAR_MEMBER_COUNTS = "DELETE FROM segment_member_counts WHERE segment_id = $1";

    /** The members per country, age and lifetime-value band (V21), counted here over the member rows. */
    private static final String MEMBER_COUNTS = """
            INSERT INTO segment_member_counts
            SELECT $1, coalesce(country, ''), coalesce(age, -1), segment_ltv_band(lifetime_value), count(*)
            FROM segment_membership WHERE segment_id = $1
            GROUP BY coalesce(country, ''), coalesce(age, -1), segment_ltv_band(lifetime_value)""";

    private static final String CLEAR_LABEL_STATS = "DELETE FROM label_stats WHERE label = ANY($1)";

    private static final String LABEL_STATS = """
            INSERT INTO label_stats
            SELECT customer_segment, coalesce(country, ''), %s FROM customer_metrics_snapshot
            WHERE customer_segment = ANY($1)
            GROUP BY customer_segment, coalesce(country, '')""".formatted(SUMS);

    private static final String CLEAR_LABEL_ACTIVE_DAYS = "DELETE FROM label_active_days WHERE label = ANY($1)";

    /** The carriers per label, country and day of the last event (V22), counted here over the snapshot. */
    private static final String LABEL_ACTIVE_DAYS = """
            INSERT INTO label_active_days
            SELECT customer_segment, coalesce(country, ''), date_trunc('day', last_event_at, 'UTC'), count(*)
            FROM customer_metrics_snapshot
            WHERE customer_segment = ANY($1) AND last_event_at IS NOT NULL
            GROUP BY customer_segment, coalesce(country, ''), date_trunc('day', last_event_at, 'UTC')""";

    private static final String LABELS_OF = """
            SELECT coalesce(array_agg(DISTINCT customer_segment), '{}') FROM customer_metrics_snapshot
            WHERE customer_id = ANY($1) AND customer_segment IS NOT NULL""";

    /**
     * Every segment's membership, as it stands, is stamped fresh and up to date with its definition: this module
     * runs no refresher, and segment_metrics answers only when no segment is overdue.
     */
    private static final String ALL_FRESH = """
            INSERT INTO segment_membership_state (segment_id, refreshed_at, segment_updated_at, member_count)
            SELECT s.segment_id, now(), s.updated_at,
                   (SELECT count(*) FROM segment_membership m WHERE m.segment_id = s.segment_id)
            FROM customer_segments s
            ON CONFLICT (segment_id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at,
                segment_updated_at = EXCLUDED.segment_updated_at, member_count = EXCLUDED.member_count""";

    private final Pool pool;

    SegmentMembershipFixture(Pool pool) {
        this.pool = pool;
    }

    /**
     * These customers' snapshot rows, computed from their events and profiles, and the label sums and active
     * days of their labels (each scenario's labels are its own).
     */
    SegmentMembershipFixture snapshot(List<String> customers) {
        String[] ids = customers.toArray(String[]::new);
        TestEvents.rows(pool, CLEAR_SNAPSHOT_OF, (Object) ids);
        TestEvents.rows(pool, SNAPSHOT_OF, (Object) ids);
        Object labels = TestEvents.rows(pool, LABELS_OF, (Object) ids).get(0).getArrayOfStrings(0);
        TestEvents.rows(pool, CLEAR_LABEL_STATS, labels);
        TestEvents.rows(pool, LABEL_STATS, labels);
        TestEvents.rows(pool, CLEAR_LABEL_ACTIVE_DAYS, labels);
        TestEvents.rows(pool, LABEL_ACTIVE_DAYS, labels);
        return this;
    }

    /** The segment's members (customer id to {@code label}, {@code rules} or {@code both}), replacing any before. */
    SegmentMembershipFixture members(String segmentId, Map<String, String> matchedBy) {
        TestEvents.rows(pool, CLEAR_MEMBERS, segmentId);
        TestEvents.rows(pool, ADD_MEMBERS, segmentId, matchedBy.keySet().toArray(String[]::new),
                matchedBy.values().toArray(String[]::new));
        TestEvents.rows(pool, CLEAR_SEGMENT_STATS, segmentId);
        TestEvents.rows(pool, SEGMENT_STATS, segmentId);
        TestEvents.rows(pool, CLEAR_ACTIVE_DAYS, segmentId);
        TestEvents.rows(pool, ACTIVE_DAYS, segmentId);
        TestEvents.rows(pool, CLEAR_MEMBER_COUNTS, segmentId);
        TestEvents.rows(pool, MEMBER_COUNTS, segmentId);
        return this;
    }

    /** The snapshot and every segment's membership stamped as refreshed now. */
    SegmentMembershipFixture fresh() {
        TestEvents.rows(pool, SNAPSHOT_FRESH);
        TestEvents.rows(pool, ALL_FRESH);
        return this;
    }
}
