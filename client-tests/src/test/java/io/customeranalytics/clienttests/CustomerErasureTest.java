package io.customeranalytics.clienttests;

import com.fasterxml.jackson.databind.JsonNode;
import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.customeranalytics.clienttests.StackCalls.awaitTrue;
import static io.customeranalytics.clienttests.StackCalls.count;
import static io.customeranalytics.clienttests.StackCalls.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Erasure with the whole stack running: the customer leaves its segment, the metrics snapshot, segment_metrics
 * and the behavioural analysis before the erasure answers; and an erasure while the same customer's events keep
 * arriving leaves either nothing or a whole customer (its metrics equal to its raw events), never half of one.
 */
@ExtendWith(RunningStack.class)
class CustomerErasureTest {

    private StackCalls calls;

    @Test
    void anErasedCustomerLeavesEveryDerivedAnswerBeforeTheErasureAnswers() throws Exception {
        calls = new StackCalls(RunningStack.get());
        String run = "erase-" + UUID.randomUUID().toString().substring(0, 8);
        String customer = run + "-c";
        String segment = run + " label";
        calls.appendOne("customer_segments", "{\"segment_id\":\"" + run + "\",\"segment_name\":\"" + segment
                + "\",\"segment_type\":\"label\"}");
        calls.appendOne("customer_profiles", "{\"customer_id\":\"" + customer + "\",\"customer_segment\":\"" + segment
                + "\",\"email\":\"" + customer + "@example.com\",\"lifetime_value\":42}");
        calls.appendOne("customer_events", "{\"event_id\":\"" + run + "-1\",\"customer_id\":\"" + customer
                + "\",\"event_type\":\"purchase\",\"event_timestamp\":\"1988-08-08 08:00:00\",\"price\":3}");
        String members = "segment_customers.json?segment_name=" + encode(segment);
        awaitTrue(() -> calls.pipe("query-service", members).path("rows").asInt() == 1, "the customer is a member");
        String day = "customer_behavioral_analysis.json?start_date=1988-08-08%2000:00:00"
                + "&end_date=1988-08-08%2023:59:59";
        assertTrue(calls.pipe("query-service", day).path("data").toString().contains("purchase"));

        JsonNode erasure = calls.postAdmin("/v0/erasures?customer_id=" + encode(customer), null);
        assertTrue(erasure.path("derived_data_erased").asBoolean(), erasure.toString());
        assertEquals(1, erasure.path("rows").path("customer_events").asInt(), erasure.toString());

        assertEquals(0, calls.pipe("query-service", members).path("rows").asInt(), "no member left");
        JsonNode metrics = calls.pipe("query-service", "segment_metrics.json");
        for (JsonNode row : metrics.path("data")) {
            if (segment.equals(row.path("segment_name").asText())) {
                assertEquals(0, row.path("customer_count").asInt(), row.toString());
            }
        }
        assertFalse(calls.pipe("query-service", day).path("data").toString().contains("purchase"),
                "the day's analysis no longer counts the erased purchase");
        DatabaseAddress address = TestDatabase.get();
        try (Connection db = DriverManager.getConnection(address.jdbcUrl(), address.user(), address.password())) {
            for (String table : List.of("customer_metrics_snapshot", "segment_membership", "customer_changes",
                    "customer_events", "customer_profiles")) {
                assertEquals(0, count(db, "SELECT count(*) FROM analytics." + table + " WHERE customer_id = ?",
                        customer), table);
            }
            try (PreparedStatement cleanup = db.prepareStatement(
                    "DELETE FROM analytics.customer_segments WHERE segment_id = ?")) {
                cleanup.setString(1, run);
                cleanup.execute();
            }
        }
    }

    @Test
    void anErasureDuringIngestOfTheSameCustomerLeavesNothingOrAWholeCustomer() throws Exception {
        calls = new StackCalls(RunningStack.get());
        String run = "erase-race-" + UUID.randomUUID().toString().substring(0, 8);
        String customer = run + "-c";
        List<CompletableFuture<HttpResponse<String>>> writes = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                body.append("{\"event_id\":\"").append(run).append('-').append(r).append('-').append(i)
                        .append("\",\"customer_id\":\"").append(customer)
                        .append("\",\"event_type\":\"purchase\",\"price\":1,\"event_timestamp\":\"1987-07-0")
                        .append(1 + i % 9).append(" 10:00:00\"}\n");
            }
            writes.add(calls.http().sendAsync(calls.append("customer_events", body.toString()),
                    HttpResponse.BodyHandlers.ofString()));
            if (r == 4) {
                calls.postAdmin("/v0/erasures?customer_id=" + encode(customer), null);
            }
        }
        for (CompletableFuture<HttpResponse<String>> write : writes) {
            assertEquals(200, write.get(60, TimeUnit.SECONDS).statusCode());
        }
        DatabaseAddress address = TestDatabase.get();
        try (Connection db = DriverManager.getConnection(address.jdbcUrl(), address.user(), address.password())) {
            awaitTrue(() -> count(db, "SELECT count(*) FROM analytics.customer_changes WHERE customer_id = ?",
                    customer) == 0, "segmentation-service recomputed the customer");
            long raw = count(db, "SELECT count(*) FROM analytics.customer_events WHERE customer_id = ?", customer);
            long snapshot = count(db, "SELECT coalesce(sum(event_count), 0) FROM analytics.customer_metrics_snapshot"
                    + " WHERE customer_id = ?", customer);
            long rows = count(db, "SELECT count(*) FROM analytics.customer_metrics_snapshot WHERE customer_id = ?",
                    customer);
            assertEquals(raw, snapshot, "the snapshot counts exactly the events that are left");
            assertEquals(raw == 0 ? 0 : 1, rows, "a snapshot row exactly when events are left");
            assertTrue(raw % 20 == 0, "whole requests erased or kept, never part of one: " + raw);
        }
    }
}
