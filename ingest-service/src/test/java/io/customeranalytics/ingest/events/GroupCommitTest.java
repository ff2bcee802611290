package io.customeranalytics.ingest.events;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.customeranalytics.ingest.events.IngestTestSupport.ADMIN;
import static io.customeranalytics.ingest.events.IngestTestSupport.count;
import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.customeranalytics.ingest.events.IngestTestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concurrent small event requests share statements and commits (EventGroupCommit), and each is still answered
 * with its own counts, after its rows are committed; a row the database refuses fails only its own request.
 *
 * <p>To make the requests meet deterministically, a connection of the test holds a lock that stops every insert
 * into customer_events while the requests arrive: the statements in flight wait on it, the requests behind them
 * queue, and when the lock goes they are written in groups.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class GroupCommitTest {

    private static final int REQUESTS = 120;

    @Inject
    Pool pool;

    @TestHTTPResource("/v0/events?name=customer_events&wait=true")
    URI events;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static CompletableFuture<HttpResponse<String>> send(URI events, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(events)
                        .header("Authorization", "Bearer " + ADMIN)
                        .timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The group statements so far and the requests they wrote, from the service's own summary metric. */
    private static double[] groups() {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return new double[]{metric(text, "analytics_ingest_group_commit_requests_count"),
                metric(text, "analytics_ingest_group_commit_requests_sum")};
    }

    private static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E+]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private List<HttpResponse<String>> sendWhileInsertsAreHeld(List<String> bodies) throws Exception {
        return sendWhileInsertsAreHeld(pool, events, bodies);
    }

    /** Sends {@code bodies} at once while inserts are held, then lets them go; the answers in order. */
    static List<HttpResponse<String>> sendWhileInsertsAreHeld(Pool pool, URI events, List<String> bodies)
            throws Exception {
        SqlConnection holder = pool.getConnection().await().atMost(Duration.ofSeconds(30));
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            holder.query("BEGIN").execute().await().atMost(Duration.ofSeconds(30));
            holder.query("LOCK TABLE customer_events IN SHARE MODE").execute().await().atMost(Duration.ofSeconds(30));
            for (String body : bodies) {
                answers.add(send(events, body));
            }
            // Every request read and waiting (in a statement or in the queue behind them) before the lock goes.
            Thread.sleep(1500);
        } finally {
            holder.query("ROLLBACK").execute().await().atMost(Duration.ofSeconds(30));
            holder.close().await().atMost(Duration.ofSeconds(30));
        }
        List<HttpResponse<String>> done = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            done.add(answer.get(2, TimeUnit.MINUTES));
        }
        return done;
    }

    @Test
    void concurrentRequestsShareStatementsAndEachGetsItsOwnCounts() throws Exception {
        String customer = unique("grouped");
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            // Every tenth request sends again the event of the request before it: a retry inside the same group.
            int n = i % 10 == 9 ? i - 1 : i;
            bodies.add(json(event(customer + "-" + n, customer, "page_view", "2024-05-0" + (1 + n % 9) + " 10:00:00")));
        }
        double[] before = groups();
        List<HttpResponse<String>> answers = sendWhileInsertsAreHeld(bodies);
        double[] after = groups();

        for (HttpResponse<String> answer : answers) {
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals("{\"successful_rows\":1,\"quarantined_rows\":0}", answer.body());
        }
        long distinct = bodies.stream().distinct().count();
        assertEquals(distinct, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
        double statements = after[0] - before[0];
        assertEquals(REQUESTS, after[1] - before[1], 0.0, "every request went through group commit");
        assertTrue(statements < REQUESTS / 2.0, REQUESTS + " requests in " + statements + " statements");
        // The group statements record the periods of what they stored, as the one-request statement does.
        List<String> periods = IngestTestSupport.pendingPeriods(pool, "2024-04-29", "2024-05-10");
        for (int day = 1; day <= 9; day++) {
            assertTrue(periods.contains("day 2024-05-0" + day), periods.toString());
        }
        assertTrue(periods.containsAll(List.of("week 2024-04-29", "week 2024-05-06", "month 2024-05-01")),
                periods.toString());
        // And each stored row, once.
        assertEquals(distinct, count(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1", customer));
    }

    @Test
    void aRowTheDatabaseRefusesFailsOnlyItsOwnRequest() throws Exception {
        String customer = unique("poison");
        String poisoned = customer + "-poisoned";
        String function = "refuse_" + customer.replace('-', '_');
        pool.query("CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.event_id = '" + poisoned + "' THEN RAISE EXCEPTION 'refused for this test'; END IF;"
                + " RETURN NEW; END $$").execute().await().atMost(Duration.ofSeconds(30));
        pool.query("CREATE TRIGGER " + function + " BEFORE INSERT ON customer_events FOR EACH ROW EXECUTE FUNCTION "
                + function + "()").execute().await().atMost(Duration.ofSeconds(30));
        List<HttpResponse<String>> answers;
        List<String> bodies = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                String id = i == 20 ? poisoned : customer + "-" + i;
                bodies.add(json(event(id, customer, "page_view", "2024-05-10 10:00:00")));
            }
            answers = sendWhileInsertsAreHeld(bodies);
        } finally {
            pool.query("DROP TRIGGER " + function + " ON customer_events").execute()
                    .await().atMost(Duration.ofSeconds(30));
            pool.query("DROP FUNCTION " + function + "()").execute().await().atMost(Duration.ofSeconds(30));
        }
        for (int i = 0; i < bodies.size(); i++) {
            HttpResponse<String> answer = answers.get(i);
            if (i == 20) {
                assertFalse(answer.statusCode() / 100 == 2, "the refused row's request is not acknowledged: "
                        + answer.body());
            } else {
                assertEquals(200, answer.statusCode(), "request " + i + ": " + answer.body());
            }
        }
        assertEquals(39, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", poisoned));
    }
}
