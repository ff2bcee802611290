package io.customeranalytics.localstack;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The quick start's gateway routes each path to its service and passes method, query, headers and body on. */
class LocalGatewayTest {

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A stand-in service that answers with its name, the method, the query, the token header and the body. */
    private static HttpServer echo(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] answer = (name + " " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization") + " " + body)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Retry-After", "7");
            exchange.sendResponseHeaders(name.equals("query") ? 200 : 202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void routesEventsErasuresDatasourcesAndPipesToTheirServices() throws Exception {
        HttpServer ingest = echo("ingest");
        HttpServer query = echo("query");
        HttpServer segmentation = echo("segmentation");
        int port = freePort();
        try (LocalGateway gateway = new LocalGateway(port, ingest.getAddress().getPort(), query.getAddress().getPort(),
                segmentation.getAddress().getPort())) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> events = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v0/events?name=customer_events"))
                    .header("Authorization", "Bearer t").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, events.statusCode());
            assertEquals("ingest POST /v0/events?name=customer_events Bearer t {\"a\":1}", events.body());
            assertEquals("7", events.headers().firstValue("Retry-After").orElse(null));

            HttpResponse<String> erasure = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v0/erasures?customer_id=c"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("ingest POST /v0/erasures?customer_id=c null ", erasure.body());
            HttpResponse<String> truncate = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v0/datasources/customer_events/truncate"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("ingest POST /v0/datasources/customer_events/truncate null ", truncate.body());
            for (String jobs : List.of("/v0/jobs", "/v0/jobs/0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11",
                    "/v0/datasources")) {
                HttpResponse<String> job = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + jobs)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("ingest GET " + jobs + " null ", job.body());
            }

            HttpResponse<String> activity = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v0/pipes/customer_activity.csv?customer_id=c%201"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("query GET /v0/pipes/customer_activity.csv?customer_id=c%201 null ", activity.body());

            HttpResponse<String> rfm = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v0/pipes/customer_segmentation_suggestions.json")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, rfm.statusCode());
            assertEquals("segmentation GET /v0/pipes/customer_segmentation_suggestions.json null ", rfm.body());

            HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        } finally {
            ingest.stop(0);
            query.stop(0);
            segmentation.stop(0);
        }
    }
}
