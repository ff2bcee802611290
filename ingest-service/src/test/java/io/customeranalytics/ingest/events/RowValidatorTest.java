package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.customeranalytics.common.schema.Datasource;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ValidatedRow validate(Datasource datasource, String json) throws Exception {
        return RowValidator.validate(datasource, (ObjectNode) JSON.readTree(json));
    }

    @Test
    void typesEveryColumnOfAValidEvent() throws Exception {
        ValidatedRow row = validate(Datasource.CUSTOMER_EVENTS, """
                {"event_id":"e","customer_id":"c","event_type":"purchase","event_timestamp":"2023-06-15 14:30:45",
                 "price":"49.99","quantity":"2","country":"US"}""");
        assertTrue(row.valid(), row.errors().toString());
        assertEquals(49.99, row.values()[Datasource.CUSTOMER_EVENTS.indexOf("price")]);
        assertEquals(2, row.values()[Datasource.CUSTOMER_EVENTS.indexOf("quantity")]);
        assertNull(row.values()[Datasource.CUSTOMER_EVENTS.indexOf("session_id")]);
    }

    @Test
    void acceptsIntegralValuesWrittenAsDecimals() throws Exception {
        ValidatedRow row = validate(Datasource.CUSTOMER_PROFILES, "{\"customer_id\":\"c\",\"age\":35.0}");
        assertTrue(row.valid());
        assertEquals(35, row.values()[Datasource.CUSTOMER_PROFILES.indexOf("age")]);
    }

    @Test
    void reportsEveryFailingColumn() throws Exception {
        ValidatedRow row = validate(Datasource.CUSTOMER_PROFILES, """
                {"customer_id":"","age":-1,"signup_date":"2023-1-5","lifetime_value":"1,5","email":["a"]}""");
        assertEquals(List.of("customer_id", "email", "age", "signup_date", "lifetime_value"), row.errorColumns());
        assertEquals(row.errorColumns().size(), row.errors().size());
    }

    @Test
    void countsCharactersNotBytes() throws Exception {
        String id = "é".repeat(128);
        ValidatedRow row = validate(Datasource.CUSTOMER_PROFILES, "{\"customer_id\":\"" + id + "\"}");
        assertTrue(row.valid(), row.errors().toString());
    }

    @Test
    void segmentDatesAreDates() throws Exception {
        ValidatedRow row = validate(Datasource.CUSTOMER_SEGMENTS,
                "{\"segment_id\":\"s\",\"segment_name\":\"n\",\"creation_date\":\"2023-01-01\"}");
        assertEquals(LocalDate.of(2023, 1, 1), row.values()[Datasource.CUSTOMER_SEGMENTS.indexOf("creation_date")]);
    }

    @Test
    void typeNamesFollowClickHouse() {
        assertEquals("String", Datasource.CUSTOMER_EVENTS.columns().get(0).typeName());
        assertEquals("Nullable(Float64)",
                Datasource.CUSTOMER_EVENTS.columns().get(Datasource.CUSTOMER_EVENTS.indexOf("price")).typeName());
        assertEquals("DateTime", Datasource.CUSTOMER_EVENTS.columns()
                .get(Datasource.CUSTOMER_EVENTS.indexOf("event_timestamp")).typeName());
    }

    private static String event(String extra) {
        return "{\"event_id\":\"e\",\"customer_id\":\"c\",\"event_type\":\"purchase\","
                + "\"event_timestamp\":\"2023-06-15 10:00:00\"" + extra + "}";
    }

    private static void assertRejected(Datasource datasource, String json, String column, String reason)
            throws Exception {
        ValidatedRow row = validate(datasource, json);
        assertEquals(List.of(column), row.errorColumns(), json);
        assertTrue(row.errors().get(0).contains(reason), row.errors().toString());
    }

    @Test
    void quarantinesIntegersBeyondTheDoubleRangeInsteadOfFailing() throws Exception {
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"quantity\":1e400"), "quantity", "out of range for Int32");
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"quantity\":-1e400"), "quantity", "out of range");
        assertRejected(Datasource.CUSTOMER_PROFILES, "{\"customer_id\":\"c\",\"age\":1e400}", "age",
                "out of range for Int32");
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"price\":1e400"), "price", "finite");
    }

    @Test
    void boundsEveryNumberSoThatSumsCannotOverflow() throws Exception {
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"price\":1e308,\"quantity\":2"), "price",
                "must be <= 1000000000");
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"quantity\":1000001"), "quantity",
                "must be <= 1000000");
        assertRejected(Datasource.CUSTOMER_PROFILES, "{\"customer_id\":\"c\",\"lifetime_value\":-1e13}",
                "lifetime_value", "must be >= -1000000000000");
        ValidatedRow largest = validate(Datasource.CUSTOMER_EVENTS, event(",\"price\":1e9,\"quantity\":1000000"));
        assertTrue(largest.valid(), largest.errors().toString());
    }

    @Test
    void numericAndTimeStringsAreNotTrimmedOfNulOrControlCharacters() throws Exception {
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"price\":\"49.99\\u0000\""), "price", "expected a number");
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"quantity\":\"2\\u0001\""), "quantity",
                "expected an integer");
        assertRejected(Datasource.CUSTOMER_PROFILES,
                "{\"customer_id\":\"c\",\"last_login\":\"2023-06-15 10:00:00\\u0000\"}", "last_login",
                "expected a DateTime");
        ValidatedRow spaced = validate(Datasource.CUSTOMER_EVENTS, event(",\"price\":\" 49.99 \""));
        assertEquals(49.99, spaced.values()[Datasource.CUSTOMER_EVENTS.indexOf("price")]);
    }

    @Test
    void boundsDateTimesAndDates() throws Exception {
        String ok = "{\"event_id\":\"e\",\"customer_id\":\"c\",\"event_type\":\"t\",\"event_timestamp\":\"%s\"}";
        assertRejected(Datasource.CUSTOMER_EVENTS, ok.formatted("0000-01-01 00:00:00"), "event_timestamp",
                "must be from 1970-01-01 00:00:00 to 2099-12-31 23:59:59 (UTC)");
        assertRejected(Datasource.CUSTOMER_EVENTS, ok.formatted("9999-12-31T23:59:59.999999-14:00"),
                "event_timestamp", "must be from 1970-01-01 00:00:00");
        assertRejected(Datasource.CUSTOMER_EVENTS, ok.formatted("2100-01-01 00:00:00"), "event_timestamp",
                "to 2099-12-31 23:59:59");
        assertTrue(validate(Datasource.CUSTOMER_EVENTS, ok.formatted("1970-01-01 00:00:00")).valid());
        assertTrue(validate(Datasource.CUSTOMER_EVENTS, ok.formatted("2099-12-31T23:59:59.999999Z")).valid());
        assertRejected(Datasource.CUSTOMER_PROFILES, "{\"customer_id\":\"c\",\"signup_date\":\"1899-12-31\"}",
                "signup_date", "must be from 1900-01-01 to 2099-12-31");
    }

    @Test
    void quarantinesTextPostgreSqlCannotHold() throws Exception {
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"country\":\"U\\u0000S\""), "country",
                "NUL character (\\u0000) at position 2");
        assertRejected(Datasource.CUSTOMER_EVENTS, event(",\"page_url\":\"x\\ud800y\""), "page_url",
                "unpaired UTF-16 surrogate");
        ValidatedRow emoji = validate(Datasource.CUSTOMER_EVENTS, event(",\"page_url\":\"\\ud83d\\ude00\""));
        assertTrue(emoji.valid(), emoji.errors().toString());
    }
}
