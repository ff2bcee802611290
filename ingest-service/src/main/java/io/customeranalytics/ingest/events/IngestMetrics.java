package io.customeranalytics.ingest.events;

import io.customeranalytics.common.schema.Datasource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code analytics_ingest_rows_total{datasource, outcome}} with outcome {@code stored}, {@code deduplicated} or
 * {@code quarantined}: over all outcomes it adds up to the rows read from request bodies and files. For the Data
 * Sources API's files also {@code analytics_ingest_file_bytes_total{datasource}} (the bytes read, as sent) and
 * {@code analytics_ingest_file_seconds{datasource}} (each file's whole append). Registered at start-up for every
 * datasource, so a scrape shows zeros rather than nothing.
 */
@Startup
@ApplicationScoped
public class IngestMetrics {

    static final String ROWS = "analytics_ingest_rows";
    static final String FILE_BYTES = "analytics_ingest_file_bytes";
    static final String FILE_SECONDS = "analytics_ingest_file_seconds";

    private final Map<Datasource, Counter> stored = new EnumMap<>(Datasource.class);
    private final Map<Datasource, Counter> deduplicated = new EnumMap<>(Datasource.class);
    private final Map<Datasource, Counter> quarantined = new EnumMap<>(Datasource.class);
    private final Map<Datasource, Counter> fileBytes = new EnumMap<>(Datasource.class);
    private final Map<Datasource, Timer> fileSeconds = new EnumMap<>(Datasource.class);

    public IngestMetrics(MeterRegistry registry) {
        for (Datasource datasource : Datasource.values()) {
            stored.put(datasource, counter(registry, datasource, "stored"));
            deduplicated.put(datasource, counter(registry, datasource, "deduplicated"));
            quarantined.put(datasource, counter(registry, datasource, "quarantined"));
            fileBytes.put(datasource, Counter.builder(FILE_BYTES)
                    .description("Bytes of the files appended through the Data Sources API, as sent")
                    .baseUnit("bytes")
                    .tag("datasource", datasource.tableName())
                    .register(registry));
            fileSeconds.put(datasource, Timer.builder(FILE_SECONDS)
                    .description("How long each file append through the Data Sources API took, to its last commit")
                    .tag("datasource", datasource.tableName())
                    .register(registry));
        }
    }

    /** One file appended (or given up on): its bytes as sent and how long it took. */
    void recordFile(Datasource datasource, long bytes, long nanos) {
        fileBytes.get(datasource).increment(bytes);
        fileSeconds.get(datasource).record(nanos, TimeUnit.NANOSECONDS);
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
