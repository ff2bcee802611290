package io.customeranalytics.ingest.events;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.customeranalytics.ingest.events.IngestTestSupport.count;
import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.customeranalytics.ingest.events.IngestTestSupport.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over capacity, group commit refuses instead of queueing without bound: with one statement in flight and room
 * for five waiting rows, of nine one-event requests sent while inserts are held, the one in flight and the five
 * waiting are stored, and the other three are answered 503 with {@code Retry-After} and store nothing.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
@TestProfile(GroupCommitCapacityTest.SmallQueue.class)
class GroupCommitCapacityTest {

    public static class SmallQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("analytics.ingest.group-commit-statements", "1",
                    "analytics.ingest.group-commit-max-queued-rows", "5");
        }
    }

    @Inject
    Pool pool;

    @TestHTTPResource("/v0/events?name=customer_events&wait=true")
    URI events;

    @Test
    void requestsOverTheQueueAreRefusedWith503AndStoreNothing() throws Exception {
        String customer = unique("capacity");
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            bodies.add(json(event(customer + "-" + i, customer, "page_view", "2024-06-01 10:00:00")));
        }
        List<HttpResponse<String>> answers = GroupCommitTest.sendWhileInsertsAreHeld(pool, events, bodies);
        long refused = 0;
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() == 503) {
                refused++;
                assertEquals("1", answer.headers().firstValue("Retry-After").orElse(null));
                assertTrue(answer.body().contains("over capacity"), answer.body());
            } else {
                assertEquals(200, answer.statusCode(), answer.body());
            }
        }
        assertEquals(3, refused, "one in flight and five waiting fit; the other three do not");
        assertEquals(6, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }
}
