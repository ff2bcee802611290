package io.customeranalytics.segmentation.rfm;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestEvents.utc;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TimescaleDB mode: suggestions and the customer metrics that segment rules use read the continuous aggregates,
 * and a late event for a day they already materialized counts at once (the day is read from the raw events until the next refresh), and the same after
 * that refresh. Skipped, with the reason logged, on plain PostgreSQL, whose aggregates are never behind.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class RealTimeSuggestionsTest {


    /** A day no other test writes purchases to. */
    private static final String AS_OF = "2018-05-20 12:00:00";

    @Inject
    Pool pool;

    @BeforeEach
    void onlyOnTimescaleDb() {
        assumeTrue(TestEvents.timescaleElseLogSkip(pool, "RealTimeSuggestionsTest",
                "its aggregates are trigger-maintained tables, never behind"),
                "plain PostgreSQL: no continuous aggregates");
    }

    private Map<String, Object> suggestion(String customer) {
        List<Map<String, Object>> data = given().queryParam("token", ADMIN).queryParam("as_of", AS_OF)
                .queryParam("limit", 100_000)
                .when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        return data.stream().filter(row -> customer.equals(row.get("customer_id"))).findFirst()
                .orElseThrow(() -> new AssertionError(customer + " is not in the suggestions"));
    }

    private static TestEvents.Event purchase(String customer, OffsetDateTime time, String session, double price) {
        return new TestEvents.Event(unique("ev"), customer, "purchase", time, session, null, null, null, null, null,
                null, price, 1);
    }

    @Test
    void aLateEventForAMaterializedDayCountsAtOnceAndAfterTheRefresh() {
        String customer = unique("late");
        OffsetDateTime day = utc("2018-05-10 00:00:00");
        TestEvents.insert(pool, List.of(purchase(customer, day.plusHours(9), "s1", 10.0)));
        Map<String, Object> before = suggestion(customer);
        assertEquals(1, ((Number) before.get("frequency")).intValue());
        assertEquals(1, ((Number) before.get("session_count")).intValue());

        TestEvents.insertWithoutRefresh(pool, List.of(purchase(customer, day.plusHours(20), "s2", 5.5)));
        Map<String, Object> atOnce = suggestion(customer);
        assertEquals(2, ((Number) atOnce.get("frequency")).intValue(), atOnce.toString());
        assertEquals(15.5, ((Number) atOnce.get("monetary")).doubleValue(), 1e-9);
        assertEquals(2, ((Number) atOnce.get("session_count")).intValue(), atOnce.toString());

        TestEvents.settleAggregates(pool, List.of(purchase(customer, day, "s2", 0)));
        assertEquals(atOnce, suggestion(customer), "the same after the refresh");
    }

    @Test
    void theMetricsThatRulesUseCountALateEventAtOnce() {
        String customer = unique("late-m");
        OffsetDateTime day = utc("2018-05-12 00:00:00");
        TestEvents.insert(pool, List.of(purchase(customer, day.plusHours(9), "s1", 10.0)));
        TestEvents.insertWithoutRefresh(pool, List.of(purchase(customer, day.plusHours(21), "s2", 2.5)));
        io.vertx.mutiny.sqlclient.Row metrics = TestEvents.rows(pool, """
                SELECT total_spent, purchase_count, event_count, session_count, last_purchase_at
                FROM customer_metrics WHERE customer_id = $1""", customer).get(0);
        assertEquals(12.5, metrics.getDouble("total_spent"), 1e-9);
        assertEquals(2L, metrics.getLong("purchase_count"));
        assertEquals(2L, metrics.getLong("session_count"));
        assertEquals(day.plusHours(21).toInstant(), metrics.getOffsetDateTime("last_purchase_at").toInstant());
    }
}
