package io.customeranalytics.ingest.erasure;

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

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v0/erasures}: one customer's events, profile and quarantined rows go in one transaction, with its
 * change records and its days of the aggregates; a customer whose id contains the erased one keeps everything;
 * the audit record keeps the id's SHA-256 and the counts. Run without segmentation-service, so the derived data
 * is reported as not yet erased (client-tests' CustomerErasureTest covers it with the whole stack).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class ErasureResourceTest {

    private static final String ADMIN = "test-admin-token";

    @Inject
    Pool pool;

    @Test
    void erasesTheCustomerEverywhereAndLeavesACustomerWithALongerIdAlone() throws Exception {
        String erased = "erase-" + UUID.randomUUID().toString().substring(0, 13);
        String kept = erased + "0";
        for (String customer : List.of(erased, kept)) {
            post("customer_events", "{\"event_id\":\"" + customer + "-1\",\"customer_id\":\"" + customer
                    + "\",\"event_type\":\"purchase\",\"event_timestamp\":\"1993-04-05 10:00:00\",\"price\":4,"
                    + "\"session_id\":\"s1\"}\n{\"event_id\":\"" + customer + "-2\",\"customer_id\":\"" + customer
                    + "\",\"event_type\":\"page_view\",\"event_timestamp\":\"1993-04-07 10:00:00\"}\n"
                    + "{\"event_id\":\"" + customer + "-3\",\"customer_id\":\"" + customer
                    + "\",\"event_type\":\"page_view\",\"event_timestamp\":\"not a time\"}");
            post("customer_profiles", "{\"customer_id\":\"" + customer + "\",\"email\":\"" + customer
                    + "@example.com\"}\n{\"customer_id\":\"" + customer + "\",\"age\":\"old\"}\n"
                    + "{\"customer_id\":\"" + customer + "\",");
        }
        long pendingBefore = count("SELECT count(*) FROM behavioral_pending WHERE period >= '1993-04-01'"
                + " AND period < '1993-05-01'");

        JsonPath answer = given().queryParam("token", ADMIN).queryParam("customer_id", erased)
                .when().post("/v0/erasures")
                .then().statusCode(200).contentType("application/json")
                .body("customer_id", equalTo(erased))
                .body("rows.customer_events", equalTo(2))
                .body("rows.customer_profiles", equalTo(1))
                .body("rows.customer_events_quarantine", equalTo(1))
                .body("rows.customer_profiles_quarantine", equalTo(2))
                .body("rows.customer_changes", equalTo(3))
                .body("aggregate_days_pending", equalTo(0))
                .body("derived_data_erased", equalTo(false))
                .extract().jsonPath();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(erased.getBytes(StandardCharsets.UTF_8)));
        assertEquals(sha, answer.getString("customer_sha256"));

        for (String table : List.of("customer_events", "customer_profiles", "customer_daily_activity",
                "customer_daily_sessions")) {
            assertEquals(0, count("SELECT count(*) FROM " + table + " WHERE customer_id = $1", erased), table);
        }
        for (String table : List.of("customer_events_quarantine", "customer_profiles_quarantine")) {
            assertEquals(0, count("SELECT count(*) FROM " + table + " WHERE customer_id = $1"
                    + " OR strpos(c__raw, $1) > 0 AND strpos(c__raw, $2) = 0", erased, kept), table);
        }
        assertEquals(2, count("SELECT count(*) FROM customer_events WHERE customer_id = $1", kept));
        assertEquals(1, count("SELECT count(*) FROM customer_profiles WHERE customer_id = $1", kept));
        assertEquals(1, count("SELECT count(*) FROM customer_events_quarantine WHERE customer_id = $1", kept));
        assertEquals(2, count("SELECT count(*) FROM customer_profiles_quarantine WHERE strpos(c__raw, $1) > 0", kept));
        assertTrue(count("SELECT count(*) FROM customer_daily_activity WHERE customer_id = $1", kept) > 0);

        // In place of the customer's records: one that says nothing, and the profile deletion's own (adds nothing).
        List<Row> records = rows("SELECT revenue, purchase FROM customer_changes WHERE customer_id = $1"
                + " ORDER BY purchase NULLS FIRST", erased);
        assertEquals(2, records.size());
        assertNull(records.get(0).getValue("purchase"));
        assertEquals(Boolean.FALSE, records.get(1).getBoolean("purchase"));
        assertEquals(0.0, records.get(1).getDouble("revenue"));
        assertTrue(count("SELECT count(*) FROM behavioral_pending WHERE period >= '1993-04-01'"
                + " AND period < '1993-05-01'") >= pendingBefore + 4, "day x2, week, month of the erased events");

        Row audit = rows("SELECT customer_sha256, rows->>'customer_events' AS events FROM customer_erasures"
                + " WHERE erasure_id = $1", UUID.fromString(answer.getString("erasure_id"))).get(0);
        assertEquals(sha, audit.getString("customer_sha256"));
        assertEquals("2", audit.getString("events"));
        assertEquals(0, count("SELECT count(*) FROM customer_erasures WHERE rows::text LIKE $1", "%" + erased + "%"),
                "the audit record holds no customer id");
    }

    @Test
    void anUnknownCustomerIsErasedAtOnceWithNothingToRecompute() {
        String unknown = "never-seen-" + UUID.randomUUID();
        given().queryParam("token", ADMIN).queryParam("customer_id", unknown)
                .when().post("/v0/erasures")
                .then().statusCode(200)
                .body("rows.customer_events", equalTo(0))
                .body("rows.customer_profiles", equalTo(0))
                .body("derived_data_erased", equalTo(true));
        assertEquals(0, count("SELECT count(*) FROM customer_changes WHERE customer_id = $1", unknown));
        assertEquals(1, count("SELECT count(*) FROM customer_erasures WHERE customer_sha256"
                + " = encode(sha256(convert_to($1, 'UTF8')), 'hex')", unknown), "still audited");
    }

    @Test
    void refusesATokenThatIsNotAdminAndAMissingOrUnstorableId() {
        given().header("Authorization", "Bearer test-append-events-token").queryParam("customer_id", "c")
                .when().post("/v0/erasures")
                .then().statusCode(403).body("error", containsString("ADMIN"));
        given().queryParam("token", ADMIN).when().post("/v0/erasures")
                .then().statusCode(400).body("error", containsString("missing parameter 'customer_id'"));
        given().queryParam("token", ADMIN).queryParam("customer_id", "a\u0000b").when().post("/v0/erasures")
                .then().statusCode(400).body("error", containsString("NUL"));
        given().queryParam("token", ADMIN).queryParam("customer_id", "x".repeat(129)).when().post("/v0/erasures")
                .then().statusCode(400).body("error", containsString("longer than 128"));
        given().queryParam("token", ADMIN).queryParam("customer_id", "c").when().get("/v0/erasures")
                .then().statusCode(405);
    }

    private static void post(String datasource, String body) {
        given().queryParam("token", ADMIN).queryParam("name", datasource).queryParam("wait", "true").body(body)
                .when().post("/v0/events")
                .then().statusCode(200);
    }

    private long count(String sql, Object... params) {
        return rows(sql, params).get(0).getLong(0);
    }

    private List<Row> rows(String sql, Object... params) {
        List<Row> out = new java.util.ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofSeconds(30)).forEach(out::add);
        return out;
    }
}
