package io.customeranalytics.ingest.datasources;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v0/datasources/<name>/truncate}: a quarantine alone; customer_events with what only its rows feed
 * (the behavioural table and pending periods, the change records, the aggregates in both modes) and the
 * snapshot's state, so that segmentation-service rebuilds; profiles; segments with every per-segment state.
 * These tests empty whole tables of the test database; every test of this module makes its own rows.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class TruncateTest {

    private static final String ADMIN = "test-admin-token";

    @Inject
    Pool pool;

    @Test
    void aQuarantineIsTruncatedAloneAndItsDatasourceKeepsItsRows() {
        String id = "truncate-" + UUID.randomUUID().toString().substring(0, 13);
        post("customer_events", "{\"event_id\":\"" + id + "\",\"customer_id\":\"" + id
                + "\",\"event_type\":\"page_view\",\"event_timestamp\":\"1994-01-01 00:00:00\"}\nnot json");
        assertTrue(count("SELECT count(*) FROM customer_events_quarantine") > 0);
        truncate("customer_events_quarantine");
        assertEquals(0, count("SELECT count(*) FROM customer_events_quarantine"));
        assertEquals(1, count("SELECT count(*) FROM customer_events WHERE customer_id = $1", id));
    }

    @Test
    void eventsAreTruncatedWithWhatOnlyTheyFeed() {
        String id = "truncate-" + UUID.randomUUID().toString().substring(0, 13);
        post("customer_events", "{\"event_id\":\"" + id + "\",\"customer_id\":\"" + id
                + "\",\"event_type\":\"purchase\",\"price\":2,\"session_id\":\"s\","
                + "\"event_timestamp\":\"1994-02-02 00:00:00\"}");
        post("customer_profiles", "{\"customer_id\":\"" + id + "\"}");
        pool.query("INSERT INTO customer_metrics_snapshot_state (refreshed_at, duration_ms) VALUES (now(), 1)"
                + " ON CONFLICT DO NOTHING").execute().await().atMost(Duration.ofSeconds(30));
        assertTrue(count("SELECT count(*) FROM customer_daily_activity WHERE customer_id = $1", id) > 0
                || count("SELECT count(*) FROM customer_events WHERE customer_id = $1", id) == 1);

        truncate("customer_events");
        for (String table : List.of("customer_events", "behavioral_days", "behavioral_pending",
                "customer_daily_activity", "customer_daily_sessions", "customer_metrics_snapshot_state")) {
            assertEquals(0, count("SELECT count(*) FROM " + table), table);
        }
        assertEquals(0, count("SELECT count(*) FROM customer_changes WHERE customer_id = $1", id),
                "the events' change records went with them");
        assertEquals(1, count("SELECT count(*) FROM customer_profiles WHERE customer_id = $1", id));
    }

    @Test
    void profilesAndSegmentsAreTruncatedWithTheirState() {
        String id = "truncate-" + UUID.randomUUID().toString().substring(0, 13);
        post("customer_profiles", "{\"customer_id\":\"" + id + "\"}");
        post("customer_segments", "{\"segment_id\":\"" + id + "\",\"segment_name\":\"" + id + "\"}");
        pool.preparedQuery("INSERT INTO segment_refresh_errors (segment_id, failed_at, error) VALUES ($1, now(), 'x')")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(30));
        pool.preparedQuery("INSERT INTO segment_member_counts (segment_id, country, age, ltv_band, members)"
                        + " VALUES ($1, '', -1, -1, 1)")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(30));
        truncate("customer_profiles");
        assertEquals(0, count("SELECT count(*) FROM customer_profiles"));
        assertEquals(0, count("SELECT count(*) FROM customer_metrics_snapshot_state"), "rebuilt from what is left");
        truncate("customer_segments");
        for (String table : List.of("customer_segments", "segment_membership", "segment_membership_state",
                "segment_stats", "segment_active_days", "segment_member_counts", "segment_refresh_errors")) {
            assertEquals(0, count("SELECT count(*) FROM " + table), table);
        }
    }

    @Test
    void refusesAnUnknownDatasourceAndATokenThatIsNotAdmin() {
        given().queryParam("token", ADMIN).when().post("/v0/datasources/customer_orders/truncate")
                .then().statusCode(404).body("error", containsString("unknown datasource 'customer_orders'"));
        given().header("Authorization", "Bearer test-append-events-token")
                .when().post("/v0/datasources/customer_events/truncate")
                .then().statusCode(403).body("error", containsString("ADMIN"));
    }

    private static void truncate(String name) {
        given().queryParam("token", ADMIN).when().post("/v0/datasources/" + name + "/truncate")
                .then().statusCode(200).contentType("application/json")
                .body("datasource", equalTo(name)).body("truncated", equalTo(true));
    }

    private static void post(String datasource, String body) {
        given().queryParam("token", ADMIN).queryParam("name", datasource).queryParam("wait", "true").body(body)
                .when().post("/v0/events")
                .then().statusCode(200);
    }

    private long count(String sql, Object... params) {
        return pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofSeconds(30))
                .iterator().next().getLong(0);
    }
}
