package io.customeranalytics.segmentation.membership;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import static io.customeranalytics.testsupport.TestEvents.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One segment whose membership statement fails in the database does not stop the others: they are refreshed,
 * it keeps its previous membership (and its state, so its own endpoints age into 503), and the refresh reports
 * it. The failure is real: a trigger of this test's own refuses rows for that one segment.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class FailingSegmentTest {

    @Inject
    Pool pool;

    @Inject
    MembershipRefresher refresher;

    private void sql(String sql, Object... params) {
        TestEvents.rows(pool, sql, params);
    }

    @Test
    void aSegmentThatFailsIsIsolatedAndTheOthersAreRefreshed() throws InterruptedException {
        String run = unique("iso");
        String poisoned = run + "-poisoned";
        String healthy = run + "-healthy";
        // The customers first, in the snapshot, so that the segments' first computation meets them; then the
        // trigger, before the segments exist (the service's own scheduler may compute them at once).
        sql("INSERT INTO customer_profiles (customer_id, customer_segment) VALUES ($1, $2), ($3, $4)",
                run + "-a", "Poisoned " + run, run + "-b", "Healthy " + run);
        until(60, () -> count("SELECT count(*) FROM customer_metrics_snapshot WHERE customer_id = ANY($1)",
                (Object) new String[]{run + "-a", run + "-b"}) == 2);
        String function = refuseRows(run, poisoned, "refused for this test");
        try {
            sql("INSERT INTO customer_segments (segment_id, segment_name, segment_rules) VALUES ($1, $2, NULL),"
                    + " ($3, $4, NULL)", poisoned, "Poisoned " + run, healthy, "Healthy " + run);
            // The service's own scheduler refreshes at the same time: a refresh that finds its snapshot rebuild
            // under way skips, and a segment it holds is skipped here. Try, for up to a minute, until this refresh
            // is the one that meets the failure.
            MembershipRefresher.Report report = null;
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while ((report == null || report.failedSegments() == 0) && System.nanoTime() < deadline) {
                report = refresher.refresh().await().atMost(Duration.ofMinutes(2));
                if (report.skipped()) {
                    Thread.sleep(100);
                }
            }
            assertTrue(report.failedSegments() >= 1, report.toString());
        } finally {
            allowRows(function);
        }
        assertEquals(List.of(run + "-b"), TestEvents.rows(pool,
                "SELECT customer_id FROM segment_membership WHERE segment_id = $1", healthy)
                .stream().map(r -> r.getString(0)).toList(), "the healthy segment is refreshed");
        assertEquals(0L, TestEvents.rows(pool, "SELECT count(*) FROM segment_membership_state WHERE segment_id = $1",
                poisoned).get(0).getLong(0), "the failing segment is not marked as refreshed");
        assertEquals(0L, TestEvents.rows(pool, "SELECT count(*) FROM segment_membership WHERE segment_id = $1",
                poisoned).get(0).getLong(0));
        assertEquals(List.of("refused for this test"), TestEvents.rows(pool,
                "SELECT error FROM segment_refresh_errors WHERE segment_id = $1", poisoned)
                .stream().map(r -> r.getString(0)).toList(), "why it failed is kept for its endpoints' 503");
        assertEquals(0L, TestEvents.rows(pool, "SELECT count(*) FROM segment_refresh_errors WHERE segment_id = $1",
                healthy).get(0).getLong(0));

        // Once the cause is gone, the next refresh of changed segments picks it up.
        List<String> members = List.of();
        for (int attempt = 0; attempt < 600 && members.isEmpty(); attempt++) {
            if (attempt > 0) {
                Thread.sleep(100);
            }
            refresher.refreshSegments().await().atMost(Duration.ofMinutes(2));
            members = TestEvents.rows(pool, "SELECT customer_id FROM segment_membership WHERE segment_id = $1",
                    poisoned).stream().map(r -> r.getString(0)).toList();
        }
        assertEquals(List.of(run + "-a"), members);
        assertEquals(0L, TestEvents.rows(pool, "SELECT count(*) FROM segment_refresh_errors WHERE segment_id = $1",
                poisoned).get(0).getLong(0), "a refresh that succeeds clears the failure");
    }

    /**
     * A trigger of this test's own that refuses, with {@code message}, every membership row of {@code segmentId}:
     * a real failure of that segment's statements in the database. Answers its name, for {@link #allowRows}.
     */
    private String refuseRows(String run, String segmentId, String message) {
        String function = "refuse_" + run.replace('-', '_');
        pool.query("CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.segment_id = '" + segmentId + "' THEN RAISE EXCEPTION '" + message + "'; END IF;"
                + " RETURN NEW; END $$").execute().await().atMost(Duration.ofSeconds(30));
        pool.query("CREATE TRIGGER " + function + " BEFORE INSERT ON segment_membership FOR EACH ROW EXECUTE FUNCTION "
                + function + "()").execute().await().atMost(Duration.ofSeconds(30));
        return function;
    }

    private void allowRows(String function) {
        pool.query("DROP TRIGGER " + function + " ON segment_membership").execute().await().atMost(Duration.ofSeconds(30));
        pool.query("DROP FUNCTION " + function + "()").execute().await().atMost(Duration.ofSeconds(30));
    }

    private long count(String sql, Object... params) {
        return TestEvents.rows(pool, sql, params).get(0).getLong(0);
    }

    private OffsetDateTime refreshedAt(String segmentId) {
        return TestEvents.rows(pool, "SELECT refreshed_at FROM segment_membership_state WHERE segment_id = $1",
                segmentId).get(0).getOffsetDateTime(0);
    }

    /** Refreshes until {@code done}, for up to {@code seconds} (the scheduler's refreshes make some skip). */
    private void until(int seconds, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            refresher.refresh().await().atMost(Duration.ofMinutes(2));
            Thread.sleep(100);
        }
        assertTrue(done.getAsBoolean(), "reached within " + seconds + " s");
    }

    @Test
    void aSegmentThatFailsOnAChangedCustomerIsLeftOutAndComputedWholeLater() throws InterruptedException {
        String run = unique("inc");
        String poisoned = run + "-poisoned";
        String healthy = run + "-healthy";
        sql("INSERT INTO customer_segments (segment_id, segment_name, segment_rules) VALUES ($1, $2, $3), ($4, $5, $3)",
                poisoned, "Poisoned " + run, "age = 131", healthy, "Healthy " + run);
        until(60, () -> count("SELECT count(*) FROM segment_membership_state WHERE segment_id = ANY($1)",
                (Object) new String[]{poisoned, healthy}) == 2);

        String function = refuseRows(run, poisoned, "refused on a change");
        String customer = run + "-new";
        OffsetDateTime poisonedAt;
        try {
            // A new customer of age 131 (unique to this test) matches both rules: the healthy segment takes it in,
            // the poisoned one fails, is recorded and stops being marked fresh.
            sql("INSERT INTO customer_profiles (customer_id, age) VALUES ($1, 131)", customer);
            until(60, () -> count("SELECT count(*) FROM segment_membership WHERE segment_id = $1 AND customer_id = $2",
                    healthy, customer) == 1);
            assertEquals(List.of("refused on a change"), TestEvents.rows(pool,
                    "SELECT error FROM segment_refresh_errors WHERE segment_id = $1", poisoned)
                    .stream().map(r -> r.getString(0)).toList());
            // From the failure on, the healthy segment is marked fresh by each refresh and the failing one not.
            poisonedAt = refreshedAt(poisoned);
            OffsetDateTime healthyAt = refreshedAt(healthy);
            until(60, () -> refreshedAt(healthy).isAfter(healthyAt));
            assertEquals(poisonedAt, refreshedAt(poisoned), "the failing segment ages");
            assertEquals(0L, count("SELECT count(*) FROM segment_membership WHERE segment_id = $1", poisoned));
        } finally {
            allowRows(function);
        }
        // Computed whole once the retry delay has passed: the member is there and the failure is cleared.
        until(90, () -> count("SELECT count(*) FROM segment_membership WHERE segment_id = $1 AND customer_id = $2",
                poisoned, customer) == 1);
        until(30, () -> count("SELECT count(*) FROM segment_refresh_errors WHERE segment_id = $1", poisoned) == 0);
        assertTrue(refreshedAt(poisoned).isAfter(poisonedAt), "marked fresh again");
    }
}
