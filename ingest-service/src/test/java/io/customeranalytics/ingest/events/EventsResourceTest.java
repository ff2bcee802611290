package io.customeranalytics.ingest.events;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.customeranalytics.ingest.events.IngestTestSupport.ADMIN;
import static io.customeranalytics.ingest.events.IngestTestSupport.count;
import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.customeranalytics.ingest.events.IngestTestSupport.ndjson;
import static io.customeranalytics.ingest.events.IngestTestSupport.post;
import static io.customeranalytics.ingest.events.IngestTestSupport.rows;
import static io.customeranalytics.ingest.events.IngestTestSupport.unique;
import static io.customeranalytics.ingest.events.IngestTestSupport.with;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class EventsResourceTest {

    @Inject
    Pool pool;

    @Test
    void recordsThePeriodsAndTheCustomerOfEveryStoredEvent() {
        // A request with a quarantined row takes the one-request statement (not group commit); 1987 is this test's.
        String customer = unique("periods");
        String body = ndjson(List.of(
                event(customer + "-1", customer, "page_view", "1987-03-31 23:59:59"),
                event(customer + "-2", customer, "page_view", "1987-04-01 00:00:00"),
                with(with(event(customer + "-4", customer, "purchase", "1987-04-02 10:00:00"), "price", "12.5"),
                        "quantity", "2"),
                with(event(customer + "-3", customer + "-q", "page_view", "1987-06-01 00:00:00"), "price", "free")));
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(3))
                .body("quarantined_rows", equalTo(1));

        // The quarantined row's June is not recorded; 1987-03-31 is a Tuesday, in the week of Monday 03-30.
        assertEquals(List.of("day 1987-03-31", "day 1987-04-01", "day 1987-04-02", "month 1987-03-01",
                        "month 1987-04-01", "week 1987-03-30"),
                IngestTestSupport.pendingPeriods(pool, "1987-01-01", "1988-01-01"));
        // Each stored row is recorded for segmentation-service, with what it adds to its customer's RFM values;
        // the quarantined row is not.
        assertEquals(2L, IngestTestSupport.count(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1"
                + " AND NOT purchase AND revenue = 0 AND event_timestamp IN ('1987-03-31 23:59:59+00',"
                + " '1987-04-01 00:00:00+00')", customer));
        assertEquals(1L, IngestTestSupport.count(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1"
                + " AND purchase AND revenue = 25 AND event_timestamp = '1987-04-02 10:00:00+00'", customer));
        assertEquals(0L, IngestTestSupport.count(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1",
                customer + "-q"));
    }

    @Test
    void storesTheSeedEventSentAsCurlDoes() {
        String id = unique("ev");
        String body = EventsResource.SEED_EVENT.replace("ev-12345", id);
        // curl -d sends application/x-www-form-urlencoded
        given().header("Authorization", "Bearer " + ADMIN)
                .contentType("application/x-www-form-urlencoded")
                .body(body)
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(202)
                .contentType("application/json")
                .body("successful_rows", equalTo(1))
                .body("quarantined_rows", equalTo(0));

        Row row = rows(pool, "SELECT * FROM customer_events WHERE event_id = $1", id).get(0);
        assertEquals("cust-789", row.getString("customer_id"));
        assertEquals("purchase", row.getString("event_type"));
        assertEquals(OffsetDateTime.of(2023, 6, 15, 14, 30, 45, 0, ZoneOffset.UTC),
                row.getOffsetDateTime("event_timestamp").withOffsetSameInstant(ZoneOffset.UTC));
        assertEquals(49.99, row.getDouble("price"));
        assertEquals(1, row.getInteger("quantity"));
        assertEquals("Mozilla/5.0 (iPhone; CPU iPhone OS 13_2_3 like Mac OS X)", row.getString("user_agent"));
    }

    @Test
    void storesTheSeedProfile() {
        String customer = unique("cust");
        String body = """
                {
                  "customer_id": "%s",
                  "email": "john.doe@example.com",
                  "first_name": "John",
                  "last_name": "Doe",
                  "age": 35,
                  "gender": "male",
                  "city": "New York",
                  "country": "US",
                  "signup_date": "2023-01-15",
                  "last_login": "2023-06-18 09:15:30",
                  "customer_segment": "High Value",
                  "lifetime_value": 1250.75
                }""".formatted(customer);
        post("customer_profiles", body).statusCode(202)
                .body("successful_rows", equalTo(1)).body("quarantined_rows", equalTo(0));

        Row row = rows(pool, "SELECT * FROM customer_profiles WHERE customer_id = $1", customer).get(0);
        assertEquals("john.doe@example.com", row.getString("email"));
        assertEquals(35, row.getInteger("age"));
        assertEquals("2023-01-15", row.getLocalDate("signup_date").toString());
        assertEquals(OffsetDateTime.of(2023, 6, 18, 9, 15, 30, 0, ZoneOffset.UTC),
                row.getOffsetDateTime("last_login").withOffsetSameInstant(ZoneOffset.UTC));
        assertEquals(1250.75, row.getDouble("lifetime_value"));
        assertEquals("High Value", row.getString("customer_segment"));
    }

    @Test
    void storesTheSeedSegmentWithItsRulesAsGiven() {
        String segment = unique("seg");
        String name = unique("High Value Active");
        String body = """
                {
                  "segment_id": "%s",
                  "segment_name": "%s",
                  "segment_description": "Customers who spend more than $1000 and have high engagement",
                  "creation_date": "2023-01-01",
                  "update_date": "2023-06-01",
                  "segment_rules": "total_spent > 1000 AND session_count > 10",
                  "segment_type": "value-based"
                }""".formatted(segment, name);
        post("customer_segments", body).statusCode(202)
                .body("successful_rows", equalTo(1)).body("quarantined_rows", equalTo(0));

        Row row = rows(pool, "SELECT * FROM customer_segments WHERE segment_id = $1", segment).get(0);
        assertEquals(name, row.getString("segment_name"));
        assertEquals("total_spent > 1000 AND session_count > 10", row.getString("segment_rules"));
        assertEquals("2023-06-01", row.getLocalDate("update_date").toString());
        assertEquals("value-based", row.getString("segment_type"));
    }

    @Test
    void readsNdjsonWithCrlfAndBlankLines() {
        String customer = unique("cust");
        String body = json(event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00")) + "\r\n\r\n"
                + "   \n"
                + json(event(customer + "-2", customer, "page_view", "2024-01-01T00:00:01Z")) + "\r\n"
                + json(event(customer + "-3", customer, "page_view", "2024-01-01T02:00:02.5+02:00"));
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(3)).body("quarantined_rows", equalTo(0));
        assertEquals(3, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
        Row third = rows(pool, "SELECT event_timestamp FROM customer_events WHERE event_id = $1", customer + "-3")
                .get(0);
        assertEquals(OffsetDateTime.of(2024, 1, 1, 0, 0, 2, 500_000_000, ZoneOffset.UTC),
                third.getOffsetDateTime("event_timestamp").withOffsetSameInstant(ZoneOffset.UTC));
    }

    @Test
    void readsAJsonArrayOfObjects() {
        String customer = unique("cust");
        List<Map<String, Object>> events = List.of(
                event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00"),
                event(customer + "-2", customer, "add_to_cart", "2024-01-01 00:00:01"));
        post("customer_events", json(events)).statusCode(202)
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(0));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void readsAPrettyPrintedArrayOverManyLines() {
        String customer = unique("cust");
        String body = """
                [
                  {
                    "event_id": "%1$s-1", "customer_id": "%1$s",
                    "event_type": "page_view", "event_timestamp": "2024-01-01 00:00:00"
                  },
                  {
                    "event_id": "%1$s-2", "customer_id": "%1$s",
                    "event_type": "page_view", "event_timestamp": "2024-01-01 00:00:01"
                  }
                ]
                """.formatted(customer);
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(0));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void acceptsAnyContentTypeAndNone() {
        String customer = unique("cust");
        String[] types = {"text/plain", "application/json", "application/x-ndjson", "application/octet-stream"};
        for (int i = 0; i < types.length; i++) {
            given().header("Authorization", "Bearer " + ADMIN).contentType(types[i])
                    .body(json(event(customer + "-" + i, customer, "page_view", "2024-01-01 00:00:0" + i)).getBytes())
                    .when().post("/v0/events?name=customer_events")
                    .then().statusCode(202).body("successful_rows", equalTo(1));
        }
        given().header("Authorization", "Bearer " + ADMIN)
                .body(json(event(customer + "-none", customer, "page_view", "2024-01-01 00:00:09")).getBytes())
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(202).body("successful_rows", equalTo(1));
        assertEquals(types.length + 1,
                count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void waitTrueAnswers200AndWaitFalse202BothAfterTheCommit() {
        String customer = unique("cust");
        given().header("Authorization", "Bearer " + ADMIN)
                .body(json(event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00")))
                .when().post("/v0/events?name=customer_events&wait=true")
                .then().statusCode(200).body("successful_rows", equalTo(1));
        // Committed by the time the answer arrived: visible to another connection at once.
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", customer + "-1"));

        given().header("Authorization", "Bearer " + ADMIN)
                .body(json(event(customer + "-2", customer, "page_view", "2024-01-01 00:00:00")))
                .when().post("/v0/events?name=customer_events&wait=false")
                .then().statusCode(202).body("successful_rows", equalTo(1));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", customer + "-2"));
    }

    @Test
    void malformedWaitIsA400NamingIt() {
        given().header("Authorization", "Bearer " + ADMIN).body("{}")
                .when().post("/v0/events?name=customer_events&wait=maybe")
                .then().statusCode(400).contentType("application/json")
                .body("error", containsString("'wait'"));
    }

    @Test
    void emptyBodyAnswersZeros() {
        given().header("Authorization", "Bearer " + ADMIN).body("")
                .when().post("/v0/events?name=customer_events&wait=true")
                .then().statusCode(200)
                .body("successful_rows", equalTo(0)).body("quarantined_rows", equalTo(0));
        given().header("Authorization", "Bearer " + ADMIN).body("\n  \n")
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(202)
                .body("successful_rows", equalTo(0)).body("quarantined_rows", equalTo(0));
    }

    @Test
    void missingNameIsA400() {
        given().header("Authorization", "Bearer " + ADMIN).body("{}")
                .when().post("/v0/events")
                .then().statusCode(400).contentType("application/json")
                .body("error", containsString("missing parameter 'name'"))
                .body("documentation", equalTo("docs/api.md#events-api"));
    }

    @Test
    void unknownDatasourceIsA404() {
        given().header("Authorization", "Bearer " + ADMIN).body("{}")
                .when().post("/v0/events?name=customer_orders")
                .then().statusCode(404).contentType("application/json")
                .body("error", containsString("unknown datasource 'customer_orders'"));
    }

    @Test
    void unknownQueryParametersAndExtraFieldsAreIgnored() {
        String customer = unique("cust");
        String body = json(with(event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00"),
                "not_a_column", "whatever"));
        given().header("Authorization", "Bearer " + ADMIN).body(body)
                .when().post("/v0/events?name=customer_events&format=ndjson&mode=append")
                .then().statusCode(202)
                .body("successful_rows", equalTo(1)).body("quarantined_rows", equalTo(0));
    }

    @Test
    void optionalColumnsMayBeNullOrAbsentAndNumericStringsAreAccepted() {
        String customer = unique("cust");
        Map<String, Object> base = event(customer + "-1", customer, "purchase", "2024-01-01 00:00:00");
        String body = json(with(with(with(base, "price", "49.99"), "quantity", "2"), "session_id", null));
        post("customer_events", body).statusCode(202).body("successful_rows", equalTo(1));
        Row row = rows(pool, "SELECT * FROM customer_events WHERE event_id = $1", customer + "-1").get(0);
        assertEquals(49.99, row.getDouble("price"));
        assertEquals(2, row.getInteger("quantity"));
        assertNull(row.getString("session_id"));
        assertNull(row.getString("country"));
    }

    @Test
    void storesTenThousandEventsFromOneRequest() {
        String customer = unique("bulk");
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            events.add(with(with(event(customer + "-" + i, customer + "-" + (i % 100), i % 10 == 0 ? "purchase"
                    : "page_view", "2024-02-01 00:00:00"), "price", i % 10 == 0 ? 10.5 : null), "session_id",
                    "s-" + (i % 500)));
        }
        post("customer_events", ndjson(events)).statusCode(202)
                .body("successful_rows", equalTo(10_000)).body("quarantined_rows", equalTo(0));
        assertEquals(10_000, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id LIKE $1",
                customer + "-%"));
    }
}
