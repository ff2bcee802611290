package io.customeranalytics.clienttests;

import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.LocalStack;
import io.customeranalytics.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A PostgreSQL server that offers the timescaledb extension without preloading it, the usual state of a fresh
 * install: the built ingest-service says so in one line and exits with status 1, without a stack trace. The test
 * makes such a server from the binaries of the TimescaleDB server the suite runs on (a new cluster of the same
 * installation, without {@code shared_preload_libraries}), so it runs in TimescaleDB mode only.
 */
class TimescaleDbNotPreloadedTest {

    @Test
    void ingestServiceRefusesAnUnpreloadedTimescaleDbInOneLine() throws Exception {
        DatabaseAddress suite = TestDatabase.get();
        String binaries;
        Path suiteData;
        try (Connection connection = DriverManager.getConnection(suite.jdbcUrl(), suite.user(), suite.password());
             Statement statement = connection.createStatement()) {
            try (ResultSet offered = statement.executeQuery(
                    "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'")) {
                offered.next();
                assumeTrue(offered.getLong(1) == 1, "plain PostgreSQL: no timescaledb extension to leave unloaded");
            }
            try (ResultSet dirs = statement.executeQuery("SELECT (SELECT setting FROM pg_config WHERE name = 'BINDIR'),"
                    + " current_setting('data_directory')")) {
                dirs.next();
                binaries = dirs.getString(1);
                suiteData = Path.of(dirs.getString(2));
            }
        }
        // The server's own account owns the new cluster (initdb refuses to run as root).
        String owner = Files.getOwner(suiteData).getName();
        Path work = Files.createTempDirectory("unpreloaded-timescaledb");
        Path data = work.resolve("data");
        int port = freePort();
        Files.setOwner(work, Files.getOwner(suiteData));
        run(owner, List.of(binaries + "/initdb", "-D", data.toString(), "-A", "trust", "-U", "postgres"));
        run(owner, List.of(binaries + "/pg_ctl", "-D", data.toString(), "-w", "-l", work.resolve("log").toString(),
                "-o", "-p " + port + " -k " + work + " -c listen_addresses=127.0.0.1", "start"));
        try {
            DatabaseAddress unpreloaded = DatabaseAddress.parse("postgresql://postgres@127.0.0.1:" + port + "/postgres",
                    "");
            ProcessBuilder builder = LocalStack.serviceProcess(Path.of("..").toAbsolutePath().normalize(),
                    "ingest-service", freePort(), unpreloaded, LocalStack.newToken(), Map.of());
            Path log = work.resolve("ingest-service.log");
            Process ingest = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(ingest.waitFor(120, TimeUnit.SECONDS), "ingest-service exits");
            String output = Files.readString(log);
            assertEquals(1, ingest.exitValue(), output);
            List<String> refusal = output.lines()
                    .filter(line -> line.startsWith("This PostgreSQL server offers the timescaledb extension but does"
                            + " not preload it") && line.contains("shared_preload_libraries"))
                    .toList();
            assertEquals(1, refusal.size(), output);
            assertFalse(output.lines().anyMatch(line -> line.startsWith("\tat ") || line.contains("Exception")),
                    "no stack trace: " + output);
        } finally {
            run(owner, List.of(binaries + "/pg_ctl", "-D", data.toString(), "-m", "immediate", "stop"));
        }
    }

    /** Runs a command as the account that owns the server's data, through runuser when this JVM is root. */
    private static void run(String owner, List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            full.addAll(List.of("runuser", "-u", owner, "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
