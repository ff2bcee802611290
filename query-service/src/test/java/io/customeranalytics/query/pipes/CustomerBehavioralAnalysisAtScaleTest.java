package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static io.customeranalytics.query.pipes.CustomerBehavioralAnalysisTest.assertMatches;
import static io.customeranalytics.query.pipes.CustomerBehavioralAnalysisTest.fetch;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestEvents.utc;

/**
 * 200,000 generated events of 5,000 customers over 100 days, then customer_behavioral_analysis for several
 * filters, granularities and ranges whose bounds are not midnight, each against the same definition computed in
 * Java from the generated rows. Countries and device types are unique to this run, and every query filters on
 * one of them, so other data in the database does not count.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class CustomerBehavioralAnalysisAtScaleTest {

    private static final int EVENTS = 200_000;
    private static final int CUSTOMERS = 5_000;
    private static final int DAYS = 100;
    private static final String[] TYPES = {"page_view", "page_view", "page_view", "add_to_cart", "purchase", "search"};

    private static List<TestEvents.Event> events;
    private static String[] countries;
    private static String[] devices;

    @Inject
    Pool pool;

    @BeforeEach
    void generateOnce() {
        if (events != null) {
            return;
        }
        String run = unique("run");
        countries = new String[]{run + "-US", run + "-GB", run + "-DE"};
        devices = new String[]{run + "-mobile", run + "-desktop", run + "-tablet"};
        Random random = new Random(20_240_101);
        OffsetDateTime base = utc("2021-03-01 00:00:00");
        List<TestEvents.Event> generated = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            String type = TYPES[random.nextInt(TYPES.length)];
            boolean purchase = type.equals("purchase");
            generated.add(new TestEvents.Event(run + "-" + i, run + "-c" + random.nextInt(CUSTOMERS), type,
                    base.plusSeconds(random.nextInt(DAYS * 86_400)).plusNanos(random.nextInt(1000) * 1000L),
                    "s-" + random.nextInt(20_000), null, null, null,
                    devices[random.nextInt(devices.length)], countries[random.nextInt(countries.length)], null,
                    purchase && random.nextInt(10) > 0 ? random.nextInt(50_000) / 100.0 : null,
                    purchase && random.nextInt(4) > 0 ? 1 + random.nextInt(4) : null));
        }
        TestEvents.insert(pool, generated);
        events = generated;
    }

    private void check(Predicate<TestEvents.Event> filter, Map<String, String> params) {
        OffsetDateTime start = params.containsKey("start_date") ? utc(params.get("start_date")) : null;
        OffsetDateTime end = params.containsKey("end_date") ? utc(params.get("end_date")) : null;
        String granularity = params.getOrDefault("granularity", "day");
        assertMatches(BehaviorExpectation.compute(events, filter, start, end, granularity), fetch(params),
                params.toString());
    }

    private static Map<String, String> params(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void theDailyAggregateHoldsEveryEventOfTheRun() {
        for (String country : countries) {
            long expected = events.stream().filter(e -> e.country().equals(country)).count();
            long aggregated = TestEvents.rows(pool, "SELECT coalesce(sum(event_count), 0) FROM customer_daily_activity"
                    + " WHERE country = $1", country).get(0).getLong(0);
            org.junit.jupiter.api.Assertions.assertEquals(expected, aggregated, country);
        }
    }

    @Test
    void oneCountryAllTimeByDay() {
        check(e -> e.country().equals(countries[0]), params("country", countries[0]));
    }

    @Test
    void oneCountryByWeekBetweenUnalignedBounds() {
        check(e -> e.country().equals(countries[1]), params("country", countries[1], "granularity", "week",
                "start_date", "2021-03-10 13:17:05", "end_date", "2021-05-20 08:00:00"));
    }

    @Test
    void oneDeviceTypeAndEventTypeByMonthWithAnOpenStart() {
        check(e -> e.deviceType().equals(devices[2]) && e.eventType().equals("purchase"),
                params("device_type", devices[2], "event_type", "purchase", "granularity", "month",
                        "end_date", "2021-04-30 23:59:59"));
    }

    @Test
    void countryAndDeviceWithAnOpenEndFromMidday() {
        check(e -> e.country().equals(countries[2]) && e.deviceType().equals(devices[0]),
                params("country", countries[2], "device_type", devices[0], "start_date", "2021-04-01 12:00:00"));
    }

    @Test
    void aRangeOfLessThanOneDayAcrossMidnight() {
        check(e -> e.country().equals(countries[0]), params("country", countries[0], "granularity", "week",
                "start_date", "2021-04-04 18:30:00", "end_date", "2021-04-05 06:15:00"));
    }

    @Test
    void wholeDaysOnly() {
        check(e -> e.deviceType().equals(devices[1]), params("device_type", devices[1], "granularity", "month",
                "start_date", "2021-03-15 00:00:00", "end_date", "2021-05-31 23:59:59.999999"));
    }
}
