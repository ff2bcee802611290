package io.customeranalytics.segmentation.membership;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.SegmentScenario;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Changed segments, each computed whole under the membership lock, never hold the snapshot's freshness back: the
 * change poll drains the changed customers before a segment once the last drain is a refresh interval old, and
 * a refresh drains before it computes segments. The scheduler is off here, so only this test refreshes.
 */
@QuarkusTest
@TestProfile(MembershipFreshnessTest.NoScheduler.class)
@WithTestResource(PostgresTestResource.class)
class MembershipFreshnessTest {

    public static class NoScheduler implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false");
        }
    }

    @Inject
    Pool pool;

    @Inject
    MembershipRefresher refresher;

    @Test
    void theChangePollDrainsChangedCustomersWhenTheLastDrainIsOverdue() {
        SegmentScenario scenario = SegmentScenario.insert(pool);
        assertFalse(refresher.refresh().await().atMost(Duration.ofMinutes(2)).skipped());
        assertEquals(List.of(), membersMatchedBy(scenario, scenario.small), "small is not a member yet");

        // The last drain was an hour ago; small buys for 1,000 more (in by rules); the segment is touched, so the
        // change poll has a segment to compute whole.
        scenario.sql("UPDATE customer_metrics_snapshot_state SET refreshed_at = now() - interval '1 hour'");
        TestEvents.insert(pool, List.of(new TestEvents.Event(TestEvents.unique("ev"), scenario.small, "purchase",
                OffsetDateTime.now(ZoneOffset.UTC).minusHours(1), "s-late", null, null, null, null, null, null,
                1000.0, 1)));
        scenario.sql("UPDATE customer_segments SET updated_at = clock_timestamp() WHERE segment_id = $1",
                scenario.segmentId);

        MembershipRefresher.Report report = refresher.refreshSegments().await().atMost(Duration.ofMinutes(2));

        assertFalse(report.skipped());
        assertTrue(report.changedCustomers() >= 1, "the poll drained the changed customers: " + report);
        assertTrue(report.segmentsComputed() >= 1, "and computed the touched segment: " + report);
        assertEquals(0L, TestEvents.rows(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1",
                scenario.small).get(0).getLong(0), "small's change records are taken");
        assertTrue(TestEvents.rows(pool, "SELECT refreshed_at > now() - interval '1 minute'"
                + " FROM customer_metrics_snapshot_state").get(0).getBoolean(0), "the snapshot is fresh again");
        assertEquals(List.of("rules"), membersMatchedBy(scenario, scenario.small),
                "the segment was computed from small's new metrics");
    }

    private List<String> membersMatchedBy(SegmentScenario scenario, String customer) {
        return TestEvents.rows(pool, "SELECT matched_by FROM segment_membership WHERE segment_id = $1"
                + " AND customer_id = $2", scenario.segmentId, customer).stream().map(row -> row.getString(0)).toList();
    }
}
