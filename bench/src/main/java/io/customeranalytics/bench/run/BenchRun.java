package io.customeranalytics.bench.run;

import io.customeranalytics.bench.data.LoadScaleData;
import io.customeranalytics.bench.data.ScaleData;
import io.customeranalytics.bench.workload.IngestCases;
import io.customeranalytics.bench.workload.IngestRows;
import io.customeranalytics.bench.workload.ReadCases;
import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.LocalStack;
import io.customeranalytics.localstack.SchemaMigrator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark run of a size on one database server, end to end (bench/README.md, "Running"):
 * <ol>
 *   <li>loads the size into {@code bench_<size>} unless that database exists already (then reuses it);</li>
 *   <li>starts the three built services against it, timing each one's start-up;</li>
 *   <li>per read case: its baseline (plain SQL over the raw rows), then its Gatling simulation; then the mixed
 *       workload;</li>
 *   <li>per ingest case, against a fresh empty database and ingest-service alone: the Gatling simulation, then
 *       COPY of the same rows into another fresh database of the same schema;</li>
 *   <li>writes {@code summary.md}, {@code summary.json} and the charts next to Gatling's reports.</li>
 * </ol>
 */
public final class BenchRun {

    private BenchRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path root = Path.of(options.getOrDefault("root", ".")).toAbsolutePath().normalize();
        ScaleData.Size size = ScaleData.Size.valueOf(options.getOrDefault("size", "S"));
        String server = options.getOrDefault("server", "postgresql://postgres@127.0.0.1:55432");
        long seed = Long.parseLong(options.getOrDefault("seed", "20261201"));
        LocalDate end = LocalDate.parse(options.getOrDefault("end", "2026-11-30"));
        int days = Integer.parseInt(options.getOrDefault("days", "365"));
        int duration = Integer.parseInt(options.getOrDefault("duration", "30"));
        int baselineSeconds = Integer.parseInt(options.getOrDefault("baseline-duration", "20"));
        int membershipWait = Integer.parseInt(options.getOrDefault("membership-wait", "900"));
        int mixedClients = Integer.parseInt(options.getOrDefault("mixed-clients", "32"));
        int backgroundEvents = Integer.parseInt(options.getOrDefault("background-events", "0"));
        Set<String> only = options.containsKey("cases") ? Set.of(options.get("cases").split(",")) : null;
        Set<String> phases = Set.of(options.getOrDefault("phases", "reads,ingest").split(","));
        List<String> services = options.containsKey("services")
                ? List.of(options.get("services").split(",")) : LocalStack.SERVICES;
        if (!LocalStack.SERVICES.containsAll(services)) {
            throw new IllegalArgumentException("--services takes names out of " + LocalStack.SERVICES);
        }
        Path out = Path.of(options.getOrDefault("out", "bench/results/run")).toAbsolutePath();
        Files.createDirectories(out.resolve("logs"));

        DatabaseAddress serverAddress = DatabaseAddress.parse(server + "/postgres", "");
        if (!Set.of("127.0.0.1", "localhost").contains(serverAddress.host())) {
            throw new IllegalArgumentException("the benchmarks only use a database on this machine (127.0.0.1)");
        }
        RunInfo info = new RunInfo();
        info.size = size;
        info.started = java.time.Instant.now();
        String dbName = "bench_" + size.name().toLowerCase();
        DatabaseAddress db = withDatabase(serverAddress, dbName);
        if (!exists(serverAddress, dbName)) {
            execute(serverAddress, "CREATE DATABASE " + dbName);
            long t = System.nanoTime();
            LoadScaleData.load(db, new ScaleData(size, seed, end, days));
            info.loadSeconds = (System.nanoTime() - t) / 1e9;
        }
        try (Connection connection = Baseline.connect(db); Statement statement = connection.createStatement()) {
            info.mode = one(statement, "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'")
                    .equals("1") ? "TimescaleDB " + one(statement,
                    "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'") : "plain PostgreSQL";
            info.server = one(statement, "SELECT version()");
            info.events = Long.parseLong(one(statement, "SELECT count(*) FROM customer_events"));
            info.customers = Long.parseLong(one(statement, "SELECT count(*) FROM customer_profiles"));
            info.databaseSize = one(statement, "SELECT pg_size_pretty(pg_database_size(current_database()))");
        }
        System.out.printf("%s: %,d events, %,d profiles in %s (%s)%n", info.mode, info.events, info.customers,
                dbName, info.databaseSize);

