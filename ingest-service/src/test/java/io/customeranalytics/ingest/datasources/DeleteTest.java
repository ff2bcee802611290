package io.customeranalytics.ingest.datasources;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.customeranalytics.ingest.datasources.DatabaseReads.count;
import static io.customeranalytics.ingest.datasources.DatabaseReads.id;
import static io.customeranalytics.ingest.datasources.DatabaseReads.strings;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v0/datasources/<name>/delete}: the rows a condition selects go, with what is derived from them
 * (the aggregates, equal afterwards to their definition over the rows left; the behavioural periods; the change
 * records; every per-segment state), recorded as a job that {@code GET /v0/jobs/<id>} serves. A dry run only
 * counts. Every test makes its own rows and conditions name them, so nothing else is deleted.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class DeleteTest {

    private static final String ADMIN = "test-admin-token";

    /** The aggregate's rows of one customer, and the same computed over its raw events. */
    private static final String ACTIVITY = """
            SELECT day, event_type, country, device_type, event_count, revenue, last_event_at
            FROM customer_daily_activity WHERE customer_id = $1 ORDER BY 1, 2, 3, 4""";
    private static final String ACTIVITY_RAW = """
            SELECT date_trunc('day', event_timestamp, 'UTC'), event_type, coalesce(country, ''),
                   coalesce(device_type, ''), count(*),
                   sum(CASE WHEN event_type = 'purchase' THEN coalesce(price, 0) * coalesce(quantity, 1) ELSE 0 END),
                   max(event_timestamp)
            FROM customer_events WHERE customer_id = $1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""";
    private static final String SESSIONS = """
            SELECT day, session_id, event_count FROM customer_daily_sessions WHERE customer_id = $1 ORDER BY 1, 2""";
    private static final String SESSIONS_RAW = """
            SELECT date_trunc('day', event_timestamp, 'UTC'), session_id, count(*) FROM customer_events
            WHERE customer_id = $1 AND session_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2""";

    @Inject
    Pool pool;

    @Test
    void deletesTheSelectedEventsAndTheAggregatesEqualTheRowsLeft() {
        String customer = id("delete-events");
        String other = customer + "0";
        for (String c : List.of(customer, other)) {
            post("customer_events", event(c, c + "-1", "purchase", "1992-03-04 10:00:00", "\"price\":5,\"quantity\":2,"
                    + "\"session_id\":\"s1\",\"country\":\"ES\"") + "\n"
                    + event(c, c + "-2", "page_view", "1992-03-04 11:00:00", "\"session_id\":\"s1\"") + "\n"
                    + event(c, c + "-3", "purchase", "1992-03-05 09:00:00", "\"price\":7,\"session_id\":\"s2\","
                    + "\"country\":\"US\"") + "\n"
                    + event(c, c + "-4", "page_view", "1992-04-01 00:00:00", ""));
        }
        // TimescaleDB mode: the events' days materialized, so that only the delete's own rebuild can correct them
        // (an unmaterialized day would read right from the raw events without it). Plain mode: nothing to do.
        pool.query("INSERT INTO aggregate_days_to_refresh (day) VALUES ('1992-03-04 00:00:00+00'),"
                + " ('1992-03-05 00:00:00+00'), ('1992-04-01 00:00:00+00') ON CONFLICT DO NOTHING").execute()
                .chain(() -> pool.query("CALL refresh_erased_days()").execute())
                .await().atMost(Duration.ofSeconds(60));
        // Only the delete records them again (no query-service here takes them).
        pool.query("DELETE FROM behavioral_pending WHERE period >= '1992-02-01' AND period < '1992-05-01'").execute()
                .await().atMost(Duration.ofSeconds(30));

        // The first day's purchase and the April event: a condition over a string, a DateTime and a number.
        String condition = "customer_id = '" + customer + "' AND (event_timestamp < '1992-03-04T10:30:00Z'"
                + " OR event_timestamp >= '1992-04-01 00:00:00') AND NOT price > 6";
        JsonPath answer = given().queryParam("token", ADMIN)
                .contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .formParam("delete_condition", condition)
                .when().post("/v0/datasources/customer_events/delete")
                .then().statusCode(200).contentType("application/json")
                .body("status", equalTo("done"))
                .body("job.kind", equalTo("delete_data"))
                .body("job.status", equalTo("done"))
                .body("job.rows_affected", equalTo(2))
                .body("job.delete_condition", equalTo(condition))
                .body("job.datasource.name", equalTo("customer_events"))
                .extract().jsonPath();
        String jobId = answer.getString("id");
        assertEquals(jobId, answer.getString("job_id"));
        assertEquals(jobId, answer.getString("delete_id"));
        assertTrue(answer.getString("job_url").endsWith("/v0/jobs/" + jobId), answer.getString("job_url"));

        assertEquals(List.of(customer + "-2", customer + "-3"), strings(pool, 
                "SELECT event_id FROM customer_events WHERE customer_id = $1 ORDER BY event_id", customer));
        assertEquals(4, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", other),
                "a customer whose id only starts with the one named keeps its events");
        for (String c : List.of(customer, other)) {
            assertEquals(rows(ACTIVITY_RAW, c), rows(ACTIVITY, c), "customer_daily_activity of " + c);
            assertEquals(rows(SESSIONS_RAW, c), rows(SESSIONS, c), "customer_daily_sessions of " + c);
        }
        assertEquals(List.of("day 1992-03-04", "day 1992-04-01", "month 1992-03-01", "month 1992-04-01",
                        "week 1992-03-02", "week 1992-03-30"),
                strings(pool, "SELECT DISTINCT grain || ' ' || to_char(period AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                        + " FROM behavioral_pending WHERE period >= '1992-02-01' AND period < '1992-05-01' ORDER BY 1"),
                "the deleted events' day, week and month are read raw until query-service refreshes them");
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1 AND purchase IS NULL",
                customer), "one record that says nothing, so that its metrics are recomputed from the raw events");
        assertEquals(0, count(pool, "SELECT count(*) FROM aggregate_days_to_refresh"), "the aggregates' days are rebuilt");

        given().queryParam("token", ADMIN).when().get("/v0/jobs/" + jobId)
                .then().statusCode(200).contentType("application/json")
                .body("id", equalTo(jobId)).body("rows_affected", equalTo(2))
                .body("job_url", endsWith("/v0/jobs/" + jobId))
                .body("delete_condition", equalTo(condition));
        given().header("Authorization", "Bearer " + ADMIN).when().get("/v0/jobs")
                .then().statusCode(200).body("jobs.id", hasItem(jobId));
    }

    @Test
    void aDryRunCountsAndDeletesNothingAndTheQueryStringWorksToo() {
        String customer = id("delete-dry");
        post("customer_events", event(customer, customer + "-1", "page_view", "1992-05-01 00:00:00", "") + "\n"
                + event(customer, customer + "-2", "page_view", "1992-05-02 00:00:00", "\"country\":\"ES\""));
        given().queryParam("token", ADMIN).formParam("delete_condition", "customer_id = '" + customer + "'")
                .formParam("dry_run", "true")
                .when().post("/v0/datasources/customer_events/delete")
                .then().statusCode(200).body("rows_to_be_deleted", equalTo(2));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));

        // Comparisons with a null column are false and NOT negates that false: the event without a country goes.
        given().queryParam("token", ADMIN)
                .queryParam("delete_condition", "customer_id = '" + customer + "' AND NOT (country = 'ES')")
                .when().post("/v0/datasources/customer_events/delete")
                .then().statusCode(200).body("job.rows_affected", equalTo(1));
        assertEquals(List.of(customer + "-2"),
                strings(pool, "SELECT event_id FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void deletesProfilesByAgeAndRecordsTheirCustomers() {
        String young = id("delete-young");
        String old = id("delete-old");
        post("customer_profiles", "{\"customer_id\":\"" + young + "\",\"age\":20,\"signup_date\":\"2020-01-02\"}\n"
                + "{\"customer_id\":\"" + old + "\",\"age\":70,\"signup_date\":\"2020-01-02\"}");
        pool.preparedQuery("DELETE FROM customer_changes WHERE customer_id = ANY($1)")
                .execute(Tuple.of(new String[] {young, old})).await().atMost(Duration.ofSeconds(30));
        given().queryParam("token", ADMIN)
                .formParam("delete_condition", "customer_id IN ('" + young + "', '" + old + "') AND age >= 65"
                        + " AND signup_date = '2020-01-02'")
                .when().post("/v0/datasources/customer_profiles/delete")
                .then().statusCode(200).body("job.rows_affected", equalTo(1));
        assertEquals(List.of(young), strings(pool, "SELECT customer_id FROM customer_profiles WHERE customer_id = ANY($1)",
                (Object) new String[] {young, old}));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1", old),
                "the profile's trigger records the customer, so that segmentation-service recomputes it");
    }

    @Test
    void deletesSegmentsWithEveryStateSegmentationKeepsForThem() {
        String gone = id("delete-seg");
        String kept = id("keep-seg");
        String type = "type-of-" + gone;
        post("customer_segments", "{\"segment_id\":\"" + gone + "\",\"segment_name\":\"" + gone + "\","
                + "\"segment_type\":\"" + type + "\"}\n{\"segment_id\":\"" + kept + "\",\"segment_name\":\"" + kept
                + "\",\"segment_type\":\"" + type + "\"}");
        for (String segment : List.of(gone, kept)) {
            pool.preparedQuery("INSERT INTO segment_refresh_errors (segment_id, failed_at, error)"
                    + " VALUES ($1, now(), 'x')").execute(Tuple.of(segment)).await().atMost(Duration.ofSeconds(30));
            pool.preparedQuery("INSERT INTO segment_membership_state (segment_id, refreshed_at, segment_updated_at,"
                    + " member_count) VALUES ($1, now(), now(), 0)").execute(Tuple.of(segment))
                    .await().atMost(Duration.ofSeconds(30));
            pool.preparedQuery("INSERT INTO segment_member_counts (segment_id, country, age, ltv_band, members)"
                    + " VALUES ($1, '', -1, -1, 1)").execute(Tuple.of(segment)).await().atMost(Duration.ofSeconds(30));
        }
        given().queryParam("token", ADMIN)
                .formParam("delete_condition", "segment_type = '" + type + "' AND segment_id != '" + kept + "'")
                .when().post("/v0/datasources/customer_segments/delete")
                .then().statusCode(200).body("job.rows_affected", equalTo(1));
        for (String table : List.of("customer_segments", "segment_refresh_errors", "segment_membership_state",
                "segment_member_counts")) {
            assertEquals(0, count(pool, "SELECT count(*) FROM " + table + " WHERE segment_id = $1", gone), table);
            assertEquals(1, count(pool, "SELECT count(*) FROM " + table + " WHERE segment_id = $1", kept), table);
        }
        // Its name is free again.
        post("customer_segments", "{\"segment_id\":\"" + id("again") + "\",\"segment_name\":\"" + gone + "\"}");
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_segments WHERE segment_name = $1", gone));
    }

    @Test
    void refusesWhatIsNotAConditionOverTheColumnsWithTheProblemAndItsPosition() {
        refuses("customer_events", "", 400, "missing parameter 'delete_condition'");
        refuses("customer_events", "customer_id = 'x'; DROP TABLE customer_events",
                400, "delete_condition: unexpected character ';' at position 18");
        refuses("customer_events", "total_spent > 5", 400, "delete_condition: unknown column 'total_spent'"
                + " (columns: event_id, customer_id, event_type, event_timestamp, session_id");
        refuses("customer_events", "event_timestamp < 'last week'", 400,
                "expected a DateTime as 'YYYY-MM-DD HH:MM:SS' (UTC)");
        refuses("customer_events", "price > 1e400", 400, "number 1e400 is out of range");
        refuses("customer_events", "event_id = 'a\u0000b'", 400, "delete_condition contains a NUL character");
        refuses("customer_profiles", "age > 'old'", 400, "expected a number after '>', got 'old' at position 7");
        refuses("customer_orders", "customer_id = 'x'", 404, "unknown datasource 'customer_orders'");
        refuses("customer_events_quarantine", "customer_id = 'x'", 404, "(a quarantine can be truncated)");
        given().queryParam("token", ADMIN).formParam("delete_condition", "customer_id = 'x'")
                .formParam("dry_run", "maybe")
                .when().post("/v0/datasources/customer_events/delete")
                .then().statusCode(400).body("error", containsString("dry_run must be true or false, got 'maybe'"));
        given().queryParam("token", ADMIN).contentType("application/x-www-form-urlencoded")
                .body("delete_condition=%zz")
                .when().post("/v0/datasources/customer_events/delete")
                .then().statusCode(400).body("error", containsString("not valid application/x-www-form-urlencoded"));
        given().queryParam("token", ADMIN).contentType("application/x-www-form-urlencoded")
                .body("delete_condition=" + "x".repeat(70_000))
                .when().post("/v0/datasources/customer_events/delete")
                .then().statusCode(413).body("error", containsString("longer than 65536 bytes"));
        given().header("Authorization", "Bearer test-append-events-token")
                .formParam("delete_condition", "customer_id = 'x'")
                .when().post("/v0/datasources/customer_events/delete")
                .then().statusCode(403).body("error", containsString("ADMIN"));
        given().queryParam("token", ADMIN).when().get("/v0/jobs/not-a-job")
                .then().statusCode(404).body("error", containsString("no job 'not-a-job'"));
        given().queryParam("token", ADMIN).when().get("/v0/jobs/" + UUID.randomUUID())
                .then().statusCode(404).contentType("application/json");
    }

    private static void refuses(String datasource, String condition, int status, String message) {
        given().queryParam("token", ADMIN).formParam("delete_condition", condition)
                .when().post("/v0/datasources/" + datasource + "/delete")
                .then().statusCode(status).contentType("application/json").body("error", containsString(message));
    }

    private static String event(String customer, String eventId, String type, String time, String more) {
        return "{\"event_id\":\"" + eventId + "\",\"customer_id\":\"" + customer + "\",\"event_type\":\"" + type
                + "\",\"event_timestamp\":\"" + time + "\"" + (more.isEmpty() ? "" : "," + more) + "}";
    }

    private static void post(String datasource, String body) {
        given().queryParam("token", ADMIN).queryParam("name", datasource).queryParam("wait", "true").body(body)
                .when().post("/v0/events")
                .then().statusCode(200).body("quarantined_rows", equalTo(0));
    }

    /** Each row as the text of its columns, so that rows of a view and of a query compare. */
    private List<List<String>> rows(String sql, Object... params) {
        List<List<String>> rows = new ArrayList<>();
        for (Row row : pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofSeconds(30))) {
            List<String> columns = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                columns.add(String.valueOf(row.getValue(i)));
            }
            rows.add(columns);
        }
        return rows;
    }
}
