package io.customeranalytics.testsupport;

import io.customeranalytics.common.schema.EventChangeLog;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Test data written straight to the tables, for the tests of services that only read, with unique ids; and the
 * step that makes TimescaleDB's continuous aggregates include it.
 */
public final class TestEvents {

    public static final String ADMIN = "test-admin-token";

    /** The continuous aggregates of TimescaleDB mode (V4, V5); plain tables with the same names otherwise. */
    public static final List<String> CONTINUOUS_AGGREGATES = List.of("customer_daily_activity", "customer_daily_sessions");

    /** As ingest-service writes them: with the periods and customers they touch recorded (EventChangeLog). */
    private static final String INSERT_EVENTS = """
            WITH stored AS (
                INSERT INTO customer_events (event_id, customer_id, event_type, event_timestamp, session_id,
                                             page_url, product_id, category_id, device_type, country, referrer,
                                             price, quantity)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::float8[],
                                     $13::int4[])
                RETURNING customer_id, event_type, event_timestamp, price, quantity
            ),
            %s
            SELECT count(*) FROM stored""".formatted(EventChangeLog.recordFrom("stored"));

    private TestEvents() {
    }

    /** One event; its revenue per docs/api.md: price x coalesce(quantity, 1) for purchases, null price as 0. */
    public record Event(String eventId, String customerId, String eventType, OffsetDateTime timestamp, String sessionId,
                 String pageUrl, String productId, String categoryId, String deviceType, String country,
                 String referrer, Double price, Integer quantity) {

        public double revenue() {
            if (!eventType.equals("purchase")) {
                return 0;
            }
            return (price == null ? 0 : price) * (quantity == null ? 1 : quantity);
        }

        public Event at(OffsetDateTime time) {
            return new Event(eventId, customerId, eventType, time, sessionId, pageUrl, productId, categoryId,
                    deviceType, country, referrer, price, quantity);
        }
    }

    public static Event event(String id, String customer, String type, OffsetDateTime time) {
        return new Event(id, customer, type, time, null, null, null, null, null, null, null, null, null);
    }

    public static String unique(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    public static OffsetDateTime utc(String text) {
        return OffsetDateTime.parse(text.replace(' ', 'T') + "Z").withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** The API's DateTime text, {@code YYYY-MM-DD HH:MM:SS} in UTC. */
    public static String text(OffsetDateTime time) {
        return java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
                .format(time.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** Inserts the events, then {@link #settleAggregates settles} the aggregates over their days. */
    public static void insert(Pool pool, List<Event> events) {
        insertWithoutRefresh(pool, events);
        settleAggregates(pool, events);
    }

    /**
     * Inserts the events only: in TimescaleDB mode, those on days below a continuous aggregate's watermark are
     * not in it until its next refresh.
     */
    public static void insertWithoutRefresh(Pool pool, List<Event> events) {
        for (int from = 0; from < events.size(); from += 20_000) {
            List<Event> chunk = events.subList(from, Math.min(events.size(), from + 20_000));
            int n = chunk.size();
            String[] ids = new String[n], customers = new String[n], types = new String[n], sessions = new String[n],
                    pages = new String[n], products = new String[n], categories = new String[n],
                    devices = new String[n], countries = new String[n], referrers = new String[n];
            OffsetDateTime[] times = new OffsetDateTime[n];
            Double[] prices = new Double[n];
            Integer[] quantities = new Integer[n];
            for (int i = 0; i < n; i++) {
                Event e = chunk.get(i);
                ids[i] = e.eventId();
                customers[i] = e.customerId();
                types[i] = e.eventType();
                times[i] = e.timestamp();
                sessions[i] = e.sessionId();
                pages[i] = e.pageUrl();
                products[i] = e.productId();
                categories[i] = e.categoryId();
                devices[i] = e.deviceType();
                countries[i] = e.country();
                referrers[i] = e.referrer();
                prices[i] = e.price();
                quantities[i] = e.quantity();
            }
            Tuple tuple = Tuple.tuple();
            for (Object array : new Object[]{ids, customers, types, times, sessions, pages, products, categories,
                    devices, countries, referrers, prices, quantities}) {
                tuple.addValue(array);
            }
            pool.preparedQuery(INSERT_EVENTS).execute(tuple).await().atMost(Duration.ofMinutes(2));
        }
    }

    /**
     * In TimescaleDB mode, materializes the continuous aggregates over the days these events fall on, as their
     * refresh policies would within a minute: events older than an aggregate's last refresh (its watermark) only
     * show in it after a refresh. In plain PostgreSQL mode the aggregates are maintained by triggers and this does
     * nothing.
     */
    public static void settleAggregates(Pool pool, List<Event> events) {
        if (events.isEmpty() || !timescale(pool)) {
            return;
        }
        OffsetDateTime min = events.stream().map(Event::timestamp).min(OffsetDateTime::compareTo).orElseThrow();
        OffsetDateTime max = events.stream().map(Event::timestamp).max(OffsetDateTime::compareTo).orElseThrow();
        OffsetDateTime from = min.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
        OffsetDateTime until = max.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).plusDays(1);
        for (String aggregate : CONTINUOUS_AGGREGATES) {
            refresh(pool, aggregate, from, until);
        }
    }

    /**
     * Refreshes one continuous aggregate over [from, until), as its policy would (TimescaleDB mode only). The
     * policy itself may be refreshing an overlapping window at that moment, which TimescaleDB refuses ("due to a
     * concurrent refresh"): then this waits and tries again.
     */
    public static void refresh(Pool pool, String aggregate, OffsetDateTime from, OffsetDateTime until) {
        for (int attempt = 1; ; attempt++) {
            try {
                // The simple protocol, as psql sends it: the procedure commits inside, between its batches.
                pool.query("CALL refresh_continuous_aggregate('" + aggregate + "', '" + from + "'::timestamptz, '"
                        + until + "'::timestamptz)").execute().await().atMost(Duration.ofMinutes(5));
                return;
            } catch (RuntimeException e) {
                if (attempt == 20 || e.getMessage() == null || !e.getMessage().contains("concurrent refresh")) {
                    throw e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Whether the test database is TimescaleDB; if it is not, logs that {@code test} is skipped and why, for the
     * tests that only mean something in TimescaleDB mode (they then skip with JUnit's assumptions).
     */
    public static boolean timescaleElseLogSkip(Pool pool, String test, String why) {
        boolean timescale = timescale(pool);
        if (!timescale) {
            System.getLogger(test).log(System.Logger.Level.INFO, test + " skipped: the test database is plain"
                    + " PostgreSQL (" + why + "); set ANALYTICS_TEST_DB_URL to a TimescaleDB server to run it");
        }
        return timescale;
    }

    public static boolean timescale(Pool pool) {
        return rows(pool, "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'").get(0).getLong(0) > 0;
    }

    public static List<Row> rows(Pool pool, String sql, Object... params) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofMinutes(2)).forEach(out::add);
        return out;
    }
}
