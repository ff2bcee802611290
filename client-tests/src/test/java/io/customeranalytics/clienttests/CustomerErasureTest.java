package io.customeranalytics.clienttests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.LocalStack;
import io.customeranalytics.localstack.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private LocalStack stack;

    @Test
    void anErasedCustomerLeavesEveryDerivedAnswerBeforeTheErasureAnswers() throws Exception {
        stack = RunningStack.get();
        String run = "erase-" + UUID.randomUUID().toString().substring(0, 8);
        String customer = run + "-c";
        String segment = run + " label";
        post("customer_segments", "{\"segment_id\":\"" + run + "\",\"segment_name\":\"" + segment
                + "\",\"segment_type\":\"label\"}");
        post("customer_profiles", "{\"customer_id\":\"" + customer + "\",\"customer_segment\":\"" + segment
                + "\",\"email\":\"" + customer + "@example.com\",\"lifetime_value\":42}");
        post("customer_events", "{\"event_id\":\"" + run + "-1\",\"customer_id\":\"" + customer
                + "\",\"event_type\":\"purchase\",\"event_timestamp\":\"1988-08-08 08:00:00\",\"price\":3}");
        String members = "segment_customers.json?segment_name=" + encode(segment);
        awaitTrue(() -> get("query-service", members).path("rows").asInt() == 1, "the customer is a member");
        String day = "customer_behavioral_analysis.json?start_date=1988-08-08%2000:00:00"
                + "&end_date=1988-08-08%2023:59:59";
        assertTrue(get("query-service", day).path("data").toString().contains("purchase"));

        JsonNode erasure = JSON.readTree(postAdmin("/v0/erasures?customer_id=" + encode(customer)));
        assertTrue(erasure.path("derived_data_erased").asBoolean(), erasure.toString());
        assertEquals(1, erasure.path("rows").path("customer_events").asInt(), erasure.toString());

        assertEquals(0, get("query-service", members).path("rows").asInt(), "no member left");
        JsonNode metrics = get("query-service", "segment_metrics.json");
        for (JsonNode row : metrics.path("data")) {
            if (segment.equals(row.path("segment_name").asText())) {
                assertEquals(0, row.path("customer_count").asInt(), row.toString());
            }
        }
        assertFalse(get("query-service", day).path("data").toString().contains("purchase"),
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
        stack = RunningStack.get();
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
            writes.add(http.sendAsync(events("customer_events", body.toString()), HttpResponse.BodyHandlers.ofString()));
            if (r == 4) {
                postAdmin("/v0/erasures?customer_id=" + encode(customer));
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

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not within 90 s: " + what);
    }

    private JsonNode get(String service, String pipe) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(stack.serviceUrl(service)
                        + "/v0/pipes/" + pipe + (pipe.contains("?") ? "&" : "?") + "token=" + stack.adminToken()))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body());
    }

    private void post(String datasource, String row) throws Exception {
        HttpResponse<String> answer = http.send(events(datasource, row), HttpResponse.BodyHandlers.ofString());
        assertEquals("{\"successful_rows\":1,\"quarantined_rows\":0}", answer.body());
    }

    private String postAdmin(String path) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(stack.serviceUrl("ingest-service")
                        + path)).header("Authorization", "Bearer " + stack.adminToken())
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return answer.body();
    }

    private HttpRequest events(String datasource, String body) {
        return HttpRequest.newBuilder(URI.create(stack.serviceUrl("ingest-service") + "/v0/events?name="
                        + datasource + "&wait=true"))
                .header("Authorization", "Bearer " + stack.adminToken())
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static long count(Connection db, String sql, String param) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, param);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
