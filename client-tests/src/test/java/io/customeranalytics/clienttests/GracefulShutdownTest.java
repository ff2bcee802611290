package io.customeranalytics.clienttests;

import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.LocalStack;
import io.customeranalytics.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM while requests are in flight: the built ingest-service, started on its own, answers every request it
 * had accepted (after its rows are committed), stores every row it acknowledged, and exits within its shutdown
 * timeout. To make the requests be in flight when the signal comes, a connection of the test holds a lock that
 * stops every insert into customer_events until after the signal.
 */
class GracefulShutdownTest {

    private static final int REQUESTS = 20;
    private static final int ROWS = 200;

    @Test
    void sigtermAnswersEveryRequestInFlightAndStoresWhatItAcknowledged() throws Exception {
        DatabaseAddress db = TestDatabase.get();
        String token = LocalStack.newToken();
        String run = "sigterm-" + UUID.randomUUID();
        LocalStack.Ports ports = LocalStack.Ports.free();
        try (LocalStack stack = LocalStack.start(Path.of("..").toAbsolutePath().normalize(), ports, db, token,
                Path.of("target/stack-logs/graceful-shutdown"), List.of("ingest-service"), Map.of())) {
            URI events = URI.create(stack.serviceUrl("ingest-service") + "/v0/events?name=customer_events&wait=true");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            long pid = stack.pids().get("ingest-service");
            try (Connection holder = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
                holder.setAutoCommit(false);
                try (Statement lock = holder.createStatement()) {
                    lock.execute("LOCK TABLE analytics.customer_events IN SHARE MODE");
                }
                for (int r = 0; r < REQUESTS; r++) {
                    answers.add(http.sendAsync(HttpRequest.newBuilder(events)
                                    .header("Authorization", "Bearer " + token)
                                    .timeout(Duration.ofSeconds(60))
                                    .POST(HttpRequest.BodyPublishers.ofString(body(run, r))).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                // Every request read and waiting on the lock, then the signal Kubernetes sends on termination.
                Thread.sleep(2000);
                ProcessHandle service = ProcessHandle.of(pid).orElseThrow();
                assertTrue(service.destroy(), "SIGTERM sent");
                Thread.sleep(1000);
                assertTrue(service.isAlive(), "the service waits for its requests in flight");
                holder.rollback();
            }
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode(), response.body());
                assertEquals("{\"successful_rows\":" + ROWS + ",\"quarantined_rows\":0}", response.body());
            }
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            try (Connection check = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                 PreparedStatement count = check.prepareStatement(
                         "SELECT count(*) FROM analytics.customer_events WHERE customer_id = ?")) {
                count.setString(1, run);
                try (ResultSet rows = count.executeQuery()) {
                    rows.next();
                    assertEquals((long) REQUESTS * ROWS, rows.getLong(1), "every acknowledged row is stored");
                }
            }
        }
    }

    private static String body(String run, int request) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
            body.append("{\"event_id\":\"").append(run).append('-').append(request).append('-').append(i)
                    .append("\",\"customer_id\":\"").append(run)
                    .append("\",\"event_type\":\"page_view\",\"event_timestamp\":\"2024-03-0")
                    .append(1 + i % 9).append(" 10:00:00\"}\n");
        }
        return body.toString();
    }
}