        String token = "bench-" + UUID.randomUUID();
        Map<String, String> env = Map.of("ANALYTICS_RATE_LIMIT_REQUESTS_PER_SECOND", "0");
        GatlingRun gatling = new GatlingRun(root.resolve("bench"));
        List<CaseResult> results = new ArrayList<>();
        ReadCases readCases = new ReadCases(size, end, days);
        Map<String, String> common = new LinkedHashMap<>();
        common.put("bench.token", token);
        common.put("bench.seed", Long.toString(seed));
        common.put("bench.size", size.name());
        common.put("bench.end", end.toString());
        common.put("bench.days", Integer.toString(days));
        common.put("bench.durationSeconds", Integer.toString(duration));

        LocalStack.Ports ports = LocalStack.Ports.free();
        try (LocalStack stack = LocalStack.start(root, ports, db, token, out.resolve("logs"), services, env)) {
            info.startUpMillis.putAll(stack.startUpMillis());
            info.services = services;
            common.put("bench.queryUrl", stack.serviceUrl("query-service").toString());
            common.put("bench.segmentationUrl", stack.serviceUrl("segmentation-service").toString());
            long stackStarted = System.nanoTime();
            for (ReadCases.ReadCase readCase : readCases.all()) {
                if (!phases.contains("reads") || only != null && !only.contains(readCase.name())) {
                    continue;
                }
                if (readCase.endpoint().equals("customer_behavioral_analysis")
                        && Double.isNaN(info.behavioralReadySeconds)) {
                    System.out.println("waiting for behavioral_days to be built (at most " + membershipWait
                            + " s) ...");
                    info.behavioralReadySeconds = awaitBehavioralDays(db, membershipWait)
                            ? (System.nanoTime() - stackStarted) / 1e9 : -1;
                }
                boolean beside = readCase.name().equals(ReadCases.BESIDE_BIG_ANSWERS);
                if (readCase.endpoint().startsWith("segment_") || beside
                        || readCase.endpoint().equals("customer_segmentation_suggestions")) {
                    // Suggestions read segmentation-service's snapshot too, once it is built.
                    awaitFirstMembership(info, stack, token, membershipWait, stackStarted);
                }
                System.out.printf("%s: baseline ...%n", readCase.name());
                Baseline.Result baseline = Baseline.reads(db, readCase, seed, readCase.clients(), baselineSeconds, 120);
                System.out.printf("%s: %d samples, p50 %.1f ms, %d timed out; Gatling ...%n", readCase.name(),
                        baseline.samples(), baseline.p50(), baseline.timedOut());
                Map<String, String> properties = new LinkedHashMap<>(common);
                properties.put("bench.case", readCase.name());
                properties.put("bench.clients", Integer.toString(readCase.clients()));
                try (BackgroundEvents background = BackgroundEvents.start(db, stack, token, seed, backgroundEvents);
                     BigAnswers big = BigAnswers.start(stack, token, beside ? ReadCases.BIG_ANSWER_CLIENTS : 0)) {
                    CaseResult result = measure(gatling, "io.customeranalytics.bench.load.PipeSimulation",
                            properties, out, readCase.name(), "read", readCase.description(), readCase.clients(), 0,
                            baseline, stack);
                    if (beside) {
                        System.out.printf("%s: %s%n", readCase.name(), big.rate());
                        result = result.withNote(big.rate().toString());
                    }
                    results.add(result);
                    if (backgroundEvents > 0) {
                        info.backgroundEvents.put(readCase.name(), new BackgroundEvents.Rate(
                                background.eventsPerSecond(), background.errors()));
                    }
                }
            }
            if (phases.contains("membership")) {
                if (!services.contains("segmentation-service")) {
                    throw new IllegalArgumentException("--phases membership needs segmentation-service running");
                }
                awaitFirstMembership(info, stack, token, membershipWait, stackStarted);
                info.membershipRefreshes.addAll(MembershipRefreshes.run(db, stack, seed,
                        List.of(1_000L, 100_000L, 0L), membershipWait));
                info.membershipFreshness = MembershipRefreshes.freshness(db, stack, token, seed, 30, 1000, 120);
            }
            if (phases.contains("reads") && (only == null || only.contains("mixed"))) {
                Map<String, String> properties = new LinkedHashMap<>(common);
                properties.put("bench.case", "mixed");
                properties.put("bench.clients", Integer.toString(mixedClients));
                results.add(measure(gatling, "io.customeranalytics.bench.load.MixedReadsSimulation", properties,
                        out, "mixed", "read", "the dashboard and per-customer mix " + readCases.mix(),
                        mixedClients, 0, null, stack));
            }
        }

