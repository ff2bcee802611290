package io.customeranalytics.localstack;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The three built services (their {@code target/quarkus-app} jars) running against one PostgreSQL, behind the
 * one-base-URL {@link LocalGateway}. {@link #main} is the quick start; tests and the OpenAPI export use
 * {@link #start} and {@link #close}.
 *
 * <p>ingest-service starts first because it owns the schema migrations; query and segmentation start once it is
 * ready. Each service's log goes to {@code <logs>/<service>.log}.
 */
public final class LocalStack implements AutoCloseable {

    private static final long READY_TIMEOUT_MS = 180_000;

    public static final List<String> SERVICES = List.of("ingest-service", "query-service", "segmentation-service");

    /** Where each part listens (127.0.0.1). */
    public record Ports(int ingest, int query, int segmentation, int gateway) {

        /** The quick start's ports, overridable with ANALYTICS_*_PORT. */
        static Ports fromEnvironment() {
            return new Ports(env("ANALYTICS_INGEST_PORT", 8081), env("ANALYTICS_QUERY_PORT", 8082),
                    env("ANALYTICS_SEGMENTATION_PORT", 8083), env("ANALYTICS_GATEWAY_PORT", 8080));
        }

        /** Four distinct ports free right now (all four held open together while they are chosen). */
        public static Ports free() {
            try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
                 ServerSocket c = new ServerSocket(0); ServerSocket d = new ServerSocket(0)) {
                return new Ports(a.getLocalPort(), b.getLocalPort(), c.getLocalPort(), d.getLocalPort());
            } catch (IOException e) {
                throw new IllegalStateException("no free ports", e);
            }
        }

        int of(String service) {
            return switch (service) {
                case "ingest-service" -> ingest;
                case "query-service" -> query;
                case "segmentation-service" -> segmentation;
                default -> throw new IllegalArgumentException(service);
            };
        }
    }

    private final Path root;
    private final Ports ports;
    private final DatabaseAddress database;
    private final String adminToken;
    private final Path logs;
    private final List<String> services;
    private final Map<String, String> extraEnv;
    private final List<Process> processes = new ArrayList<>();
    /** From each service's process start to its first 200 on /q/health/ready, in milliseconds. */
    private final Map<String, Long> startUpMillis = new LinkedHashMap<>();
    private final Map<String, Long> startedAtNanos = new LinkedHashMap<>();
    private LocalGateway gateway;
    /** Stops the services if the JVM ends (Ctrl-C, SIGTERM) before {@link #close()}. */
    private final Thread stopOnExit = new Thread(this::close, "local-stack-stop-services");

    private LocalStack(Path root, Ports ports, DatabaseAddress database, String adminToken, Path logs,
                       List<String> services, Map<String, String> extraEnv) {
        this.services = List.copyOf(services);
        this.extraEnv = Map.copyOf(extraEnv);
        this.root = root;
        this.ports = ports;
        this.database = database;
        this.adminToken = adminToken;
        this.logs = logs;
    }

    /**
     * Starts the three services of the project at {@code root} against {@code database} and the gateway; returns
     * once all are ready, or stops what it started and throws.
     */
    public static LocalStack start(Path root, Ports ports, DatabaseAddress database, String adminToken, Path logs)
            throws IOException, InterruptedException {
        return start(root, ports, database, adminToken, logs, SERVICES, Map.of());
    }

    /**
     * Starts some of the services (in {@link #SERVICES} order; ingest-service first when it is one of them, since
     * it migrates the schema), each with {@code extraEnv} added to its environment (the benchmarks turn the rate
     * limit off this way).
     */
    public static LocalStack start(Path root, Ports ports, DatabaseAddress database, String adminToken, Path logs,
                                   List<String> services, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        requireBuilt(root);
        Files.createDirectories(logs);
        List<String> ordered = SERVICES.stream().filter(services::contains).toList();
        LocalStack stack = new LocalStack(root, ports, database, adminToken, logs, ordered, extraEnv);
        Runtime.getRuntime().addShutdownHook(stack.stopOnExit);
        try {
            stack.startService(ordered.get(0));
            stack.awaitReady(ordered.get(0));
            for (String service : ordered.subList(1, ordered.size())) {
                stack.startService(service);
            }
            for (String service : ordered.subList(1, ordered.size())) {
                stack.awaitReady(service);
            }
            // A 200 on a port could come from another process if a service lost a race for it and exited.
            Optional<String> exited = stack.exited();
            if (exited.isPresent()) {
                throw new IllegalStateException("a service exited during start-up: " + exited.get());
            }
            stack.gateway = new LocalGateway(ports.gateway(), ports.ingest(), ports.query(), ports.segmentation());
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** The one base URL, as the Kubernetes Ingress gives. */
    public URI gatewayUrl() {
        return URI.create("http://127.0.0.1:" + ports.gateway());
    }

    /** One service's own URL (for /q/openapi, /q/metrics, /q/health). */
    public URI serviceUrl(String service) {
        return URI.create("http://127.0.0.1:" + ports.of(service));
    }

    public String adminToken() {
        return adminToken;
    }

    /** Each running service's process id. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (int i = 0; i < processes.size(); i++) {
            pids.put(services.get(i), processes.get(i).pid());
        }
        return pids;
    }

    /** Each service's start-up time: from its process start to its first 200 on /q/health/ready, in ms. */
    public Map<String, Long> startUpMillis() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(startUpMillis));
    }

    /** A service that exited, if any. */
    public Optional<String> exited() {
        for (int i = 0; i < processes.size(); i++) {
            if (!processes.get(i).isAlive()) {
                return Optional.of(services.get(i) + " exited with code " + processes.get(i).exitValue() + "; see "
                        + logs.resolve(services.get(i) + ".log"));
            }
        }
        return Optional.empty();
    }

    /** Stops the gateway and the services (SIGTERM, then SIGKILL after 20 s). Not the database. */
    @Override
    public synchronized void close() {
        if (Thread.currentThread() != stopOnExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException | IllegalArgumentException alreadyStoppingOrRemoved) {
                // the JVM is shutting down, or close() ran before
            }
        }
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
        for (Process process : processes) {
            process.destroy(); // SIGTERM: Quarkus shuts down gracefully
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    private void startService(String service) throws IOException {
        ProcessBuilder builder = serviceProcess(root, service, ports.of(service), database, adminToken, extraEnv);
        File log = logs.resolve(service + ".log").toFile();
        builder.redirectErrorStream(true).redirectOutput(log);
        startedAtNanos.put(service, System.nanoTime());
        processes.add(builder.start());
    }

    /**
     * How one built service is started (not yet started): its jar, on {@code port}, against {@code database},
     * with {@code extraEnv} added to its environment.
     */
    public static ProcessBuilder serviceProcess(Path root, String service, int port, DatabaseAddress database,
                                                String adminToken, Map<String, String> extraEnv) {
        ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-jar", jarOf(root, service).toString());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", database.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", database.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", database.password());
        env.put("ANALYTICS_ADMIN_TOKEN", adminToken);
        env.putAll(extraEnv);
        builder.environment().putAll(env);
        return builder;
    }

    private void awaitReady(String service) throws InterruptedException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        URI ready = URI.create(serviceUrl(service) + "/q/health/ready");
        while (System.currentTimeMillis() < deadline) {
            Optional<String> exited = exited();
            if (exited.isPresent()) {
                throw new IllegalStateException("a service exited during start-up: " + exited.get());
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) ready.toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(2000);
                if (connection.getResponseCode() == 200) {
                    startUpMillis.put(service, (System.nanoTime() - startedAtNanos.get(service)) / 1_000_000);
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(service + " was not ready within " + READY_TIMEOUT_MS / 1000 + " s; see "
                + logs.resolve(service + ".log"));
    }

    // --- the quick start ------------------------------------------------------------------------------------------

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("analytics.root", ".")).toAbsolutePath().normalize();
        EmbeddedDatabase[] embedded = new EmbeddedDatabase[1];
        LocalStack[] stack = new LocalStack[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stack[0] != null) {
                stack[0].close();
            }
            if (embedded[0] != null) {
                embedded[0].close();
                System.out.println("Stopped the services and the embedded PostgreSQL.");
            } else {
                System.out.println("Stopped the services.");
            }
        }, "local-stack-stop"));
        try {
            requireBuilt(root); // before starting a database for nothing
            DatabaseAddress db;
            String url = System.getenv("DATABASE_URL");
            if (url != null && !url.isBlank()) {
                db = DatabaseAddress.parse(url, Optional.ofNullable(System.getenv("DATABASE_PASSWORD")).orElse(""));
                System.out.println("Using the database of DATABASE_URL: " + db.displayUrl());
            } else {
                System.out.println("Starting the embedded PostgreSQL 17 ...");
                embedded[0] = EmbeddedDatabase.start(Map.of());
                db = embedded[0].address();
            }
            String adminToken = Optional.ofNullable(System.getenv("ANALYTICS_ADMIN_TOKEN"))
                    .filter(token -> !token.isBlank())
                    .orElseGet(LocalStack::newToken);
            Ports ports = Ports.fromEnvironment();
            Path logs = root.resolve("local-stack/target/logs");
            System.out.println("Starting " + String.join(", ", SERVICES) + " ...");
            stack[0] = start(root, ports, db, adminToken, logs);
            banner(System.out, stack[0], ports, db, embedded[0] != null, logs);
            // Stay up while every service does; if one dies, stop the rest.
            while (true) {
                Optional<String> exited = stack[0].exited();
                if (exited.isPresent()) {
                    System.err.println(exited.get());
                    System.exit(1);
                }
                Thread.sleep(1000);
            }
        } catch (Exception e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }

    private static void banner(PrintStream out, LocalStack stack, Ports ports, DatabaseAddress db, boolean embedded,
                               Path logs) {
        out.println();
        out.println("Customer Analytics API is running. Ctrl-C stops it.");
        out.println("  database:             " + db.displayUrl()
                + (embedded ? "  (embedded PostgreSQL 17, data removed on stop)" : ""));
        for (String service : SERVICES) {
            out.printf("  %-21s %s%n", service + ":", stack.serviceUrl(service));
        }
        out.printf("  %-21s %s  (one base URL for all of the above, as in Kubernetes)%n", "gateway:",
                stack.gatewayUrl());
        out.println("  admin token:          " + stack.adminToken());
        out.println("  logs:                 " + logs);
        out.println();
        out.println("Try:");
        out.printf("  curl -X POST \"http://127.0.0.1:%d/v0/events?name=customer_events\" \\%n"
                + "       -H \"Authorization: Bearer %s\" \\%n"
                + "       -d '{\"event_id\":\"ev-1\",\"customer_id\":\"cust-1\",\"event_type\":\"page_view\","
                + "\"event_timestamp\":\"2023-06-15 14:30:45\"}'%n", ports.gateway(), stack.adminToken());
        out.flush();
    }

    /** Fails unless the three services of the project at {@code root} are built. */
    private static void requireBuilt(Path root) {
        for (String service : SERVICES) {
            Path jar = jarOf(root, service);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("missing " + jar + ": build first with 'mvn -B -DskipTests package'"
                        + " in " + root);
            }
        }
    }

    static Path jarOf(Path root, String service) {
        return root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int env(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    public static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "admin_" + HexFormat.of().formatHex(bytes);
    }
}
