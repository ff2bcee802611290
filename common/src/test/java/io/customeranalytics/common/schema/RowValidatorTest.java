package io.customeranalytics.common.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
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
}