        List<IngestCases.IngestCase> ingestCases = IngestCases.ALL.stream()
                .filter(c -> phases.contains("ingest") && (only == null || only.contains(c.name()))).toList();
        List<FileAppends.FileCase> fileCases = FileAppends.ALL.stream()
                .filter(c -> phases.contains("ingest") && (only == null || only.contains(c.name()))).toList();
        if (!ingestCases.isEmpty() || !fileCases.isEmpty()) {
            DatabaseAddress ingestDb = freshDatabase(serverAddress, dbName + "_ingest");
            DatabaseAddress copyDb = freshDatabase(serverAddress, dbName + "_copy");
            SchemaMigrator.migrate(copyDb);
            try (LocalStack stack = LocalStack.start(root, LocalStack.Ports.free(), ingestDb, token,
                    out.resolve("logs/ingest"), List.of("ingest-service"), env)) {
                common.put("bench.ingestUrl", stack.serviceUrl("ingest-service").toString());
                common.put("bench.queryUrl", stack.serviceUrl("ingest-service").toString());
                for (IngestCases.IngestCase ingestCase : ingestCases) {
                    Map<String, String> properties = new LinkedHashMap<>(common);
                    properties.put("bench.case", ingestCase.name());
                    properties.put("bench.clients", Integer.toString(ingestCase.senders()));
                    System.out.printf("%s: Gatling ...%n", ingestCase.name());
                    CaseResult http = measure(gatling, "io.customeranalytics.bench.load.IngestSimulation",
                            properties, out, ingestCase.name(), "ingest",
                            ingestCase.senders() + " senders, " + ingestCase.rowsPerRequest() + " rows per request"
                                    + (ingestCase.gzip() ? ", gzip" : ""), ingestCase.senders(),
                            ingestCase.rowsPerRequest(), null, stack);
                    // COPY the rows that were sent, into its own database, one statement per 10,000 rows.
                    int sent = (int) Math.min(ingestCase.rows(), http.ok() * ingestCase.rowsPerRequest());
                    List<ScaleData.Event> rows = IngestRows.of(ingestCase.name(), Math.max(sent, 1), seed, end);
                    System.out.printf("%s: COPY of the %,d rows sent ...%n", ingestCase.name(), rows.size());
                    Baseline.Result copy = Baseline.copy(copyDb, rows, 10_000);
                    results.add(new CaseResult(http.name(), http.kind(), http.description(), http.clients(),
                            http.ok(), http.ko(), http.p50(), http.p95(), http.p99(), http.max(),
                            http.requestsPerSecond(), http.rowsPerSecond(), copy, http.maxRssKb(), http.note()));
                }
                for (FileAppends.FileCase fileCase : fileCases) {
                    List<ScaleData.Event> rows = IngestRows.of(fileCase.name(), fileCase.rows(), seed, end);
                    Path file = FileAppends.write(out.resolve("files"), fileCase, rows);
                    System.out.printf("%s: one request of %,d rows (%,d bytes) ...%n", fileCase.name(), rows.size(),
                            Files.size(file));
                    double seconds;
                    Map<String, Long> rss;
                    try (RssSampler sampler = new RssSampler(stack.pids())) {
                        seconds = FileAppends.post(stack.serviceUrl("ingest-service"), token, fileCase, file,
                                rows.size());
                        rss = sampler.peaks();
                    }
                    Files.delete(file);
                    System.out.printf("%s: %.1f s, %,.0f rows/s; COPY of the same rows ...%n", fileCase.name(),
                            seconds, rows.size() / seconds);
                    Baseline.Result copy = Baseline.copy(copyDb, rows, rows.size());
                    double ms = seconds * 1000;
                    results.add(new CaseResult(fileCase.name(), "ingest", fileCase.description(), 1, 1, 0, ms, ms,
                            ms, ms, 1 / seconds, rows.size() / seconds, copy, rss, stack.exited().orElse("")));
                }
            }
        }
        info.finished = java.time.Instant.now();
        if (only != null) {
            results = Report.mergeWithEarlier(out, results);
        }
        Report.write(out, info, results);
        System.out.println("summary: " + out.resolve("summary.md"));
    }

    private static CaseResult measure(GatlingRun gatling, String simulation, Map<String, String> properties,
                                      Path out, String name, String kind, String description, int clients,
                                      int rowsPerRequest, Baseline.Result baseline, LocalStack stack)
            throws Exception {
        GatlingRun.Stats stats;
        Map<String, Long> rss;
        try (RssSampler sampler = new RssSampler(stack.pids())) {
            stats = gatling.run(simulation, properties, out.resolve("gatling").resolve(name),
                    out.resolve("logs").resolve("gatling-" + name + ".log"));
            rss = sampler.peaks();
        }
        String note = stack.exited().orElse("");
        System.out.printf("%s: %,d OK, %,d KO, p50 %.0f ms, p99 %.0f ms, %.1f req/s%n", name, stats.ok(), stats.ko(),
                stats.p50(), stats.p99(), stats.requestsPerSecond());
        return new CaseResult(name, kind, description, clients, stats.ok(), stats.ko(), stats.p50(), stats.p95(),
                stats.p99(), stats.max(), stats.requestsPerSecond(),
                rowsPerRequest == 0 ? 0 : stats.requestsPerSecond() * rowsPerRequest * stats.ok()
                        / Math.max(1, stats.ok() + stats.ko()),
                baseline, rss, note);
    }

    /**
     * Once per run, before the first case that needs it: waits for the first segment membership and records when
     * it was ready ({@link RunInfo#membershipReadySeconds}).
     */
    private static void awaitFirstMembership(RunInfo info, LocalStack stack, String token, int seconds,
                                             long stackStarted) throws InterruptedException {
        if (!Double.isNaN(info.membershipReadySeconds)) {
            return;
        }
        System.out.println("waiting for the first segment membership (at most " + seconds + " s) ...");
        info.membershipReadySeconds = awaitMembership(stack, token, seconds)
                ? (System.nanoTime() - stackStarted) / 1e9 : -1;
    }

    /**
     * Waits until segment_metrics answers 200 (segment membership exists and is within its staleness bound), for
     * at most {@code seconds}; true if it did.
     */
    private static boolean awaitMembership(LocalStack stack, String token, int seconds) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.serviceUrl("query-service")
                        + "/v0/pipes/segment_metrics.json"))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // asked again below
            }
            Thread.sleep(2000);
        }
        return false;
    }

    /**
     * Waits until no period of behavioral_days is pending (query-service has built what the load recorded), for at
     * most {@code seconds}; true if it was.
     */
    private static boolean awaitBehavioralDays(DatabaseAddress db, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                 Statement statement = connection.createStatement()) {
                if (one(statement, "SELECT count(*) FROM analytics.behavioral_pending").equals("0")) {
                    return true;
                }
            } catch (SQLException notYet) {
                // asked again below
            }
            Thread.sleep(2000);
        }
        return false;
    }

    /** What the summary says about the run besides its cases. */
    static final class RunInfo {
        ScaleData.Size size;
        String mode;
        String server;
        long events;
        long customers;
        String databaseSize;
        double loadSeconds = Double.NaN;
        /** From the services' start to segment_metrics' first 200; -1 if not within the wait; NaN if not asked. */
        double membershipReadySeconds = Double.NaN;
        /** From the services' start to no pending period of behavioral_days; -1 if not within the wait; NaN if not asked. */
        double behavioralReadySeconds = Double.NaN;
        java.time.Instant started;
        java.time.Instant finished;
        final Map<String, Long> startUpMillis = new LinkedHashMap<>();
        /** The membership phase: changed customers applied, and the full rebuild (0 customers). */
        final List<MembershipRefreshes.Result> membershipRefreshes = new ArrayList<>();
        /** The membership phase's freshness probes; null if not run. */
        MembershipRefreshes.Freshness membershipFreshness;
        /** The services this run started (all three unless --services said otherwise). */
        List<String> services = LocalStack.SERVICES;
        /** With --background-events: per read case, the events stored a second beside it and the failed requests. */
        final Map<String, BackgroundEvents.Rate> backgroundEvents = new LinkedHashMap<>();
    }

    private static DatabaseAddress withDatabase(DatabaseAddress server, String name) {
        return new DatabaseAddress(server.host(), server.port(), name, server.user(), server.password());
    }

    private static DatabaseAddress freshDatabase(DatabaseAddress server, String name) throws SQLException {
        execute(server, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        execute(server, "CREATE DATABASE " + name);
        return withDatabase(server, name);
    }

    private static boolean exists(DatabaseAddress server, String name) throws SQLException {
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            return rows.next();
        }
    }

    private static void execute(DatabaseAddress server, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String one(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + Arrays.toString(args));
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
