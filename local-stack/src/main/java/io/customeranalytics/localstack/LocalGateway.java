package io.customeranalytics.localstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * One base URL for the quick start, as the Kubernetes Ingress gives in production: {@code /v0/events} goes to
 * ingest-service, the segmentation pipes to segmentation-service, every other {@code /v0/pipes/} path to
 * query-service. Listens on 127.0.0.1 only; for local use, not production.
 */
final class LocalGateway implements AutoCloseable {

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "keep-alive",
            "transfer-encoding", "upgrade", "expect");

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int ingestPort;
    private final int queryPort;
    private final int segmentationPort;

    LocalGateway(int port, int ingestPort, int queryPort, int segmentationPort) throws IOException {
        this.ingestPort = ingestPort;
        this.queryPort = queryPort;
        this.segmentationPort = segmentationPort;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/", this::forward);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
    }

    /** The port of the service that serves {@code path}, or -1. */
    int target(String path) {
        if (path.equals(PipeRoutes.EVENTS_PATH) || path.equals(PipeRoutes.ERASURES_PATH)
                || path.equals(PipeRoutes.DATASOURCES_PATH) || path.startsWith(PipeRoutes.DATASOURCES_PREFIX)
                || path.equals(PipeRoutes.JOBS_PATH)
                || path.startsWith(PipeRoutes.JOBS_PATH + "/")) {
            return ingestPort;
        }
        if (path.startsWith(PipeRoutes.PIPES_PREFIX)) {
            String pipe = path.substring(PipeRoutes.PIPES_PREFIX.length());
            int dot = pipe.lastIndexOf('.');
            String name = dot < 0 ? pipe : pipe.substring(0, dot);
            return PipeRoutes.SEGMENTATION_PIPES.contains(name) ? segmentationPort : queryPort;
        }
        return -1;
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            int port = target(uri.getPath());
            if (port < 0) {
                byte[] body = ("{\"error\":\"no such endpoint behind the local gateway: /v0/events,"
                        + " /v0/erasures, /v0/datasources/... and /v0/pipes/<endpoint>.<format> only\",\"documentation\":\"README.md#quick-start\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(404, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
            for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
                if (!HOP_BY_HOP.contains(header.getKey().toLowerCase())) {
                    for (String value : header.getValue()) {
                        request.header(header.getKey(), value);
                    }
                }
            }
            InputStream requestBody = exchange.getRequestBody();
            request.method(exchange.getRequestMethod(), exchange.getRequestMethod().equals("GET")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofInputStream(() -> requestBody));
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    values.forEach(value -> exchange.getResponseHeaders().add(name, value));
                }
            });
            exchange.sendResponseHeaders(response.statusCode(), 0);
            try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The service went away or the client hung up: nothing more to send.
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
