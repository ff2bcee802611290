package io.customeranalytics.bench.run;

import io.customeranalytics.bench.data.CsvCopy;
import io.customeranalytics.bench.data.LoadScaleData;
import io.customeranalytics.bench.data.ScaleData;
import io.customeranalytics.bench.workload.ReadCases;
import io.customeranalytics.localstack.DatabaseAddress;
import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The same-run baselines: the read case's question as plain SQL over the raw rows, sent by as many JDBC
 * connections as the case has clients; the ingest case's rows COPYed into an empty database of the same schema.
 */
final class Baseline {

    /**
     * Figures of one baseline: latencies in ms and statements/s (reads), or rows/s (COPY); statements that the
     * timeout cancelled are counted apart.
     */
    record Result(String what, int samples, int timedOut, double p50, double p99, double rowsPerSecond,
                  long timeoutSeconds) {
    }

    private Baseline() {
    }

    /**
     * Sends a read case's parameter sets, in the order the simulation sends them, as SQL from {@code clients}
     * connections at once (the case's own concurrency), each sending its next statement when the last answered;
     * none starts after {@code budgetSeconds}, and each is cancelled after {@code timeoutSeconds}.
     */
    static Result reads(DatabaseAddress db, ReadCases.ReadCase readCase, long seed, int clients, long budgetSeconds,
                        long timeoutSeconds) throws Exception {
        Histogram histogram = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
        AtomicInteger timedOut = new AtomicInteger();
        List<Map<String, String>> samples = readCase.sample(seed, 100_000);
        AtomicInteger next = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(budgetSeconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Void>> connections = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                connections.add(pool.submit(() -> {
                    try (Connection connection = connect(db)) {
                        try (Statement statement = connection.createStatement()) {
                            statement.execute("SET statement_timeout = '" + timeoutSeconds + "s'");
                        }
                        int i;
                        while (System.nanoTime() < deadline && (i = next.getAndIncrement()) < samples.size()) {
                            ReadCases.Sql sql = readCase.baseline().apply(samples.get(i));
                            long start = System.nanoTime();
                            if (run(connection, sql)) {
                                long micros = Math.max(1, (System.nanoTime() - start) / 1_000);
                                synchronized (histogram) {
                                    histogram.recordValue(micros);
                                }
                            } else {
                                timedOut.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> connection : connections) {
                connection.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - deadline) / 1e9 + budgetSeconds;
        return new Result("plain SQL over raw rows, " + clients + " connections", (int) histogram.getTotalCount(),
                timedOut.get(), histogram.getValueAtPercentile(50) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0, histogram.getTotalCount() / seconds, timeoutSeconds);
    }

    /** Runs one statement and reads its rows; false if the statement timeout cancelled it. */
    private static boolean run(Connection connection, ReadCases.Sql sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.text())) {
            for (int i = 0; i < sql.values().size(); i++) {
                statement.setObject(i + 1, sql.values().get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    rows.getObject(1);
                }
            }
            return true;
        } catch (SQLException e) {
            if ("57014".equals(e.getSQLState())) { // query_canceled: the statement timeout
                return false;
            }
            throw e;
        }
    }

    /** COPYs {@code rows} into {@code db} (migrated, of the same schema), {@code perCopy} rows per statement. */
    static Result copy(DatabaseAddress db, List<ScaleData.Event> rows, int perCopy) throws SQLException {
        long start = System.nanoTime();
        try (Connection connection = connect(db)) {
            CsvCopy copy = new CsvCopy(connection, LoadScaleData.COPY_EVENTS);
            for (ScaleData.Event e : rows) {
                LoadScaleData.copyEvent(copy, e);
                if (copy.rows() == perCopy) {
                    copy.finish();
                    copy = new CsvCopy(connection, LoadScaleData.COPY_EVENTS);
                }
            }
            copy.finish();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result("COPY, " + perCopy + " rows per statement", rows.size(), 0, 0, 0, rows.size() / seconds,
                0);
    }

    static Connection connect(DatabaseAddress db) throws SQLException {
        Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET search_path = analytics, public");
        }
        return connection;
    }
}
