package io.customeranalytics.ingest.events;

import io.customeranalytics.common.schema.Datasource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.Map;

/**
 * {@code analytics_ingest_rows_total{datasource, outcome}} with outcome {@code stored}, {@code deduplicated} or
 * {@code quarantined}: over all outcomes it adds up to the rows read from request bodies. Registered at
 * start-up for every datasource, so a scrape shows zeros rather than nothing.
 */
@Startup
@ApplicationScoped
public class IngestMetrics {

    static final String ROWS = "analytics_ingest_rows";

    private final Map<Datasource, Counter> stored = new EnumMap<>(Datasource.class);
    private final Map<Datasource, Counter> deduplicated = new EnumMap<>(Datasource.class);
    private final Map<Datasource, Counter> quarantined = new EnumMap<>(Datasource.class);

    public IngestMetrics(MeterRegistry registry) {
        for (Datasource datasource : Datasource.values()) {
            stored.put(datasource, counter(registry, datasource, "stored"));
            deduplicated.put(datasource, counter(registry, datasource, "deduplicated"));
            quarantined.put(datasource, counter(registry, datasource, "quarantined"));
        }
    }

    void record(Datasource datasource, WriteOutcome outcome) {
        stored.get(datasource).increment(outcome.stored());
        deduplicated.get(datasource).increment(outcome.deduplicated());
        quarantined.get(datasource).increment(outcome.quarantined());
    }

    private static Counter counter(MeterRegistry registry, Datasource datasource, String outcome) {
        return Counter.builder(ROWS)
                .description("Rows read by the Events API, by datasource and what became of them")
                .baseUnit("rows")
                .tag("datasource", datasource.tableName())
                .tag("outcome", outcome)
                .register(registry);
    }
}
