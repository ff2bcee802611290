package io.customeranalytics.query;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests refused by the HTTP layer before any endpoint sees them still answer the API's JSON error
 * (common's HttpLayerErrors): an oversized request line or header block, a missing or malformed Host. Sent over
 * a raw socket where an HTTP client would refuse to send them.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class HttpLayerErrorsTest {

    private static final String PIPE = "/v0/pipes/customer_activity.json?token=test-admin-token&customer_id=";

    @TestHTTPResource("/")
    URL root;

    @Test
    void aRequestLineOverItsLimitIsA414WithTheJsonError() {
        given().when().get(PIPE + "a".repeat(9000))
                .then().statusCode(414).contentType("application/json")
                .body("error", startsWith("request line too long: at most 8192 bytes"))
                .body("documentation", equalTo("docs/api.md#errors"));
    }

    @Test
    void aRequestLineUnderItsLimitIsAnswered() {
        given().when().get(PIPE + "a".repeat(7000))
                .then().statusCode(200).body("rows", equalTo(0));
    }

    @Test
    void headersOverTheirLimitAreA431WithTheJsonError() {
        given().header("X-Filler", "b".repeat(30_000)).when().get(PIPE + "a")
                .then().statusCode(431).contentType("application/json")
                .body("error", equalTo("request headers too large: at most 20480 bytes in all"));
    }

    @Test
    void aMissingOrMalformedHostIsA400WithTheJsonError() throws IOException {
        for (String host : new String[] {"", "Host: a b%n%s\r\n"}) {
            String answer = raw("GET " + PIPE + "a HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            JsonObject body = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertEquals("malformed HTTP request: the request line, a header or the URL's percent-encoding is not"
                    + " valid", body.getString("error"), answer);
            assertEquals("docs/api.md#errors", body.getString("documentation"));
        }
    }

    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
