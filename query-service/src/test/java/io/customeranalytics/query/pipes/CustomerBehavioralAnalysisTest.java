package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestEvents.utc;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small data with answers worked out by hand; every test filters on its own unique country. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class CustomerBehavioralAnalysisTest {

    @Inject
    Pool pool;

    private List<TestEvents.Event> handData(String country) {
        String c1 = unique("c1");
        String c2 = unique("c2");
        String c3 = unique("c3");
        List<TestEvents.Event> events = List.of(
                // Monday 2022-01-03
                ev(c1, "page_view", "2022-01-03 10:00:00", country, null, null),
                ev(c1, "page_view", "2022-01-03 23:59:59", country, null, null),
                ev(c2, "page_view", "2022-01-04 00:00:00", country, null, null),
                // Sunday 2022-01-09: still the week of 2022-01-03
                ev(c1, "purchase", "2022-01-09 12:00:00", country, 10.0, 2),
                // Monday 2022-01-10, null price counts 0
                ev(c3, "purchase", "2022-01-10 08:00:00", country, null, 3),
                // February, null quantity counts 1
                ev(c1, "purchase", "2022-02-01 00:00:00", country, 5.0, null));
        TestEvents.insert(pool, events);
        return events;
    }

    private static TestEvents.Event ev(String customer, String type, String time, String country, Double price,
                                     Integer quantity) {
        return new TestEvents.Event(unique("ev"), customer, type, utc(time), null, null, null, null, "mobile", country,
                null, price, quantity);
    }

    private static RequestSpecification request(String country) {
        return given().config(DOUBLES).queryParam("token", ADMIN).queryParam("country", country);
    }

    /** Read JSON numbers as doubles: rest-assured reads them as floats by default. */
    static final io.restassured.config.RestAssuredConfig DOUBLES = io.restassured.config.RestAssuredConfig.config()
            .jsonConfig(io.restassured.config.JsonConfig.jsonConfig()
                    .numberReturnType(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));

    private static void assertRow(Map<String, Object> row, String period, String type, long events, long customers,
                                  double revenue) {
        assertEquals(period, row.get("period"));
        assertEquals(type, row.get("event_type"));
        assertEquals(events, ((Number) row.get("event_count")).longValue());
        assertEquals(customers, ((Number) row.get("unique_customers")).longValue());
        assertEquals(revenue, ((Number) row.get("total_revenue")).doubleValue(), 1e-9);
        assertEquals((double) events / customers, ((Number) row.get("avg_events_per_customer")).doubleValue(), 1e-9);
    }

    @Test
    void dailyByDefault() {
        String country = unique("XD");
        handData(country);
        JsonPath json = request(country).when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200)
                .body("meta.name", equalTo(List.of("period", "event_type", "event_count", "unique_customers",
                        "total_revenue", "avg_events_per_customer")))
                .body("meta.type", equalTo(List.of("DateTime", "String", "UInt64", "UInt64", "Float64", "Float64")))
                .extract().jsonPath();
        List<Map<String, Object>> data = json.getList("data");
        assertEquals(5, data.size());
        assertRow(data.get(0), "2022-01-03 00:00:00", "page_view", 2, 1, 0);
        assertRow(data.get(1), "2022-01-04 00:00:00", "page_view", 1, 1, 0);
        assertRow(data.get(2), "2022-01-09 00:00:00", "purchase", 1, 1, 20);
        assertRow(data.get(3), "2022-01-10 00:00:00", "purchase", 1, 1, 0);
        assertRow(data.get(4), "2022-02-01 00:00:00", "purchase", 1, 1, 5);
    }

    @Test
    void weeksStartOnMondayAndCountCustomersOnce() {
        String country = unique("XW");
        handData(country);
        List<Map<String, Object>> data = request(country).queryParam("granularity", "week")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(4, data.size());
        assertRow(data.get(0), "2022-01-03 00:00:00", "page_view", 3, 2, 0);
        assertRow(data.get(1), "2022-01-03 00:00:00", "purchase", 1, 1, 20);
        assertRow(data.get(2), "2022-01-10 00:00:00", "purchase", 1, 1, 0);
        assertRow(data.get(3), "2022-01-31 00:00:00", "purchase", 1, 1, 5);
    }

    @Test
    void monthsAndEventTypeFilter() {
        String country = unique("XM");
        handData(country);
        List<Map<String, Object>> data = request(country).queryParam("granularity", "month")
                .queryParam("event_type", "purchase")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(2, data.size());
        assertRow(data.get(0), "2022-01-01 00:00:00", "purchase", 2, 2, 20);
        assertRow(data.get(1), "2022-02-01 00:00:00", "purchase", 1, 1, 5);
    }

    @Test
    void rangeBoundsInsideADayCombineWholeDaysWithTheEdges() {
        String country = unique("XR");
        handData(country);
        // From the middle of Jan 3 to the middle of Jan 10: drops the 10:00 view and the Jan 10 purchase at 08:00
        // is kept; the customer c1 appears in the partial first day and in a whole day of the same week.
        List<Map<String, Object>> data = request(country).queryParam("granularity", "week")
                .queryParam("start_date", "2022-01-03 12:00:00").queryParam("end_date", "2022-01-10T08:00:00Z")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(3, data.size());
        assertRow(data.get(0), "2022-01-03 00:00:00", "page_view", 2, 2, 0);
        assertRow(data.get(1), "2022-01-03 00:00:00", "purchase", 1, 1, 20);
        assertRow(data.get(2), "2022-01-10 00:00:00", "purchase", 1, 1, 0);

        // A range inside one day reads raw events only.
        List<Map<String, Object>> inside = request(country)
                .queryParam("start_date", "2022-01-03 10:00:00").queryParam("end_date", "2022-01-03 23:59:58")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(1, inside.size());
        assertRow(inside.get(0), "2022-01-03 00:00:00", "page_view", 1, 1, 0);
    }

    /**
     * Events on the last microsecond of a day, a week and a month, and on the first of the next: each falls in its
     * own period, and the inclusive bounds keep or drop it: to the microsecond when given with a fraction, through
     * the whole second when given to the second.
     */
    @Test
    void eventsOnPeriodBoundariesFallInTheirOwnPeriodAndBoundsCutToTheMicrosecond() {
        String country = unique("XB");
        String c1 = unique("c1");
        String c2 = unique("c2");
        String c3 = unique("c3");
        TestEvents.insert(pool, List.of(
                // Sunday 2022-03-06, last microsecond: the week of 2022-02-28
                boundaryEvent(c1, "2022-03-06T23:59:59.999999Z", country),
                // Monday 2022-03-07, first microsecond: a new week
                boundaryEvent(c2, "2022-03-07T00:00:00Z", country),
                // Thursday 2022-03-31, last microsecond of March (week of 2022-03-28)
                boundaryEvent(c1, "2022-03-31T23:59:59.999999Z", country),
                // Friday 2022-04-01, first microsecond of April (the same week)
                boundaryEvent(c3, "2022-04-01T00:00:00Z", country)));

        List<Map<String, Object>> weeks = request(country).queryParam("granularity", "week")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(3, weeks.size());
        assertRow(weeks.get(0), "2022-02-28 00:00:00", "page_view", 1, 1, 0);
        assertRow(weeks.get(1), "2022-03-07 00:00:00", "page_view", 1, 1, 0);
        assertRow(weeks.get(2), "2022-03-28 00:00:00", "page_view", 2, 2, 0);

        List<Map<String, Object>> months = request(country).queryParam("granularity", "month")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(2, months.size());
        assertRow(months.get(0), "2022-03-01 00:00:00", "page_view", 3, 2, 0);
        assertRow(months.get(1), "2022-04-01 00:00:00", "page_view", 1, 1, 0);

        // An end given with a fraction cuts to the microsecond: 23:59:59.5 leaves out the event of 23:59:59.999999.
        List<Map<String, Object>> toTheFraction = request(country).queryParam("granularity", "month")
                .queryParam("start_date", "2022-03-01 00:00:00").queryParam("end_date", "2022-03-31T23:59:59.5Z")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(1, toTheFraction.size());
        assertRow(toTheFraction.get(0), "2022-03-01 00:00:00", "page_view", 2, 2, 0);
        // An end given to the second covers that whole second (the event is served as 23:59:59), as its last
        // microsecond does.
        List<Map<String, Object>> toTheSecond = request(country).queryParam("granularity", "month")
                .queryParam("start_date", "2022-03-01 00:00:00").queryParam("end_date", "2022-03-31 23:59:59")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(1, toTheSecond.size());
        assertRow(toTheSecond.get(0), "2022-03-01 00:00:00", "page_view", 3, 2, 0);
        List<Map<String, Object>> toTheMicrosecond = request(country).queryParam("granularity", "month")
                .queryParam("start_date", "2022-03-01 00:00:00").queryParam("end_date", "2022-03-31T23:59:59.999999Z")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(1, toTheMicrosecond.size());
        assertRow(toTheMicrosecond.get(0), "2022-03-01 00:00:00", "page_view", 3, 2, 0);

        // From the last microsecond of a day through the first second of the next: each event keeps its day.
        List<Map<String, Object>> midnight = request(country)
                .queryParam("start_date", "2022-03-06T23:59:59.999999Z").queryParam("end_date", "2022-03-07 00:00:00")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(2, midnight.size());
        assertRow(midnight.get(0), "2022-03-06 00:00:00", "page_view", 1, 1, 0);
        assertRow(midnight.get(1), "2022-03-07 00:00:00", "page_view", 1, 1, 0);

        // A start on a Monday's first microsecond keeps that Monday's event and drops the Sunday before.
        List<Map<String, Object>> fromMonday = request(country).queryParam("granularity", "week")
                .queryParam("start_date", "2022-03-07 00:00:00")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertEquals(2, fromMonday.size());
        assertRow(fromMonday.get(0), "2022-03-07 00:00:00", "page_view", 1, 1, 0);
        assertRow(fromMonday.get(1), "2022-03-28 00:00:00", "page_view", 2, 2, 0);
    }

    private static TestEvents.Event boundaryEvent(String customer, String instant, String country) {
        return new TestEvents.Event(unique("ev"), customer, "page_view", OffsetDateTime.parse(instant), null, null, null,
                null, "mobile", country, null, null, null);
    }

    @Test
    void filtersOnDeviceTypeAndAnswersNothingForAnEmptyRange() {
        String country = unique("XE");
        handData(country);
        request(country).queryParam("device_type", "desktop")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).body("rows", equalTo(0));
        request(country).queryParam("start_date", "2030-01-01 00:00:00")
                .when().get("/v0/pipes/customer_behavioral_analysis.csv")
                .then().statusCode(200).body(equalTo("period,event_type,event_count,unique_customers,total_revenue,"
                        + "avg_events_per_customer\r\n"));
    }

    @Test
    void rejectsBadGranularityAndDates() {
        given().queryParam("token", ADMIN).queryParam("granularity", "year")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(400).body("error", containsString("parameter 'granularity' must be one of day,"
                        + " week, month"));
        given().queryParam("token", ADMIN).queryParam("end_date", "2022-13-01 00:00:00")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(400).body("error", containsString("'end_date'"));
        given().queryParam("token", ADMIN).queryParam("start_date", "2022-01-02 00:00:00")
                .queryParam("end_date", "2022-01-01 00:00:00")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(400).body("error", containsString("start_date must not be after end_date"));
    }

    /** Compares an answer with {@link BehaviorExpectation}, row by row. */
    static void assertMatches(List<BehaviorExpectation.Row> expected, List<Map<String, Object>> data, String what) {
        assertEquals(expected.size(), data.size(), what + ": rows");
        for (int i = 0; i < expected.size(); i++) {
            BehaviorExpectation.Row e = expected.get(i);
            Map<String, Object> row = data.get(i);
            String where = what + ", row " + i + " " + e;
            assertEquals(e.period(), row.get("period"), where);
            assertEquals(e.eventType(), row.get("event_type"), where);
            assertEquals(e.eventCount(), ((Number) row.get("event_count")).longValue(), where);
            assertEquals(e.uniqueCustomers(), ((Number) row.get("unique_customers")).longValue(), where);
            assertEquals(e.totalRevenue(), ((Number) row.get("total_revenue")).doubleValue(),
                    1e-9 * Math.max(1, Math.abs(e.totalRevenue())), where);
            assertEquals(e.avgEventsPerCustomer(), ((Number) row.get("avg_events_per_customer")).doubleValue(), 1e-9,
                    where);
        }
    }

    static List<Map<String, Object>> fetch(Map<String, String> params) {
        return given().config(DOUBLES).queryParam("token", ADMIN).queryParams(params)
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
    }

    static Predicate<TestEvents.Event> all() {
        return e -> true;
    }

    static OffsetDateTime at(String text) {
        return utc(text);
    }
}
