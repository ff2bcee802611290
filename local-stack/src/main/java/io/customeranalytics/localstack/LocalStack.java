package io.customeranalytics.localstack;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
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
 * The quick start: runs the three built services against the embedded PostgreSQL (or the database named by
 * {@code DATABASE_URL}), prints where they listen and the admin token, and stops everything on Ctrl-C.
 *
 * <p>ingest-service starts first because it owns the schema migrations; query and segmentation start once it is
 * ready. Each service's log goes to {@code local-stack/target/logs/<service>.log}.
 */
public final class LocalStack {

    private static final long READY_TIMEOUT_MS = 180_000;

    private record Service(String name, int port) {
    }

    private final List<Process> processes = new ArrayList<>();
    private EmbeddedDatabase embedded;
    private LocalGateway gateway;

    public static void main(String[] args) throws Exception {
        new LocalStack().run();
    }

    private void run() throws Exception {
        Path root = Path.of(System.getProperty("analytics.root", ".")).toAbsolutePath().normalize();
        List<Service> services = List.of(
                new Service("ingest-service", port("ANALYTICS_INGEST_PORT", 8081)),
                new Service("query-service", port("ANALYTICS_QUERY_PORT", 8082)),
                new Service("segmentation-service", port("ANALYTICS_SEGMENTATION_PORT", 8083)));
        for (Service service : services) {
            Path jar = jarOf(root, service);
            if (!Files.isRegularFile(jar)) {
                fail("missing " + jar + ": build first with 'mvn -B -DskipTests package' in " + root);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "local-stack-stop"));

        DatabaseAddress db = database();
        String adminToken = Optional.ofNullable(System.getenv("ANALYTICS_ADMIN_TOKEN"))
                .filter(token -> !token.isBlank())
                .orElseGet(LocalStack::newToken);
        Path logs = root.resolve("local-stack/target/logs");
        Files.createDirectories(logs);

        start(root, services.get(0), db, adminToken, logs);
        awaitReady(services.get(0));
        for (Service service : services.subList(1, services.size())) {
            start(root, service, db, adminToken, logs);
        }
        for (Service service : services.subList(1, services.size())) {
            awaitReady(service);
        }
        int gatewayPort = port("ANALYTICS_GATEWAY_PORT", 8080);
        gateway = new LocalGateway(gatewayPort, services.get(0).port(), services.get(1).port(), services.get(2).port());

        System.out.println();
        System.out.println("Customer Analytics API is running. Ctrl-C stops it.");
        System.out.println("  database:             " + db.displayUrl()
                + (embedded != null ? "  (embedded PostgreSQL 17, data removed on stop)" : ""));
        for (Service service : services) {
            System.out.printf("  %-21s http://127.0.0.1:%d%n", service.name() + ":", service.port());
        }
        System.out.printf("  %-21s http://127.0.0.1:%d  (one base URL for all of the above, as in Kubernetes)%n",
                "gateway:", gatewayPort);
        System.out.println("  admin token:          " + adminToken);
        System.out.println("  logs:                 " + logs);
        System.out.println();
        System.out.println("Try:");
        System.out.printf("  curl -X POST \"http://127.0.0.1:%d/v0/events?name=customer_events\" \\%n"
                + "       -H \"Authorization: Bearer %s\" \\%n"
                + "       -d '{\"event_id\":\"ev-1\",\"customer_id\":\"cust-1\",\"event_type\":\"page_view\","
                + "\"event_timestamp\":\"2023-06-15 14:30:45\"}'%n", gatewayPort, adminToken);
        System.out.flush();

        // Stay up while every service does; if one dies, stop the rest.
        while (true) {
            for (int i = 0; i < processes.size(); i++) {
                if (!processes.get(i).isAlive()) {
                    System.err.println(services.get(i).name() + " exited with code " + processes.get(i).exitValue()
                            + "; see " + logs.resolve(services.get(i).name() + ".log"));
                    System.exit(1);
                }
            }
            Thread.sleep(1000);
        }
    }

    private DatabaseAddress database() {
        String url = System.getenv("DATABASE_URL");
        if (url != null && !url.isBlank()) {
            DatabaseAddress address = DatabaseAddress.parse(url,
                    Optional.ofNullable(System.getenv("DATABASE_PASSWORD")).orElse(""));
            System.out.println("Using the database of DATABASE_URL: " + address.displayUrl());
            return address;
        }
        System.out.println("Starting the embedded PostgreSQL 17 ...");
        embedded = EmbeddedDatabase.start(Map.of());
        return embedded.address();
    }

    private void start(Path root, Service service, DatabaseAddress db, String adminToken, Path logs)
            throws IOException {
        System.out.println("Starting " + service.name() + " on port " + service.port() + " ...");
        ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-jar", jarOf(root, service).toString());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(service.port()));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", db.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", db.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());
        env.put("ANALYTICS_ADMIN_TOKEN", adminToken);
        builder.environment().putAll(env);
        File log = logs.resolve(service.name() + ".log").toFile();
        builder.redirectErrorStream(true).redirectOutput(log);
        processes.add(builder.start());
    }

    private void awaitReady(Service service) throws InterruptedException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        URI ready = URI.create("http://127.0.0.1:" + service.port() + "/q/health/ready");
        while (System.currentTimeMillis() < deadline) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    fail("a service exited during start-up; see local-stack/target/logs/");
                }
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) ready.toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(2000);
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        fail(service.name() + " was not ready within " + READY_TIMEOUT_MS / 1000 + " s");
    }

    private synchronized void shutdown() {
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
            }
        }
        processes.clear();
        if (embedded != null) {
            embedded.close();
            embedded = null;
            System.out.println("Stopped the services and the embedded PostgreSQL.");
        } else {
            System.out.println("Stopped the services.");
        }
    }

    private static Path jarOf(Path root, Service service) {
        return root.resolve(service.name()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int port(String env, int fallback) {
        String value = System.getenv(env);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "admin_" + HexFormat.of().formatHex(bytes);
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(1);
    }
}
