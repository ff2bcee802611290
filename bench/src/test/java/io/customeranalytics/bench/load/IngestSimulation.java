package io.customeranalytics.bench.load;

import io.customeranalytics.bench.data.ScaleData;
import io.customeranalytics.bench.workload.IngestCases;
import io.customeranalytics.bench.workload.IngestCases.IngestCase;
import io.customeranalytics.bench.workload.IngestRows;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.stopLoadGeneratorIf;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * One ingest case (bench.case, a name of {@code IngestCases}): bench.clients senders in a closed model, each
 * posting its next body to {@code /v0/events?name=customer_events&wait=true} when the last answered. The bodies
 * are made before the load starts (the rows of {@code IngestRows}, gzipped for the gzip cases), so making them
 * costs the senders nothing; once every body has been sent the simulation stops (its count bound). A request is
 * OK only when it answers 200 with every row stored.
 */
public class IngestSimulation extends Simulation {

    {
        BenchSettings settings = new BenchSettings();
        IngestCase ingestCase = IngestCases.byName(settings.caseName);
        List<ScaleData.Event> rows = IngestRows.of(ingestCase.name(), ingestCase.rows(), settings.seed, settings.end);
        List<byte[]> bodies = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += ingestCase.rowsPerRequest()) {
            byte[] body = IngestRows.ndjson(rows, from, Math.min(rows.size(), from + ingestCase.rowsPerRequest()));
            bodies.add(ingestCase.gzip() ? IngestRows.gzip(body) : body);
        }
        rows.clear();
        // Bodies in order; a sender that passed the count bound just as it was reached sends the first ones again
        // (stored once: the Events API is idempotent), so the feeder never runs dry.
        Iterator<Map<String, Object>> feeder = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public synchronized Map<String, Object> next() {
                return Map.of("body", bodies.get(next++ % bodies.size()));
            }
        };
        AtomicLong started = new AtomicLong();
        HttpRequestActionBuilder post = http(ingestCase.name())
                .post("/v0/events?name=customer_events&wait=true")
                .header("Content-Type", "application/x-ndjson")
                .body(ByteArrayBody("#{body}"))
                .check(status().is(200))
                .check(jsonPath("$.quarantined_rows").ofInt().is(0));
        if (ingestCase.gzip()) {
            post = post.header("Content-Encoding", "gzip");
        }
        ScenarioBuilder scenario = scenario(ingestCase.name())
                .exec(stopLoadGeneratorIf("all " + bodies.size() + " bodies were sent",
                        session -> started.getAndIncrement() >= bodies.size()))
                .feed(feeder)
                .exec(post);
        setUp(scenario.injectClosed(constantConcurrentUsers(ingestCase.senders()).during(settings.duration)))
                .protocols(http.baseUrl(settings.ingestUrl)
                        .header("Authorization", "Bearer " + settings.token)
                        .shareConnections())
                .maxDuration(settings.duration.plusSeconds(60));
    }
}
