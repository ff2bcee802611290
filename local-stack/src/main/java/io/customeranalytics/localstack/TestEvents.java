package io.customeranalytics.localstack;

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

    private static final String INSERT_EVENTS = """
            INSERT INTO customer_events (event_id, customer_id, event_type, event_timestamp, session_id, page_url,
                                         product_id, category_id, device_type, country, referrer, price, quantity)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                                 $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::float8[],
                                 $13::int4[])""";

    private TestEvents() {
    }

    /** One event; its revenue per API.md: price x coalesce(quantity, 1) for purchases, null price as 0. */
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

    public static void insert(Pool pool, List<Event> events) {
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
        settleAggregates(pool, events);
    }

    /**
     * In TimescaleDB mode, materializes the continuous aggregate over the days these events fall on, as its
     * refresh policy would within a minute: events older than the aggregate's last refresh only show in it after
     * a refresh. In plain PostgreSQL mode the aggregate is maintained by a trigger and this does nothing.
     */
    public static void settleAggregates(Pool pool, List<Event> events) {
        if (events.isEmpty() || !timescale(pool)) {
            return;
        }
        OffsetDateTime min = events.stream().map(Event::timestamp).min(OffsetDateTime::compareTo).orElseThrow();
        OffsetDateTime max = events.stream().map(Event::timestamp).max(OffsetDateTime::compareTo).orElseThrow();
        OffsetDateTime from = min.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
        OffsetDateTime until = max.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).plusDays(1);
        pool.query("CALL refresh_continuous_aggregate('customer_daily_activity', '" + from + "'::timestamptz, '"
                + until + "'::timestamptz)").execute().await().atMost(Duration.ofMinutes(5));
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
