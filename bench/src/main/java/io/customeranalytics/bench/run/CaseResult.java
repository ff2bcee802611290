package io.customeranalytics.bench.run;

import java.util.Map;

/**
 * One case of a run as the summary reports it: Gatling's figures for the endpoint, and its baseline measured in
 * the same run. Times in milliseconds; {@code rowsPerSecond} only for ingest cases.
 */
record CaseResult(String name, String kind, String description, int clients, long ok, long ko, double p50,
                  double p95, double p99, double max, double requestsPerSecond, double rowsPerSecond,
                  Baseline.Result baseline, Map<String, Long> maxRssKb, String note) {

    /** How many times faster the endpoint is than its baseline (reads: p50 against p50; ingest: rows/s). */
    double ratio() {
        if (baseline == null) {
            return Double.NaN;
        }
        if (ratioIsLowerBound()) {
            return ok == 0 ? Double.NaN : baseline.timeoutSeconds() * 1000.0 / p50;
        }
        if (baseline.samples() == 0) {
            return Double.NaN;
        }
        if (kind.equals("ingest")) {
            return rowsPerSecond / baseline.rowsPerSecond();
        }
        return ok == 0 ? Double.NaN : baseline.p50() / p50;
    }

    /** This result with {@code more} added to its note. */
    CaseResult withNote(String more) {
        return new CaseResult(name, kind, description, clients, ok, ko, p50, p95, p99, max, requestsPerSecond,
                rowsPerSecond, baseline, maxRssKb, note.isEmpty() ? more : note + "; " + more);
    }

    /** True when every baseline statement was cancelled at its timeout: the ratio is then at least the figure. */
    boolean ratioIsLowerBound() {
        return baseline != null && !kind.equals("ingest") && baseline.samples() == 0 && baseline.timedOut() > 0;
    }
}
