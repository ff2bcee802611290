package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Rows with unique ids, posting, and direct reads of the database for the ingest tests. */
final class IngestTestSupport {

    static final String ADMIN = "test-admin-token";
    static final ObjectMapper JSON = new ObjectMapper();

    private IngestTestSupport() {
    }

    /** A prefix unique to one test, so that its rows are told apart from everything else in the database. */
    static String unique(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    static Map<String, Object> event(String eventId, String customerId, String type, String timestamp) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("event_id", eventId);
        row.put("customer_id", customerId);
        row.put("event_type", type);
        row.put("event_timestamp", timestamp);
        return row;
    }

    static Map<String, Object> with(Map<String, Object> row, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(row);
        copy.put(key, value);
        return copy;
    }

    static Map<String, Object> without(Map<String, Object> row, String key) {
        Map<String, Object> copy = new LinkedHashMap<>(row);
        copy.remove(key);
        return copy;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String ndjson(List<?> rows) {
        StringBuilder out = new StringBuilder();
        for (Object row : rows) {
            out.append(json(row)).append('\n');
        }
        return out.toString();
    }

    static ValidatableResponse post(String datasource, String body) {
        return given()
                .header("Authorization", "Bearer " + ADMIN)
                .contentType("application/x-ndjson")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .when()
                .post("/v0/events?name=" + datasource)
                .then();
    }

    static List<Row> rows(Pool pool, String sql, Object... params) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery(sql)
                .execute(Tuple.from(params))
                .await().atMost(Duration.ofSeconds(30))
                .forEach(out::add);
        return out;
    }

    /**
     * The periods recorded in behavioral_pending (V13) within [from, until), as "grain period" texts in order,
     * for the tests that check a write records the day, week and month of what it stored.
     */
    static List<String> pendingPeriods(Pool pool, String from, String until) {
        List<String> periods = new ArrayList<>();
        for (Row row : rows(pool, """
                SELECT DISTINCT grain, to_char(period AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period
                FROM behavioral_pending
                WHERE period >= ($1::text || ' UTC')::timestamptz AND period < ($2::text || ' UTC')::timestamptz
                ORDER BY grain, period""", from, until)) {
            periods.add(row.getString("grain") + " " + row.getString("period"));
        }
        return periods;
    }

    static long count(Pool pool, String sql, Object... params) {
        return rows(pool, sql, params).get(0).getLong(0);
    }
}
