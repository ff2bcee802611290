package io.customeranalytics.segmentation.membership;

import io.customeranalytics.localstack.PostgresTestResource;
import io.customeranalytics.localstack.SegmentScenario;
import io.customeranalytics.localstack.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The refresher computes {@link SegmentScenario}'s membership as API.md section 3 defines it (query-service's
 * SegmentEndpointsTest reads the same membership, written by its own fixture), applies a changed segment, and
 * behaves as one of several replicas should: concurrent refreshes leave one membership, a replica does not
 * compute segments while another builds the first snapshot, and a replica that dies mid-refresh leaves the
 * previous snapshot and membership as they were.
 *
 * <p>The service's own scheduler refreshes in the background all along, as a second replica would: a refresh
 * here that finds the work taken is repeated until it is this one's.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class MembershipRefresherTest {

    private static final String SNAPSHOT_LOCK = "analytics.customer_metrics_snapshot";

    @Inject
    Pool pool;

    @Inject
    MembershipRefresher refresher;

    SegmentScenario scenario;

    /** When the scenario's rows were all committed: a snapshot taken after it holds them. */
    OffsetDateTime inserted;

    @BeforeEach
    void insertScenarioAndRefresh() {
        scenario = SegmentScenario.insert(pool);
        inserted = TestEvents.rows(pool, "SELECT now()").get(0).getOffsetDateTime(0);
        until(refresher::refreshAll, () -> stateOf(scenario.segmentId) > 0);
    }

    /**
     * Refreshes until {@code done}, for up to a minute: a refresh that finds the snapshot being rebuilt by the
     * scheduler skips at once, and the scheduler's rebuild over a database full of other tests' rows takes a while.
     */
    private void until(Supplier<Uni<MembershipRefresher.Report>> refresh, Supplier<Boolean> done) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!done.get() && System.nanoTime() < deadline) {
            if (refresh.get().await().atMost(Duration.ofMinutes(2)).skipped()) {
                pause();
            }
        }
        assertTrue(done.get(), "the refresh happened");
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * 1 when the segment's membership was computed from its current definition against a snapshot taken after
     * the scenario was inserted, else 0. The scheduler's poll of changed segments may compute a new segment
     * against an older snapshot first (its rules then see none of the scenario's customers): that does not count.
     */
    private long stateOf(String segmentId) {
        return TestEvents.rows(pool, """
                SELECT count(*) FROM segment_membership_state st JOIN customer_segments s USING (segment_id)
                WHERE segment_id = $1 AND st.segment_updated_at = s.updated_at AND st.refreshed_at > $2""",
                segmentId, inserted).get(0).getLong(0);
    }

    private Map<String, String> members() {
        Map<String, String> members = new LinkedHashMap<>();
        TestEvents.rows(pool, "SELECT customer_id, matched_by FROM segment_membership WHERE segment_id = $1"
                        + " ORDER BY customer_id", scenario.segmentId)
                .forEach(row -> members.put(row.getString(0), row.getString(1)));
        return members;
    }

    private static Map<String, String> sorted(Map<String, String> members) {
        Map<String, String> out = new LinkedHashMap<>();
        members.keySet().stream().sorted().forEach(k -> out.put(k, members.get(k)));
        return out;
    }

    @Test
    void membersByLabelRulesAndBothAsDefined() {
        assertEquals(sorted(scenario.expectedMembers()), members());
        assertEquals(4L, TestEvents.rows(pool, "SELECT member_count FROM segment_membership_state"
                + " WHERE segment_id = $1", scenario.segmentId).get(0).getLong(0));
    }

    @Test
    void aChangedSegmentIsAppliedByTheNextRefreshOfChangedSegments() {
        scenario.sql("UPDATE customer_segments SET segment_rules = $2, updated_at = clock_timestamp()"
                + " WHERE segment_id = $1", scenario.segmentId, scenario.rules(4000));
        until(refresher::refreshChanged, () -> stateOf(scenario.segmentId) > 0);
        // big spent B + 1500: by label only now; ghost (B + 5000) still by rules; rich (B + 1200) out.
        assertEquals(sorted(Map.of(scenario.big, "label", scenario.ghost, "rules", scenario.tagged, "label")),
                members());
    }

    @Test
    void concurrentRefreshesAsFromTwoReplicasLeaveOneConsistentMembership() {
        // Four refreshes at once on separate connections, as two replicas' schedulers would run them: the advisory
        // locks make the losers skip, and nothing fails or duplicates.
        Uni.combine().all()
                .unis(refresher.refreshAll(), refresher.refreshAll(), refresher.refreshChanged(),
                        refresher.refreshAll())
                .discardItems()
                .await().atMost(Duration.ofMinutes(5));
        assertEquals(sorted(scenario.expectedMembers()), members());
    }

    @Test
    void noSegmentIsComputedWhileAnotherReplicaBuildsTheFirstSnapshot() throws Exception {
        SqlConnection other = pool.getConnection().await().atMost(Duration.ofSeconds(30));
        try {
            // Another replica building the first snapshot: it holds the snapshot's lock, and no snapshot exists.
            other.preparedQuery("SELECT pg_advisory_lock(hashtext($1))").execute(io.vertx.mutiny.sqlclient.Tuple
                    .of(SNAPSHOT_LOCK)).await().atMost(Duration.ofSeconds(30));
            scenario.sql("DELETE FROM customer_metrics_snapshot_state");
            scenario.sql("UPDATE customer_segments SET segment_rules = $2, updated_at = clock_timestamp()"
                    + " WHERE segment_id = $1", scenario.segmentId, scenario.rules(4000));

            MembershipRefresher.Report changed = refresher.refreshChanged().await().atMost(Duration.ofMinutes(1));
            MembershipRefresher.Report all = refresher.refreshAll().await().atMost(Duration.ofMinutes(1));
            assertTrue(changed.skipped() && all.skipped(), changed + " " + all);
            assertEquals(sorted(scenario.expectedMembers()), members(), "the membership is left as it was");
            assertEquals(0L, stateOf(scenario.segmentId), "the changed segment is not marked as applied");
        } finally {
            other.preparedQuery("SELECT pg_advisory_unlock(hashtext($1))").execute(io.vertx.mutiny.sqlclient.Tuple
                    .of(SNAPSHOT_LOCK)).await().atMost(Duration.ofSeconds(30));
            other.close().await().atMost(Duration.ofSeconds(30));
        }
        until(refresher::refreshChanged, () -> stateOf(scenario.segmentId) > 0);
        assertEquals(sorted(Map.of(scenario.big, "label", scenario.ghost, "rules", scenario.tagged, "label")),
                members());
    }

    @Test
    void aReplicaThatDiesMidRefreshLeavesThePreviousMembershipReadable() throws Exception {
        String snapshotBefore = snapshotRowsOfScenario();
        Object refreshedBefore = TestEvents.rows(pool, "SELECT refreshed_at FROM customer_metrics_snapshot_state")
                .get(0).getValue(0);
        SqlConnection blocker = pool.getConnection().await().atMost(Duration.ofSeconds(30));
        CompletableFuture<MembershipRefresher.Report> dying;
        try {
            // Hold the profiles so that the refresh stops inside its snapshot transaction, after it has emptied
            // the snapshot; then end its database session, as a crashed replica's would end.
            blocker.query("BEGIN").execute().await().atMost(Duration.ofSeconds(30));
            blocker.query("LOCK TABLE customer_profiles IN ACCESS EXCLUSIVE MODE").execute()
                    .await().atMost(Duration.ofSeconds(30));
            dying = refresher.refreshAll().subscribeAsCompletionStage().toCompletableFuture();
            // End every refresh caught there (ours, or the scheduler's that made ours skip) until ours is over.
            long terminated = 0;
            for (int attempt = 0; attempt < 600 && (terminated == 0 || !dying.isDone()); attempt++) {
                Thread.sleep(100);
                terminated += TestEvents.rows(pool, """
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event_type = 'Lock'
                          AND query LIKE 'INSERT INTO customer_metrics_snapshot%'""").get(0).getLong(0);
            }
            assertTrue(terminated > 0, "a refresh was caught inside its snapshot transaction");
            assertTrue(dying.isDone(), "our refresh ended while the profiles were held");
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
        assertEquals(snapshotBefore, snapshotRowsOfScenario(), "the previous snapshot is still there");
        assertEquals(sorted(scenario.expectedMembers()), members(), "the previous membership is still there");

        // The next refresh, this replica's or another's, takes the lock the dead session held and completes.
        until(refresher::refreshAll, () -> !refreshedBefore.equals(TestEvents.rows(pool,
                "SELECT refreshed_at FROM customer_metrics_snapshot_state").get(0).getValue(0)));
        assertEquals(sorted(scenario.expectedMembers()), members());
    }

    private String snapshotRowsOfScenario() {
        List<String> rows = TestEvents.rows(pool, """
                SELECT customer_id || ':' || total_spent || ':' || session_count FROM customer_metrics_snapshot
                WHERE customer_id = ANY($1) ORDER BY customer_id""", (Object) scenario.customers().toArray(String[]::new))
                .stream().map(r -> r.getString(0)).toList();
        assertEquals(5, rows.size(), "every customer of the scenario is in the snapshot");
        return String.join(",", rows);
    }
}
