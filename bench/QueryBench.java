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
import java.util.function.Supplier;

/**
 * Latency of the read endpoints, sequential requests against a running query-service on 127.0.0.1 only,
 * bounded in count (REQUESTS per case) and time (MAX_SECONDS per case). Customers are those IngestBench
 * generates (cust-0 .. cust-9999) and its 90-day window starting 2023-11-14.
 *
 * <pre>
 *   java bench/QueryBench.java [base-url] [token] [requests-per-case]
 * </pre>
 */
public class QueryBench {

    private static final long MAX_SECONDS = 120;

    record Case(String label, String pipe, Supplier<String> query) {
    }

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://127.0.0.1:8082";
        String token = args.length > 1 ? args[1] : System.getenv("ANALYTICS_ADMIN_TOKEN");
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        String host = URI.create(base).getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            throw new IllegalArgumentException("this benchmark only sends traffic to the loopback interface");
        }
        Random random = new Random(7);
        Supplier<String> customer = () -> "customer_id=cust-" + random.nextInt(10_000);
        List<Case> cases = List.of(
                new Case("purchase_history (customer, default limit 50)", "customer_purchase_history",
                        customer),
                new Case("purchase_history (customer, 30 days, category)", "customer_purchase_history",
                        () -> customer.get() + "&start_date=" + enc("2023-12-01 00:00:00")
                                + "&end_date=" + enc("2023-12-31 23:59:59") + "&category_id=cat-" + random.nextInt(40)),
                new Case("activity (customer, default limit 100)", "customer_activity", customer),
                new Case("activity (customer, page_view, 30 days)", "customer_activity",
                        () -> customer.get() + "&event_type=page_view&start_date=" + enc("2023-12-01 00:00:00")
                                + "&end_date=" + enc("2023-12-31 23:59:59")),
                new Case("behavioral (all time, day)", "customer_behavioral_analysis", () -> ""),
                new Case("behavioral (30 days unaligned, country, day)", "customer_behavioral_analysis",
                        () -> "country=US&start_date=" + enc("2023-12-01 10:30:00")
                                + "&end_date=" + enc("2023-12-31 18:00:00")),
                new Case("behavioral (all time, purchase, week)", "customer_behavioral_analysis",
                        () -> "event_type=purchase&granularity=week"),
                new Case("behavioral (all time, mobile, month)", "customer_behavioral_analysis",
                        () -> "device_type=mobile&granularity=month"),
                new Case("customer_events_quarantine (limit 100)", "customer_events_quarantine", () -> ""));

        HttpClient client = HttpClient.newHttpClient();
        System.out.printf("%d sequential requests per case (after 10 warm-up) against %s%n", requests, base);
        System.out.printf("%-50s %8s %8s %8s %8s%n", "case", "median", "p99", "max", "rows");
        for (Case c : cases) {
            for (int i = 0; i < 10; i++) {
                get(client, base, c, token);
            }
            List<Double> millis = new ArrayList<>();
            long rows = 0;
            long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
            for (int i = 0; i < requests && System.nanoTime() < deadline; i++) {
                long t0 = System.nanoTime();
                rows += get(client, base, c, token);
                millis.add((System.nanoTime() - t0) / 1e6);
            }
            Collections.sort(millis);
            System.out.printf("%-50s %6.1f ms %6.1f ms %6.1f ms %8.0f%n", c.label(), pct(millis, 0.5),
                    pct(millis, 0.99), millis.get(millis.size() - 1), (double) rows / millis.size());
        }
    }

    private static long get(HttpClient client, String base, Case c, String token) throws Exception {
        String query = c.query().get();
        URI uri = URI.create(base + "/v0/pipes/" + c.pipe() + ".json?" + (query.isEmpty() ? "" : query + "&")
                + "token=" + enc(token));
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(c.label() + ": " + response.statusCode() + " " + response.body());
        }
        String body = response.body();
        int at = body.lastIndexOf("\"rows\":");
        return Long.parseLong(body.substring(at + 7, body.indexOf(',', at)));
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static double pct(List<Double> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
