package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.customeranalytics.query.pipes.CustomerBehavioralAnalysisTest.assertMatches;
import static io.customeranalytics.query.pipes.CustomerBehavioralAnalysisTest.fetch;
import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.text;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TimescaleDB's real-time continuous aggregates (docs/api.md, "How the endpoints read"): customer_daily_activity
 * answers from its materialized rows below its watermark and from the raw events at and above it. These tests put one
 * day of events on each side of the watermark, check every read endpoint against the definition over the raw rows, then
 * refresh and check that nothing changed; and a late event for a day already materialized, which must count at
 * once. They only mean something on TimescaleDB: on plain PostgreSQL they are skipped, with the reason logged.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class RealTimeAggregationTest {

    private static final String AGGREGATE = "customer_daily_activity";

    @Inject
    Pool pool;

    @BeforeEach
    void onlyOnTimescaleDb() {
        assumeTrue(TestEvents.timescaleElseLogSkip(pool, "RealTimeAggregationTest",
                "its aggregates are trigger-maintained tables without a watermark"),
                "plain PostgreSQL: no continuous aggregates");
    }

    /** The first day not materialized yet; if nothing was ever materialized, today is made so. */
    private OffsetDateTime watermark() {
        Row row = TestEvents.rows(pool, """
                SELECT _timescaledb_functions.to_timestamp(_timescaledb_functions.cagg_watermark(c.mat_hypertable_id))
                           AS watermark
                FROM _timescaledb_catalog.continuous_agg c
                WHERE c.user_view_schema = 'analytics' AND c.user_view_name = $1""", AGGREGATE).get(0);
        OffsetDateTime watermark = row.getOffsetDateTime("watermark");
        if (watermark == null || watermark.getYear() < 1970) {
            OffsetDateTime today = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
            TestEvents.refresh(pool, AGGREGATE, today.minusDays(1), today);
            return today;
        }
        return watermark.withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** Days of this test's country that the aggregate holds materialized (not computed at query time). */
    private List<String> materializedDays(String country) {
        return TestEvents.rows(pool, "SELECT DISTINCT day FROM " + materializationTable()
                + " WHERE country = $1 ORDER BY day",
                country).stream().map(r -> text(r.getOffsetDateTime("day"))).toList();
    }

    /** Events of this test's country in the aggregate's materialized rows. */
    private long materializedEvents(String country) {
        return TestEvents.rows(pool, "SELECT coalesce(sum(event_count), 0) FROM " + materializationTable()
                + " WHERE country = $1", country).get(0).getLong(0);
    }

    private String materializationTable() {
        Row names = TestEvents.rows(pool, """
                SELECT materialization_hypertable_schema AS s, materialization_hypertable_name AS t
                FROM timescaledb_information.continuous_aggregates
                WHERE view_schema = 'analytics' AND view_name = $1""", AGGREGATE).get(0);
        return "\"" + names.getString("s") + "\".\"" + names.getString("t") + "\"";
    }

    private static TestEvents.Event event(String customer, String type, OffsetDateTime time, String session,
                                          String country, Double price, Integer quantity) {
        return new TestEvents.Event(unique("ev"), customer, type, time, session, null, "p-1", "cat-1", "mobile",
                country, null, price, quantity);
    }

    /** Every read endpoint of query-service whose answer this test's events decide, by name. */
    private Map<String, Object> answers(String country, String customer, OffsetDateTime before,
                                        OffsetDateTime watermark) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String granularity : List.of("day", "week", "month")) {
            out.put("all time by " + granularity, fetch(Map.of("country", country, "granularity", granularity)));
            out.put("whole days by " + granularity, fetch(Map.of("country", country, "granularity", granularity,
                    "start_date", text(before), "end_date", text(watermark.plusDays(1).minusSeconds(1)))));
            out.put("cut days by " + granularity, fetch(Map.of("country", country, "granularity", granularity,
                    "start_date", text(before.plusHours(11)), "end_date", text(watermark.plusHours(2)))));
        }
        out.put("purchases", given().queryParam("token", ADMIN).queryParam("customer_id", customer)
                .when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(200).extract().jsonPath().getList("data"));
        out.put("activity", given().queryParam("token", ADMIN).queryParam("customer_id", customer)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).extract().jsonPath().getList("data"));
        return out;
    }

    private void assertExact(List<TestEvents.Event> events, String country, OffsetDateTime before,
                             OffsetDateTime watermark, String when) {
        Predicate<TestEvents.Event> ours = e -> e.country().equals(country);
        for (String granularity : List.of("day", "week", "month")) {
            assertMatches(BehaviorExpectation.compute(events, ours, null, null, granularity),
                    fetch(Map.of("country", country, "granularity", granularity)), when + ", all time by " + granularity);
            OffsetDateTime from = before.plusHours(11);
            OffsetDateTime until = watermark.plusHours(2);
            assertMatches(BehaviorExpectation.compute(events, ours, from, until, granularity),
                    fetch(Map.of("country", country, "granularity", granularity, "start_date", text(from),
                            "end_date", text(until))), when + ", cut days by " + granularity);
        }
    }

    @Test
    void answersAreExactAcrossTheWatermarkAndUnchangedByARefresh() {
        OffsetDateTime watermark = watermark();
        OffsetDateTime before = watermark.minusDays(1);
        String country = unique("RT");
        String a = unique("a");
        String b = unique("b");
        List<TestEvents.Event> events = new ArrayList<>(List.of(
                event(a, "page_view", before.plusHours(10), "s1", country, null, null),
                event(a, "purchase", before.plusHours(12), "s1", country, 10.0, 2),
                event(b, "page_view", before.plusHours(11), "s2", country, null, null),
                // Exactly on the watermark: the first instant of the day not materialized.
                event(a, "page_view", watermark, "s3", country, null, null),
                event(a, "purchase", watermark.plusHours(1), "s3", country, 5.0, null),
                event(b, "page_view", watermark.plusHours(3), "s4", country, null, null)));
        TestEvents.insertWithoutRefresh(pool, events);
        try {
            TestEvents.refresh(pool, AGGREGATE, before, watermark);
            assertEquals(List.of(text(before)), materializedDays(country),
                    "the day before the watermark is materialized, the day at it is not");

            assertExact(events, country, before, watermark, "across the watermark");
            Map<String, Object> acrossTheWatermark = answers(country, a, before, watermark);

            TestEvents.refresh(pool, AGGREGATE, watermark, watermark.plusDays(1));
            assertEquals(List.of(text(before), text(watermark)), materializedDays(country), "both days materialized");
            assertEquals(acrossTheWatermark, answers(country, a, before, watermark),
                    "the same answers after the refresh");
            assertExact(events, country, before, watermark, "after the refresh");
        } finally {
            removeEvents(country, before, watermark.plusDays(1));
        }
    }

    /**
     * The watermark may lie in the future (other tests materialize today), and so may this test's events: they
     * are removed again, so that no other test, here or in segmentation-service, meets customers active tomorrow.
     */
    private void removeEvents(String country, OffsetDateTime from, OffsetDateTime until) {
        TestEvents.rows(pool, "DELETE FROM customer_events WHERE country = $1", country);
        for (String aggregate : TestEvents.CONTINUOUS_AGGREGATES) {
            TestEvents.refresh(pool, aggregate, from, until);
        }
        assertEquals(List.of(), materializedDays(country));
    }

    @Test
    void aLateEventForAMaterializedDayIsCountedAtOnceAndAfterTheNextRefresh() {
        OffsetDateTime watermark = watermark();
        OffsetDateTime day = watermark.minusDays(2);
        String country = unique("LT");
        List<TestEvents.Event> events = new ArrayList<>(List.of(
                event(unique("c"), "purchase", day.plusHours(8), "s1", country, 20.0, 1)));
        TestEvents.insertWithoutRefresh(pool, events);
        TestEvents.refresh(pool, AGGREGATE, day, day.plusDays(1));
        assertEquals(List.of(text(day)), materializedDays(country));

        // Arrives after its day was materialized: the aggregate only records the day as invalid until the refresh
        // policy (every minute, whole history) or the next explicit refresh re-materializes it. Until then the
        // endpoint reads that day from the raw events (unmaterialized_days, V8).
        TestEvents.Event late = event(unique("c"), "purchase", day.plusHours(23).plusMinutes(59).plusSeconds(59),
                "s9", country, 7.5, 2);
        events.add(late);
        TestEvents.insertWithoutRefresh(pool, List.of(late));
        assertEquals(1L, materializedEvents(country), "the late event is not materialized yet");
        assertExact(events, country, day, day.plusDays(1), "at once, before any refresh");

        TestEvents.refresh(pool, AGGREGATE, day, day.plusDays(1));
        assertEquals(2L, materializedEvents(country), "the refresh materialized the late event");
        assertExact(events, country, day, day.plusDays(1), "after the refresh that followed the late event");
        assertEquals(List.of(text(day)), materializedDays(country));
        assertEquals(2L, TestEvents.rows(pool, "SELECT sum(event_count) FROM customer_daily_activity WHERE country = $1",
                country).get(0).getLong(0));
    }
}
