package io.customeranalytics.bench.data;

import io.customeranalytics.common.rules.RuleParser;
import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.SchemaMigrator;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads a {@link ScaleData} set into a database at bulk speed: migrates it (the suite's Flyway migrations), COPYs
 * the profiles, the segments and the events (through the JDBC driver's CopyManager, one COPY per batch of
 * events, each its own transaction), then brings every continuous aggregate up to date and analyzes the
 * tables. Prints the time of each step. The database's datasources must be empty: the ids are the generator's.
 *
 * <pre>
 *   mvn -B -q -pl bench -am -DskipTests install
 *   java -cp "bench/target/bench.jar:bench/target/lib/*" io.customeranalytics.bench.data.LoadScaleData \
 *       --db postgresql://postgres@127.0.0.1:55432/bench_s --size S
 * </pre>
 */
public final class LoadScaleData {

    private static final int EVENTS_PER_COPY = 250_000;

    /** COPY of events in CSV, in the column order of {@link #copyEvent}. */
    public static final String COPY_EVENTS = """
            COPY customer_events (event_id, customer_id, event_type, event_timestamp, session_id, page_url, product_id,
                                  category_id, device_type, country, referrer, user_agent, price, quantity)
            FROM STDIN WITH (FORMAT csv)""";
    private static final String COPY_PROFILES = """
            COPY customer_profiles (customer_id, email, first_name, last_name, gender, city, country,
                                    customer_segment, age, signup_date, last_login, lifetime_value)
            FROM STDIN WITH (FORMAT csv)""";
    private static final String INSERT_SEGMENT = """
            INSERT INTO customer_segments (segment_id, segment_name, segment_description, creation_date,
                                           update_date, segment_rules, segment_type)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";

    private LoadScaleData() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        DatabaseAddress db = DatabaseAddress.parse(require(options, "db"), System.getenv("PGPASSWORD"));
        if (!db.host().equals("127.0.0.1") && !db.host().equals("localhost")) {
            throw new IllegalArgumentException("the benchmarks only use a database on this machine (127.0.0.1)");
        }
        ScaleData data = new ScaleData(ScaleData.Size.valueOf(options.getOrDefault("size", "S")),
                Long.parseLong(options.getOrDefault("seed", "20261201")),
                LocalDate.parse(options.getOrDefault("end", "2026-11-30")),
                Integer.parseInt(options.getOrDefault("days", "365")));
        System.out.printf("size %s: %,d events, %,d customers, %s .. %s, into %s%n", data.size(),
                data.size().events(), data.size().customers(), data.firstDay(),
                data.firstDay().plusDays(Integer.parseInt(options.getOrDefault("days", "365")) - 1), db.displayUrl());

        load(db, data);
    }

    /** Migrates {@code db} and loads {@code data} into it (bench/README.md, "Scale data"); prints each step. */
    public static void load(DatabaseAddress db, ScaleData data) throws SQLException {
        long start = System.nanoTime();
        SchemaMigrator.migrate(db);
        step("migrate", start, 0);
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET search_path = analytics, public");
            }
            requireEmpty(connection);
            boolean timescale = timescale(connection);

            long t = System.nanoTime();
            CsvCopy profiles = new CsvCopy(connection, COPY_PROFILES);
            data.profiles(p -> profiles.row(p.customerId(), p.email(), p.firstName(), p.lastName(), p.gender(),
                    p.city(), p.country(), p.customerSegment(), p.age(), p.signupDate(),
                    ScaleData.TIMESTAMP.format(p.lastLogin()), p.lifetimeValue()));
            step("profiles (COPY)", t, profiles.finish());

            t = System.nanoTime();
            try (PreparedStatement insert = connection.prepareStatement(INSERT_SEGMENT)) {
                for (ScaleData.Segment s : ScaleData.SEGMENTS) {
                    if (s.rules() != null) {
                        RuleParser.parse(s.rules());
                    }
                    insert.setString(1, s.segmentId());
                    insert.setString(2, s.segmentName());
                    insert.setString(3, s.description());
                    insert.setObject(4, data.firstDay());
                    insert.setObject(5, data.firstDay());
                    insert.setString(6, s.rules());
                    insert.setString(7, s.type());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            step("segments", t, ScaleData.SEGMENTS.size());

            t = System.nanoTime();
            long[] events = {0};
            CsvCopy[] copy = {new CsvCopy(connection, COPY_EVENTS)};
            data.events(e -> {
                copyEvent(copy[0], e);
                if (copy[0].rows() == EVENTS_PER_COPY) {
                    events[0] += copy[0].finish();
                    copy[0] = new CsvCopy(connection, COPY_EVENTS);
                }
            });
            events[0] += copy[0].finish();
            step("events (COPY, " + EVENTS_PER_COPY + " per statement)", t, events[0]);

            // COPY bypasses the Events API, so it records the periods it wrote for behavioral_days (V13) itself;
            // query-service's refresher then builds them (BenchRun waits for it before the behavioural cases).
            t = System.nanoTime();
            try (PreparedStatement invalidate = connection.prepareStatement(INVALIDATE_BEHAVIORAL)) {
                invalidate.setObject(1, data.firstDay().atStartOfDay().atOffset(ZoneOffset.UTC));
                invalidate.setObject(2, data.end().minusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
                invalidate.execute();
            }
            step("behavioral_days periods recorded as pending", t, 0);

            t = System.nanoTime();
            if (timescale) {
                for (String aggregate : new String[]{"customer_daily_activity", "customer_daily_sessions"}) {
                    refreshWhole(connection, aggregate);
                }
                step("continuous aggregates refreshed", t, 0);

                // What the compression policy (V2: chunks older than 7 days) does within its first run, so that
                // the reads see the steady state of a running installation, not freshly written chunks.
                t = System.nanoTime();
                long compressed;
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery(COMPRESS_OLD_CHUNKS)) {
                    rows.next();
                    compressed = rows.getLong(1);
                }
                step(compressed + " chunks older than 7 days compressed", t, 0);
            } else {
                System.out.println("plain PostgreSQL: the aggregates were kept by their triggers during the COPY");
            }

            t = System.nanoTime();
            try (Statement statement = connection.createStatement()) {
                statement.execute("ANALYZE");
            }
            step("ANALYZE", t, 0);
        }
        step("total", start, 0);
    }

    /**
     * Refreshes an aggregate over all time. Its refresh policy (V2) may be refreshing a window of it at the same
     * time, which TimescaleDB refuses ("due to a concurrent refresh"): then it waits for the policy's run to end
     * and calls again, for up to ten minutes.
     */
    private static void refreshWhole(Connection connection, String aggregate) throws SQLException {
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (true) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CALL refresh_continuous_aggregate('" + aggregate + "', NULL, NULL)");
                return;
            } catch (SQLException e) {
                if (e.getMessage() == null || !e.getMessage().contains("concurrent refresh")
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.println(aggregate + ": its refresh policy is refreshing it; calling again in 5 s");
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static final String INVALIDATE_BEHAVIORAL = "SELECT behavioral_invalidate(?, ?)";

    /** Compresses every chunk the compression policy would (compress_after 7 days); answers how many. */
    private static final String COMPRESS_OLD_CHUNKS = """
            SELECT count(compress_chunk(c, if_not_compressed => true))
            FROM show_chunks('customer_events', older_than => INTERVAL '7 days') c""";

    /** One event as a row of {@link #COPY_EVENTS}. */
    public static void copyEvent(CsvCopy copy, ScaleData.Event e) {
        copy.row(eventValues(e));
    }

    /** An event's values in the order of {@link #COPY_EVENTS}, which is also the table's column order. */
    public static Object[] eventValues(ScaleData.Event e) {
        return new Object[] {e.eventId(), e.customerId(), e.eventType(), ScaleData.TIMESTAMP.format(e.timestamp()),
                e.sessionId(), e.pageUrl(), e.productId(), e.categoryId(), e.deviceType(), e.country(),
                e.referrer(), e.userAgent(), e.price(), e.quantity()};
    }

    private static void step(String what, long startNanos, long rows) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (rows > 0) {
            System.out.printf("%-45s %8.1f s  %,12d rows  %,10.0f rows/s%n", what, seconds, rows, rows / seconds);
        } else {
            System.out.printf("%-45s %8.1f s%n", what, seconds);
        }
    }

    private static void requireEmpty(Connection connection) throws SQLException {
        for (String table : new String[]{"customer_events", "customer_profiles", "customer_segments"}) {
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM " + table + ")")) {
                rows.next();
                if (rows.getBoolean(1)) {
                    throw new IllegalStateException(table + " is not empty: load scale data into a new database");
                }
            }
        }
    }

    private static boolean timescale(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'")) {
            rows.next();
            return rows.getLong(1) > 0;
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }
}
