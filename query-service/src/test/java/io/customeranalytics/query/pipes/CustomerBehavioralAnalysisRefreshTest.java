package io.customeranalytics.query.pipes;

import io.customeranalytics.query.behavioral.BehavioralRefresher;
import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static io.customeranalytics.query.pipes.CustomerBehavioralAnalysisTest.assertMatches;
import static io.customeranalytics.query.pipes.CustomerBehavioralAnalysisTest.fetch;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestEvents.utc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * customer_behavioral_analysis read from behavioral_days (V13) after a refresh, and from the raw events while a
 * period is pending, against the definition computed in Java from the generated rows: random ranges (on period
 * boundaries, cutting periods, inside one period, open at either end), every granularity and every filter
 * level. Countries, device types and event types are unique to each test, so other tests' rows do not count.
 * The scheduled refresh is off in tests ({@code %test.analytics.behavioral.refresh-interval}); each test
 * refreshes when it means to read the table.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class CustomerBehavioralAnalysisRefreshTest {

    private static final DateTimeFormatter TEXT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final OffsetDateTime BASE = utc("2022-01-24 00:00:00");
    private static final int DAYS = 75;

    @Inject
    Pool pool;

    @Inject
    BehavioralRefresher refresher;

    /** One test's data: its rows and the names only it uses. */
    private record Run(List<TestEvents.Event> events, String[] countries, String[] devices, String[] types) {
    }

    private static Run generate(int count, int customers, long seed) {
        String run = unique("bd");
        String[] countries = {run + "-US", run + "-FR"};
        String[] devices = {run + "-mobile", run + "-desktop"};
        String[] types = {run + "-page_view", run + "-search", "purchase"};
        Random random = new Random(seed);
        List<TestEvents.Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String type = types[random.nextInt(types.length)];
            boolean purchase = type.equals("purchase");
            events.add(new TestEvents.Event(run + "-" + i, run + "-c" + random.nextInt(customers), type,
                    BASE.plusSeconds(random.nextInt(DAYS * 86_400)).plusNanos(random.nextInt(1000) * 1000L),
                    null, null, null, null, devices[random.nextInt(devices.length)],
                    countries[random.nextInt(countries.length)], null,
                    purchase ? random.nextInt(10_000) / 100.0 : null, purchase ? 1 + random.nextInt(3) : null));
        }
        return new Run(events, countries, devices, types);
    }

    /** A random question: granularity, a range of one of six shapes, and filters of one of four levels. */
    private static Map<String, String> question(Random random, Run run) {
        Map<String, String> p = new LinkedHashMap<>();
        String granularity = List.of("day", "week", "month").get(random.nextInt(3));
        p.put("granularity", granularity);
        OffsetDateTime a = BASE.plusSeconds(random.nextInt(DAYS * 86_400));
        OffsetDateTime b = a.plusSeconds(random.nextInt(40 * 86_400));
        switch (random.nextInt(6)) {
            case 0 -> { // on period boundaries
                p.put("start_date", text(BehaviorExpectation.period(a, granularity)));
                p.put("end_date", text(next(BehaviorExpectation.period(b, granularity), granularity).minusSeconds(1)));
            }
            case 1 -> { // cutting periods
                p.put("start_date", text(a));
                p.put("end_date", text(b));
            }
            case 2 -> { // inside one period
                p.put("start_date", text(a));
                p.put("end_date", text(a.plusSeconds(random.nextInt(5 * 86_400))));
            }
            case 3 -> p.put("start_date", text(a));
            case 4 -> p.put("end_date", text(b));
            default -> {
                // no bounds
            }
        }
        int level = random.nextInt(4);
        if (level == 0 || level == 1) {
            p.put("country", run.countries()[random.nextInt(run.countries().length)]);
        }
        if (level == 0 || level == 2) {
            p.put("device_type", run.devices()[random.nextInt(run.devices().length)]);
        }
        if (level == 3 || random.nextBoolean()) {
            // Without a country or device filter the event type must be this run's own.
            p.put("event_type", run.types()[random.nextInt(level == 3 ? 2 : 3)]);
        }
        return p;
    }

    private void check(Run run, Map<String, String> p, String how) {
        Predicate<TestEvents.Event> filter = e -> (!p.containsKey("country") || p.get("country").equals(e.country()))
                && (!p.containsKey("device_type") || p.get("device_type").equals(e.deviceType()))
                && (!p.containsKey("event_type") || p.get("event_type").equals(e.eventType()));
        OffsetDateTime start = p.containsKey("start_date") ? utc(p.get("start_date")) : null;
        OffsetDateTime end = p.containsKey("end_date") ? utc(p.get("end_date")) : null;
        assertMatches(BehaviorExpectation.compute(run.events(), filter, start, end, p.get("granularity")), fetch(p),
                how + " " + p);
    }

    private void refresh() {
        refresher.refreshPending().await().atMost(Duration.ofMinutes(5));
        assertEquals(0L, TestEvents.rows(pool, "SELECT count(*) AS n FROM behavioral_pending").get(0).getLong("n"),
                "nothing pending after a refresh");
    }

    @Test
    void answersFromTheRefreshedTableAsFromTheRawEvents() {
        Run run = generate(12_000, 400, 7);
        TestEvents.insert(pool, run.events());
        List<Map<String, String>> questions = new ArrayList<>();
        Random random = new Random(11);
        for (int i = 0; i < 60; i++) {
            questions.add(question(random, run));
        }
        for (Map<String, String> q : questions) {
            check(run, q, "pending, from the raw events:");
        }
        refresh();
        assertTrue(TestEvents.rows(pool, "SELECT count(*) AS n FROM behavioral_days WHERE country = $1",
                run.countries()[0]).get(0).getLong("n") > 0, "the refresh wrote this run's rows");
        for (Map<String, String> q : questions) {
            check(run, q, "refreshed, from behavioral_days:");
        }
    }

    @Test
    void aLateEventInARefreshedPeriodCountsAtOnceAndAfterTheNextRefresh() {
        Run run = generate(3_000, 100, 13);
        TestEvents.insert(pool, run.events());
        refresh();
        // A known customer's first event of its type in February, and a new customer, both long after the fact.
        TestEvents.Event known = run.events().get(0);
        List<TestEvents.Event> late = List.of(
                new TestEvents.Event(unique("late"), known.customerId(), run.types()[1], utc("2022-02-14 12:00:00"),
                        null, null, null, null, run.devices()[0], run.countries()[0], null, null, null),
                new TestEvents.Event(unique("late"), unique("newcomer"), run.types()[1], utc("2022-02-14 12:00:01"),
                        null, null, null, null, run.devices()[0], run.countries()[0], null, null, null));
        TestEvents.insert(pool, late);
        List<TestEvents.Event> all = new ArrayList<>(run.events());
        all.addAll(late);
        Run after = new Run(all, run.countries(), run.devices(), run.types());
        Random random = new Random(17);
        List<Map<String, String>> questions = new ArrayList<>();
        for (String granularity : List.of("day", "week", "month")) {
            questions.add(new LinkedHashMap<>(Map.of("granularity", granularity, "event_type", run.types()[1])));
            questions.add(new LinkedHashMap<>(Map.of("granularity", granularity, "country", run.countries()[0],
                    "start_date", "2022-02-09 07:00:00", "end_date", "2022-02-27 18:30:00")));
        }
        for (int i = 0; i < 20; i++) {
            questions.add(question(random, after));
        }
        for (Map<String, String> q : questions) {
            check(after, q, "late events pending:");
        }
        refresh();
        for (Map<String, String> q : questions) {
            check(after, q, "late events refreshed:");
        }
    }

    @Test
    void eventsOnPeriodBoundariesBelongToThePeriodTheyStart() {
        String run = unique("edge");
        String type = run + "-view";
        String customer = run + "-c";
        // Monday 2022-02-28 00:00:00 starts a week; 2022-03-01 00:00:00 starts a month; the microsecond before each.
        List<TestEvents.Event> events = new ArrayList<>();
        for (String at : List.of("2022-02-27 23:59:59.999999", "2022-02-28 00:00:00", "2022-02-28 23:59:59.999999",
                "2022-03-01 00:00:00")) {
            events.add(TestEvents.event(unique("e"), customer, type, utc(at)));
        }
        events.add(TestEvents.event(unique("e"), run + "-other", type, utc("2022-03-01 00:00:00")));
        TestEvents.insert(pool, events);
        Run edge = new Run(events, new String[0], new String[0], new String[]{type});
        List<Map<String, String>> questions = new ArrayList<>();
        for (String granularity : List.of("day", "week", "month")) {
            questions.add(new LinkedHashMap<>(Map.of("granularity", granularity, "event_type", type)));
            for (String[] range : new String[][]{{"2022-02-28 00:00:00", "2022-02-28 23:59:59"},
                    {"2022-02-27 23:59:59", "2022-03-01 00:00:00"}, {"2022-02-28 00:00:00", "2022-03-31 23:59:59"},
                    {"2022-03-01 00:00:00", "2022-03-01 00:00:00"}}) {
                questions.add(new LinkedHashMap<>(Map.of("granularity", granularity, "event_type", type,
                        "start_date", range[0], "end_date", range[1])));
            }
        }
        for (Map<String, String> q : questions) {
            check(edge, q, "pending:");
        }
        refresh();
        for (Map<String, String> q : questions) {
            check(edge, q, "refreshed:");
        }
        // The week of Monday 2022-02-28 holds four events of two customers (the Sunday before is the previous week).
        Map<String, Object> week = fetch(Map.of("granularity", "week", "event_type", type,
                "start_date", "2022-02-28 00:00:00", "end_date", "2022-03-06 23:59:59")).get(0);
        assertEquals("2022-02-28 00:00:00", week.get("period"));
        assertEquals(4, ((Number) week.get("event_count")).intValue());
        assertEquals(2, ((Number) week.get("unique_customers")).intValue());
    }

    @Test
    void aWriterThatBypassesTheApiRecordsWhatItWroteWithBehavioralInvalidate() {
        Run run = generate(500, 40, 19);
        TestEvents.insert(pool, run.events());
        refresh();
        // A bulk writer's rows, written without recording their periods: once those periods are refreshed, the
        // table does not know them.
        TestEvents.Event bulk = new TestEvents.Event(unique("bulk"), unique("bulk-customer"), run.types()[0],
                utc("2022-02-02 02:02:02"), null, null, null, null, run.devices()[0], run.countries()[0], null,
                null, null);
        TestEvents.rows(pool, """
                INSERT INTO customer_events (event_id, customer_id, event_type, event_timestamp, device_type, country)
                VALUES ($1, $2, $3, $4, $5, $6)""", bulk.eventId(), bulk.customerId(), bulk.eventType(),
                bulk.timestamp(), bulk.deviceType(), bulk.country());
        Map<String, String> q = new LinkedHashMap<>(Map.of("granularity", "month", "event_type", run.types()[0]));
        check(run, q, "before the bulk write is recorded (its rows are not in the table):");
        // What docs/operations.md tells such a writer to run, from a session whose search_path is not ours.
        pool.withTransaction(conn -> conn.query("SET LOCAL search_path = pg_catalog").execute()
                        .chain(() -> conn.query("SELECT analytics.behavioral_invalidate('2022-02-02', '2022-02-02')")
                                .execute()))
                .await().atMost(Duration.ofSeconds(30));
        List<TestEvents.Event> all = new ArrayList<>(run.events());
        all.add(bulk);
        Run after = new Run(all, run.countries(), run.devices(), run.types());
        check(after, q, "recorded, pending:");
        refresh();
        check(after, q, "recorded, refreshed:");
    }

    @Test
    void aPeriodWhoseRefreshFailsStaysPendingAndDoesNotStopTheOthers() {
        Run run = generate(300, 30, 23);
        // The same rows moved to January and February 1990, a year no other test writes.
        List<TestEvents.Event> events = new ArrayList<>();
        for (int i = 0; i < run.events().size(); i++) {
            TestEvents.Event e = run.events().get(i);
            events.add(e.at(utc(i % 2 == 0 ? "1990-01-15 10:00:00" : "1990-02-15 10:00:00").plusSeconds(i)));
        }
        Run nineties = new Run(events, run.countries(), run.devices(), run.types());
        TestEvents.rows(pool, """
                CREATE FUNCTION refuse_january_1990() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'refused for this test';
                END $$""");
        TestEvents.rows(pool, """
                CREATE TRIGGER refuse_january_1990 BEFORE INSERT ON behavioral_days FOR EACH ROW
                WHEN (NEW.grain = 'month' AND NEW.period = '1990-01-01 00:00:00+00')
                EXECUTE FUNCTION refuse_january_1990()""");
        Map<String, String> q = new LinkedHashMap<>(Map.of("granularity", "month", "country", run.countries()[0],
                "start_date", "1990-01-01 00:00:00", "end_date", "1990-02-28 23:59:59"));
        try {
            TestEvents.insert(pool, events);
            BehavioralRefresher.Report report = refresher.refreshPending().await().atMost(Duration.ofMinutes(5));
            assertEquals(1, report.failed(), report.toString());
            assertEquals(List.of("month 1990-01-01"), pendingIn1990(), "only the failing period stays pending");
            // January from the raw events while its refresh fails, February from the table: both exact.
            check(nineties, q, "January failing:");
        } finally {
            TestEvents.rows(pool, "DROP TRIGGER refuse_january_1990 ON behavioral_days");
            TestEvents.rows(pool, "DROP FUNCTION refuse_january_1990()");
        }
        refresh();
        assertEquals(List.of(), pendingIn1990());
        check(nineties, q, "January refreshed:");
    }

    private List<String> pendingIn1990() {
        List<String> pending = new ArrayList<>();
        for (var row : TestEvents.rows(pool, """
                SELECT DISTINCT grain, to_char(period AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period
                FROM behavioral_pending
                WHERE period >= '1989-12-25 00:00:00+00' AND period < '1990-03-01 00:00:00+00'
                ORDER BY 1, 2""")) {
            pending.add(row.getString("grain") + " " + row.getString("period"));
        }
        return pending;
    }

    private static OffsetDateTime next(OffsetDateTime period, String granularity) {
        return switch (granularity) {
            case "week" -> period.plusWeeks(1);
            case "month" -> period.plusMonths(1);
            default -> period.plusDays(1);
        };
    }

    private static String text(OffsetDateTime time) {
        return TEXT.format(time.withOffsetSameInstant(ZoneOffset.UTC));
    }
}
