package io.customeranalytics.bench.run;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One Gatling simulation, forked in a JVM of its own with the bench module's classpath, exactly as
 * gatling-maven-plugin forks it ({@code io.gatling.app.Gatling -s <class> -rf <folder>}); then its figures,
 * read from the "Global Information" table that Gatling prints at the end of its run (the same figures as the
 * HTML report's table; Gatling 3.14 writes no JSON of them).
 */
final class GatlingRun {

    /** Gatling's figures for one request name, or for all requests together. Times in ms. */
    record Stats(long ok, long ko, double p50, double p95, double p99, double max, double requestsPerSecond) {
    }

    private final Path benchDir;
    private final String classpath;

    /**
     * Gatling looks up its latest release on Maven Central once a day and keeps the answer in the Java user
     * preferences; the benchmarks send nothing off this machine, so the forked JVMs get preferences of their own
     * that say the check was made (and failed) in the far future, and Gatling skips it.
     */
    private static final long FAR_FUTURE_MILLIS = 4_102_444_800_000L; // 2100-01-01

    private final Path preferences;

    GatlingRun(Path benchDir) throws IOException {
        this.benchDir = benchDir;
        this.preferences = benchDir.resolve("target/gatling-preferences");
        seedPreferences(preferences);
        this.classpath = benchDir.resolve("target/test-classes") + File.pathSeparator
                + benchDir.resolve("target/classes") + File.pathSeparator
                + Files.readString(benchDir.resolve("target/classpath.txt")).trim();
    }

    /** Runs {@code simulation} with {@code properties} as -D options; returns its figures. */
    Stats run(String simulation, Map<String, String> properties, Path resultsFolder, Path log)
            throws IOException, InterruptedException {
        Files.createDirectories(resultsFolder);
        List<String> command = new ArrayList<>(List.of(java(),
                "-Xms1g", "-Xmx3g", "-XX:+UseParallelGC", "-XX:MaxInlineLevel=20", "-XX:MaxTrivialSize=12",
                // as the plugin forks it: Gatling reads String internals, and logs with logback
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider",
                "-Djava.util.prefs.userRoot=" + preferences, "-cp", classpath));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("io.gatling.app.Gatling", "-s", simulation, "-rf", resultsFolder.toString(),
                "-l", "maven", "-btv", "3.8.7"));
        Process process = new ProcessBuilder(command)
                .directory(benchDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        int code = process.waitFor();
        try (Stream<Path> reports = Files.list(resultsFolder)) {
            if (reports.noneMatch(dir -> Files.exists(dir.resolve("index.html")))) {
                throw new IllegalStateException("Gatling wrote no report (exit " + code + "); see " + log);
            }
        }
        return global(Files.readAllLines(log));
    }

    /** The java of this JVM, for the forked ones. */
    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Writes Gatling's "latest release" preferences under {@code root} in a JVM of its own (see above). */
    private static void seedPreferences(Path root) throws IOException {
        Files.createDirectories(root);
        Path source = root.resolve("SeedPreferences.java");
        Files.writeString(source, """
                public class SeedPreferences {
                    public static void main(String[] args) throws Exception {
                        java.util.prefs.Preferences node =
                                java.util.prefs.Preferences.userRoot().node("/io/gatling/latestVersion");
                        node.putLong("lastCheckTimestamp", %dL);
                        node.putBoolean("lastCheckSuccess", false);
                        node.flush();
                    }
                }
                """.formatted(FAR_FUTURE_MILLIS));
        try {
            Process process = new ProcessBuilder(java(),
                    "-Djava.util.prefs.userRoot=" + root, source.toString())
                    .inheritIO()
                    .start();
            if (process.waitFor() != 0) {
                throw new IOException("could not write Gatling's preferences under " + root);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * The last "Global Information" table of a Gatling log: request counts (total, OK, KO), then the latencies of
     * the OK requests (of all requests when none was OK), and the mean throughput of all requests.
     */
    static Stats global(List<String> log) {
        Map<String, String[]> rows = new HashMap<>();
        boolean inTable = false;
        for (String line : log) {
            if (line.contains("---- Global Information ----")) {
                inTable = true;
                rows.clear();
            } else if (inTable && line.startsWith("> ")) {
                String[] cells = line.substring(2).split("\\|");
                if (cells.length == 4) {
                    rows.put(cells[0].trim(), new String[]{cells[1].trim(), cells[2].trim(), cells[3].trim()});
                }
            } else if (inTable && line.startsWith("---- Response Time Distribution")) {
                inTable = false;
            }
        }
        String[] count = rows.get("request count");
        if (count == null) {
            throw new IllegalStateException("no Global Information table in the Gatling log");
        }
        long ok = number(count[1]) >= 0 ? (long) number(count[1]) : 0;
        long ko = number(count[2]) >= 0 ? (long) number(count[2]) : 0;
        return new Stats(ok, ko, latency(rows, "response time 50th percentile (ms)", ok),
                latency(rows, "response time 95th percentile (ms)", ok),
                latency(rows, "response time 99th percentile (ms)", ok), latency(rows, "max response time (ms)", ok),
                number(rows.getOrDefault("mean throughput (rps)", new String[]{"-"})[0]));
    }

    private static double latency(Map<String, String[]> rows, String name, long ok) {
        String[] cells = rows.get(name);
        return cells == null ? Double.NaN : number(cells[ok > 0 ? 1 : 0]);
    }

    /** A cell as Gatling prints it ("1,170.88", "-" for none): -1 for none. */
    private static double number(String cell) {
        String digits = cell.replace(",", "");
        return digits.equals("-") || digits.isEmpty() ? -1 : Double.parseDouble(digits);
    }
}
