package io.customeranalytics.segmentation.membership;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The running service keeps membership up to date by itself: a segment written to customer_segments (as the
 * Events API writes it) gets its members within a few seconds, far inside the 60 s bound, and so does a change
 * of its rules. The refresh metrics are exposed.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class MembershipSchedulerTest {

    @Inject
    Pool pool;

    private List<Row> rows(String sql, Object... params) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofMinutes(1)).forEach(out::add);
        return out;
    }

    /** Polls until {@code sql} returns {@code expected} members, for at most the staleness bound; the seconds taken. */
    private double awaitMembers(String segmentId, List<String> expected) throws InterruptedException {
        long start = System.nanoTime();
        List<String> members = List.of();
        while (System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
            members = rows("SELECT customer_id FROM segment_membership WHERE segment_id = $1 ORDER BY customer_id",
                    segmentId).stream().map(r -> r.getString(0)).toList();
            if (members.equals(expected)) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("membership of " + segmentId + " was " + members + ", not " + expected
                + ", after 60 s");
    }

    @Test
    void appliesANewSegmentAndAChangeWithinTheBound() throws InterruptedException {
        String run = "sched-" + UUID.randomUUID().toString().substring(0, 13);
        String label = "Label " + run;
        rows("INSERT INTO customer_profiles (customer_id, customer_segment, age) VALUES ($1, $2, 30), ($3, NULL, 77)",
                run + "-a", label, run + "-b");
        rows("INSERT INTO customer_segments (segment_id, segment_name, segment_rules) VALUES ($1, $2, NULL)",
                run, label);
        double created = awaitMembers(run, List.of(run + "-a"));
        // The rule matches b (age 77, unique to this test) besides a's label.
        rows("UPDATE customer_segments SET segment_rules = 'age = 77', updated_at = now() WHERE segment_id = $1", run);
        double changed = awaitMembers(run, List.of(run + "-a", run + "-b"));
        System.out.printf("membership applied %.1f s after creation, %.1f s after the change%n", created, changed);
        assertTrue(created < 60 && changed < 60, created + " s, " + changed + " s");
        assertEquals("rules", rows("SELECT matched_by FROM segment_membership WHERE segment_id = $1 AND customer_id = $2",
                run, run + "-b").get(0).getString(0));
    }

    @Test
    void exposesRefreshMetrics() throws InterruptedException {
        double last = 0;
        for (int i = 0; i < 100 && last == 0; i++) {
            String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
            Matcher m = Pattern.compile("analytics_membership_last_refresh_timestamp_seconds ([0-9.E]+)").matcher(text);
            if (m.find()) {
                last = Double.parseDouble(m.group(1));
            }
            if (last == 0) {
                Thread.sleep(200);
            }
        }
        assertTrue(last > 1.7e9, "a full refresh ran at start-up: " + last);
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(text.contains("analytics_membership_last_refresh_duration_seconds"), text);
        assertTrue(text.contains("analytics_membership_refresh_seconds"), text);
    }
}
