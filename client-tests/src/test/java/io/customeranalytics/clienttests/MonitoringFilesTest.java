package io.customeranalytics.clienttests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.customeranalytics.localstack.LocalStack;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert rules and the Grafana dashboard under deploy/k8s/monitoring query only metrics that the running
 * services really expose, with the labels the queries filter on; and the metrics the issue asks for are there:
 * latency histograms per endpoint, rows stored / quarantined / deduplicated per datasource, membership refresh,
 * database pool usage.
 */
@ExtendWith(RunningStack.class)
class MonitoringFilesTest {

    private static final Path MONITORING = Path.of("../deploy/k8s/monitoring");

    /** PromQL words that are not metric names. */
    private static final Set<String> PROMQL = Set.of("sum", "rate", "increase", "histogram_quantile", "max", "min",
            "avg", "count", "time", "vector", "absent", "by", "without", "and", "or", "unless", "on", "ignoring",
            "group_left", "group_right", "bool", "offset");

    /** Labels Prometheus adds when it scrapes (ServiceMonitor), not the services. */
    private static final Set<String> SCRAPE_LABELS = Set.of("job", "pod", "instance", "namespace", "service");

    /** Series Prometheus makes itself. */
    private static final Set<String> SYNTHETIC = Set.of("up");

    private static String exposition;

    @BeforeAll
    static void trafficThenScrape() throws Exception {
        LocalStack stack = RunningStack.get();
        HttpClient http = HttpClient.newHttpClient();
        String token = stack.adminToken();
        // One request of each kind, so labelled series exist.
        send(http, HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v0/events?name=customer_events"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"event_id\":\"m-1\"}")).build());
        send(http, HttpRequest.newBuilder(URI.create(stack.gatewayUrl()
                + "/v0/pipes/customer_activity.json?customer_id=m&token=" + token)).build());
        send(http, HttpRequest.newBuilder(URI.create(stack.gatewayUrl()
                + "/v0/pipes/segment_suggestions_summary.json?token=" + token)).build());
        StringBuilder all = new StringBuilder();
        for (String service : LocalStack.SERVICES) {
            all.append(send(http, HttpRequest.newBuilder(URI.create(stack.serviceUrl(service) + "/q/metrics"))
                    .build())).append('\n');
        }
        exposition = all.toString();
    }

    @Test
    void everyAlertAndDashboardQueryNamesAnExposedMetric() throws IOException {
        Set<String> exposed = exposedNames();
        List<String> expressions = new ArrayList<>();
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(MONITORING.resolve("alert-rules.yaml").toFile());
        rules.path("spec").path("groups").forEach(group -> group.path("rules")
                .forEach(rule -> expressions.add(rule.path("expr").asText())));
        assertTrue(expressions.size() >= 8, "alert expressions: " + expressions.size());
        assertTrue(expressions.stream().allMatch(e -> !metricNames(e).isEmpty()), "each selects a metric");
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        dashboard.path("panels").forEach(panel -> panel.path("targets")
                .forEach(target -> expressions.add(target.path("expr").asText())));

        Set<String> missing = new TreeSet<>();
        for (String expression : expressions) {
            for (String name : metricNames(expression)) {
                if (!exposed.contains(name) && !SYNTHETIC.contains(name)) {
                    missing.add(name);
                }
            }
        }
        assertEquals(Set.of(), missing, "queried but not exposed by any service");

        // The labels a query filters on exist on the metric, with the exact value where it asks for one.
        Set<String> unmatched = new TreeSet<>();
        Matcher selector = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}")
                .matcher(String.join("\n", expressions));
        while (selector.find()) {
            String metric = selector.group(1);
            Matcher matcher = Pattern.compile("([a-zA-Z_]+)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"")
                    .matcher(selector.group(2));
            while (matcher.find()) {
                String label = matcher.group(1);
                if (SCRAPE_LABELS.contains(label) || SYNTHETIC.contains(metric)) {
                    continue;
                }
                boolean exact = matcher.group(2).equals("=");
                String wanted = label + "=\"" + matcher.group(3) + "\"";
                boolean found = exposition.lines().anyMatch(line -> line.startsWith(metric + "{")
                        && (exact ? line.contains(wanted) : line.contains(label + "=\"")));
                if (!found) {
                    unmatched.add(metric + "{" + (exact ? wanted : label) + "}");
                }
            }
        }
        assertEquals(Set.of(), unmatched, "label filters that match no exposed series");
    }

    @Test
    void exposesTheMetricsOperatorsNeed() {
        for (String datasource : List.of("customer_events", "customer_profiles", "customer_segments")) {
            for (String outcome : List.of("stored", "quarantined", "deduplicated")) {
                assertTrue(exposition.contains("analytics_ingest_rows_total{datasource=\"" + datasource
                        + "\",outcome=\"" + outcome + "\"}"), datasource + " " + outcome);
            }
        }
        assertTrue(exposition.contains("http_server_requests_seconds_bucket{") && exposition.contains(
                "uri=\"/v0/events\""), "Events API latency histogram");
        assertTrue(exposition.contains("analytics_pipe_request_seconds_bucket{endpoint=\"customer_activity\""),
                "per-endpoint latency histogram");
        assertTrue(exposition.contains("analytics_pipe_request_seconds_bucket{endpoint=\"segment_suggestions_summary\""),
                "per-endpoint latency histogram, segmentation too");
        assertTrue(exposition.contains(
                "analytics_pipe_request_seconds_count{endpoint=\"segment_metrics\",outcome=\"error\"} 0.0"),
                "error series exist before the first error, so increase() sees it");
        assertTrue(exposition.contains("analytics_pipe_request_seconds_count{endpoint=\"customer_events_quarantine\","
                + "outcome=\"ok\"} 0.0"), "series of an endpoint nobody called yet");
        assertTrue(exposition.contains("analytics_membership_last_refresh_timestamp_seconds"));
        assertTrue(exposition.contains("analytics_membership_refresh_seconds_bucket"));
        assertTrue(exposition.contains("sql_pool_active") && exposition.contains("sql_pool_queue_size"),
                "database pool usage");
    }

    @Test
    void findsTheMetricNamesOfAnExpression() {
        assertEquals(Set.of("analytics_pipe_request_seconds_bucket"), metricNames("histogram_quantile(0.95, sum by"
                + " (le, endpoint) (rate(analytics_pipe_request_seconds_bucket{outcome=\"ok\",endpoint=~\"a|b\"}[5m])))"
                + " > 0.5"));
        assertEquals(Set.of("sql_pool_queue_size", "up", "x_total"), metricNames(
                "max by (job, pod) (sql_pool_queue_size) > 10 and up == 1 or sum(increase(x_total[$__rate_interval]))"));
    }

    /** Metric names of the exposition, with the histogram and counter suffixes Prometheus queries use. */
    private static Set<String> exposedNames() {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** The metric names a PromQL expression selects. */
    static Set<String> metricNames(String expression) {
        String stripped = expression
                .replaceAll("\\{[^}]*}", " ")          // label matchers
                .replaceAll("\\[[^]]*]", " ")          // ranges, $__rate_interval
                .replaceAll("(by|without)\\s*\\([^)]*\\)", " ") // grouping labels
                .replaceAll("\"[^\"]*\"", " ");        // strings
        Set<String> names = new TreeSet<>();
        Matcher identifier = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(stripped);
        while (identifier.find()) {
            if (!PROMQL.contains(identifier.group())) {
                names.add(identifier.group());
            }
        }
        return names;
    }

    private static String send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() < 500, request.uri() + " answered " + response.statusCode());
        return response.body();
    }
}
