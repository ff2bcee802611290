package io.customeranalytics.segmentation.membership;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.SegmentScenario;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The refresher computes {@link SegmentScenario}'s membership as docs/api.md, "Segment membership" defines it
 * (query-service's SegmentEndpointsTest reads the same membership, written by its own fixture), applies a changed
 * segment, a changed customer and the clock without rewriting the customers that did not change, and behaves as one of
 * several replicas should: concurrent refreshes leave one membership, nothing is written while another replica
 * holds the lock, and a replica that dies mid-refresh leaves the previous membership and its change records.
 *
 * <p>The service's own scheduler refreshes in the background all along, as a second replica would: a refresh
 * here that finds the lock taken is repeated until the state looked for is reached.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class MembershipRefresherTest {

    @Inject
    Pool pool;

    @Inject
    MembershipRefresher refresher;

    SegmentScenario scenario;

    @BeforeEach
    void insertScenarioAndRefresh() {
        scenario = SegmentScenario.insert(pool);
        untilApplied(scenario.segmentId);
    }

    /**
     * Refreshes until the segment is computed from its current definition and every change committed so far is
     * applied to it, for up to a minute.
     */
    private void untilApplied(String segmentId) {
        OffsetDateTime committed = now();
        until(refresher::refresh, () -> stateOf(segmentId, committed) > 0);
    }

    private OffsetDateTime now() {
        return TestEvents.rows(pool, "SELECT now()").get(0).getOffsetDateTime(0);
    }

    private void until(Supplier<Uni<MembershipRefresher.Report>> refresh, Supplier<Boolean> done) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!done.get() && System.nanoTime() < deadline) {
            if (refresh.get().await().atMost(Duration.ofMinutes(2)).skipped()) {
                pause(100);
            }
        }
        assertTrue(done.get(), "the refresh happened");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * 1 when the segment's membership is computed from its current definition and applies every change
     * committed before {@code committed}, else 0.
     */
    private long stateOf(String segmentId, OffsetDateTime committed) {
        return TestEvents.rows(pool, """
                SELECT count(*) FROM segment_membership_state st JOIN customer_segments s USING (segment_id)
                WHERE segment_id = $1 AND st.segment_updated_at = s.updated_at AND st.refreshed_at > $2""",
                segmentId, committed).get(0).getLong(0);
    }

    private Map<String, String> members(String segmentId) {
        Map<String, String> members = new LinkedHashMap<>();
        TestEvents.rows(pool, "SELECT customer_id, matched_by FROM segment_membership WHERE segment_id = $1"
                        + " ORDER BY customer_id", segmentId)
                .forEach(row -> members.put(row.getString(0), row.getString(1)));
        return members;
    }

    private Map<String, String> members() {
        return members(scenario.segmentId);
    }

    private static Map<String, String> sorted(Map<String, String> members) {
        Map<String, String> out = new LinkedHashMap<>();
        members.keySet().stream().sorted().forEach(k -> out.put(k, members.get(k)));
        return out;
    }

    /** Each customer's snapshot row version (xmin): it changes only when the row is written again. */
    private Map<String, String> snapshotVersions(List<String> customers) {
        Map<String, String> versions = new LinkedHashMap<>();
        TestEvents.rows(pool, "SELECT customer_id, xmin::text FROM customer_metrics_snapshot WHERE customer_id = ANY($1)"
                        + " ORDER BY customer_id", (Object) customers.toArray(String[]::new))
                .forEach(row -> versions.put(row.getString(0), row.getString(1)));
        return versions;
    }

    /**
     * segment_stats of the segment as its rows say ("country customers revenue sessions ltv", countries with
     * members), and the same computed here over the raw events and profiles of {@code members}.
     */
    private void assertStats(String segmentId, java.util.Collection<String> members) {
        String sums = """
                coalesce(%s, '') || ' ' || %s || ' ' || round(%s, 2) || ' ' || %s || ' ' || round(%s, 2)""";
        List<String> kept = TestEvents.rows(pool, "SELECT " + sums.formatted("country", "customers", "revenue",
                        "sessions", "ltv_sum") + " FROM segment_stats WHERE segment_id = $1 AND customers <> 0"
                        + " ORDER BY country", segmentId)
                .stream().map(r -> r.getString(0)).toList();
        List<String> defined = TestEvents.rows(pool, "SELECT " + sums.formatted("p.country", "count(*)",
                        "coalesce(sum(e.revenue), 0)", "coalesce(sum(e.sessions), 0)",
                        "coalesce(sum(p.lifetime_value::numeric), 0)") + """
                         FROM unnest($1::text[]) AS c(id)
                        LEFT JOIN customer_profiles p ON p.customer_id = c.id
                        LEFT JOIN (SELECT customer_id,
                                          sum(CASE WHEN event_type = 'purchase'
                                                   THEN coalesce(price, 0) * coalesce(quantity, 1) ELSE 0 END)::numeric
                                              AS revenue,
                                          count(DISTINCT session_id) AS sessions
                                   FROM customer_events WHERE customer_id = ANY($1) GROUP BY customer_id) e
                               ON e.customer_id = c.id
                        GROUP BY coalesce(p.country, '') ORDER BY coalesce(p.country, '')""",
                        (Object) members.toArray(String[]::new))
                .stream().map(r -> r.getString(0)).toList();
        assertEquals(defined, kept, "segment_stats of " + segmentId);
        assertEquals(TestEvents.rows(pool, """
                        SELECT count(*) FROM (SELECT customer_id FROM customer_events WHERE customer_id = ANY($1)
                                              GROUP BY customer_id) AS active""", (Object) members.toArray(String[]::new))
                        .get(0).getLong(0),
                TestEvents.rows(pool, "SELECT coalesce(sum(members), 0)::bigint FROM segment_active_days"
                        + " WHERE segment_id = $1", segmentId).get(0).getLong(0),
                "segment_active_days of " + segmentId + " holds every member with an event");
        List<String> counted = TestEvents.rows(pool, """
                        SELECT country || ' ' || age || ' ' || ltv_band || ' ' || members FROM segment_member_counts
                        WHERE segment_id = $1 AND members <> 0 ORDER BY country, age, ltv_band""", segmentId)
                .stream().map(r -> r.getString(0)).toList();
        List<String> ofProfiles = TestEvents.rows(pool, """
                        SELECT country || ' ' || age || ' ' || band || ' ' || count(*)
                        FROM (SELECT coalesce(p.country, '') AS country, coalesce(p.age, -1) AS age,
                                     segment_ltv_band(p.lifetime_value) AS band
                              FROM unnest($1::text[]) AS c(id)
                              LEFT JOIN customer_profiles p ON p.customer_id = c.id) AS m
                        GROUP BY country, age, band ORDER BY country, age, band""",
                        (Object) members.toArray(String[]::new))
                .stream().map(r -> r.getString(0)).toList();
        assertEquals(ofProfiles, counted, "segment_member_counts of " + segmentId);
    }

    @Test
    void membersByLabelRulesAndBothAsDefined() {
        assertEquals(sorted(scenario.expectedMembers()), members());
        until(refresher::refresh, () -> TestEvents.rows(pool, "SELECT member_count FROM segment_membership_state"
                + " WHERE segment_id = $1", scenario.segmentId).get(0).getLong(0) == 4L);
        assertStats(scenario.segmentId, scenario.expectedMembers().keySet());
    }

    @Test
    void aChangedSegmentIsAppliedByTheNextRefreshOfSegments() {
        scenario.sql("UPDATE customer_segments SET segment_rules = $2, updated_at = clock_timestamp()"
                + " WHERE segment_id = $1", scenario.segmentId, scenario.rules(4000));
        OffsetDateTime committed = now();
        until(refresher::refreshSegments, () -> stateOf(scenario.segmentId, committed) > 0);
        // big spent B + 1500: by label only now; ghost (B + 5000) still by rules; rich (B + 1200) out.
        assertEquals(sorted(Map.of(scenario.big, "label", scenario.ghost, "rules", scenario.tagged, "label")),
                members());
    }

    @Test
    void aChangedCustomerIsAppliedAndTheOthersAreNotRewritten() {
        Map<String, String> before = snapshotVersions(scenario.customers());
        assertEquals(5, before.size(), "every customer of the scenario is in the snapshot");
        // small (B + 100, 15 sessions, other label) buys for 1,000 more through the Events API's statement: in
        // by rules. rich gets the segment's label in its profile: both.
        TestEvents.insert(pool, List.of(new TestEvents.Event(TestEvents.unique("ev"), scenario.small, "purchase",
                OffsetDateTime.now(ZoneOffset.UTC).minusHours(1), "s-late", null, null, null, null, null, null,
                1000.0, 1)));
        // Its age and lifetime value change too, which moves it to another row of segment_member_counts.
        scenario.sql("UPDATE customer_profiles SET customer_segment = $2, age = 31, lifetime_value = 55"
                + " WHERE customer_id = $1", scenario.rich, scenario.segmentName);
        untilApplied(scenario.segmentId);

        Map<String, String> expected = new LinkedHashMap<>(scenario.expectedMembers());
        expected.put(scenario.small, "rules");
        expected.put(scenario.rich, "both");
        assertEquals(sorted(expected), members());
        assertStats(scenario.segmentId, expected.keySet());
        // small carried the other label alone; its label sums follow its new purchase.
        assertEquals(List.of("US 1 " + (scenario.base + 1100) + ".00"), TestEvents.rows(pool,
                "SELECT country || ' ' || customers || ' ' || round(revenue, 2) FROM label_stats WHERE label = $1",
                scenario.otherLabel).stream().map(r -> r.getString(0)).toList());
        // small's last event moved to today, and rich now carries the segment's name: label_active_days follows.
        String[] labels = {scenario.otherLabel, scenario.segmentName};
        assertEquals(TestEvents.rows(pool, """
                        SELECT p.customer_segment || ' ' || coalesce(p.country, '') || ' '
                               || to_char(date_trunc('day', e.last_at, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM-DD')
                               || ' ' || count(*)
                        FROM customer_profiles p
                        JOIN (SELECT customer_id, max(event_timestamp) AS last_at FROM customer_events
                              GROUP BY customer_id) e ON e.customer_id = p.customer_id
                        WHERE p.customer_segment = ANY($1)
                        GROUP BY p.customer_segment, p.country, date_trunc('day', e.last_at, 'UTC')
                        ORDER BY 1""", (Object) labels).stream().map(r -> r.getString(0)).toList(),
                TestEvents.rows(pool, """
                        SELECT label || ' ' || country || ' ' || to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD')
                               || ' ' || members
                        FROM label_active_days WHERE label = ANY($1) AND members <> 0 ORDER BY 1""",
                        (Object) labels).stream().map(r -> r.getString(0)).toList(),
                "label_active_days of the two labels");
        Map<String, String> after = snapshotVersions(scenario.customers());
        for (String unchanged : List.of(scenario.big, scenario.tagged, scenario.ghost)) {
            assertEquals(before.get(unchanged), after.get(unchanged), unchanged + "'s snapshot row was not rewritten");
        }
        for (String changed : List.of(scenario.small, scenario.rich)) {
            assertNotEquals(before.get(changed), after.get(changed), changed + "'s metrics were recomputed");
        }
        assertEquals(0L, TestEvents.rows(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = ANY($1)",
                (Object) scenario.customers().toArray(String[]::new)).get(0).getLong(0), "their change records are taken");
    }

    @Test
    void theClockAloneMovesACustomerAcrossADaysSinceThresholdWithoutRecomputingIt() {
        // One purchase 1 day minus 6 s ago: days_since_last_purchase is 0 now and 1 six seconds from now.
        String customer = scenario.run + "-clock";
        String segmentId = scenario.run + "-clock";
        double price = 7.0 + (scenario.base % 1000) / 1000.0;
        OffsetDateTime bought = now().minusDays(1).plusSeconds(6);
        TestEvents.insert(pool, List.of(new TestEvents.Event(TestEvents.unique("ev"), customer, "purchase", bought,
                "s-clock", null, null, null, null, null, null, price, 1)));
        scenario.sql("INSERT INTO customer_segments (segment_id, segment_name, segment_rules) VALUES ($1, $2, $3)",
                segmentId, "Clock " + scenario.run, "days_since_last_purchase >= 1 AND total_spent = " + price);
        untilApplied(segmentId);
        assertEquals(Map.of(), members(segmentId), "not a day yet");
        String version = snapshotVersions(List.of(customer)).get(customer);

        long wait = Duration.between(now(), bought.plusDays(1)).toMillis();
        pause(Math.max(0, wait) + 200);
        untilApplied(segmentId);
        assertEquals(Map.of(customer, "rules"), members(segmentId), "a day has passed");
        assertEquals(version, snapshotVersions(List.of(customer)).get(customer),
                "the clock moved it, not a recomputation of its metrics");
    }

    @Test
    void concurrentRefreshesAsFromTwoReplicasLeaveOneConsistentMembership() {
        // Four refreshes at once on separate connections, as two replicas' schedulers would run them: the advisory
        // lock makes the losers skip, and nothing fails or duplicates.
        Uni.combine().all()
                .unis(refresher.refresh(), refresher.refresh(), refresher.refreshSegments(), refresher.refresh())
                .discardItems()
                .await().atMost(Duration.ofMinutes(5));
        assertEquals(sorted(scenario.expectedMembers()), members());
    }

    @Test
    void nothingIsWrittenWhileAnotherReplicaHoldsTheLock() throws Exception {
        SqlConnection other = pool.getConnection().await().atMost(Duration.ofSeconds(30));
        try {
            other.preparedQuery("SELECT pg_advisory_lock(hashtext($1))").execute(Tuple.of(MembershipRefresher.LOCK_KEY))
                    .await().atMost(Duration.ofSeconds(30));
            scenario.sql("UPDATE customer_segments SET segment_rules = $2, updated_at = clock_timestamp()"
                    + " WHERE segment_id = $1", scenario.segmentId, scenario.rules(4000));
            scenario.sql("UPDATE customer_profiles SET customer_segment = NULL WHERE customer_id = $1", scenario.tagged);
            OffsetDateTime committed = now();

            MembershipRefresher.Report segments = refresher.refreshSegments().await().atMost(Duration.ofMinutes(1));
            MembershipRefresher.Report all = refresher.refresh().await().atMost(Duration.ofMinutes(1));
            assertTrue(segments.skipped() && all.skipped(), segments + " " + all);
            assertEquals(sorted(scenario.expectedMembers()), members(), "the membership is left as it was");
            assertEquals(0L, stateOf(scenario.segmentId, committed), "the changed segment is not marked as applied");
        } finally {
            other.preparedQuery("SELECT pg_advisory_unlock(hashtext($1))").execute(Tuple.of(MembershipRefresher.LOCK_KEY))
                    .await().atMost(Duration.ofSeconds(30));
            other.close().await().atMost(Duration.ofSeconds(30));
        }
        untilApplied(scenario.segmentId);
        assertEquals(sorted(Map.of(scenario.big, "label", scenario.ghost, "rules")), members());
    }

    /**
     * The change records of a customer, asked again on another connection if the pool handed out one whose
     * session was just terminated (the pool learns it asynchronously).
     */
    private long changeRecordsOf(String customer) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return TestEvents.rows(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1", customer)
                        .get(0).getLong(0);
            } catch (RuntimeException closed) {
                if (attempt == 5) {
                    throw closed;
                }
                Thread.sleep(200);
            }
        }
    }

    @Test
    void aReplicaThatDiesMidRefreshLeavesThePreviousMembershipAndItsChangeRecords() throws Exception {
        SqlConnection blocker = pool.getConnection().await().atMost(Duration.ofSeconds(30));
        CompletableFuture<MembershipRefresher.Report> dying;
        try {
            // ghost gets a profile that puts it in by label too. Then hold the profiles, so that a refresh stops
            // inside its batch transaction after it has taken ghost's change record, and end its database
            // session, as a crashed replica's would end. (The scheduler may have applied the profile already: the
            // record written here, as a writer's, is taken all the same.)
            scenario.sql("INSERT INTO customer_profiles (customer_id, customer_segment) VALUES ($1, $2)",
                    scenario.ghost, scenario.segmentName);
            blocker.query("BEGIN").execute().await().atMost(Duration.ofSeconds(30));
            blocker.query("LOCK TABLE customer_profiles IN ACCESS EXCLUSIVE MODE").execute()
                    .await().atMost(Duration.ofSeconds(30));
            scenario.sql("INSERT INTO customer_changes (customer_id) VALUES ($1)", scenario.ghost);
            dying = refresher.refresh().subscribeAsCompletionStage().toCompletableFuture();
            // End every refresh caught there (ours, or the scheduler's that made ours skip) until ours is over.
            long terminated = 0;
            for (int attempt = 0; attempt < 600 && (terminated == 0 || !dying.isDone()); attempt++) {
                Thread.sleep(100);
                terminated += TestEvents.rows(pool, """
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event_type = 'Lock'
                          AND query LIKE 'WITH changed AS%'""").get(0).getLong(0);
            }
            assertTrue(terminated > 0, "a refresh was caught inside its batch transaction");
            assertTrue(dying.isDone(), "our refresh ended while the profiles were held");
            assertTrue(changeRecordsOf(scenario.ghost) > 0, "ghost's change record came back with the rollback");
        } finally {
            blocker.query("ROLLBACK").execute().await().atMost(Duration.ofSeconds(30));
            blocker.close().await().atMost(Duration.ofSeconds(30));
        }
        try {
            MembershipRefresher.Report report = dying.get(1, TimeUnit.SECONDS);
            assertTrue(report.skipped(), "a refresh that was not the one caught did nothing: " + report);
        } catch (ExecutionException died) {
            // Ours was the one ended: it failed, as a crashed replica's would.
        }

        // The next refresh, this replica's or another's, applies the change.
        untilApplied(scenario.segmentId);
        Map<String, String> expected = new LinkedHashMap<>(scenario.expectedMembers());
        expected.put(scenario.ghost, "both");
        assertEquals(sorted(expected), members());
    }
}
