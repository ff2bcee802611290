package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.TestEvents;
import java.time.DayOfWeek;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * customer_behavioral_analysis computed the plain way, in Java, from the events a test inserted: group by
 * (period, event_type), count events, collect distinct customers, sum revenue.
 */
final class BehaviorExpectation {

    record Row(String period, String eventType, long eventCount, long uniqueCustomers, double totalRevenue,
               double avgEventsPerCustomer) {
    }

    private BehaviorExpectation() {
    }

    static List<Row> compute(List<TestEvents.Event> events, Predicate<TestEvents.Event> filter, OffsetDateTime start,
                             OffsetDateTime end, String granularity) {
        // An end given to the second covers that whole second (docs/api.md, Conventions).
        OffsetDateTime last = end != null && end.getNano() == 0 ? end.plus(999_999, ChronoUnit.MICROS) : end;
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, Set<String>> customers = new TreeMap<>();
        Map<String, Double> revenue = new TreeMap<>();
        for (TestEvents.Event e : events) {
            if (!filter.test(e)) {
                continue;
            }
            if (start != null && e.timestamp().isBefore(start) || last != null && e.timestamp().isAfter(last)) {
                continue;
            }
            String key = TestEvents.text(period(e.timestamp(), granularity)) + "|" + e.eventType();
            counts.computeIfAbsent(key, k -> new long[1])[0]++;
            customers.computeIfAbsent(key, k -> new HashSet<>()).add(e.customerId());
            revenue.merge(key, e.revenue(), Double::sum);
        }
        List<Row> rows = new ArrayList<>();
        for (String key : counts.keySet()) {
            String[] parts = key.split("\\|");
            long n = counts.get(key)[0];
            long unique = customers.get(key).size();
            rows.add(new Row(parts[0], parts[1], n, unique, revenue.get(key), (double) n / unique));
        }
        return rows;
    }

    static OffsetDateTime period(OffsetDateTime time, String granularity) {
        OffsetDateTime day = time.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
        return switch (granularity) {
            case "week" -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case "month" -> day.withDayOfMonth(1);
            default -> day;
        };
    }
}
