package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestEvents.utc;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class CustomerActivityTest {

    private static final List<String> TYPES = List.of("page_view", "add_to_cart", "purchase", "search");

    @Inject
    Pool pool;

    String customer;
    List<TestEvents.Event> events;

    @BeforeEach
    void insertCustomer() {
        customer = unique("cust");
        events = new ArrayList<>();
        OffsetDateTime base = utc("2022-05-01 08:00:00");
        for (int i = 0; i < 150; i++) {
            String type = TYPES.get(i % TYPES.size());
            events.add(new TestEvents.Event(customer + "-" + i, customer, type, base.plusMinutes(37L * i),
                    "s-" + i / 10, "https://shop.example/" + i, "prod-" + i % 9, "cat-" + i % 4,
                    i % 2 == 0 ? "mobile" : "desktop", "FR", i % 3 == 0 ? null : "news.example",
                    type.equals("purchase") ? 3.5 : null, type.equals("purchase") ? 2 : null));
        }
        TestEvents.insert(pool, events);
    }

    private List<String> expectedIds(Predicate<TestEvents.Event> filter, int limit) {
        return events.stream().filter(filter)
                .sorted(Comparator.comparing(TestEvents.Event::timestamp).reversed()
                        .thenComparing(TestEvents.Event::eventId))
                .limit(limit).map(TestEvents.Event::eventId).toList();
    }

    @Test
    void returnsTheCustomersEventsNewestFirstWithTheDefaultLimitOf100() {
        JsonPath json = given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200)
                .body("meta.name", equalTo(List.of("event_id", "event_type", "event_timestamp", "session_id",
                        "page_url", "product_id", "category_id", "price", "quantity", "device_type", "country",
                        "referrer")))
                .body("rows", equalTo(100))
                .body("rows_before_limit_at_least", equalTo(150))
                .extract().jsonPath();
        assertEquals(expectedIds(e -> true, 100), json.getList("data.event_id"));
        TestEvents.Event newest = events.get(149);
        assertEquals(newest.eventType(), json.getString("data[0].event_type"));
        assertEquals(TestEvents.text(newest.timestamp()), json.getString("data[0].event_timestamp"));
        assertEquals(newest.referrer(), json.getString("data[0].referrer"));
        assertEquals(newest.deviceType(), json.getString("data[0].device_type"));
    }

    @Test
    void filtersByEventTypeAndInclusiveRange() {
        OffsetDateTime start = events.get(20).timestamp();
        OffsetDateTime end = events.get(90).timestamp();
        JsonPath json = given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .queryParam("event_type", "add_to_cart")
                .queryParam("start_date", TestEvents.text(start))
                .queryParam("end_date", TestEvents.text(end))
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).extract().jsonPath();
        Predicate<TestEvents.Event> filter = e -> e.eventType().equals("add_to_cart")
                && !e.timestamp().isBefore(start) && !e.timestamp().isAfter(end);
        List<String> expected = expectedIds(filter, 100);
        assertEquals(expected, json.getList("data.event_id"));
        assertEquals(expected.size(), json.getInt("rows_before_limit_at_least"));
    }

    @Test
    void rangeBoundsAreInclusive() {
        OffsetDateTime only = events.get(42).timestamp();
        given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .queryParam("start_date", TestEvents.text(only)).queryParam("end_date", TestEvents.text(only))
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).body("rows", equalTo(1)).body("data[0].event_id", equalTo(customer + "-42"));
    }

    @Test
    void anEndDateToTheSecondCoversThatWholeSecondAndOneWithAFractionIsExact() {
        // Served as 2022-07-04 10:15:30; a client that reads it back and asks up to that second must get it.
        String who = unique("second");
        TestEvents.insert(pool, List.of(TestEvents.event(who + "-a", who, "page_view", utc("2022-07-04 10:15:30.750000")),
                TestEvents.event(who + "-b", who, "page_view", utc("2022-07-04 10:15:31"))));
        given().queryParam("customer_id", who).queryParam("token", ADMIN).queryParam("end_date", "2022-07-04 10:15:30")
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).body("rows", equalTo(1)).body("data[0].event_id", equalTo(who + "-a"))
                .body("data[0].event_timestamp", equalTo("2022-07-04 10:15:30"));
        given().queryParam("customer_id", who).queryParam("token", ADMIN)
                .queryParam("end_date", "2022-07-04T10:15:30.5Z")
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).body("rows", equalTo(0));
        given().queryParam("granularity", "day").queryParam("token", ADMIN).queryParam("event_type", "page_view")
                .queryParam("start_date", "2022-07-04 10:15:30").queryParam("end_date", "2022-07-04 10:15:30")
                .when().get("/v0/pipes/customer_behavioral_analysis.json")
                .then().statusCode(200).body("data[0].event_count", equalTo(1));
    }

    @Test
    void limitCutsAndCountsWhatWasBeforeIt() {
        given().queryParam("customer_id", customer).queryParam("token", ADMIN).queryParam("limit", 7)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).body("rows", equalTo(7)).body("rows_before_limit_at_least", equalTo(150))
                .body("data.event_id", equalTo(expectedIds(e -> true, 7)));
    }

    @Test
    void rejectsMissingCustomerAndBadDates() {
        given().queryParam("token", ADMIN).queryParam("event_type", "purchase")
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(400).body("error", containsString("'customer_id'"));
        given().queryParam("token", ADMIN).queryParam("customer_id", customer).queryParam("start_date", "2022-05-01")
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(400).body("error", containsString("'start_date'"));
    }
}
