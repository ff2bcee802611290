package io.customeranalytics.ingest.events;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static io.customeranalytics.ingest.events.IngestTestSupport.ADMIN;
import static io.customeranalytics.ingest.events.IngestTestSupport.count;
import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.customeranalytics.ingest.events.IngestTestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gzip bodies, and the 10 MB (as sent) and 100 MB (decompressed) limits: 413 and nothing stored. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class BodyLimitsTest {

    private static final int TEN_MB = 10 * 1024 * 1024;

    @Inject
    Pool pool;

    @TestHTTPResource("/v0/events")
    URI events;

    /** Valid NDJSON events of one customer, at least {@code bytes} long. */
    private static byte[] eventsOfAtLeast(String customer, long bytes) {
        StringBuilder body = new StringBuilder();
        String padding = "p".repeat(3000);
        int i = 0;
        while (body.length() < bytes) {
            body.append(json(IngestTestSupport.with(event(customer + "-" + i, customer, "page_view",
                    "2024-01-01 00:00:00"), "user_agent", padding))).append('\n');
            i++;
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void acceptsAGzipBody() throws IOException {
        String customer = unique("gz");
        String body = json(event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00")) + "\n"
                + json(event(customer + "-2", customer, "page_view", "2024-01-01 00:00:00")) + "\n";
        given().header("Authorization", "Bearer " + ADMIN)
                .header("Content-Encoding", "gzip")
                .body(gzip(body.getBytes(StandardCharsets.UTF_8)))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(202).body("successful_rows", equalTo(2));
        assertEquals(2, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void rejectsABodyThatIsNotTheGzipItClaims() {
        given().header("Authorization", "Bearer " + ADMIN)
                .header("Content-Encoding", "gzip")
                .body("{\"not\": \"gzip\"}".getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(400).contentType("application/json")
                .body("error", containsString("not valid gzip"));
    }

    @Test
    void rejectsTruncatedOrEmptyGzipBodiesWith400AndStoresNothing() throws IOException {
        String customer = unique("gz-cut");
        byte[] whole = gzip((json(event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00")) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        byte[] halfway = java.util.Arrays.copyOf(whole, whole.length / 2);
        byte[] withoutTrailer = java.util.Arrays.copyOf(whole, whole.length - 8);
        for (byte[] body : List.of(halfway, withoutTrailer, new byte[0])) {
            given().header("Authorization", "Bearer " + ADMIN)
                    .header("Content-Encoding", "gzip")
                    .body(body)
                    .when().post("/v0/events?name=customer_events")
                    .then().statusCode(400).contentType("application/json")
                    .body("error", containsString("not complete gzip data"));
        }
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void rejectsAnUnsupportedContentEncoding() {
        given().header("Authorization", "Bearer " + ADMIN)
                .header("Content-Encoding", "br")
                .body("{}".getBytes(StandardCharsets.UTF_8))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(400).body("error", containsString("unsupported Content-Encoding 'br'"));
    }

    @Test
    void bodyOverTenMegabytesWithContentLengthIs413AndStoresNothing() {
        String customer = unique("big");
        byte[] body = eventsOfAtLeast(customer, TEN_MB + 1);
        given().header("Authorization", "Bearer " + ADMIN)
                .body(body)
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(413).contentType("application/json")
                .body("error", containsString("larger than 10485760 bytes"));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void chunkedBodyOverTenMegabytesIs413AndStoresNothing() throws Exception {
        String customer = unique("chunked");
        byte[] body = eventsOfAtLeast(customer, TEN_MB + 100_000);
        // An InputStream publisher has no length: the client sends it chunked, without Content-Length.
        HttpRequest request = HttpRequest.newBuilder(URI.create(events + "?name=customer_events"))
                .header("Authorization", "Bearer " + ADMIN)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        HttpResponse<String> response = send(request);
        assertEquals(413, response.statusCode(), response.body());
        assertTrue(response.body().contains("larger than 10485760 bytes"), response.body());
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void gzipBodyInflatingBeyondOneHundredMegabytesIs413AndStoresNothing() throws Exception {
        String customer = unique("bomb");
        // Valid rows first, then padding that compresses to almost nothing: 101 MB inflated, well under 10 MB sent.
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            gz.write((json(event(customer + "-1", customer, "page_view", "2024-01-01 00:00:00")) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            byte[] blanks = new byte[1024 * 1024];
            java.util.Arrays.fill(blanks, (byte) ' ');
            for (int i = 0; i < 101; i++) {
                gz.write(blanks);
            }
        }
        assertTrue(compressed.size() < TEN_MB);
        given().header("Authorization", "Bearer " + ADMIN)
                .header("Content-Encoding", "gzip")
                .body(compressed.toByteArray())
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(413)
                .body("error", containsString("decompressed request body is larger than 104857600 bytes"));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    @Test
    void bodyJustUnderTheLimitIsStored() {
        String customer = unique("fits");
        byte[] body = eventsOfAtLeast(customer, TEN_MB - 10_000);
        int lines = 0;
        for (byte b : body) {
            if (b == '\n') {
                lines++;
            }
        }
        assertTrue(body.length <= TEN_MB);
        given().header("Authorization", "Bearer " + ADMIN)
                .body(body)
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(202).body("successful_rows", equalTo(lines));
        assertEquals(lines, count(pool, "SELECT count(*) FROM customer_events WHERE customer_id = $1", customer));
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("the server closed the connection instead of answering 413", e);
        }
    }
}
