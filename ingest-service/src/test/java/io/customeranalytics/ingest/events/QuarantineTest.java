package io.customeranalytics.ingest.events;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.customeranalytics.ingest.events.IngestTestSupport.count;
import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.customeranalytics.ingest.events.IngestTestSupport.post;
import static io.customeranalytics.ingest.events.IngestTestSupport.rows;
import static io.customeranalytics.ingest.events.IngestTestSupport.unique;
import static io.customeranalytics.ingest.events.IngestTestSupport.with;
import static io.customeranalytics.ingest.events.IngestTestSupport.without;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every reason a row is quarantined, and what the quarantine keeps of it. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class QuarantineTest {

    @Inject
    Pool pool;

    /** Sends one event row (among valid ones) and returns its quarantine row, found by its unique event id. */
    private Row quarantinedEvent(Map<String, Object> bad, String marker) {
        String customer = unique("ok");
        String body = json(event(customer + "-a", customer, "page_view", "2024-01-01 00:00:00")) + "\n"
                + json(bad) + "\n"
                + json(event(customer + "-b", customer, "page_view", "2024-01-01 00:00:00")) + "\n";
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(1));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
        List<Row> found = rows(pool, "SELECT * FROM customer_events_quarantine WHERE c__raw LIKE $1",
                "%" + marker + "%");
        assertEquals(1, found.size(), "one quarantine row for " + marker);
        return found.get(0);
    }

    private static void assertErrors(Row row, Map<String, String> expected) {
        String[] columns = row.getArrayOfStrings("c__error_column");
        String[] errors = row.getArrayOfStrings("c__error");
        assertEquals(columns.length, errors.length, "aligned error lists");
        assertEquals(expected.keySet(), Set.copyOf(Arrays.asList(columns)));
        for (int i = 0; i < columns.length; i++) {
            String fragment = expected.get(columns[i]);
            assertTrue(errors[i].contains(fragment), "error of " + columns[i] + " '" + errors[i] + "' mentions '"
                    + fragment + "'");
        }
    }

    private static Map<String, Object> validEvent(String id) {
        return event(id, "cust-" + id, "purchase", "2024-01-01 00:00:00");
    }

    @Test
    void quarantinesRowWithMissingCustomerId() {
        String id = unique("q-missing");
        Row row = quarantinedEvent(without(validEvent(id), "customer_id"), id);
        assertErrors(row, Map.of("customer_id", "required value is missing"));
        assertEquals(id, row.getString("event_id"));
        assertEquals("purchase", row.getString("event_type"));
        assertNull(row.getString("customer_id"));
    }

    @Test
    void quarantinesRowWithNullOrEmptyRequiredValues() {
        String id = unique("q-empty");
        Row row = quarantinedEvent(with(with(validEvent(id), "event_type", ""), "customer_id", null), id);
        assertErrors(row, Map.of("event_type", "required value is empty", "customer_id", "required value is missing"));
    }

    @Test
    void quarantinesRowWithWrongTypes() {
        String id = unique("q-types");
        Map<String, Object> bad = with(with(with(validEvent(id), "session_id", 42), "price", true), "quantity", "two");
        Row row = quarantinedEvent(bad, id);
        assertErrors(row, Map.of("session_id", "expected a string, got a number",
                "price", "expected a number, got a boolean",
                "quantity", "expected an integer, got 'two'"));
        assertEquals("42", row.getString("session_id"));
        assertEquals("true", row.getString("price"));
        assertEquals("two", row.getString("quantity"));
    }

    @Test
    void quarantinesRowWithOutOfRangeNumbers() {
        String id = unique("q-range");
        Row row = quarantinedEvent(with(with(validEvent(id), "price", -0.01), "quantity", -1), id);
        assertErrors(row, Map.of("price", "must be >= 0", "quantity", "must be >= 0"));

        String id2 = unique("q-int");
        Row row2 = quarantinedEvent(with(with(validEvent(id2), "quantity", 1.5), "price", "1e400"), id2);
        assertErrors(row2, Map.of("quantity", "expected an integer", "price", "must be a finite number"));

        String id3 = unique("q-int32");
        Row row3 = quarantinedEvent(with(with(validEvent(id3), "quantity", 3_000_000_000L), "price", "NaN"), id3);
        assertErrors(row3, Map.of("quantity", "out of range for Int32", "price", "expected a number"));
    }

    @Test
    void quarantinesRowWithTooLongStrings() {
        String id = unique("q-long");
        Row row = quarantinedEvent(with(with(validEvent(id), "country", "x".repeat(257)), "page_url",
                "u".repeat(4097)), id);
        assertErrors(row, Map.of("country", "longer than 256 characters (257)",
                "page_url", "longer than 4096 characters (4097)"));
        String marker = unique("marker");
        Row row2 = quarantinedEvent(with(event("e".repeat(129), "c-1", "view", "2024-01-01 00:00:00"), "referrer",
                marker), marker);
        assertErrors(row2, Map.of("event_id", "longer than 128 characters"));
    }

    @Test
    void quarantinesRowWithInvalidDateTime() {
        String id = unique("q-time");
        Row row = quarantinedEvent(with(validEvent(id), "event_timestamp", "15/06/2023 14:30"), id);
        assertErrors(row, Map.of("event_timestamp", "expected a DateTime"));
        assertEquals("15/06/2023 14:30", row.getString("event_timestamp"));

        String id2 = unique("q-time2");
        Row row2 = quarantinedEvent(with(validEvent(id2), "event_timestamp", "2023-02-30 10:00:00"), id2);
        assertErrors(row2, Map.of("event_timestamp", "not a valid DateTime"));
    }

    @Test
    void quarantinesRowWithNulCharacterAndKeepsItVisible() {
        String id = unique("q-nul");
        Row row = quarantinedEvent(with(validEvent(id), "country", "U\u0000S"), id);
        assertErrors(row, Map.of("country", "NUL"));
        assertEquals("U\\u0000S", row.getString("country"));
    }

    @Test
    void quarantinesMalformedLinesOnTheirOwnAndStoresTheRest() {
        String customer = unique("mixed");
        String notJson = "{\"event_id\": \"" + customer + "-broken\", oops";
        String body = json(event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00")) + "\n"
                + notJson + "\n"
                + "[1, 2, 3]\n"
                + "\"" + customer + "-a string\"\n"
                + json(event(customer + "-2", customer, "page_view", "2024-01-01 00:00:00")) + "\n";
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(3));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));

        Row broken = rows(pool, "SELECT * FROM customer_events_quarantine WHERE c__raw = $1", notJson).get(0);
        assertArrayEquals(new String[]{"c__raw"}, broken.getArrayOfStrings("c__error_column"));
        assertTrue(broken.getArrayOfStrings("c__error")[0].startsWith("invalid JSON at character"));
        assertNull(broken.getString("event_id"));

        Row string = rows(pool, "SELECT * FROM customer_events_quarantine WHERE c__raw = $1",
                "\"" + customer + "-a string\"").get(0);
        assertEquals("line is not a JSON object (got a string)", string.getArrayOfStrings("c__error")[0]);
    }

    @Test
    void quarantinesArrayElementsThatAreNotObjects() {
        String customer = unique("arr");
        String body = "[" + json(event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00"))
                + ", \"" + customer + "-not-an-object\", 7]";
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(1)).body("quarantined_rows", equalTo(2));
        Row row = rows(pool, "SELECT * FROM customer_events_quarantine WHERE c__raw = $1",
                "\"" + customer + "-not-an-object\"").get(0);
        assertTrue(row.getArrayOfStrings("c__error")[0].contains("array element is not a JSON object"));
    }

    @Test
    void everyRowOfARequestSharesOneImportIdAndGetsAnInsertionDate() {
        String marker = unique("import");
        String body = "{\"a\": \"" + marker + "-1\"}\n{\"a\": \"" + marker + "-2\"}\n";
        post("customer_events", body).statusCode(202).body("quarantined_rows", equalTo(2));
        post("customer_events", "{\"a\": \"" + marker + "-3\"}").statusCode(202).body("quarantined_rows", equalTo(1));
        List<Row> found = rows(pool, "SELECT c__import_id, insertion_date, c__raw FROM customer_events_quarantine"
                + " WHERE c__raw LIKE $1 ORDER BY c__raw", "%" + marker + "%");
        assertEquals(3, found.size());
        assertEquals(found.get(0).getUUID("c__import_id"), found.get(1).getUUID("c__import_id"));
        assertTrue(!found.get(0).getUUID("c__import_id").equals(found.get(2).getUUID("c__import_id")));
        found.forEach(r -> assertNotNull(r.getOffsetDateTime("insertion_date")));
    }

    @Test
    void quarantinesProfileWithAgeOutOfRangeBadDateAndNonFiniteValue() {
        String customer = unique("prof");
        String body = "{\"customer_id\": \"" + customer + "\", \"age\": 151, \"signup_date\": \"2023-13-01\","
                + " \"last_login\": \"yesterday\", \"lifetime_value\": \"Infinity\"}";
        post("customer_profiles", body).statusCode(202)
                .body("successful_rows", equalTo(0)).body("quarantined_rows", equalTo(1));
        Row row = rows(pool, "SELECT * FROM customer_profiles_quarantine WHERE customer_id = $1", customer).get(0);
        assertErrors(row, Map.of("age", "must be <= 150", "signup_date", "not a valid Date",
                "last_login", "expected a DateTime", "lifetime_value", "expected a number"));
        assertEquals("151", row.getString("age"));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_profiles WHERE customer_id = $1", customer));
    }

    @Test
    void quarantinesSegmentWithoutName() {
        String segment = unique("seg");
        post("customer_segments", "{\"segment_id\": \"" + segment + "\"}").statusCode(202)
                .body("successful_rows", equalTo(0)).body("quarantined_rows", equalTo(1));
        Row row = rows(pool, "SELECT * FROM customer_segments_quarantine WHERE segment_id = $1", segment).get(0);
        assertErrors(row, Map.of("segment_name", "required value is missing"));
    }

    @Test
    void quarantinesSegmentWhoseRulesDoNotParseWithTheParsersMessage() {
        String bad = unique("seg");
        String good = unique("seg");
        String blank = unique("seg");
        String body = json(Map.of("segment_id", bad, "segment_name", unique("Typo"),
                        "segment_rules", "totl_spent > 1000")) + "\n"
                + json(Map.of("segment_id", good, "segment_name", unique("Fine"),
                        "segment_rules", "total_spent > 1000 AND session_count > 10")) + "\n"
                + json(Map.of("segment_id", blank, "segment_name", unique("Label only"), "segment_rules", "")) + "\n";
        post("customer_segments", body).statusCode(202)
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(1));
        Row row = rows(pool, "SELECT * FROM customer_segments_quarantine WHERE segment_id = $1", bad).get(0);
        assertErrors(row, Map.of("segment_rules", "unknown metric 'totl_spent' at position 1"));
        assertEquals("totl_spent > 1000", row.getString("segment_rules"));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_segments WHERE segment_id = $1", bad));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_segments WHERE segment_id = $1", good));
    }

    @Test
    void quarantinesSegmentWithHostileRules() {
        String id = unique("seg");
        post("customer_segments", json(Map.of("segment_id", id, "segment_name", unique("Hostile"),
                "segment_rules", "total_spent > 1; DROP TABLE customer_events"))).statusCode(202)
                .body("quarantined_rows", equalTo(1));
        Row row = rows(pool, "SELECT * FROM customer_segments_quarantine WHERE segment_id = $1", id).get(0);
        assertErrors(row, Map.of("segment_rules", "unexpected character ';' at position 16"));
    }

    @Test
    void quarantinesNumbersBeyondTheDoubleRangeAndStoresTheRestOfTheRequest() {
        String customer = unique("ok");
        String quantity = unique("q-1e400");
        String age = unique("p-1e400");
        String body = json(event(customer + "-a", customer, "page_view", "2024-01-01 00:00:00")) + "\n"
                + "{\"event_id\":\"" + quantity + "\",\"customer_id\":\"c\",\"event_type\":\"purchase\","
                + "\"event_timestamp\":\"2023-06-15 10:00:00\",\"quantity\":1e400}\n"
                + json(event(customer + "-b", customer, "page_view", "2024-01-01 00:00:00")) + "\n";
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(1));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
        assertErrors(rows(pool, "SELECT * FROM customer_events_quarantine WHERE event_id = $1", quantity).get(0),
                Map.of("quantity", "out of range for Int32"));

        post("customer_profiles", "{\"customer_id\":\"" + age + "\",\"age\":1e400}").statusCode(202)
                .body("successful_rows", equalTo(0)).body("quarantined_rows", equalTo(1));
        assertErrors(rows(pool, "SELECT * FROM customer_profiles_quarantine WHERE customer_id = $1", age).get(0),
                Map.of("age", "out of range for Int32"));
    }

    @Test
    void anArrayWithANumberOfMoreThanAThousandDigitsQuarantinesOnlyThatRow() {
        String customer = unique("digits");
        String body = "[" + json(event(customer + "-a", customer, "page_view", "2024-01-01 00:00:00")) + ","
                + "{\"event_id\":\"" + customer + "-huge\",\"customer_id\":\"" + customer + "\","
                + "\"event_type\":\"purchase\",\"event_timestamp\":\"2024-01-01 00:00:00\",\"price\":"
                + "1".repeat(1500) + "},"
                + json(event(customer + "-b", customer, "page_view", "2024-01-01 00:00:00")) + "]";
        post("customer_events", body).statusCode(202)
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(1));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
        Row row = rows(pool, "SELECT * FROM customer_events_quarantine WHERE c__raw LIKE $1",
                "%" + customer + "-huge%").get(0);
        assertTrue(row.getArrayOfStrings("c__error")[0].contains("a number longer than the 1000 digits allowed"),
                row.getArrayOfStrings("c__error")[0]);
    }

    @Test
    void quarantinesSegmentWhoseRuleHoldsANumberBeyondTheDoubleRange() {
        String id = unique("seg");
        post("customer_segments", json(Map.of("segment_id", id, "segment_name", unique("Huge"),
                "segment_rules", "total_spent > 1e400"))).statusCode(202)
                .body("quarantined_rows", equalTo(1));
        Row row = rows(pool, "SELECT * FROM customer_segments_quarantine WHERE segment_id = $1", id).get(0);
        assertErrors(row, Map.of("segment_rules", "number 1e400 is out of range"));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_segments WHERE segment_id = $1", id));
    }

    @Test
    void quarantinesSegmentThatWouldReuseAnotherSegmentsName() {
        String name = unique("Big Spenders");
        String first = unique("seg");
        String second = unique("seg");
        post("customer_segments", json(Map.of("segment_id", first, "segment_name", name))).statusCode(202)
                .body("successful_rows", equalTo(1));
        // Across requests.
        post("customer_segments", json(Map.of("segment_id", second, "segment_name", name))).statusCode(202)
                .body("successful_rows", equalTo(0)).body("quarantined_rows", equalTo(1));
        // Within one request: the later row loses.
        String third = unique("seg");
        String fourth = unique("seg");
        String other = unique("Window Shoppers");
        String body = json(Map.of("segment_id", third, "segment_name", other)) + "\n"
                + json(Map.of("segment_id", fourth, "segment_name", other)) + "\n";
        post("customer_segments", body).statusCode(202)
                .body("successful_rows", equalTo(1)).body("quarantined_rows", equalTo(1));

        assertEquals(first, rows(pool, "SELECT segment_id FROM customer_segments WHERE segment_name = $1", name)
                .get(0).getString("segment_id"));
        assertEquals(third, rows(pool, "SELECT segment_id FROM customer_segments WHERE segment_name = $1", other)
                .get(0).getString("segment_id"));
        Row rejected = rows(pool, "SELECT * FROM customer_segments_quarantine WHERE segment_id = $1", second).get(0);
        assertErrors(rejected, Map.of("segment_name", "is already used by segment '" + first + "'"));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_segments_quarantine WHERE segment_id = $1",
                fourth));
    }

    @Test
    void countsAddUpToTheLinesSent() {
        String customer = unique("sum");
        StringBuilder body = new StringBuilder();
        int valid = 0;
        int invalid = 0;
        for (int i = 0; i < 50; i++) {
            if (i % 7 == 3) {
                body.append(json(without(event(customer + "-" + i, customer, "view", "2024-01-01 00:00:00"),
                        "event_type"))).append('\n');
                invalid++;
            } else if (i % 11 == 5) {
                body.append("garbage ").append(i).append('\n');
                invalid++;
            } else {
                body.append(json(event(customer + "-" + i, customer, "view", "2024-01-01 00:00:00"))).append('\n');
                valid++;
            }
        }
        post("customer_events", body.toString()).statusCode(202)
                .body("successful_rows", equalTo(valid)).body("quarantined_rows", equalTo(invalid));
        assertEquals(50, valid + invalid);
        assertEquals(valid, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
        Set<String> quarantinedIds = rows(pool, "SELECT event_id FROM customer_events_quarantine WHERE"
                + " event_id LIKE $1", customer + "-%").stream().map(r -> r.getString(0)).collect(Collectors.toSet());
        assertEquals(invalid - 4, quarantinedIds.size()); // the garbage lines carry no event_id
    }
}
