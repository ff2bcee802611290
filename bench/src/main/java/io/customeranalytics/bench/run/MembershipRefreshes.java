package io.customeranalytics.bench.run;

import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.LocalStack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The membership phase: how long segmentation-service takes to apply the changes of N customers, against the
 * full rebuild (every customer's metrics from the raw events, then every segment) measured in the same run.
 *
 * <p>A change is real: the profiles of N customers drawn at random get a new {@code last_login} in one
 * statement, whose trigger records them (V14) as any writer's does; each customer's metrics and membership of
 * every segment are then recomputed. Applied = from that statement's commit until every segment's
 * {@code refreshed_at} is later than it (so it includes up to one {@code refresh-interval} of waiting); the
 * refresh passes in between are read from segmentation-service's {@code analytics_membership_refresh_seconds}.
 */
final class MembershipRefreshes {

    /** One measurement: N changed customers (0 = the full rebuild). */
    record Result(long customers, OptionalDouble appliedSeconds, long passes, double passSeconds,
                  double maxPassSeconds) {
    }

    /**
     * The freshness probes: an event accepted by the Events API that makes a customer a member, until it is one in
     * segment_membership (what segment_customers reads), while other events arrive at {@code backgroundRate}.
     */
    record Freshness(int probes, int visible, double p50Seconds, double p99Seconds, double maxSeconds,
                     double backgroundEventsPerSecond, long backgroundErrors) {
    }

    /** Customers with a profile and no purchase, drawn at random: a purchase of 5,000 makes them High Value. */
    private static final String PROBE_CUSTOMERS = """
            SELECT m.customer_id FROM analytics.customer_metrics_snapshot m
            WHERE m.total_spent = 0 AND m.customer_segment IS NULL
            ORDER BY hashtext(m.customer_id || ?) LIMIT ?""";

    private static final String IS_MEMBER = """
            SELECT EXISTS (SELECT 1 FROM analytics.segment_membership
                           WHERE segment_id = 'seg-high-value' AND customer_id = ?)""";

    private static final String CHANGE_PROFILES = """
            UPDATE analytics.customer_profiles SET last_login = clock_timestamp()
            WHERE customer_id IN (SELECT customer_id FROM analytics.customer_profiles
                                  ORDER BY hashtext(customer_id || ?) LIMIT ?)""";

    private static final String APPLIED_SINCE = """
            SELECT (SELECT refreshed_at FROM analytics.customer_metrics_snapshot_state) > ?
               AND NOT EXISTS (SELECT 1 FROM analytics.customer_segments s
                               LEFT JOIN analytics.segment_membership_state st ON st.segment_id = s.segment_id
                               WHERE st.refreshed_at IS NULL OR st.refreshed_at <= ?)""";

    private static final Pattern COUNT = Pattern.compile("(?m)^analytics_membership_refresh_seconds_count\\S* ([0-9.E+]+)");
    private static final Pattern SUM = Pattern.compile("(?m)^analytics_membership_refresh_seconds_sum\\S* ([0-9.E+]+)");
    private static final Pattern MAX = Pattern.compile("(?m)^analytics_membership_refresh_seconds_max\\S* ([0-9.E+]+)");

    private MembershipRefreshes() {
    }

    static List<Result> run(DatabaseAddress db, LocalStack stack, long seed, List<Long> sizes, int waitSeconds)
            throws Exception {
        List<Result> results = new ArrayList<>();
        URI metrics = URI.create(stack.serviceUrl("segmentation-service") + "/q/metrics");
        try (Connection connection = Baseline.connect(db)) {
            for (long n : sizes) {
                double[] before = passes(metrics);
                Timestamp committed;
                if (n == 0) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("DELETE FROM analytics.customer_metrics_snapshot_state");
                    }
                } else {
                    try (PreparedStatement change = connection.prepareStatement(CHANGE_PROFILES)) {
                        change.setString(1, Long.toString(seed + n));
                        change.setLong(2, n);
                        change.executeUpdate();
                    }
                }
                committed = now(connection);
                long start = System.nanoTime();
                System.out.printf("membership: %s ...%n", n == 0 ? "full rebuild" : String.format("%,d changed customers", n));
                OptionalDouble applied = awaitApplied(connection, committed, waitSeconds)
                        ? OptionalDouble.of((System.nanoTime() - start) / 1e9) : OptionalDouble.empty();
                double[] after = passes(metrics);
                Result result = new Result(n, applied, (long) (after[0] - before[0]), after[1] - before[1], after[2]);
                System.out.printf("membership: %s applied %s (%d refresh passes, %.1f s in them)%n",
                        n == 0 ? "full rebuild" : n + " changed customers",
                        applied.isPresent() ? String.format("in %.1f s", applied.getAsDouble()) : "not within the wait",
                        result.passes(), result.passSeconds());
                results.add(result);
            }
        }
        return results;
    }

    /**
     * {@code probes} probes, one every 2 s, while {@link BackgroundEvents} posts {@code backgroundRate} page views
     * a second.
     */
    static Freshness freshness(DatabaseAddress db, LocalStack stack, String token, long seed, int probes,
                               int backgroundRate, int waitSeconds) throws Exception {
        URI events = URI.create(stack.serviceUrl("ingest-service") + "/v0/events?name=customer_events&wait=true");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        BackgroundEvents background = BackgroundEvents.start(db, stack, token, seed, backgroundRate);
        List<Double> latencies = new ArrayList<>();
        try (Connection connection = Baseline.connect(db)) {
            List<String> customers = new ArrayList<>();
            try (PreparedStatement pick = connection.prepareStatement(PROBE_CUSTOMERS)) {
                pick.setString(1, Long.toString(seed));
                pick.setInt(2, probes);
                try (ResultSet rows = pick.executeQuery()) {
                    while (rows.next()) {
                        customers.add(rows.getString(1));
                    }
                }
            }
            Thread.sleep(5000);
            for (String customer : customers) {
                String body = "{\"event_id\":\"probe-" + java.util.UUID.randomUUID() + "\",\"customer_id\":\""
                        + customer + "\",\"event_type\":\"purchase\",\"event_timestamp\":\""
                        + java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC) + "\",\"price\":5000,\"quantity\":1}";
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(events)
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                long accepted = System.nanoTime();
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException("probe event refused: " + answer.statusCode() + " " + answer.body());
                }
                long deadline = accepted + Duration.ofSeconds(waitSeconds).toNanos();
                try (PreparedStatement member = connection.prepareStatement(IS_MEMBER)) {
                    member.setString(1, customer);
                    while (System.nanoTime() < deadline) {
                        try (ResultSet rows = member.executeQuery()) {
                            rows.next();
                            if (rows.getBoolean(1)) {
                                latencies.add((System.nanoTime() - accepted) / 1e9);
                                break;
                            }
                        }
                        Thread.sleep(100);
                    }
                }
                Thread.sleep(Math.max(0, 2000 - (System.nanoTime() - accepted) / 1_000_000));
            }
        } finally {
            background.close();
        }
        List<Double> sorted = latencies.stream().sorted().toList();
        Freshness result = new Freshness(probes, sorted.size(), quantile(sorted, 0.50), quantile(sorted, 0.99),
                sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1), background.eventsPerSecond(),
                background.errors());
        System.out.printf("membership freshness: %d of %d probes visible, p50 %.1f s, p99 %.1f s, max %.1f s, with"
                        + " %.0f background events/s (%d failed requests)%n", result.visible(), probes,
                result.p50Seconds(), result.p99Seconds(), result.maxSeconds(), result.backgroundEventsPerSecond(),
                result.backgroundErrors());
        return result;
    }

    private static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static Timestamp now(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT clock_timestamp()")) {
            rows.next();
            return rows.getTimestamp(1);
        }
    }

    private static boolean awaitApplied(Connection connection, Timestamp committed, int seconds)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        try (PreparedStatement applied = connection.prepareStatement(APPLIED_SINCE)) {
            applied.setTimestamp(1, committed);
            applied.setTimestamp(2, committed);
            while (System.nanoTime() < deadline) {
                try (ResultSet rows = applied.executeQuery()) {
                    if (rows.next() && rows.getBoolean(1)) {
                        return true;
                    }
                }
                Thread.sleep(100);
            }
        }
        return false;
    }

    /** {count, sum, max} of the refresh timer as segmentation-service reports it now. */
    private static double[] passes(URI metrics) throws IOException, InterruptedException {
        String text = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return new double[]{value(COUNT, text), value(SUM, text), value(MAX, text)};
    }

    private static double value(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
