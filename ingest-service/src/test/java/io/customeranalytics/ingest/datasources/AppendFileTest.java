package io.customeranalytics.ingest.datasources;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static io.customeranalytics.ingest.datasources.DatabaseReads.count;
import static io.customeranalytics.ingest.datasources.DatabaseReads.id;
import static io.customeranalytics.ingest.datasources.DatabaseReads.strings;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v0/datasources?name=<ds>&mode=append}: a CSV or NDJSON file, as a multipart file part (as the SDK
 * sends it) or as the body, gzip or not, is stored or quarantined row by row exactly as the Events API would store
 * the same rows, in chunks (a file of more rows than a chunk keeps one import id), idempotently; what cannot be
 * read is a 400 that says what was stored before it.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class AppendFileTest {

    private static final String ADMIN = "test-admin-token";

    @Inject
    Pool pool;

    @Test
    void appendsACsvFileWithAHeaderAndQuarantinesItsBadRowsOnTheirOwn() {
        String run = id("append-csv");
        String csv = "event_id,customer_id,event_type,event_timestamp,price,quantity,page_url\n"
                + run + "-1," + run + ",purchase,2021-03-04 10:00:00,49.99,2,\"https://example.com/a,b\"\n"
                + run + "-2," + run + ",page_view,2021-03-04T11:00:00Z,,,\n"
                + run + "-3," + run + ",purchase,not a time,1,1,\n"
                + "\n"
                + run + "-4," + run + ",purchase\n";
        JsonPath answer = given().queryParam("token", ADMIN).queryParam("name", "customer_events")
                .queryParam("mode", "append").queryParam("format", "csv")
                .multiPart("csv", "events.csv", csv.getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/datasources")
                .then().statusCode(200).contentType("application/json")
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(2))
                .body("datasource.name", equalTo("customer_events"))
                .extract().jsonPath();
        assertEquals(List.of(run + "-1 49.99 2 https://example.com/a,b", run + "-2 null null null"),
                strings(pool, "SELECT event_id || ' ' || coalesce(price::text, 'null') || ' '"
                        + " || coalesce(quantity::text, 'null') || ' ' || coalesce(page_url, 'null')"
                        + " FROM customer_events WHERE customer_id = $1 ORDER BY event_id", run));
        assertEquals(List.of("event_timestamp", "record has 3 values; the header names 7 columns"),
                strings(pool, "SELECT CASE WHEN c__error_column[1] = 'c__raw' THEN c__error[1]"
                        + " ELSE c__error_column[1] END FROM customer_events_quarantine"
                        + " WHERE c__import_id = $1 ORDER BY c__raw", UUID.fromString(answer.getString("import_id"))));
    }

    @Test
    void readsColumnOrderADialectAndGzipAndSendingTheFileAgainStoresNothingTwice() throws IOException {
        String run = id("append-dialect");
        List<String> columns = List.of("event_id", "customer_id", "event_type", "event_timestamp", "session_id",
                "page_url", "product_id", "category_id", "device_type", "country", "referrer", "user_agent", "price",
                "quantity");
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            List<String> values = new ArrayList<>(List.of(run + "-" + i, run, "page_view", "2021-05-0" + (i + 1)
                    + " 00:00:00", "s", "", "", "", "", "ES", "", "Mozilla\\;5.0", "", ""));
            assertEquals(columns.size(), values.size());
            csv.append(String.join(";", values)).append("\r\n");
        }
        byte[] gzip = gzip(csv.toString());
        for (int attempt = 0; attempt < 2; attempt++) {
            given().queryParam("token", ADMIN).queryParam("name", "customer_events").queryParam("mode", "append")
                    .queryParam("dialect_delimiter", ";").queryParam("dialect_escapechar", "\\")
                    .queryParam("dialect_new_line", "\\r\\n")
                    .multiPart("csv", "events.csv.gz", gzip)
                    .when().post("/v0/datasources")
                    .then().statusCode(200).body("successful_rows", equalTo(3)).body("quarantined_rows", equalTo(0));
        }
        assertEquals(List.of("Mozilla;5.0", "Mozilla;5.0", "Mozilla;5.0"),
                strings(pool, "SELECT user_agent FROM customer_events WHERE customer_id = $1 ORDER BY event_id", run));

        // NDJSON as the whole body, with Content-Encoding: gzip, by the format the file name would not give.
        String ndjson = "{\"event_id\":\"" + run + "-n\",\"customer_id\":\"" + run + "\",\"event_type\":\"page_view\","
                + "\"event_timestamp\":\"2021-05-09 00:00:00\"}\nnot json\n";
        given().queryParam("token", ADMIN).queryParam("name", "customer_events").queryParam("mode", "append")
                .queryParam("format", "ndjson").header("Content-Encoding", "gzip").body(gzip(ndjson))
                .when().post("/v0/datasources")
                .then().statusCode(200).body("successful_rows", equalTo(1)).body("quarantined_rows", equalTo(1));
        assertEquals(4, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", run));

        // curl --data-binary @events.csv sends the file as application/x-www-form-urlencoded: still a file.
        given().queryParam("token", ADMIN).queryParam("name", "customer_events").queryParam("format", "csv")
                .contentType("application/x-www-form-urlencoded")
                .body("event_id,customer_id,event_type,event_timestamp\n" + run + "-f," + run
                        + ",page_view,2021-05-10 00:00:00\n")
                .when().post("/v0/datasources")
                .then().statusCode(200).body("successful_rows", equalTo(1));
        assertEquals(5, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", run));
    }

    @Test
    void aFileOfMoreRowsThanAChunkIsStoredWholeUnderOneImportId() {
        String run = id("append-chunks");
        StringBuilder ndjson = new StringBuilder();
        int rows = 12_001;
        for (int i = 0; i < rows; i++) {
            ndjson.append(i % 5_000 == 7 ? "{\"event_id\":\"" + run + "-bad\"}"
                    : "{\"event_id\":\"" + run + "-" + i + "\",\"customer_id\":\"" + run
                    + "\",\"event_type\":\"page_view\",\"event_timestamp\":\"2021-06-01 00:00:00\"}").append('\n');
        }
        JsonPath answer = given().queryParam("token", ADMIN).queryParam("name", "customer_events")
                .multiPart("ndjson", "events.ndjson", ndjson.toString().getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/datasources")
                .then().statusCode(200).body("successful_rows", equalTo(rows - 3)).body("quarantined_rows", equalTo(3))
                .extract().jsonPath();
        assertEquals(rows - 3, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", run));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher bytes = Pattern.compile(
                "analytics_ingest_file_bytes_total\\{datasource=\"customer_events\"} ([0-9.E]+)").matcher(metrics);
        assertTrue(bytes.find() && Double.parseDouble(bytes.group(1)) >= ndjson.length(), metrics);
        assertTrue(metrics.contains("analytics_ingest_file_seconds_count{datasource=\"customer_events\"}"), metrics);
        assertEquals(3, count(pool, "SELECT count(*) FROM customer_events_quarantine WHERE c__import_id = $1",
                UUID.fromString(answer.getString("import_id"))));
    }

    @Test
    void eventsSentTwiceInReverseOrderAcrossChunksWrittenAtOnceAreStoredOnce() {
        String run = id("append-twice");
        int unique = 15_000;
        StringBuilder csv = new StringBuilder("event_id,customer_id,event_type,event_timestamp\n");
        for (int pass = 0; pass < 2; pass++) {
            for (int n = 0; n < unique; n++) {
                int i = pass == 0 ? n : unique - 1 - n;
                csv.append(run).append('-').append(i).append(',').append(run)
                        .append(",page_view,2021-06-02 00:00:00\n");
            }
        }
        given().queryParam("token", ADMIN).queryParam("name", "customer_events")
                .multiPart("csv", "twice.csv", csv.toString().getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/datasources")
                .then().statusCode(200).body("successful_rows", equalTo(2 * unique))
                .body("quarantined_rows", equalTo(0));
        assertEquals(unique, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", run));
    }

    @Test
    void profilesAndSegmentsFollowTheEventsApisRulesAndAByteOrderMarkIsNotPartOfTheHeader() {
        String run = id("append-profiles");
        String csv = "customer_id,age,lifetime_value,signup_date\n" + run + ",30,10.5,2020-01-01\n" + run + ",31,,\n";
        given().header("Authorization", "Bearer " + ADMIN).queryParam("name", "customer_profiles")
                .multiPart("csv", "profiles.csv", csv.getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/datasources")
                .then().statusCode(200).body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(0));
        assertEquals(List.of("31 null null"), strings(pool, "SELECT age || ' ' || coalesce(lifetime_value::text,"
                + " 'null') || ' ' || coalesce(signup_date::text, 'null') FROM customer_profiles WHERE customer_id = $1",
                run));

        String segments = "\uFEFFsegment_id,segment_name,segment_rules\n" + run + "-a," + run + " A,total_spent > 5\n"
                + run + "-b," + run + " B,total_spent >\n";
        given().queryParam("token", ADMIN).queryParam("name", "customer_segments")
                .multiPart("csv", "segments.csv", segments.getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/datasources")
                .then().statusCode(200).body("successful_rows", equalTo(1)).body("quarantined_rows", equalTo(1));
    }

    @Test
    void whatCannotBeReadIsA400ThatSaysWhatWasStoredBeforeIt() {
        String run = id("append-broken");
        String csv = "event_id,customer_id,event_type,event_timestamp\n" + run + "-1," + run
                + ",page_view,2021-07-01 00:00:00\n" + run + "-2,\"" + run + ",page_view,2021-07-01 00:00:00\n";
        given().queryParam("token", ADMIN).queryParam("name", "customer_events")
                .multiPart("csv", "events.csv", csv.getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/datasources")
                .then().statusCode(400).contentType("application/json")
                .body("error", containsString("malformed CSV after record 2"))
                .body("error", containsString(
                        "the rows before it are appended (successful_rows 1, quarantined_rows 0"));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", run));

        byte[] notUtf8 = ("event_id,customer_id,event_type,event_timestamp\n" + run + "-3,\u00ff").getBytes(
                StandardCharsets.ISO_8859_1);
        given().queryParam("token", ADMIN).queryParam("name", "customer_events").body(notUtf8)
                .when().post("/v0/datasources")
                .then().statusCode(400).body("error", containsString("not UTF-8 text"));
    }

    @Test
    void refusesWhatItDoesNotDoWithTheReason() {
        byte[] file = "customer_id\nc\n".getBytes(StandardCharsets.UTF_8);
        refuses(given().queryParam("token", ADMIN).multiPart("csv", "a.csv", file), 400,
                "missing parameter 'name'");
        refuses(given().queryParam("token", ADMIN).queryParam("name", "customer_orders").multiPart("csv", "a.csv",
                file), 404, "unknown datasource 'customer_orders'");
        refuses(given().queryParam("token", ADMIN).queryParam("name", "customer_profiles").queryParam("mode", "create")
                .multiPart("csv", "a.csv", file), 400, "mode 'create' is not built");
        refuses(given().queryParam("token", ADMIN).queryParam("name", "customer_profiles")
                .queryParam("format", "parquet").multiPart("csv", "a.csv", file), 400, "format 'parquet' is not built");
        refuses(given().queryParam("token", ADMIN).queryParam("name", "customer_profiles")
                .queryParam("dialect_delimiter", "ab").multiPart("csv", "a.csv", file), 400,
                "dialect_delimiter must be one character");
        refuses(given().queryParam("token", ADMIN).queryParam("name", "customer_profiles")
                .multiPart("note", "just text"), 400, "no file in the multipart body");
        refuses(given().queryParam("token", ADMIN).queryParam("name", "customer_profiles")
                .formParam("url", "https://example.com/profiles.csv"), 400, "importing from a url is not built");
        refuses(given().header("Authorization", "Bearer test-append-events-token")
                .queryParam("name", "customer_profiles").multiPart("csv", "a.csv", file), 403,
                "DATASOURCES:APPEND:customer_profiles");
        String run = id("append-appender");
        given().header("Authorization", "Bearer test-append-events-token").queryParam("name", "customer_events")
                .multiPart("csv", "e.csv", ("event_id,customer_id,event_type,event_timestamp\n" + run + "," + run
                        + ",page_view,2021-08-01 00:00:00\n").getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/datasources")
                .then().statusCode(200).body("successful_rows", equalTo(1));
    }

    private static void refuses(io.restassured.specification.RequestSpecification request, int status,
                                String message) {
        request.when().post("/v0/datasources")
                .then().statusCode(status).contentType("application/json").body("error", containsString(message));
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

}
