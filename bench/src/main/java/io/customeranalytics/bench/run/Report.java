package io.customeranalytics.bench.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a run's summary.md, summary.json and its two PNG charts. */
final class Report {

    private Report() {
    }

    static void write(Path out, BenchRun.RunInfo info, List<CaseResult> results) throws IOException {
        System.setProperty("java.awt.headless", "true");
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark: size ").append(info.size).append(", ").append(info.mode).append("\n\n");
        md.append("- Server: ").append(info.server).append('\n');
        md.append(String.format(Locale.ROOT, "- Data: %,d events, %,d customer profiles, database %s%s%n",
                info.events, info.customers, info.databaseSize, Double.isNaN(info.loadSeconds) ? " (loaded before)"
                        : String.format(Locale.ROOT, " (loaded in this run in %.0f s)", info.loadSeconds)));
        md.append("- Run: ").append(info.started).append(" to ").append(info.finished).append(" (")
                .append(Duration.between(info.started, info.finished).toSeconds()).append(" s); machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores shared by the database, the services and Gatling\n");
        if (!info.services.equals(io.customeranalytics.localstack.LocalStack.SERVICES)) {
            md.append("- Services started: ").append(String.join(", ", info.services))
                    .append(" only (--services); what the others do in the background, such as the segment ")
                    .append("membership refresh, did not share the machine\n");
        }
        md.append("- Start-up (process start to first ready 200): ");
        info.startUpMillis.forEach((service, ms) -> md.append(service).append(' ')
                .append(String.format(Locale.ROOT, "%.1f s", ms / 1000.0)).append("; "));
        md.append("\n");
        if (!info.backgroundEvents.isEmpty()) {
            md.append("- Ingest beside the read cases (`--background-events`): page views posted to the Events API ")
                    .append("by 100 per request (`wait=true`), each of one of 10,000 customers, timestamped now; ")
                    .append("stored per second (failed requests): ");
            info.backgroundEvents.forEach((name, rate) -> md.append(name).append(' ')
                    .append(String.format(Locale.ROOT, "%.0f (%d); ", rate.eventsPerSecond(), rate.errors())));
            md.append("the baselines ran without it\n");
        }
        if (!Double.isNaN(info.behavioralReadySeconds)) {
            md.append(info.behavioralReadySeconds < 0
                    ? "- behavioral_days: not built within the wait before the behavioural cases (they read pending periods from the raw events)\n"
                    : String.format(Locale.ROOT, "- behavioral_days: built %.0f s after the services started (the cases "
                    + "before it ran meanwhile); the behavioural cases ran after that%n", info.behavioralReadySeconds));
        }
        if (!Double.isNaN(info.membershipReadySeconds)) {
            md.append(info.membershipReadySeconds < 0
                    ? "- Segment membership: not ready (segment endpoints answering 503) within the wait before the segment cases\n"
                    : String.format(Locale.ROOT, "- Segment membership: first ready %.0f s after the services started (the "
                    + "cases before it ran meanwhile); the segment cases ran after that%n", info.membershipReadySeconds));
        }
        if (!info.membershipRefreshes.isEmpty()) {
            md.append("\n## Segment membership refresh\n\n");
            md.append("The profiles of N customers drawn at random get a new `last_login` in one statement (its ")
                    .append("trigger records them as changed, as any writer's does). Applied: from its commit until ")
                    .append("the snapshot and every segment are refreshed past it, polled every 100 ms, so it ")
                    .append("includes up to one `refresh-interval` of waiting. Passes: the scheduled refreshes that ")
                    .append("ran meanwhile (`analytics_membership_refresh_seconds`). Baseline: the full rebuild ")
                    .append("(the snapshot's state row deleted: every customer's metrics from the raw events, then ")
                    .append("every segment computed whole), in the same run. Ratio = full rebuild / applied.\n\n");
            md.append("| changed customers | applied s | passes | s in passes | longest pass s | ratio |\n");
            md.append("|---|---|---|---|---|---|\n");
            // The full rebuild of the same run, when it was applied within the wait: the ratios' baseline.
            java.util.OptionalDouble full = info.membershipRefreshes.stream()
                    .filter(r -> r.customers() == 0)
                    .map(MembershipRefreshes.Result::appliedSeconds)
                    .findFirst().orElse(java.util.OptionalDouble.empty());
            for (MembershipRefreshes.Result r : info.membershipRefreshes) {
                java.util.OptionalDouble applied = r.appliedSeconds();
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %s |%n",
                        r.customers() == 0 ? "all (full rebuild)" : String.format(Locale.ROOT, "%,d", r.customers()),
                        applied.isEmpty() ? "not within the wait"
                                : String.format(Locale.ROOT, "%.1f", applied.getAsDouble()),
                        r.passes(), r.passSeconds(), r.maxPassSeconds(),
                        r.customers() == 0 || applied.isEmpty() || full.isEmpty() ? ""
                                : String.format(Locale.ROOT, "%.0f×", full.getAsDouble() / applied.getAsDouble())));
            }
        }
        if (info.membershipFreshness != null) {
            MembershipRefreshes.Freshness f = info.membershipFreshness;
            md.append("\nFreshness: ").append(f.probes()).append(" probes, one every 2 s: a purchase of 5,000 by a ")
                    .append("customer with none (drawn at random) is posted to the Events API (`wait=true`), and ")
                    .append("`segment_membership` (what `segment_customers` reads) is polled every 100 ms until the ")
                    .append("customer is a member of High Value (`total_spent > 1000`). Meanwhile a sender posts ")
                    .append("page views of random customers, 100 per request.\n\n");
            md.append("| probes visible | p50 s | p99 s | max s | background events/s | background failed requests |\n");
            md.append("|---|---|---|---|---|---|\n");
            md.append(String.format(Locale.ROOT, "| %d of %d | %.1f | %.1f | %.1f | %.0f | %d |%n", f.visible(),
                    f.probes(), f.p50Seconds(), f.p99Seconds(), f.maxSeconds(), f.backgroundEventsPerSecond(),
                    f.backgroundErrors()));
        }
        md.append("\n## Reads\n\n");
        md.append("Closed model: each client sends its next request when the last answered. Baseline, measured ")
                .append("just before the case: the same question as plain SQL over the raw `customer_events` rows ")
                .append("with the same parameter sets in the same order, from as many JDBC connections as the case ")
                .append("has clients, each sending its next statement when the last answered; none started after ")
                .append("the baseline's time bound, each cancelled at 120 s (counted apart). Ratio = baseline p50 / ")
                .append("endpoint p50: how many times faster the endpoint answers than plain SQL. Errors: non-200 ")
                .append("answers and requests over 60 s.\n\n");
        md.append("| case | clients | requests | errors | p50 ms | p95 ms | p99 ms | req/s | baseline p50 ms | baseline p99 ms | baseline statements (/s) | ratio | peak RSS MB (ingest/query/segmentation) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (CaseResult r : results) {
            if (!r.kind().equals("read")) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %s | %s | %s | %.1f | %s | %s | %s |%n",
                    r.name(), r.clients(), r.ok() + r.ko(), r.ko(), ms(r.p50()), ms(r.p95()), ms(r.p99()),
                    r.requestsPerSecond(), baseline(r.baseline()), (r.ratioIsLowerBound() && !Double.isNaN(r.ratio()) ? "≥ " : "") + ratio(r.ratio()),
                    rss(r.maxRssKb())));
        }
        md.append("\n");
        md.append("## Ingest\n\n");
        md.append("`POST /v0/events?name=customer_events&wait=true` into an empty database, ingest-service alone; ")
                .append("every request must answer 200 with no quarantined row. Baseline: COPY of the same rows ")
                .append("(the rows the requests carried) into another empty database of the same schema, 10,000 ")
                .append("rows per statement. Ratio = endpoint rows/s / COPY rows/s. The `file_` cases send one CSV ")
                .append("file instead, in one request to the Data Sources API (`POST /v0/datasources?name=")
                .append("customer_events&mode=append`), which must store every row; their baseline is the COPY of ")
                .append("the same rows in one statement, and their p50 is the whole request.\n\n");
        md.append("| case | senders | requests | errors | p50 ms | p95 ms | p99 ms | req/s | rows/s | COPY rows/s | ratio | peak RSS MB (ingest) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (CaseResult r : results) {
            if (!r.kind().equals("ingest")) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %s | %s | %s | %.1f | %,.0f | %,.0f | %s | %s |%n",
                    r.name(), r.clients(), r.ok() + r.ko(), r.ko(), ms(r.p50()), ms(r.p95()), ms(r.p99()),
                    r.requestsPerSecond(), r.rowsPerSecond(),
                    r.baseline() == null ? Double.NaN : r.baseline().rowsPerSecond(), ratio(r.ratio()),
                    rss(r.maxRssKb())));
        }
        md.append("\n## Cases\n\n");
        for (CaseResult r : results) {
            md.append("- `").append(r.name()).append("`: ").append(r.description())
                    .append(r.note().isEmpty() ? "" : " (" + r.note() + ")").append('\n');
        }
        md.append("\nCharts: `p99-by-case.png`, `ingest-rows-per-second.png`. Gatling's HTML reports: ")
                .append("`gatling/<case>/` (not committed).\n");
        Files.writeString(out.resolve("summary.md"), md);

        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        json.writeValue(out.resolve("summary.json").toFile(), Map.of("size", info.size, "mode", info.mode,
                "server", info.server, "events", info.events, "customers", info.customers,
                "startUpMillis", info.startUpMillis, "services", info.services, "started", info.started,
                "finished", info.finished,
                "cases", results));
        charts(out, info, results);
    }

    /**
     * The cases of this run in place of the same-named cases of the earlier run in the same folder (a run of some
     * cases re-measures them); the earlier run's other cases stay, marked in their note.
     */
    static List<CaseResult> mergeWithEarlier(Path out, List<CaseResult> results) throws IOException {
        Path earlier = out.resolve("summary.json");
        if (!Files.exists(earlier)) {
            return results;
        }
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        List<CaseResult> merged = new java.util.ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode node : json.readTree(earlier.toFile()).path("cases")) {
            CaseResult old = json.treeToValue(node, CaseResult.class);
            CaseResult again = results.stream().filter(r -> r.name().equals(old.name())).findFirst().orElse(null);
            if (again != null) {
                merged.add(again);
            } else {
                merged.add(old.note().contains("earlier run") ? old : new CaseResult(old.name(), old.kind(),
                        old.description(), old.clients(), old.ok(), old.ko(), old.p50(), old.p95(), old.p99(),
                        old.max(), old.requestsPerSecond(), old.rowsPerSecond(), old.baseline(), old.maxRssKb(),
                        (old.note().isEmpty() ? "" : old.note() + "; ") + "measured in an earlier run, same folder"));
            }
        }
        for (CaseResult r : results) {
            if (merged.stream().noneMatch(m -> m.name().equals(r.name()))) {
                merged.add(r);
            }
        }
        return merged;
    }

    /** Draws a run folder's charts again from its summary.json: {@code Report <folder>}. */
    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(args[0]);
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
        com.fasterxml.jackson.databind.JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
        BenchRun.RunInfo info = new BenchRun.RunInfo();
        info.size = io.customeranalytics.bench.data.ScaleData.Size.valueOf(summary.path("size").asText());
        info.mode = summary.path("mode").asText();
        charts(out, info, mergeWithEarlier(out, List.of()));
    }

    private static void charts(Path out, BenchRun.RunInfo info, List<CaseResult> results) throws IOException {
        DefaultCategoryDataset p99 = new DefaultCategoryDataset();
        for (CaseResult r : results) {
            if (r.kind().equals("read") && r.ok() > 0) {
                p99.addValue(Math.max(0.1, r.p99()), "endpoint p99", r.name());
                if (r.baseline() != null && r.baseline().samples() > 0) {
                    p99.addValue(Math.max(0.1, r.baseline().p99()), "plain SQL p99 (baseline)", r.name());
                }
            }
        }
        JFreeChart latency = ChartFactory.createBarChart("p99 by case, " + info.size + ", " + info.mode, null,
                "milliseconds (log scale)", p99, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = latency.getCategoryPlot();
        LogAxis axis = new LogAxis("milliseconds (log scale)");
        axis.setSmallestValue(0.1);
        axis.setTickUnit(new NumberTickUnit(1.0)); // one tick per power of ten
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        ChartUtils.saveChartAsPNG(out.resolve("p99-by-case.png").toFile(), latency, 1200, 650);

        DefaultCategoryDataset rows = new DefaultCategoryDataset();
        for (CaseResult r : results) {
            if (r.kind().equals("ingest")) {
                rows.addValue(r.rowsPerSecond(), "Events API", r.name());
                if (r.baseline() != null) {
                    rows.addValue(r.baseline().rowsPerSecond(), "COPY (baseline)", r.name());
                }
            }
        }
        if (rows.getColumnCount() > 0) {
            JFreeChart ingest = ChartFactory.createBarChart("Ingest rows/s by batch size, " + info.size + ", "
                    + info.mode, null, "rows per second", rows, PlotOrientation.VERTICAL, true, false, false);
            ingest.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
            ingest.getCategoryPlot().setBackgroundPaint(Color.WHITE);
            ingest.getCategoryPlot().setRangeGridlinePaint(Color.GRAY);
            ChartUtils.saveChartAsPNG(out.resolve("ingest-rows-per-second.png").toFile(), ingest, 1000, 600);
        }
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "-" : value >= 100 ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String ratio(double value) {
        return Double.isNaN(value) ? "-" : value >= 10 ? String.format(Locale.ROOT, "%.0f×", value)
                : String.format(Locale.ROOT, "%.2f×", value);
    }

    /** Three cells: baseline p50, p99, and how many statements answered (per second), and timed out. */
    private static String baseline(Baseline.Result b) {
        if (b == null) {
            return "- | - | -";
        }
        String count = String.format(Locale.ROOT, "%,d (%.1f/s)", b.samples(), b.rowsPerSecond())
                + (b.timedOut() > 0 ? ", " + b.timedOut() + " cancelled at " + b.timeoutSeconds() + " s" : "");
        if (b.samples() == 0) {
            return "> " + b.timeoutSeconds() * 1000 + " | > " + b.timeoutSeconds() * 1000 + " | " + count;
        }
        return ms(b.p50()) + " | " + ms(b.p99()) + " | " + count;
    }

    private static String rss(Map<String, Long> peaks) {
        if (peaks == null || peaks.isEmpty()) {
            return "-";
        }
        StringBuilder s = new StringBuilder();
        for (String service : List.of("ingest-service", "query-service", "segmentation-service")) {
            Long kb = peaks.get(service);
            if (kb != null) {
                s.append(s.length() == 0 ? "" : " / ").append(kb / 1024);
            }
        }
        return s.toString();
    }
}
