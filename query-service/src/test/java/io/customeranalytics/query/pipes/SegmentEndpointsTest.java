package io.customeranalytics.query.pipes;

import io.customeranalytics.common.segments.MembershipRefresher;
import io.customeranalytics.localstack.PostgresTestResource;
import io.customeranalytics.localstack.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.customeranalytics.query.pipes.CustomerBehavioralAnalysisTest.DOUBLES;
import static io.customeranalytics.localstack.TestEvents.ADMIN;
import static io.customeranalytics.localstack.TestEvents.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * segment_customers and segment_metrics over membership computed by the same refresher segmentation-service
 * runs. Customers (unique to each test; B is a large random base, so that the rules match this test's customers
 * and nobody else's in a database that holds other data):
 * <pre>
 *   big    profile label = the segment's name, spent B + 1500 (3 purchases), 12 sessions, US, 40, ltv 2000 -> both
 *   rich   no label, spent B + 1200 (2 purchases), 11 sessions, GB, 30, ltv 900                             -> rules
 *   tagged label, spent 0, 1 session, US, 22, ltv null                                                     -> label
 *   small  other label, spent B + 100, 15 sessions, US, 50, ltv 100                                        -> none
 *   ghost  no profile, spent B + 5000, 15 sessions                                                         -> rules
 * </pre>
 * Segment rules: {@code total_spent > B + 1000 AND total_spent < B + 10000 AND session_count > 10}.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class SegmentEndpointsTest {

    @Inject
    Pool pool;

    @Inject
    MembershipRefresher refresher;

    String run;
    String segmentName;
    String segmentId;
    String big;
    String rich;
    String tagged;
    String small;
    String ghost;
    long base;

    private void sql(String sql, Object... params) {
        pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofMinutes(1));
    }

    private void profile(String id, String label, String country, Integer age, Double ltv) {
        sql("INSERT INTO customer_profiles (customer_id, email, first_name, customer_segment, country, age,"
                        + " lifetime_value, signup_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                id, id + "@example.com", "F-" + id, label, country, age, ltv, LocalDate.of(2022, 1, 1));
    }

    private void activity(List<TestEvents.Event> events, String customer, int purchases, double spent, int sessions,
                          OffsetDateTime at) {
        double price = purchases == 0 ? 0 : spent / purchases;
        for (int i = 0; i < purchases; i++) {
            events.add(new TestEvents.Event(unique("ev"), customer, "purchase", at.plusMinutes(i), "s-" + customer
                    + "-0", null, null, null, null, null, null, price, 1));
        }
        for (int i = 0; i < sessions; i++) {
            events.add(new TestEvents.Event(unique("ev"), customer, "page_view", at.plusHours(i), "s-" + customer
                    + "-" + i, null, null, null, null, null, null, null, null));
        }
    }

    @BeforeEach
    void insertCustomersAndSegment() {
        run = unique("seg");
        segmentName = "High Value " + run;
        segmentId = run;
        big = run + "-big";
        rich = run + "-rich";
        tagged = run + "-tagged";
        small = run + "-small";
        ghost = run + "-ghost";
        profile(big, segmentName, "US", 40, 2000.0);
        profile(rich, null, "GB", 30, 900.0);
        profile(tagged, segmentName, "US", 22, null);
        profile(small, "Other " + run, "US", 50, 100.0);
        base = 1_000_000_000L + new java.util.Random().nextInt(1_000_000_000) * 16L;
        OffsetDateTime recent = OffsetDateTime.now(ZoneOffset.UTC).minusDays(3).withNano(0);
        List<TestEvents.Event> events = new ArrayList<>();
        activity(events, big, 3, base + 1500, 12, recent);
        activity(events, rich, 2, base + 1200, 11, recent.minusDays(60));
        activity(events, tagged, 0, 0, 1, recent.minusDays(45));
        activity(events, small, 1, base + 100, 15, recent);
        activity(events, ghost, 1, base + 5000, 15, recent);
        TestEvents.insert(pool, events);
        sql("INSERT INTO customer_segments (segment_id, segment_name, segment_rules, segment_type)"
                + " VALUES ($1, $2, $3, $4)", segmentId, segmentName, rules(1000), "value-based");
        refresher.refreshAll().await().atMost(Duration.ofMinutes(5));
    }

    private String rules(long above) {
        return "total_spent > " + (base + above) + " AND total_spent < " + (base + 10_000) + " AND session_count > 10";
    }

    private JsonPath customers(Map<String, Object> params) {
        return given().config(DOUBLES).queryParam("token", ADMIN).queryParam("segment_name", segmentName)
                .queryParams(params)
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void listsMembersByLabelRulesAndBothOrderedByLifetimeValue() {
        JsonPath json = customers(Map.of());
        assertEquals(List.of(big, rich, ghost, tagged), json.getList("data.customer_id"));
        assertEquals(List.of("both", "rules", "rules", "label"), json.getList("data.matched_by"));
        assertEquals(base + 1500.0, json.getDouble("data[0].total_spent"), 1e-3);
        assertEquals(3, json.getInt("data[0].purchase_count"));
        assertEquals(12, json.getInt("data[0].session_count"), "the purchases share the first view's session");
        assertEquals(40, json.getInt("data[0].age"));
        assertEquals("2022-01-01", json.getString("data[0].signup_date"));
        assertEquals(segmentName, json.getString("data[0].customer_segment"));
        assertNull(json.get("data[2].email"), "a member without a profile has no profile fields");
        assertEquals(base + 5000.0, json.getDouble("data[2].total_spent"), 1e-3);
        assertEquals(4, json.getInt("rows_before_limit_at_least"));
    }

    @Test
    void filtersOnTheProfile() {
        assertEquals(List.of(big, tagged), customers(Map.of("country", "US")).getList("data.customer_id"));
        assertEquals(List.of(big, rich), customers(Map.of("min_age", 25)).getList("data.customer_id"));
        assertEquals(List.of(rich, tagged), customers(Map.of("max_age", 30)).getList("data.customer_id"));
        assertEquals(List.of(big), customers(Map.of("min_lifetime_value", 1000)).getList("data.customer_id"));
        assertEquals(List.of(big), customers(Map.of("limit", 1)).getList("data.customer_id"));
    }

    @Test
    void aLabelWithoutADefinedSegmentListsItsProfiles() {
        JsonPath json = given().queryParam("token", ADMIN).queryParam("segment_name", "Other " + run)
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(small), json.getList("data.customer_id"));
        assertEquals(List.of("label"), json.getList("data.matched_by"));
    }

    @Test
    void unknownSegmentIs404AndBadParametersAre400() {
        given().queryParam("token", ADMIN).queryParam("segment_name", "No such segment " + run)
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(404).body("error", containsString("unknown segment"));
        given().queryParam("token", ADMIN)
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(400).body("error", containsString("'segment_name'"));
        given().queryParam("token", ADMIN).queryParam("segment_name", segmentName).queryParam("limit", 100_001)
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(400).body("error", containsString("from 1 to 100000"));
        given().queryParam("token", ADMIN).queryParam("segment_name", segmentName).queryParam("min_age", "old")
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(400).body("error", containsString("'min_age'"));
    }

    @Test
    void membershipOlderThanTheBoundIs503() {
        sql("UPDATE segment_membership_state SET refreshed_at = now() - INTERVAL '10 minutes' WHERE segment_id = $1",
                segmentId);
        given().queryParam("token", ADMIN).queryParam("segment_name", segmentName)
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(503).header("Retry-After", equalTo("10"))
                .body("error", containsString("staleness bound"));
        given().queryParam("token", ADMIN).when().get("/v0/pipes/segment_metrics.json").then().statusCode(503);
        refresher.refreshAll().await().atMost(Duration.ofMinutes(5));
        given().queryParam("token", ADMIN).queryParam("segment_name", segmentName)
                .when().get("/v0/pipes/segment_customers.json").then().statusCode(200);
    }

    @Test
    void aChangedSegmentIsAppliedByTheNextRefreshOfChangedSegments() {
        sql("UPDATE customer_segments SET segment_rules = $2, updated_at = now() WHERE segment_id = $1", segmentId,
                rules(4000));
        refresher.refreshChanged().await().atMost(Duration.ofMinutes(1));
        assertEquals(List.of(big, ghost, tagged), customers(Map.of()).getList("data.customer_id"));
        assertEquals(List.of("label", "rules", "label"), customers(Map.of()).getList("data.matched_by"));
    }

    @Test
    void concurrentRefreshesAsFromTwoReplicasLeaveOneConsistentMembership() {
        // Four refreshes at once on separate connections, as two replicas' schedulers would run them: the advisory
        // locks make the losers skip, and nothing fails or duplicates.
        io.smallrye.mutiny.Uni.combine().all()
                .unis(refresher.refreshAll(), refresher.refreshAll(), refresher.refreshChanged(),
                        refresher.refreshAll())
                .discardItems()
                .await().atMost(Duration.ofMinutes(5));
        assertEquals(List.of(big, rich, ghost, tagged), customers(Map.of()).getList("data.customer_id"));
        assertEquals(4L, TestEvents.rows(pool, "SELECT count(*) FROM segment_membership WHERE segment_id = $1",
                segmentId).get(0).getLong(0));
    }

    @Test
    void segmentMetricsSumsTheMembers() {
        JsonPath json = given().config(DOUBLES).queryParam("token", ADMIN)
                .when().get("/v0/pipes/segment_metrics.json")
                .then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> rows = json.getList("data");
        Map<String, Object> row = rows.stream().filter(r -> segmentName.equals(r.get("segment_name"))).findFirst()
                .orElseThrow();
        assertEquals(segmentId, row.get("segment_id"));
        assertEquals("value-based", row.get("segment_type"));
        assertEquals(4, ((Number) row.get("customer_count")).intValue());
        assertEquals(2900.0, ((Number) row.get("total_lifetime_value")).doubleValue(), 1e-9);
        assertEquals(1450.0, ((Number) row.get("avg_lifetime_value")).doubleValue(), 1e-9);
        assertEquals((40 + 30 + 22) / 3.0, ((Number) row.get("avg_age")).doubleValue(), 1e-9);
        assertEquals(15 + 13 + 1 + 16, ((Number) row.get("total_events")).intValue());
        assertEquals(3 + 2 + 1, ((Number) row.get("total_purchases")).intValue());
        double revenue = 3.0 * base + 1500 + 1200 + 5000;
        assertEquals(revenue, ((Number) row.get("total_revenue")).doubleValue(), 1e-3);
        assertEquals(revenue / 4, ((Number) row.get("avg_revenue_per_customer")).doubleValue(), 1e-3);
        assertEquals((12 + 11 + 1 + 15) / 4.0, ((Number) row.get("avg_sessions_per_customer")).doubleValue(), 1e-9);
        assertEquals(2, ((Number) row.get("active_customers_30d")).intValue());

        Map<String, Object> label = rows.stream().filter(r -> ("Other " + run).equals(r.get("segment_name")))
                .findFirst().orElseThrow();
        assertNull(label.get("segment_id"));
        assertEquals("label", label.get("segment_type"));
        assertEquals(1, ((Number) label.get("customer_count")).intValue());
    }

    @Test
    void segmentMetricsByCountryKeepsEmptySegmentsWithNullAverages() {
        List<Map<String, Object>> rows = given().config(DOUBLES).queryParam("token", ADMIN)
                .queryParam("country", "GB")
                .when().get("/v0/pipes/segment_metrics.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        Map<String, Object> row = rows.stream().filter(r -> segmentName.equals(r.get("segment_name"))).findFirst()
                .orElseThrow();
        assertEquals(1, ((Number) row.get("customer_count")).intValue());
        assertEquals(base + 1200.0, ((Number) row.get("total_revenue")).doubleValue(), 1e-3);
        Map<String, Object> other = rows.stream().filter(r -> ("Other " + run).equals(r.get("segment_name")))
                .findFirst().orElseThrow();
        assertEquals(0, ((Number) other.get("customer_count")).intValue());
        assertEquals(0.0, ((Number) other.get("total_revenue")).doubleValue());
        assertNull(other.get("avg_lifetime_value"));
        assertNull(other.get("avg_revenue_per_customer"));
    }
}
