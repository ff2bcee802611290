package io.customeranalytics.segmentation.membership;

import io.customeranalytics.common.rules.RuleParser;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The windows of stored instants whose customers the clock alone can move across a rule's thresholds. The
 * refresher's use of them against the database is tested in MembershipRefresherTest (a purchase that becomes
 * a day old between two refreshes).
 */
class ClockThresholdsTest {

    private static final OffsetDateTime FROM = OffsetDateTime.parse("2026-12-01T10:00:00Z");
    private static final OffsetDateTime TO = OffsetDateTime.parse("2026-12-01T10:00:05Z");

    private static ClockThresholds of(String rule) {
        return ClockThresholds.of(RuleParser.parse(rule));
    }

    @Test
    void aComparisonWithANumberLooksAtTheInstantsThatReachItsThresholdsMeanwhile() {
        // days_since_last_purchase <= 30 changes when the metric enters 31: purchases made 31 days before. The
        // step into 30 is looked at too (whatever the operator, an integer threshold has both steps).
        ClockThresholds.Windows windows = of("days_since_last_purchase <= 30").windows(FROM, TO);
        assertEquals(List.of(new ClockThresholds.Range<>(FROM.minusDays(30), TO.minusDays(30)),
                new ClockThresholds.Range<>(FROM.minusDays(31), TO.minusDays(31))), windows.lastPurchase);
        assertTrue(windows.lastEvent.isEmpty() && windows.signup.isEmpty());
    }

    @Test
    void anEqualityLooksAtEnteringAndLeavingTheValue() {
        ClockThresholds.Windows windows = of("days_since_last_event = 7").windows(FROM, TO);
        assertEquals(List.of(new ClockThresholds.Range<>(FROM.minusDays(7), TO.minusDays(7)),
                new ClockThresholds.Range<>(FROM.minusDays(8), TO.minusDays(8))), windows.lastEvent);
    }

    @Test
    void aFractionalThresholdHasOneStep() {
        assertEquals(List.of(new ClockThresholds.Range<>(FROM.minusDays(31), TO.minusDays(31))),
                of("days_since_last_event > 30.5").windows(FROM, TO).lastEvent);
    }

    @Test
    void betweenAndInListsGiveEachBound() {
        assertEquals(4, of("days_since_last_event BETWEEN 10 AND 20").windows(FROM, TO).lastEvent.size());
        assertEquals(5, of("days_since_last_event IN (1, 2, 5)").windows(FROM, TO).lastEvent.size(),
                "1 and 2 share the step into 2: entering 1, 2, 3, 5 and 6");
    }

    @Test
    void signupWindowsOpenOnlyWhenTheUtcDateChanged() {
        ClockThresholds rule = of("days_since_signup >= 100");
        assertTrue(rule.windows(FROM, TO).isEmpty(), "same day: no signup reaches 100 days");
        OffsetDateTime beforeMidnight = OffsetDateTime.parse("2026-12-01T23:59:58Z");
        OffsetDateTime afterMidnight = OffsetDateTime.parse("2026-12-02T00:00:03Z");
        assertEquals(List.of(new ClockThresholds.Range<>(LocalDate.parse("2026-12-01").minusDays(100),
                        LocalDate.parse("2026-12-02").minusDays(100)),
                new ClockThresholds.Range<>(LocalDate.parse("2026-12-01").minusDays(101),
                        LocalDate.parse("2026-12-02").minusDays(101))), rule.windows(beforeMidnight, afterMidnight).signup);
    }

    @Test
    void rulesWithoutDaysSinceMetricsNeverMoveWithTheClock() {
        assertTrue(of("total_spent > 1000 AND country = 'US'").none());
        assertTrue(of("days_since_last_event IS NULL").none(), "nullness does not change with the clock");
        assertTrue(ClockThresholds.of(null).none());
    }

    @Test
    void aDaysSinceMetricComparedWithAnotherMetricIsEvaluatedForEveryCustomer() {
        assertTrue(of("days_since_last_event > age").everyCustomer());
        assertTrue(of("total_spent > 5 OR days_since_signup < days_since_last_event").everyCustomer());
        assertFalse(of("days_since_last_event > 3 AND total_spent > age").everyCustomer());
    }

    @Test
    void thresholdsBeyondAnyTimestampAndWindowsBackwardsAreEmpty() {
        assertTrue(of("days_since_last_event > 100000000000").windows(FROM, TO).isEmpty());
        assertTrue(of("days_since_last_event > 3").windows(TO, FROM).isEmpty());
        OffsetDateTime far = of("days_since_last_event < 100000000").windows(FROM, TO).lastEvent.get(0).after();
        assertTrue(far.getYear() >= -4000, "clamped into PostgreSQL's range: " + far);
    }
}
