import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Sequential load on the Events API: REQUESTS requests of BATCH events each (defaults 20 x 10,000), one at a
 * time, against a running ingest-service on 127.0.0.1 only. Bounded in count and in time (MAX_SECONDS).
 *
 * <pre>
 *   java bench/IngestBench.java [base-url] [token] [requests] [batch] [customers]
 *   java bench/IngestBench.java http://127.0.0.1:8081 "$ANALYTICS_ADMIN_TOKEN" 20 10000 10000
 * </pre>
 * Prints the latency of each request (median, p99, max) and the rows per second of the whole loop.
 */
public class IngestBench {

    private static final long MAX_SECONDS = 300;
    private static int customers = 10_000;

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://127.0.0.1:8081";
        String token = args.length > 1 ? args[1] : System.getenv("ANALYTICS_ADMIN_TOKEN");
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        customers = args.length > 4 ? Integer.parseInt(args[4]) : 10_000;
        URI uri = URI.create(base + "/v0/events?name=customer_events&wait=true");
        String host = uri.getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            throw new IllegalArgumentException("this benchmark only sends traffic to the loopback interface");
        }
        HttpClient client = HttpClient.newHttpClient();
        Random random = new Random(42);
        String run = UUID.randomUUID().toString().substring(0, 8);

        List<byte[]> bodies = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            bodies.add(body(run, r, batch, random));
        }
        System.out.printf("%d requests of %d events (%.1f MB each), sequential, to %s%n", requests, batch,
                bodies.get(0).length / 1e6, uri);

        // One warm-up request, not counted.
        send(client, uri, token, body(run + "-warm", 0, batch, random));

        List<Double> millis = new ArrayList<>();
        long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
        long start = System.nanoTime();
        long rows = 0;
        for (byte[] bytes : bodies) {
            if (System.nanoTime() > deadline) {
                System.out.println("stopped at the time bound of " + MAX_SECONDS + " s");
                break;
            }
            long t0 = System.nanoTime();
            send(client, uri, token, bytes);
            millis.add((System.nanoTime() - t0) / 1e6);
            rows += batch;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Collections.sort(millis);
        System.out.printf("requests: %d, rows: %d, %.2f s%n", millis.size(), rows, seconds);
        System.out.printf("latency per request: median %.0f ms, p99 %.0f ms, max %.0f ms%n",
                pct(millis, 0.50), pct(millis, 0.99), millis.get(millis.size() - 1));
        System.out.printf("throughput: %.0f rows/s%n", rows / seconds);
    }

    private static void send(HttpClient client, URI uri, String token, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || !response.body().contains("\"quarantined_rows\":0")) {
            throw new IllegalStateException("unexpected answer " + response.statusCode() + ": " + response.body());
        }
    }

    /** Realistic-looking events: CUSTOMERS customers, a fifth of events purchases, spread over 90 days. */
    private static byte[] body(String run, int request, int batch, Random random) {
        StringBuilder out = new StringBuilder(batch * 330);
        String[] types = {"page_view", "page_view", "page_view", "add_to_cart", "purchase"};
        String[] devices = {"mobile", "desktop", "tablet"};
        String[] countries = {"US", "GB", "DE", "FR", "ES", "BR", "JP"};
        long base = 1_700_000_000L;
        for (int i = 0; i < batch; i++) {
            String type = types[random.nextInt(types.length)];
            long ts = base + random.nextInt(90 * 86_400);
            out.append("{\"event_id\":\"").append(run).append('-').append(request).append('-').append(i)
                    .append("\",\"customer_id\":\"cust-").append(random.nextInt(customers))
                    .append("\",\"event_type\":\"").append(type)
                    .append("\",\"event_timestamp\":\"").append(java.time.Instant.ofEpochSecond(ts))
                    .append("\",\"session_id\":\"sess-").append(random.nextInt(50_000))
                    .append("\",\"page_url\":\"https://example.com/product/").append(random.nextInt(500))
                    .append("\",\"product_id\":\"prod-").append(random.nextInt(500))
                    .append("\",\"category_id\":\"cat-").append(random.nextInt(40))
                    .append("\",\"device_type\":\"").append(devices[random.nextInt(devices.length)])
                    .append("\",\"country\":\"").append(countries[random.nextInt(countries.length)])
                    .append("\",\"referrer\":\"google.com\"");
            if (type.equals("purchase")) {
                out.append(",\"price\":").append(5 + random.nextInt(20_000) / 100.0)
                        .append(",\"quantity\":").append(1 + random.nextInt(3));
            }
            out.append("}\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static double pct(List<Double> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
