package io.customeranalytics.testsupport;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.customeranalytics.testsupport.TestEvents.unique;

/**
 * One segment and five customers, unique to each use, for the tests of both sides of segment membership:
 * segmentation-service's, which compute it, and query-service's, which read it. B is a large random base, so
 * that the rules match these customers and nobody else's in a database that holds other data.
 * <pre>
 *   big    profile label = the segment's name, spent B + 1500 (3 purchases), 12 sessions, US, 40, ltv 2000 -> both
 *   rich   no label, spent B + 1200 (2 purchases), 11 sessions, GB, 30, ltv 900                             -> rules
 *   tagged label, spent 0, 1 session, US, 22, ltv null                                                     -> label
 *   small  other label, spent B + 100, 15 sessions, US, 50, ltv 100                                        -> none
 *   ghost  no profile, spent B + 5000, 15 sessions                                                         -> rules
 * </pre>
 * Segment rules: {@code total_spent > B + 1000 AND total_spent < B + 10000 AND session_count > 10}.
 */
public final class SegmentScenario {

    public final String run = unique("seg");
    public final String segmentName = "High Value " + run;
    /** The label that only {@link #small} carries and no segment defines. */
    public final String otherLabel = "Other " + run;
    public final String segmentId = run;
    public final String big = run + "-big";
    public final String rich = run + "-rich";
    public final String tagged = run + "-tagged";
    public final String small = run + "-small";
    public final String ghost = run + "-ghost";
    public final long base = 1_000_000_000L + new Random().nextInt(1_000_000_000) * 16L;

    private final Pool pool;

    private SegmentScenario(Pool pool) {
        this.pool = pool;
    }

    /** Stores the profiles, the events (aggregates settled) and the segment. */
    public static SegmentScenario insert(Pool pool) {
        SegmentScenario s = new SegmentScenario(pool);
        s.profile(s.big, s.segmentName, "US", 40, 2000.0);
        s.profile(s.rich, null, "GB", 30, 900.0);
        s.profile(s.tagged, s.segmentName, "US", 22, null);
        s.profile(s.small, s.otherLabel, "US", 50, 100.0);
        OffsetDateTime recent = OffsetDateTime.now(ZoneOffset.UTC).minusDays(3).withNano(0);
        List<TestEvents.Event> events = new ArrayList<>();
        activity(events, s.big, 3, s.base + 1500, 12, recent);
        activity(events, s.rich, 2, s.base + 1200, 11, recent.minusDays(60));
        activity(events, s.tagged, 0, 0, 1, recent.minusDays(45));
        activity(events, s.small, 1, s.base + 100, 15, recent);
        activity(events, s.ghost, 1, s.base + 5000, 15, recent);
        TestEvents.insert(pool, events);
        s.sql("INSERT INTO customer_segments (segment_id, segment_name, segment_rules, segment_type)"
                + " VALUES ($1, $2, $3, $4)", s.segmentId, s.segmentName, s.rules(1000), "value-based");
        return s;
    }

    /** The segment's rules with the lower bound {@code B + above}. */
    public String rules(long above) {
        return "total_spent > " + (base + above) + " AND total_spent < " + (base + 10_000) + " AND session_count > 10";
    }

    /** Every customer of the scenario. */
    public List<String> customers() {
        return List.of(big, rich, tagged, small, ghost);
    }

    /** The segment's members by definition (docs/api.md, "Segment membership"), and how each matched. */
    public Map<String, String> expectedMembers() {
        Map<String, String> members = new LinkedHashMap<>();
        members.put(big, "both");
        members.put(rich, "rules");
        members.put(tagged, "label");
        members.put(ghost, "rules");
        return members;
    }

    public void sql(String sql, Object... params) {
        pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofMinutes(1));
    }

    private void profile(String id, String label, String country, Integer age, Double ltv) {
        sql("INSERT INTO customer_profiles (customer_id, email, first_name, customer_segment, country, age,"
                        + " lifetime_value, signup_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                id, id + "@example.com", "F-" + id, label, country, age, ltv, LocalDate.of(2022, 1, 1));
    }

    private static void activity(List<TestEvents.Event> events, String customer, int purchases, double spent,
                                 int sessions, OffsetDateTime at) {
        double price = purchases == 0 ? 0 : spent / purchases;
        for (int i = 0; i < purchases; i++) {
            events.add(new TestEvents.Event(unique("ev"), customer, "purchase", at.plusMinutes(i), "s-" + customer
                    + "-0", null, null, null, null, null, null, price, 1));
        }
        for (int i = 0; i < sessions; i++) {
            events.add(new TestEvents.Event(unique("ev"), customer, "page_view", at.plusHours(i), "s-" + customer
                    + "-" + i, null, null, null, null, null, null, null, null));
        }
    }
}
