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
import java.util.Map;
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
class CustomerPurchaseHistoryTest {

    @Inject
    Pool pool;

    String customer;
    List<TestEvents.Event> events;

    /** 30 purchases over 30 days in two categories (some with null price or quantity), plus page views. */
    @BeforeEach
    void insertCustomer() {
        customer = unique("cust");
        events = new ArrayList<>();
        OffsetDateTime base = utc("2022-03-01 00:00:00");
        for (int i = 0; i < 30; i++) {
            OffsetDateTime time = base.plusDays(i).plusHours(i % 24).plusSeconds(i);
            Double price = i % 7 == 0 ? null : 10.0 + i / 4.0;
            Integer quantity = i % 5 == 0 ? null : i % 3;
            events.add(new TestEvents.Event(customer + "-p" + i, customer, "purchase", time, "s-" + (i / 3),
                    "https://shop.example/p/" + i, "prod-" + i, i % 2 == 0 ? "cat-even" : "cat-odd", "mobile",
                    "US", "google.com", price, quantity));
            events.add(TestEvents.event(customer + "-v" + i, customer, "page_view", time.minusMinutes(1)));
        }
        // Two purchases at the same instant: ordered by event_id.
        events.add(new TestEvents.Event(customer + "-tie-b", customer, "purchase", base.plusDays(40), null, null,
                null, "cat-even", null, null, null, 1.0, 1));
        events.add(new TestEvents.Event(customer + "-tie-a", customer, "purchase", base.plusDays(40), null, null,
                null, "cat-even", null, null, null, 2.0, 1));
        // Another customer's purchase never shows.
        events.add(new TestEvents.Event(unique("other"), unique("other-cust"), "purchase", base, null, null, null,
                "cat-even", null, null, null, 5.0, 1));
        TestEvents.insert(pool, events);
    }

    private List<TestEvents.Event> expected(Predicate<TestEvents.Event> filter, int limit) {
        return events.stream()
                .filter(e -> e.customerId().equals(customer) && e.eventType().equals("purchase"))
                .filter(filter)
                .sorted(Comparator.comparing(TestEvents.Event::timestamp).reversed()
                        .thenComparing(TestEvents.Event::eventId))
                .limit(limit)
                .toList();
    }

    private static void assertRows(List<TestEvents.Event> expected, JsonPath json) {
        List<Map<String, Object>> data = json.getList("data");
        assertEquals(expected.size(), data.size());
        for (int i = 0; i < expected.size(); i++) {
            TestEvents.Event e = expected.get(i);
            Map<String, Object> row = data.get(i);
            assertEquals(e.eventId(), row.get("event_id"));
            assertEquals(TestEvents.text(e.timestamp()), row.get("event_timestamp"));
            assertEquals(e.categoryId(), row.get("category_id"));
            assertEquals(e.price(), row.get("price") == null ? null : ((Number) row.get("price")).doubleValue());
            assertEquals(e.quantity(), row.get("quantity"));
            assertEquals(e.revenue(), ((Number) row.get("total_amount")).doubleValue(), 1e-9);
            assertEquals(e.sessionId(), row.get("session_id"));
            assertEquals(e.country(), row.get("country"));
        }
    }

    @Test
    void returnsThePurchasesOfTheCustomerNewestFirstWithTheDefaultLimitOf50() {
        JsonPath json = given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(200).contentType("application/json")
                .body("meta.name", equalTo(List.of("event_id", "event_timestamp", "product_id", "category_id",
                        "price", "quantity", "total_amount", "session_id", "page_url", "device_type", "country")))
                .body("meta.type", equalTo(List.of("String", "DateTime", "Nullable(String)", "Nullable(String)",
                        "Nullable(Float64)", "Nullable(Int32)", "Float64", "Nullable(String)", "Nullable(String)",
                        "Nullable(String)", "Nullable(String)")))
                .body("rows", equalTo(32))
                .body("rows_before_limit_at_least", equalTo(32))
                .extract().jsonPath();
        assertRows(expected(e -> true, 50), json);
        assertEquals(customer + "-tie-a", json.getString("data[0].event_id"));
        assertEquals(customer + "-tie-b", json.getString("data[1].event_id"));
    }

    @Test
    void filtersByInclusiveDateRangeAndCategoryAndLimits() {
        OffsetDateTime start = events.get(10).timestamp();
        OffsetDateTime end = events.get(40).timestamp();
        JsonPath json = given()
                .queryParam("customer_id", customer)
                .queryParam("start_date", TestEvents.text(start))
                .queryParam("end_date", TestEvents.text(end).replace(' ', 'T') + "Z")
                .queryParam("category_id", "cat-even")
                .queryParam("limit", 3)
                .header("Authorization", "Bearer " + ADMIN)
                .when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(200)
                .body("rows", equalTo(3))
                .extract().jsonPath();
        Predicate<TestEvents.Event> filter = e -> !e.timestamp().isBefore(start) && !e.timestamp().isAfter(end)
                && "cat-even".equals(e.categoryId());
        assertRows(expected(filter, 3), json);
        assertEquals(expected(filter, 1000).size(), json.getInt("rows_before_limit_at_least"));
    }

    @Test
    void unknownCustomerHasNoRows() {
        given().queryParam("customer_id", unique("nobody")).queryParam("token", ADMIN)
                .when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(200).body("rows", equalTo(0)).body("rows_before_limit_at_least", equalTo(0));
    }

    @Test
    void rejectsEachKindOfBadParameterNamingIt() {
        String path = "/v0/pipes/customer_purchase_history.json";
        given().queryParam("token", ADMIN).when().get(path)
                .then().statusCode(400).body("error", containsString("'customer_id'"));
        given().queryParam("token", ADMIN).queryParam("customer_id", customer).queryParam("start_date", "yesterday")
                .when().get(path).then().statusCode(400)
                .body("error", containsString("parameter 'start_date' must be a DateTime"));
        given().queryParam("token", ADMIN).queryParam("customer_id", customer).queryParam("end_date", "2023-02-30 00:00:00")
                .when().get(path).then().statusCode(400).body("error", containsString("'end_date'"));
        for (String limit : List.of("0", "10001", "-5", "ten", "1.5")) {
            given().queryParam("token", ADMIN).queryParam("customer_id", customer).queryParam("limit", limit)
                    .when().get(path).then().statusCode(400)
                    .body("error", containsString("parameter 'limit' must be an integer from 1 to 10000"));
        }
        given().queryParam("token", ADMIN).queryParam("customer_id", customer)
                .queryParam("start_date", "2023-02-01 00:00:00").queryParam("end_date", "2023-01-01 00:00:00")
                .when().get(path).then().statusCode(400)
                .body("error", containsString("start_date must not be after end_date"));
    }

    @Test
    void limitBoundsAreAccepted() {
        given().queryParam("token", ADMIN).queryParam("customer_id", customer).queryParam("limit", 1)
                .when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(200).body("rows", equalTo(1)).body("rows_before_limit_at_least", equalTo(32));
        given().queryParam("token", ADMIN).queryParam("customer_id", customer).queryParam("limit", 10000)
                .when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(200).body("rows", equalTo(32));
    }
}
