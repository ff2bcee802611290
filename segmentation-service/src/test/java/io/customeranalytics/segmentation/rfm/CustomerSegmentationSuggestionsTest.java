package io.customeranalytics.segmentation.rfm;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.config.JsonPathConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * RFM suggestions for constructed customers whose scores and segments are worked out by hand, at a fixed as_of
 * chosen before every event already in the database, so that only this test's customers have events then.
 *
 * <pre>
 *        recency  r | frequency  f | monetary  m | segment
 *   A       10    5 |    9       5 |   100     5 | Champions          555
 *   B      100    5 |    1       1 |    30     2 | New Customers      512
 *   C      200    4 |    5       3 |    60     3 | Potential Loyalists 433
 *   D      300    4 |    7       4 |    40     2 | Loyal              442
 *   E      400    3 |    3       2 |    50     3 | Need Attention     323
 *   F      500    3 |    8       4 |    80     4 | Loyal              344
 *   G      600    2 |    9       5 |    90     5 | Can't Lose Them    255
 *   H      700    2 |    3       2 |    10     1 | Hibernating        221
 *   I      800    1 |    5       3 |    70     4 | At Risk            134
 *   J      900    1 |    2       1 |    20     1 | Lost               111
 *   K  no purchase, a view 2 hours before as_of                      | Browsers
 *   L  no purchase, a view 45 days before as_of                       | Inactive
 *   M  profile only                                                    | Inactive
 * </pre>
 * Scores are ceil(5 x cume_dist) among the ten purchasers: ties share one (E and H at frequency 3 both get
 * 4/10 -> 2; C and I at 5 get 6/10 -> 3; A and G at 9 get 10/10 -> 5).
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class CustomerSegmentationSuggestionsTest {

    private static final RestAssuredConfig DOUBLES = RestAssuredConfig.config().jsonConfig(
            JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));

    /** name, recency days, frequency, monetary, expected r, f, m, segment. */
    private static final Object[][] PURCHASERS = {
            {"A", 10, 9, 100.0, 5, 5, 5, "Champions"},
            {"B", 100, 1, 30.0, 5, 1, 2, "New Customers"},
            {"C", 200, 5, 60.0, 4, 3, 3, "Potential Loyalists"},
            {"D", 300, 7, 40.0, 4, 4, 2, "Loyal"},
            {"E", 400, 3, 50.0, 3, 2, 3, "Need Attention"},
            {"F", 500, 8, 80.0, 3, 4, 4, "Loyal"},
            {"G", 600, 9, 90.0, 2, 5, 5, "Can't Lose Them"},
            {"H", 700, 3, 10.0, 2, 2, 1, "Hibernating"},
            {"I", 800, 5, 70.0, 1, 3, 4, "At Risk"},
            {"J", 900, 2, 20.0, 1, 1, 1, "Lost"}};

    @Inject
    Pool pool;

    String run;
    OffsetDateTime asOf;

    private String id(String name) {
        return run + "-" + name;
    }

    @BeforeEach
    void insertCustomers() {
        run = "0rfm-" + TestEvents.unique("r");
        OffsetDateTime earliest = TestEvents.rows(pool, "SELECT least(coalesce(min(event_timestamp),"
                + " '2000-01-01'::timestamptz), '2000-01-01'::timestamptz) FROM customer_events").get(0)
                .getOffsetDateTime(0);
        asOf = earliest.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).minusDays(2000)
                .withHour(12);
        List<TestEvents.Event> events = new ArrayList<>();
        for (Object[] p : PURCHASERS) {
            String customer = id((String) p[0]);
            OffsetDateTime last = asOf.minusDays((int) p[1]).minusHours(3);
            int frequency = (int) p[2];
            for (int i = 0; i < frequency; i++) {
                // One purchase carries the whole amount; the others are free.
                double price = i == 0 ? (double) p[3] : 0.0;
                events.add(new TestEvents.Event(customer + "-p" + i, customer, "purchase", last.minusDays(i * 2L),
                        "s-" + customer + "-" + i % 2, null, null, null, null, null, null, price, 1));
            }
        }
        events.add(TestEvents.event(id("K") + "-v", id("K"), "page_view", asOf.minusHours(2)));
        events.add(TestEvents.event(id("L") + "-v", id("L"), "page_view", asOf.minusDays(45)));
        // After as_of: does not count.
        events.add(new TestEvents.Event(id("A") + "-late", id("A"), "purchase", asOf.plusMinutes(1), null, null, null,
                null, null, null, null, 10_000.0, 1));
        TestEvents.insert(pool, events);
        pool.preparedQuery("INSERT INTO customer_profiles (customer_id, customer_segment) VALUES ($1, 'Gold'),"
                        + " ($2, 'Old Label')")
                .execute(Tuple.of(id("A"), id("M"))).await().atMost(Duration.ofSeconds(30));
    }

    private Map<String, Map<String, Object>> suggestions(Map<String, Object> params) {
        List<Map<String, Object>> data = given().config(DOUBLES).queryParam("token", ADMIN)
                .queryParam("as_of", TestEvents.text(asOf)).queryParam("limit", 100_000).queryParams(params)
                .when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        Map<String, Map<String, Object>> ours = new HashMap<>();
        for (Map<String, Object> row : data) {
            String customer = (String) row.get("customer_id");
            if (customer.startsWith(run + "-")) {
                ours.put(customer.substring(run.length() + 1), row);
            }
        }
        return ours;
    }

    private static long number(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    @Test
    void scoresAndSegmentsEveryPurchaserAsWorkedOutByHand() {
        Map<String, Map<String, Object>> rows = suggestions(Map.of());
        for (Object[] p : PURCHASERS) {
            Map<String, Object> row = rows.get((String) p[0]);
            String what = "customer " + p[0] + " " + row;
            assertEquals(p[7], row.get("suggested_segment"), what);
            assertEquals((int) p[1], number(row, "recency_days"), what);
            assertEquals((int) p[2], number(row, "frequency"), what);
            assertEquals((double) p[3], ((Number) row.get("monetary")).doubleValue(), 1e-9, what);
            assertEquals((int) p[4], number(row, "r_score"), what);
            assertEquals((int) p[5], number(row, "f_score"), what);
            assertEquals((int) p[6], number(row, "m_score"), what);
            assertEquals("" + p[4] + p[5] + p[6], row.get("rfm_score"), what);
            assertEquals((int) p[2], number(row, "total_events"), what);
            assertEquals(Math.min(2, (int) p[2]), number(row, "session_count"), what);
            assertEquals(TestEvents.text(asOf.minusDays((int) p[1]).minusHours(3)), row.get("last_event_at"), what);
        }
        assertEquals("Gold", rows.get("A").get("current_segment"));
    }

    @Test
    void customersWithoutPurchasesAreBrowsersOrInactive() {
        Map<String, Map<String, Object>> browsers = suggestions(Map.of("suggested_segment", "Browsers"));
        assertEquals(List.of("K"), List.copyOf(browsers.keySet()));
        Map<String, Object> k = browsers.get("K");
        assertNull(k.get("recency_days"));
        assertNull(k.get("r_score"));
        assertNull(k.get("rfm_score"));
        assertEquals(0, number(k, "frequency"));
        assertEquals(0.0, ((Number) k.get("monetary")).doubleValue());
        assertEquals(1, number(k, "total_events"));

        Map<String, Map<String, Object>> inactive = suggestions(Map.of("suggested_segment", "Inactive"));
        assertEquals(2, inactive.size(), inactive.toString());
        assertEquals("Old Label", inactive.get("M").get("current_segment"));
        assertEquals(0, number(inactive.get("M"), "total_events"));
        assertNull(inactive.get("M").get("last_event_at"));
        assertEquals(1, number(inactive.get("L"), "total_events"));
    }

    @Test
    void ordersByMonetaryAndFiltersOnTheSuggestedSegment() {
        List<String> top = given().queryParam("token", ADMIN).queryParam("as_of", TestEvents.text(asOf))
                .queryParam("limit", 3)
                .when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(200).extract().jsonPath().getList("data.customer_id");
        assertEquals(List.of(id("A"), id("G"), id("F")), top);
        assertEquals(List.of("D", "F").stream().sorted().toList(),
                suggestions(Map.of("suggested_segment", "Loyal")).keySet().stream().sorted().toList());
    }

    @Test
    void rejectsUnknownSegmentsAndBadDates() {
        given().queryParam("token", ADMIN).queryParam("suggested_segment", "Whales")
                .when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(400).body("error", containsString("'suggested_segment' must be one of Champions"));
        given().queryParam("token", ADMIN).queryParam("as_of", "tomorrow")
                .when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(400).body("error", containsString("'as_of'"));
        given().when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(403).body("error", containsString("missing token"));
    }

    @Test
    void answersForNowByDefault() {
        given().queryParam("token", ADMIN).queryParam("limit", 1)
                .when().get("/v0/pipes/customer_segmentation_suggestions.csv")
                .then().statusCode(200)
                .body(containsString("customer_id,current_segment,suggested_segment,recency_days,frequency,monetary,"
                        + "r_score,f_score,m_score,rfm_score,total_events,session_count,last_event_at"));
        given().queryParam("token", ADMIN).queryParam("limit", 1)
                .when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(200).body("meta[6].type", equalTo("Nullable(UInt8)"));
    }
}
