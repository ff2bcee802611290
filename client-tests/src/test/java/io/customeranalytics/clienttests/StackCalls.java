package io.customeranalytics.clienttests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customeranalytics.localstack.LocalStack;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The calls the whole-stack tests make to the running services (with the admin token) and to the database. */
final class StackCalls {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final LocalStack stack;

    StackCalls(LocalStack stack) {
        this.stack = stack;
    }

    HttpClient http() {
        return http;
    }

    /** A pipe of {@code service}, which must answer 200. */
    JsonNode pipe(String service, String pipe) throws Exception {
        HttpResponse<String> answer = pipeAnswer(service, pipe);
        assertEquals(200, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body());
    }

    HttpResponse<String> pipeAnswer(String service, String pipe) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.serviceUrl(service) + "/v0/pipes/" + pipe
                        + (pipe.contains("?") ? "&" : "?") + "token=" + stack.adminToken())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One row appended with {@code wait=true}, which must be stored. */
    void appendOne(String datasource, String row) throws Exception {
        HttpResponse<String> answer = http.send(append(datasource, row), HttpResponse.BodyHandlers.ofString());
        assertEquals("{\"successful_rows\":1,\"quarantined_rows\":0}", answer.body());
    }

    /** An Events API request with {@code wait=true}. */
    HttpRequest append(String datasource, String body) {
        return HttpRequest.newBuilder(URI.create(stack.serviceUrl("ingest-service") + "/v0/events?name="
                        + datasource + "&wait=true"))
                .header("Authorization", "Bearer " + stack.adminToken())
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A POST to ingest-service with the admin token and a form body (or none), which must answer 200. */
    JsonNode postAdmin(String path, String form) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.serviceUrl("ingest-service") + path))
                .header("Authorization", "Bearer " + stack.adminToken())
                .timeout(Duration.ofSeconds(60));
        if (form == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        }
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body());
    }

    static long count(Connection db, String sql, String param) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, param);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Waits up to 90 s for {@code check}, as long as segmentation-service's staleness bound and then some. */
    static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not within 90 s: " + what);
    }
}
