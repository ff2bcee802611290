package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.SegmentScenario;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.customeranalytics.query.pipes.CustomerBehavioralAnalysisTest.DOUBLES;
import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * segment_customers and segment_metrics over the membership of {@link SegmentScenario}, written by
 * {@link SegmentMembershipFixture} as segmentation-service leaves it (segmentation-service's
 * MembershipRefresherTest checks that its refresher computes the same membership from the same scenario).
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class SegmentEndpointsTest {

    @Inject
    Pool pool;

    SegmentScenario scenario;
    SegmentMembershipFixture membership;
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

    @BeforeEach
    void insertCustomersAndSegment() {
        scenario = SegmentScenario.insert(pool);
        run = scenario.run;
        segmentName = scenario.segmentName;
        segmentId = scenario.segmentId;
        big = scenario.big;
        rich = scenario.rich;
        tagged = scenario.tagged;
        small = scenario.small;
        ghost = scenario.ghost;
        base = scenario.base;
        membership = new SegmentMembershipFixture(pool)
                .snapshot(scenario.customers())
                .members(segmentId, scenario.expectedMembers())
                .fresh();
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
    void countsEveryMemberThatPassesTheFiltersBeforeTheLimit() {
        // Without an age or lifetime-value filter the count comes from segment_stats; with one, from the rows.
        assertEquals(4, customers(Map.of("limit", 1)).getInt("rows_before_limit_at_least"));
        assertEquals(2, customers(Map.of("country", "US", "limit", 1)).getInt("rows_before_limit_at_least"));
        assertEquals(1, customers(Map.of("country", "GB")).getInt("rows_before_limit_at_least"));
        assertEquals(2, customers(Map.of("min_age", 25, "limit", 1)).getInt("rows_before_limit_at_least"));
        assertEquals(1, customers(Map.of("country", "US", "min_lifetime_value", 1000))
                .getInt("rows_before_limit_at_least"));
        JsonPath label = given().queryParam("token", ADMIN).queryParam("segment_name", "Other " + run)
                .queryParam("limit", 1)
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(1, label.getInt("rows_before_limit_at_least"), "a label-only name counts its profiles");
    }

    /**
     * With an age or lifetime-value filter the count adds up segment_member_counts' whole bands and counts the
     * members of the band the minimum cuts: members on the bands' bounds, just under and over them, without an
     * age or a lifetime value, negative and huge, each counted as the definition says.
     */
    @Test
    void countsMembersAtTheEdgesOfTheLifetimeValueBands() {
        Double[] values = {null, -5.0, -0.5, 0.0, 0.999, 1.0, 1.19999, 1.2, 149.99, 150.0, 150.01, 179.9, 180.0,
            1e10, 2e10, 5e300, 150.0};
        Integer[] ages = {null, 0, 17, 30, 45, 150};
        String[] countries = {null, "US", "GB"};
        String id = run + "-bands";
        String name = "Bands " + run;
        int members = 102;
        List<String> customers = new ArrayList<>();
        Map<String, String> matchedBy = new LinkedHashMap<>();
        for (int i = 0; i < members; i++) {
            String customer = id + "-" + i;
            customers.add(customer);
            matchedBy.put(customer, "rules");
            sql("INSERT INTO customer_profiles (customer_id, country, age, lifetime_value) VALUES ($1, $2, $3, $4)",
                    customer, countries[i % 3], ages[i % 6], values[i % 17]);
        }
        sql("INSERT INTO customer_segments (segment_id, segment_name, segment_rules, segment_type)"
                + " VALUES ($1, $2, 'total_spent > 0', 'value-based')", id, name);
        membership.snapshot(customers).members(id, matchedBy).fresh();

        Double[] minimums = {null, -10.0, -5.0, -0.5, 0.0, 0.5, 1.0, 1.19999, 1.2, 149.99, 150.0, 150.005, 180.0,
            1e10, 1.5e10, 5e300, 6e300};
        Integer[][] ageRanges = {{null, null}, {17, null}, {null, 30}, {17, 45}, {0, 0}};
        for (Double minimum : minimums) {
            for (Integer[] range : ageRanges) {
                for (String country : new String[] {null, "US"}) {
                    long expected = 0;
                    for (int i = 0; i < members; i++) {
                        Double value = values[i % 17];
                        Integer age = ages[i % 6];
                        boolean passes = (country == null || country.equals(countries[i % 3]))
                                && (range[0] == null || age != null && age >= range[0])
                                && (range[1] == null || age != null && age <= range[1])
                                && (minimum == null || value != null && value >= minimum);
                        expected += passes ? 1 : 0;
                    }
                    Map<String, Object> filters = new LinkedHashMap<>();
                    filters.put("limit", 1);
                    if (minimum != null) {
                        filters.put("min_lifetime_value", minimum);
                    }
                    if (range[0] != null) {
                        filters.put("min_age", range[0]);
                    }
                    if (range[1] != null) {
                        filters.put("max_age", range[1]);
                    }
                    if (country != null) {
                        filters.put("country", country);
                    }
                    JsonPath json = given().queryParam("token", ADMIN).queryParam("segment_name", name)
                            .queryParams(filters)
                            .when().get("/v0/pipes/segment_customers.json")
                            .then().statusCode(200).extract().jsonPath();
                    assertEquals(expected, json.getLong("rows_before_limit_at_least"), filters.toString());
                    assertEquals(Math.min(expected, 1), json.getList("data").size(), filters.toString());
                }
            }
        }
    }

    @Test
    void aLabelWithoutADefinedSegmentListsItsProfiles() {
        JsonPath json = given().config(DOUBLES).queryParam("token", ADMIN).queryParam("segment_name", "Other " + run)
                .when().get("/v0/pipes/segment_customers.json")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(small), json.getList("data.customer_id"));
        assertEquals(List.of("label"), json.getList("data.matched_by"));
        assertEquals(base + 100.0, json.getDouble("data[0].total_spent"), 1e-3,
                "a label-only name's members have their metrics from the snapshot");
        assertEquals(15, json.getInt("data[0].session_count"));
        assertNotNull(json.get("data[0].last_event_at"));
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
        membership.fresh();
        given().queryParam("token", ADMIN).queryParam("segment_name", segmentName)
                .when().get("/v0/pipes/segment_customers.json").then().statusCode(200);
    }

    @Test
    void a503SaysWhyTheSegmentsRefreshFailsWhenSegmentationServiceRecordedIt() {
        sql("UPDATE segment_membership_state SET refreshed_at = now() - INTERVAL '10 minutes' WHERE segment_id = $1",
                segmentId);
        sql("INSERT INTO segment_refresh_errors (segment_id, failed_at, error)"
                + " VALUES ($1, '2026-01-02 03:04:05+00', 'value out of range: overflow')", segmentId);
        try {
            given().queryParam("token", ADMIN).queryParam("segment_name", segmentName)
                    .when().get("/v0/pipes/segment_customers.json")
                    .then().statusCode(503)
                    .body("error", containsString("the membership of segment '" + segmentName + "' is older than"))
                    .body("error", containsString("its refresh fails: it failed at 2026-01-02 03:04:05 UTC:"
                            + " value out of range: overflow"));
            given().queryParam("token", ADMIN).when().get("/v0/pipes/segment_metrics.json")
                    .then().statusCode(503)
                    .body("error", containsString("segment '" + segmentName + "' failed at 2026-01-02 03:04:05 UTC:"
                            + " value out of range: overflow"));
        } finally {
            sql("DELETE FROM segment_refresh_errors WHERE segment_id = $1", segmentId);
            membership.fresh();
        }
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
    void countsActiveCustomersOnBothSidesOfTheDayThe30DaysStartIn() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Duration[] ago = {Duration.ofHours(1), Duration.ofDays(29), Duration.ofDays(30).minusMinutes(2),
            Duration.ofDays(30).plusMinutes(2), Duration.ofDays(31), Duration.ofDays(45)};
        String id = run + "-active";
        String label = "Active label " + run;
        String name = "Active " + run;
        List<String> customers = new ArrayList<>();
        Map<String, String> matchedBy = new LinkedHashMap<>();
        List<TestEvents.Event> events = new ArrayList<>();
        Map<String, Integer> expected = new LinkedHashMap<>(Map.of("", 0, "US", 0));
        for (int i = 0; i < 2 * ago.length; i++) {
            String customer = id + "-" + i;
            String country = i % 2 == 0 ? "US" : "GB";
            OffsetDateTime at = now.minus(ago[i / 2]).withNano(0);
            customers.add(customer);
            matchedBy.put(customer, "rules");
            sql("INSERT INTO customer_profiles (customer_id, country, customer_segment) VALUES ($1, $2, $3)",
                    customer, country, label);
            events.add(new TestEvents.Event(id + "-ev-" + i, customer, "page_view", at, null, null, null, null,
                    null, null, null, null, null));
            if (!at.isBefore(now.minusDays(30))) {
                expected.merge("", 1, Integer::sum);
                expected.merge(country, 1, Integer::sum);
            }
        }
        TestEvents.insert(pool, events);
        sql("INSERT INTO customer_segments (segment_id, segment_name, segment_rules, segment_type)"
                + " VALUES ($1, $2, 'event_count > 0', 'behavioral')", id, name);
        membership.snapshot(customers).members(id, matchedBy).fresh();

        for (String country : List.of("", "US")) {
            List<Map<String, Object>> rows = given().queryParam("token", ADMIN)
                    .queryParams(country.isEmpty() ? Map.of() : Map.of("country", country))
                    .when().get("/v0/pipes/segment_metrics.json")
                    .then().statusCode(200).extract().jsonPath().getList("data");
            for (String segment : List.of(name, label)) {
                Map<String, Object> row = rows.stream().filter(r -> segment.equals(r.get("segment_name")))
                        .findFirst().orElseThrow();
                assertEquals(expected.get(country), ((Number) row.get("active_customers_30d")).intValue(),
                        segment + ", country '" + country + "'");
            }
        }
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
