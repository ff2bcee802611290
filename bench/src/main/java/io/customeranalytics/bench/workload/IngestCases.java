package io.customeranalytics.bench.workload;

import java.util.List;

/**
 * The ingest cases: senders (closed model), rows per request, gzip or not, and the rows made for the case (its
 * count bound: the run ends when they are all sent, or at its time bound).
 */
public final class IngestCases {

    public record IngestCase(String name, int senders, int rowsPerRequest, boolean gzip, int rows) {
    }

    public static final List<IngestCase> ALL = List.of(
            new IngestCase("single_64", 64, 1, false, 200_000),
            new IngestCase("single_64_gzip", 64, 1, true, 200_000),
            new IngestCase("batch100_16", 16, 100, false, 400_000),
            new IngestCase("batch1k_4", 4, 1_000, false, 400_000),
            new IngestCase("batch10k_2", 2, 10_000, false, 400_000),
            new IngestCase("batch10k_2_gzip", 2, 10_000, true, 400_000),
            new IngestCase("batch10k_4", 4, 10_000, false, 400_000),
            new IngestCase("batch10k_4_gzip", 4, 10_000, true, 400_000));

    private IngestCases() {
    }

    public static IngestCase byName(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no ingest case " + name));
    }
}
