package io.customeranalytics.query.pipes;

import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestDatabase;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every pipe answer is bounded in bytes, and no query outlives its client or its statement timeout: with a
 * 10,000-byte bound, pages over it are refused with the number of rows that fit (the quarantine's in the
 * database, before its rows are read; the others as their rows are mapped); a query held by a table lock is
 * cancelled in the database once its client hangs up, and once its 1 s statement timeout passes (then 503).
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(PipeBoundsTest.SmallBounds.class)
class PipeBoundsTest {

    private static final int MAX_BYTES = 10_000;

    public static class SmallBounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("analytics.pipes.max-answer-bytes", Integer.toString(MAX_BYTES),
                    "analytics.pipes.statement-timeouts.customer_purchase_history", "1s");
        }
    }

    @Inject
    Pool pool;

    @TestHTTPResource("/")
    URL root;

    @Test
    void aQuarantinePageOverTheByteBoundIsRefusedWithTheRowsThatFit() {
        // Five rows of 3,000 raw bytes each (plus their reasons): three fit in 10,000 bytes.
        OffsetDateTime at = OffsetDateTime.parse("1985-01-01T00:00:00Z")
                .plusMinutes(ThreadLocalRandom.current().nextInt(500_000));
        UUID request = UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            pool.preparedQuery("INSERT INTO customer_events_quarantine (c__error_column, c__error, c__import_id,"
                            + " c__raw, insertion_date) VALUES (ARRAY['c__raw'], ARRAY['invalid JSON'], $1, $2, $3)")
                    .execute(Tuple.of(request, i + "x".repeat(2999), at))
                    .await().atMost(Duration.ofSeconds(30));
        }
        String from = TestEvents.text(at);
        given().queryParam("token", ADMIN).queryParam("start_date", from).queryParam("end_date", from)
                .when().get("/v0/pipes/customer_events_quarantine.json")
                .then().statusCode(400).contentType("application/json")
                .body("error", equalTo("the answer would hold more than 10000 bytes of values"
                        + " (analytics.pipes.max-answer-bytes); its first 3 rows fit: ask with limit=3 or narrower"
                        + " filters"));
        given().queryParam("token", ADMIN).queryParam("start_date", from).queryParam("end_date", from)
                .queryParam("limit", 3)
                .when().get("/v0/pipes/customer_events_quarantine.json")
                .then().statusCode(200).body("rows", equalTo(3)).body("rows_before_limit_at_least", equalTo(5))
                .body("data[0].c__raw", startsWith("0x"));
    }

    @Test
    void anyPipePageOverTheByteBoundIsRefusedWithTheRowsThatFit() {
        String customer = unique("bounds");
        List<TestEvents.Event> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestEvents.Event e = TestEvents.event(customer + "-" + i, customer, "page_view",
                    TestEvents.utc("2001-02-0" + (i + 1) + " 10:00:00"));
            events.add(new TestEvents.Event(e.eventId(), customer, "page_view", e.timestamp(), null,
                    "https://example.com/" + "p".repeat(4000), null, null, null, null, null, null, null));
        }
        TestEvents.insert(pool, events);
        given().queryParam("token", ADMIN).queryParam("customer_id", customer)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(400)
                .body("error", equalTo("the answer would hold more than 10000 bytes of values"
                        + " (analytics.pipes.max-answer-bytes); its first 2 rows fit: ask with limit=2 or narrower"
                        + " filters"));
        given().queryParam("token", ADMIN).queryParam("customer_id", customer).queryParam("limit", 2)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).body("rows", equalTo(2));
    }

    @Test
    void aQueryWhoseClientHungUpIsCancelledInTheDatabase() throws Exception {
        String customer = unique("gone");
        try (Connection holder = lockingEvents()) {
            try (Socket client = new Socket(root.getHost(), root.getPort())) {
                OutputStream out = client.getOutputStream();
                out.write(("GET /v0/pipes/customer_activity.json?token=" + ADMIN + "&customer_id=" + customer
                        + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                awaitWaiting(customer, 1);
            }
            // The socket is closed: the query waiting for the lock must go while the lock is still held.
            awaitWaiting(customer, 0);
            holder.rollback();
        }
    }

    @Test
    void aQueryOverItsStatementTimeoutIsCancelledAndAnswered503() throws Exception {
        String customer = unique("slow");
        try (Connection holder = lockingEvents()) {
            given().queryParam("token", ADMIN).queryParam("customer_id", customer)
                    .when().get("/v0/pipes/customer_purchase_history.json")
                    .then().statusCode(503).header("Retry-After", "5")
                    .body("error", equalTo("customer_purchase_history did not answer within its statement timeout"
                            + " of 1.0 s (analytics.pipes.statement-timeout); the query was cancelled"));
            awaitWaiting(customer, 0);
            holder.rollback();
        }
    }

    @Test
    void aQueryTheDatabaseCancelsIsA503ToRetry() throws Exception {
        String customer = unique("cancelled");
        try (Connection holder = lockingEvents()) {
            java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> answer =
                    java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(
                                    root.toURI().resolve("/v0/pipes/customer_activity.json?token=" + ADMIN
                                            + "&customer_id=" + customer)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            awaitWaiting(customer, 1);
            // What an operator's pg_cancel_backend, or a server-side statement_timeout, does to the query.
            pool.query("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database() AND query LIKE '%event_timestamp DESC, event_id%'")
                    .execute().await().atMost(Duration.ofSeconds(10));
            java.net.http.HttpResponse<String> response = answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(503, response.statusCode(), response.body());
            assertEquals("1", response.headers().firstValue("Retry-After").orElse(null));
            assertTrue(response.body().contains("could not finish the request because of concurrent work"),
                    response.body());
            holder.rollback();
        }
    }

    /** A connection whose open transaction holds a lock that stops every query of customer_events. */
    private static Connection lockingEvents() throws SQLException {
        DatabaseAddress db = TestDatabase.get();
        Connection holder = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        holder.setAutoCommit(false);
        try (Statement lock = holder.createStatement()) {
            lock.execute("LOCK TABLE analytics.customer_events IN ACCESS EXCLUSIVE MODE");
        }
        return holder;
    }

    /**
     * Waits until exactly {@code count} per-customer page queries (newest event first) wait for a lock in the
     * test database; {@code customer} only names the case in the failure message.
     */
    private void awaitWaiting(String customer, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long waiting = -1;
        while (System.nanoTime() < deadline) {
            waiting = pool.preparedQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            + " AND datname = current_database() AND query LIKE '%event_timestamp DESC, event_id%'")
                    .execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
            if (waiting == count) {
                return;
            }
            Thread.sleep(100);
        }
        assertTrue(false, "queries waiting for the lock for " + customer + ": " + waiting + ", expected " + count);
    }
}
