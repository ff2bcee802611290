package io.customeranalytics.common.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Gives the request and refresh timers fixed histogram buckets, so Prometheus computes percentiles across pods
 * ({@code histogram_quantile(0.99, sum by (le, endpoint) (rate(analytics_pipe_request_seconds_bucket[5m])))}).
 * Client-side percentiles are not published: they cannot be aggregated over replicas. Fixed buckets keep the
 * series count small and identical on every pod.
 */
@Singleton
public class LatencyHistograms {

    /** Request latencies: 5 ms to 30 s. */
    static final Duration[] REQUEST_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

    /** Background membership refreshes: 100 ms to 5 min. */
    static final Duration[] REFRESH_BUCKETS = seconds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);

    /** Micrometer meter names (before Prometheus naming adds {@code _seconds}) and their buckets. */
    static final Map<String, Duration[]> BUCKETS = Map.of(
            "http.server.requests", REQUEST_BUCKETS,
            "analytics_pipe_request", REQUEST_BUCKETS,
            "analytics_membership_refresh", REFRESH_BUCKETS);

    @Produces
    @Singleton
    MeterFilter latencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                Duration[] buckets = BUCKETS.get(id.getName());
                if (buckets == null) {
                    return config;
                }
                double[] nanos = new double[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                    nanos[i] = buckets[i].toNanos();
                }
                return DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(nanos)
                        .build()
                        .merge(config);
            }
        };
    }

    private static Duration[] seconds(double... values) {
        return Arrays.stream(values).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
    }
}
