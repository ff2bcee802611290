package io.customeranalytics.segmentation.membership;

import io.customeranalytics.common.rules.Metric;
import io.customeranalytics.common.rules.Rule;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which customers a rule can change its mind about with the clock alone, between two evaluations.
 *
 * <p>The three days_since_* metrics are whole days counted up to now: {@code floor((now - t) / 1 day)} for the
 * last event and the last purchase, {@code today - signup_date} (UTC) for the signup. With the stored data
 * unchanged, a comparison of such a metric with a number {@code c} can only change its value when the metric
 * steps to one of the values {@code ceil(c)} or {@code floor(c) + 1} (for {@code = 30}: entering 30 and entering
 * 31). The metric of instant {@code t} enters the value {@code k} at {@code t + k days}; so between evaluations
 * at {@code from} and {@code to}, the customers to look at again are those with {@code t} in
 * {@code (from - k days, to - k days]}, for every such {@code k}: a range over an index, a few seconds' worth
 * of customers for a refresh every few seconds. A rule whose truth stays the same for every other customer
 * stays the same as a whole (AND, OR and NOT only combine comparisons).
 *
 * <p>A comparison of a days_since metric with another metric has no such thresholds: such a rule is
 * {@linkplain #everyCustomer() re-evaluated for every customer} at each refresh.
 */
final class ClockThresholds {

    /** No customer's instant lies this many days from now: PostgreSQL's timestamps end in 294276 AD. */
    private static final BigDecimal FARTHEST_DAYS = BigDecimal.valueOf(110_000_000L);

    /** The range every window is clamped to: inside PostgreSQL's timestamps and dates, beyond any real data. */
    private static final OffsetDateTime EARLIEST = OffsetDateTime.of(-4000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final OffsetDateTime LATEST = OffsetDateTime.of(290_000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private final Map<Metric, Set<Long>> steps = new EnumMap<>(Metric.class);
    private boolean everyCustomer;

    private ClockThresholds() {
    }

    /** The thresholds of {@code rule}; none for a rule without days_since metrics (or for no rule). */
    static ClockThresholds of(Rule rule) {
        ClockThresholds thresholds = new ClockThresholds();
        if (rule != null) {
            thresholds.visit(rule);
        }
        return thresholds;
    }

    /** A days_since metric is compared with another metric: every customer is evaluated again each time. */
    boolean everyCustomer() {
        return everyCustomer;
    }

    /** Nothing in the rule depends on the clock. */
    boolean none() {
        return !everyCustomer && steps.isEmpty();
    }

    /** The ranges of stored instants and dates whose customers may have changed between {@code from} and {@code to}. */
    Windows windows(OffsetDateTime from, OffsetDateTime to) {
        Windows windows = new Windows();
        if (!to.isAfter(from)) {
            return windows;
        }
        for (Map.Entry<Metric, Set<Long>> entry : steps.entrySet()) {
            for (long k : entry.getValue()) {
                if (entry.getKey() == Metric.DAYS_SINCE_SIGNUP) {
                    LocalDate today = to.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
                    LocalDate before = from.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
                    if (today.isAfter(before)) {
                        windows.signup.add(new Range<>(clamp(before.minusDays(k)), clamp(today.minusDays(k))));
                    }
                } else {
                    Range<OffsetDateTime> range = new Range<>(clamp(from.minus(Duration.ofDays(k))),
                            clamp(to.minus(Duration.ofDays(k))));
                    (entry.getKey() == Metric.DAYS_SINCE_LAST_EVENT ? windows.lastEvent : windows.lastPurchase)
                            .add(range);
                }
            }
        }
        return windows;
    }

    /** Half-open ranges {@code (after, upTo]} per stored column. */
    static final class Windows {
        final List<Range<OffsetDateTime>> lastEvent = new ArrayList<>();
        final List<Range<OffsetDateTime>> lastPurchase = new ArrayList<>();
        final List<Range<LocalDate>> signup = new ArrayList<>();

        boolean isEmpty() {
            return lastEvent.isEmpty() && lastPurchase.isEmpty() && signup.isEmpty();
        }
    }

    record Range<T>(T after, T upTo) {
    }

    private static OffsetDateTime clamp(OffsetDateTime t) {
        return t.isBefore(EARLIEST) ? EARLIEST : t.isAfter(LATEST) ? LATEST : t;
    }

    private static LocalDate clamp(LocalDate d) {
        return clamp(d.atStartOfDay().atOffset(ZoneOffset.UTC)).toLocalDate();
    }

    private void visit(Rule rule) {
        if (rule instanceof Rule.Or or) {
            visit(or.left());
            visit(or.right());
        } else if (rule instanceof Rule.And and) {
            visit(and.left());
            visit(and.right());
        } else if (rule instanceof Rule.Not not) {
            visit(not.operand());
        } else if (rule instanceof Rule.Compare c) {
            comparison(List.of(c.left(), c.right()));
        } else if (rule instanceof Rule.In in) {
            List<Rule.Operand> operands = new ArrayList<>(in.values());
            operands.add(0, in.subject());
            comparison(operands);
        } else if (rule instanceof Rule.Between b) {
            comparison(List.of(b.subject(), b.low(), b.high()));
        }
        // IS [NOT] NULL: whether a metric is null does not change with the clock.
    }

    /** One comparison of its operands: a days_since metric against numbers, or against anything else. */
    private void comparison(List<Rule.Operand> operands) {
        List<Metric> clockMetrics = new ArrayList<>();
        List<BigDecimal> numbers = new ArrayList<>();
        boolean otherMetric = false;
        for (Rule.Operand operand : operands) {
            if (operand instanceof Rule.MetricRef m) {
                if (dependsOnClock(m.metric())) {
                    clockMetrics.add(m.metric());
                } else {
                    otherMetric = true;
                }
            } else if (operand instanceof Rule.NumberLiteral n) {
                numbers.add(n.value());
            }
        }
        if (clockMetrics.isEmpty()) {
            return;
        }
        if (clockMetrics.size() > 1 || otherMetric) {
            everyCustomer = true;
            return;
        }
        Set<Long> metricSteps = steps.computeIfAbsent(clockMetrics.get(0), m -> new TreeSet<>());
        for (BigDecimal c : numbers) {
            if (c.abs().compareTo(FARTHEST_DAYS) <= 0) {
                metricSteps.add(c.setScale(0, RoundingMode.CEILING).longValueExact());
                metricSteps.add(c.setScale(0, RoundingMode.FLOOR).longValueExact() + 1);
            }
        }
    }

    private static boolean dependsOnClock(Metric metric) {
        return metric == Metric.DAYS_SINCE_LAST_EVENT || metric == Metric.DAYS_SINCE_LAST_PURCHASE
                || metric == Metric.DAYS_SINCE_SIGNUP;
    }
}
