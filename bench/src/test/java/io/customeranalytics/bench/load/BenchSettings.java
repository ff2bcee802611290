package io.customeranalytics.bench.load;

import io.customeranalytics.bench.data.ScaleData;
import io.customeranalytics.bench.workload.ReadCases;
import io.customeranalytics.localstack.PipeRoutes;
import io.gatling.javaapi.core.ChainBuilder;

import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static io.gatling.javaapi.core.CoreDsl.stopLoadGeneratorIf;

/**
 * What a simulation is told by the run that forks it (BenchRun), as {@code -Dbench.*} system properties: where
 * the services listen (127.0.0.1 only), the token, the case, its clients, and its bounds in time and count.
 */
final class BenchSettings {

    final String caseName = required("bench.case");
    final String token = required("bench.token");
    final String queryUrl = local(required("bench.queryUrl"));
    final String segmentationUrl = local(System.getProperty("bench.segmentationUrl", queryUrl));
    final String ingestUrl = local(System.getProperty("bench.ingestUrl", queryUrl));
    final int clients = Integer.parseInt(required("bench.clients"));
    final Duration duration = Duration.ofSeconds(Long.parseLong(System.getProperty("bench.durationSeconds", "30")));
    final int maxRequests = Integer.parseInt(System.getProperty("bench.maxRequests", "50000"));
    final long seed = Long.parseLong(System.getProperty("bench.seed", "20261201"));
    final ScaleData.Size size = ScaleData.Size.valueOf(System.getProperty("bench.size", "S"));
    final LocalDate end = LocalDate.parse(System.getProperty("bench.end", "2026-11-30"));
    final int days = Integer.parseInt(System.getProperty("bench.days", "365"));

    ReadCases readCases() {
        return new ReadCases(size, end, days);
    }

    /** The service that answers an endpoint, as the Ingress routes it. */
    String baseUrlOf(String endpoint) {
        return PipeRoutes.SEGMENTATION_PIPES.contains(endpoint) ? segmentationUrl : queryUrl;
    }

    /**
     * The count bound: put before a request, it stops the simulation (gracefully, with its report) once
     * bench.maxRequests requests have started.
     */
    ChainBuilder countBound() {
        AtomicLong started = new AtomicLong();
        return stopLoadGeneratorIf("the count bound of " + maxRequests + " requests was reached",
                session -> started.getAndIncrement() >= maxRequests);
    }

    /**
     * An endless feeder of parameter maps drawn from {@code params} with {@code seed}: the same sequence the
     * baseline samples (thread-safe, so the order does not depend on the clients).
     */
    static Iterator<Map<String, Object>> feeder(long seed, Function<Random, Map<String, String>> params) {
        Random random = new Random(seed);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public synchronized Map<String, Object> next() {
                return Map.of("query", Map.<String, Object>copyOf(params.apply(random)));
            }
        };
    }

    private static String required(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing -D" + name);
        }
        return value;
    }

    private static String local(String url) {
        String host = URI.create(url).getHost();
        if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
            throw new IllegalArgumentException("the benchmarks send traffic to 127.0.0.1 only, not " + url);
        }
        return url;
    }
}
