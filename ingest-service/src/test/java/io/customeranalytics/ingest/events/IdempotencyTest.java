package io.customeranalytics.ingest.events;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.customeranalytics.ingest.events.IngestTestSupport.count;
import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.customeranalytics.ingest.events.IngestTestSupport.post;
import static io.customeranalytics.ingest.events.IngestTestSupport.rows;
import static io.customeranalytics.ingest.events.IngestTestSupport.unique;
import static io.customeranalytics.ingest.events.IngestTestSupport.with;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Retried events are stored once; profiles and segments keep the latest row per key. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class IdempotencyTest {

    @Inject
    Pool pool;

    @Test
    void retriedEventIsStoredOnceAndCountsAsSuccessful() {
        String id = unique("ev");
        String body = json(with(event(id, "c-" + id, "purchase", "2024-03-01 10:00:00"), "price", 10.0));
        post("customer_events", body).statusCode(202).body("successful_rows", equalTo(1));
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(1)).body("quarantined_rows", equalTo(0));
        // The same instant written another way is the same event.
        String sameInstant = json(with(event(id, "c-" + id, "purchase", "2024-03-01T12:00:00+02:00"), "price", 10.0));
        post("customer_events", sameInstant).statusCode(202).body("successful_rows", equalTo(1));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", id));
    }

    @Test
    void duplicatesWithinOneRequestAreStoredOnce() {
        String id = unique("ev");
        String line = json(event(id, "c-" + id, "page_view", "2024-03-01 10:00:00"));
        post("customer_events", line + "\n" + line + "\n" + line + "\n").statusCode(202)
                .body("successful_rows", equalTo(3)).body("quarantined_rows", equalTo(0));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", id));
    }

    @Test
    void sameIdWithAnotherTimestampIsAnotherEvent() {
        String id = unique("ev");
        post("customer_events", json(event(id, "c", "page_view", "2024-03-01 10:00:00")) + "\n"
                + json(event(id, "c", "page_view", "2024-03-01 10:00:01"))).statusCode(202)
                .body("successful_rows", equalTo(2));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", id));
    }

    @Test
    void laterProfileReplacesTheEarlierOneWhole() {
        String customer = unique("cust");
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("customer_id", customer);
        first.put("email", "old@example.com");
        first.put("city", "Paris");
        first.put("age", 30);
        post("customer_profiles", json(first)).statusCode(202).body("successful_rows", equalTo(1));

        Map<String, Object> second = new LinkedHashMap<>();
        second.put("customer_id", customer);
        second.put("email", "new@example.com");
        post("customer_profiles", json(second)).statusCode(202).body("successful_rows", equalTo(1));

        Row row = rows(pool, "SELECT * FROM customer_profiles WHERE customer_id = $1", customer).get(0);
        assertEquals("new@example.com", row.getString("email"));
        assertNull(row.getString("city"), "replaced whole, not merged");
        assertNull(row.getInteger("age"));
    }

    @Test
    void lastOccurrenceOfAProfileInOneRequestWins() {
        String customer = unique("cust");
        String body = json(Map.of("customer_id", customer, "email", "first@example.com")) + "\n"
                + json(Map.of("customer_id", customer, "email", "second@example.com")) + "\n"
                + json(Map.of("customer_id", customer, "email", "third@example.com")) + "\n";
        post("customer_profiles", body).statusCode(202)
                .body("successful_rows", equalTo(3)).body("quarantined_rows", equalTo(0));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_profiles WHERE customer_id = $1", customer));
        assertEquals("third@example.com", rows(pool, "SELECT email FROM customer_profiles WHERE customer_id = $1",
                customer).get(0).getString("email"));
    }

    @Test
    void lastOccurrenceOfASegmentWinsAndARenameFreesTheOldName() {
        String a = unique("seg-a");
        String b = unique("seg-b");
        String x = unique("Name X");
        String y = unique("Name Y");
        post("customer_segments", json(Map.of("segment_id", a, "segment_name", x, "segment_rules", "age > 1")))
                .statusCode(202).body("successful_rows", equalTo(1));
        // One request: a is renamed to y, then b takes x, then a's rules change again (last wins).
        String body = json(Map.of("segment_id", a, "segment_name", y)) + "\n"
                + json(Map.of("segment_id", b, "segment_name", x)) + "\n"
                + json(Map.of("segment_id", a, "segment_name", y, "segment_rules", "age > 2")) + "\n";
        post("customer_segments", body).statusCode(202)
                .body("successful_rows", equalTo(3)).body("quarantined_rows", equalTo(0));
        Row rowA = rows(pool, "SELECT * FROM customer_segments WHERE segment_id = $1", a).get(0);
        assertEquals(y, rowA.getString("segment_name"));
        assertEquals("age > 2", rowA.getString("segment_rules"));
        assertEquals(x, rows(pool, "SELECT segment_name FROM customer_segments WHERE segment_id = $1", b).get(0)
                .getString(0));
    }
}
