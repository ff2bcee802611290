package io.customeranalytics.query.behavioral;

import java.time.DayOfWeek;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/**
 * A period length of customer_behavioral_analysis and behavioral_days: its name there, its length as a
 * PostgreSQL interval, and its bounds in UTC (weeks start on Monday).
 */
public enum Grain {
    DAY("day", "1 day"),
    WEEK("week", "7 days"),
    MONTH("month", "1 month");

    /** Its name in behavioral_days and behavioral_pending (and the granularity parameter's value). */
    public final String table;
    /** Its length as a PostgreSQL interval (added to a period's start in UTC wall time). */
    public final String length;

    Grain(String table, String length) {
        this.table = table;
        this.length = length;
    }

    public static Grain of(String name) {
        return switch (name) {
            case "week" -> WEEK;
            case "month" -> MONTH;
            default -> DAY;
        };
    }

    /** The start of the period holding {@code time}. */
    public OffsetDateTime floor(OffsetDateTime time) {
        OffsetDateTime day = time.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
        return switch (this) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
        };
    }

    /** The start of the period after the one starting at {@code period}. */
    public OffsetDateTime next(OffsetDateTime period) {
        return switch (this) {
            case DAY -> period.plusDays(1);
            case WEEK -> period.plusWeeks(1);
            case MONTH -> period.plusMonths(1);
        };
    }
}
