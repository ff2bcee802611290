import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Segments at scale, against a running suite on 127.0.0.1 only, after IngestBench loaded events for CUSTOMERS
 * customers (cust-0 ..): posts a profile for each customer and five segments, waits for segmentation-service to
 * compute membership, then measures the segment and suggestion endpoints with sequential requests (bounded in
 * count). Prints segmentation-service's last full refresh duration.
 *
 * <pre>
 *   java bench/SegmentBench.java [token] [customers] [requests-per-case]
 * </pre>
 */
public class SegmentBench {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String token = args.length > 0 ? args[0] : System.getenv("ANALYTICS_ADMIN_TOKEN");
        int customers = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Random random = new Random(3);
        String[] labels = {"Gold", "Silver", "Bronze", null};
        String[] countries = {"US", "GB", "DE", "FR", "ES"};
        for (int from = 0; from < customers; from += 10_000) {
            StringBuilder body = new StringBuilder();
            for (int c = from; c < Math.min(customers, from + 10_000); c++) {
                String label = labels[random.nextInt(labels.length)];
                body.append("{\"customer_id\":\"cust-").append(c).append("\",\"email\":\"c").append(c)
                        .append("@example.com\",\"age\":").append(18 + random.nextInt(60))
                        .append(",\"country\":\"").append(countries[random.nextInt(countries.length)])
                        .append("\",\"lifetime_value\":").append(random.nextInt(500_000) / 100.0)
                        .append(label == null ? "" : ",\"customer_segment\":\"" + label + "\"").append("}\n");
            }
            post("http://127.0.0.1:8081/v0/events?name=customer_profiles&wait=true", token, body.toString());
        }
        String segments = """
                {"segment_id":"bench-gold","segment_name":"Gold","segment_type":"label"}
                {"segment_id":"bench-silver","segment_name":"Silver","segment_rules":"total_spent > 2000","segment_type":"mixed"}
                {"segment_id":"bench-hv","segment_name":"High Value Active","segment_rules":"total_spent > 1000 AND session_count > 10","segment_type":"value-based"}
                {"segment_id":"bench-lapsed","segment_name":"Lapsed","segment_rules":"days_since_last_purchase > 60 OR days_since_last_purchase IS NULL","segment_type":"lifecycle"}
                {"segment_id":"bench-young-us","segment_name":"Young US","segment_rules":"age < 30 AND country = 'US'","segment_type":"demographic"}
                """;
        post("http://127.0.0.1:8081/v0/events?name=customer_segments&wait=true", token, segments);
        long waitStart = System.nanoTime();
        while (get("http://127.0.0.1:8082/v0/pipes/segment_metrics.json?token=" + token) != 200
                || System.nanoTime() - waitStart < 35_000_000_000L) {
            Thread.sleep(1000);
        }
        System.out.println(metric("analytics_membership_last_refresh_duration_seconds"));
        System.out.println(metric("analytics_membership_refresh_seconds_count"));
        System.out.println(metric("analytics_membership_refresh_seconds_sum"));

        bench("segment_customers Gold (label, 25% of customers), limit 1000", requests,
                () -> "http://127.0.0.1:8082/v0/pipes/segment_customers.json?segment_name=Gold&token=" + token);
        bench("segment_customers High Value Active, country+age filters", requests,
                () -> "http://127.0.0.1:8082/v0/pipes/segment_customers.json?segment_name="
                        + enc("High Value Active") + "&country=US&min_age=25&max_age=45&min_lifetime_value=500&token="
                        + token);
        bench("segment_metrics", requests, () -> "http://127.0.0.1:8082/v0/pipes/segment_metrics.json?token=" + token);
        bench("segment_metrics country=US", requests,
                () -> "http://127.0.0.1:8082/v0/pipes/segment_metrics.json?country=US&token=" + token);
        bench("customer_segmentation_suggestions limit 1000", Math.min(requests, 10),
                () -> "http://127.0.0.1:8083/v0/pipes/customer_segmentation_suggestions.json?token=" + token);
        bench("customer_segmentation_suggestions Champions", Math.min(requests, 10),
                () -> "http://127.0.0.1:8083/v0/pipes/customer_segmentation_suggestions.json?suggested_segment="
                        + "Champions&token=" + token);
        bench("segment_suggestions_summary", Math.min(requests, 10),
                () -> "http://127.0.0.1:8083/v0/pipes/segment_suggestions_summary.json?token=" + token);
    }

    private static void bench(String label, int requests, java.util.function.Supplier<String> url) throws Exception {
        get(url.get());
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            long t0 = System.nanoTime();
            int status = get(url.get());
            millis.add((System.nanoTime() - t0) / 1e6);
            if (status != 200) {
                throw new IllegalStateException(label + ": " + status);
            }
        }
        Collections.sort(millis);
        System.out.printf("%-62s median %7.1f ms  p99 %7.1f ms  (%d requests)%n", label,
                millis.get(millis.size() / 2), millis.get(Math.max(0, (int) Math.ceil(0.99 * millis.size()) - 1)),
                millis.size());
    }

    private static String metric(String name) throws Exception {
        String text = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8083/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return line;
            }
        }
        return name + " (absent)";
    }

    private static void post(String url, String token, String body) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || !response.body().contains("\"quarantined_rows\":0")) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
    }

    private static int get(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
