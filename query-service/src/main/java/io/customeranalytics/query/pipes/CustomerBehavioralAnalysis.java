package io.customeranalytics.query.pipes;

import io.customeranalytics.common.pipes.PipeColumn;
import io.customeranalytics.common.pipes.Revenue;
import io.customeranalytics.common.pipes.DeclaredPipe;
import io.customeranalytics.common.pipes.PipeParam;
import io.customeranalytics.common.pipes.PipeParams;
import io.customeranalytics.common.pipes.PipeQuery;
import io.customeranalytics.common.pipes.PipeSql;
import jakarta.inject.Singleton;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code customer_behavioral_analysis}: per period (day, week from Monday, or month, in UTC) and event type, the
 * events, distinct customers, revenue and events per customer.
 *
 * <p>Whole UTC days inside the range are read from {@code customer_daily_activity} (a continuous aggregate in
 * TimescaleDB mode, a trigger-maintained table otherwise), except those it may hold out of date
 * ({@code unmaterialized_days}, migration V8: late events below the watermark not yet refreshed), which are read
 * from the raw events, as are the partial days at the edges of a range whose bounds are not midnight. Every
 * source gives one row per customer, so distinct customers are counted over their union and are exact.
 */
@Singleton
public class CustomerBehavioralAnalysis extends DeclaredPipe {

    /**
     * Whole days from the aggregate, except the days it may hold out of date (TimescaleDB mode: written below its
     * watermark since its last refresh; plain mode: none), which {@link #PENDING_DAYS} computes from the raw rows.
     * The pending days are one multirange, computed once per query (an InitPlan).
     */
    private static final String WHOLE_DAYS = """
            SELECT day, event_type, customer_id, event_count, revenue
            FROM customer_daily_activity
            WHERE NOT day <@ (SELECT coalesce(range_agg(tstzrange(range_start, range_end)), '{}')
                              FROM unmaterialized_days('customer_daily_activity'))""";

    /** Those days, as the aggregate's rows, from the raw events (V8); no work at all when none is pending. */
    private static final String PENDING_DAYS = """
            SELECT day, event_type, customer_id, event_count, revenue
            FROM customer_daily_activity_unmaterialized(""";

    private static final String EDGE_EVENTS = """
            SELECT date_trunc('day', event_timestamp, 'UTC') AS day, event_type, customer_id,
                   1::bigint AS event_count, %s AS revenue
            FROM customer_events
            WHERE true""".formatted(Revenue.OF_EVENT);

    /**
     * Per period and event type. A day is already its period (nothing computed per row); weeks and months are
     * truncated on UTC wall time (timestamp without time zone, cheaper than a time-zone-aware date_trunc) and
     * turned back into instants only for the few output rows. Customers are compared
     * byte-wise (COLLATE "C"): a distinct count needs equality only, and a linguistic collation would make the
     * sort several times slower.
     */
    private static final String PER_PERIOD = """
            SELECT %s AS period,
                   event_type,
                   sum(event_count)::bigint AS event_count,
                   count(DISTINCT customer_id COLLATE "C") AS unique_customers,
                   sum(revenue) AS total_revenue,
                   sum(event_count)::double precision / count(DISTINCT customer_id COLLATE "C")
                       AS avg_events_per_customer
            FROM (SELECT %s AS period, event_type, customer_id, event_count, revenue FROM (""";

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.dateTime("start_date", "Events at or after this time", "2023-01-01 00:00:00"),
            PipeParam.dateTime("end_date", "Events at or before this time", "2023-06-30 23:59:59"),
            PipeParam.string("event_type", "Only events of this type", "purchase"),
            PipeParam.string("country", "Only events from this country", "US"),
            PipeParam.string("device_type", "Only events from this device type", "mobile"),
            PipeParam.oneOf("granularity", List.of("day", "week", "month"), "day",
                    "Period length: day, week (starting Monday) or month, in UTC"));

    private static final List<PipeColumn> COLUMNS = List.of(
            PipeColumn.dateTime("period"),
            PipeColumn.string("event_type"),
            PipeColumn.uint64("event_count"),
            PipeColumn.uint64("unique_customers"),
            PipeColumn.float64("total_revenue"),
            PipeColumn.float64("avg_events_per_customer"));

    public CustomerBehavioralAnalysis() {
        super("customer_behavioral_analysis",
                "Events, distinct customers and revenue per period and event type",
                PARAMS, COLUMNS);
    }

    @Override
    public PipeQuery query(PipeParams params) {
        OffsetDateTime start = params.dateTime("start_date");
        OffsetDateTime end = params.dateTime("end_date");
        DaySplit split = DaySplit.of(start, end);

        // The granularity is one of three fixed words (checked by its parameter), never the client's text.
        String granularity = params.string("granularity");
        PipeSql sql = new PipeSql(PER_PERIOD.formatted(periodOut(granularity), periodIn(granularity)));
        boolean any = false;
        if (split.hasWholeDays()) {
            sql.append(WHOLE_DAYS)
                    .bindIfPresent(" AND day >= ?", split.wholeFrom())
                    .bindIfPresent(" AND day < ?", split.wholeUntil());
            filters(sql, params);
            sql.append(" UNION ALL ").append(PENDING_DAYS)
                    .bind("?::timestamptz", split.wholeFrom())
                    .bind(", ?::timestamptz) WHERE true", split.wholeUntil());
            filters(sql, params);
            any = true;
        }
        if (split.hasLowerEdge()) {
            sql.append(any ? " UNION ALL " : "").append(EDGE_EVENTS)
                    .bind(" AND event_timestamp >= ?", start)
                    .bind(" AND event_timestamp < ?", split.lowerEdgeUntil());
            filters(sql, params);
            any = true;
        }
        if (split.hasUpperEdge()) {
            sql.append(any ? " UNION ALL " : "").append(EDGE_EVENTS)
                    .bind(" AND event_timestamp >= ?", split.upperEdgeFrom())
                    .bind(" AND event_timestamp <= ?", end);
            filters(sql, params);
        }
        return sql.append(") AS source) AS periods GROUP BY period, event_type ORDER BY period, event_type").build();
    }

    private static void filters(PipeSql sql, PipeParams params) {
        sql.bindIfPresent(" AND event_type = ?", params.string("event_type"))
                .bindIfPresent(" AND country = ?", params.string("country"))
                .bindIfPresent(" AND device_type = ?", params.string("device_type"));
    }

    /** The period of a row's UTC day: one of three fixed expressions. */
    private static String periodIn(String granularity) {
        return switch (granularity) {
            case "week" -> "date_trunc('week', day AT TIME ZONE 'UTC')";
            case "month" -> "date_trunc('month', day AT TIME ZONE 'UTC')";
            default -> "day";
        };
    }

    /** The period as an instant again (weeks and months were computed as UTC wall time). */
    private static String periodOut(String granularity) {
        return granularity.equals("day") ? "period" : "period AT TIME ZONE 'UTC'";
    }

    /**
     * How an inclusive range [start, end] (either end open when null) splits into whole UTC days
     * [wholeFrom, wholeUntil) and raw edges [start, lowerEdgeUntil) and [upperEdgeFrom, end].
     */
    record DaySplit(OffsetDateTime start, OffsetDateTime end, OffsetDateTime wholeFrom, OffsetDateTime wholeUntil) {

        static DaySplit of(OffsetDateTime start, OffsetDateTime end) {
            OffsetDateTime wholeFrom = start == null ? null : ceilToDay(start);
            // end is inclusive: the day holding end is whole only if end is its last microsecond.
            OffsetDateTime wholeUntil = end == null ? null : floorToDay(end.plus(1, ChronoUnit.MICROS));
            if (wholeFrom != null && wholeUntil != null && !wholeFrom.isBefore(wholeUntil)) {
                // No whole day inside: the range is raw events only.
                return new DaySplit(start, end, null, null);
            }
            return new DaySplit(start, end, wholeFrom, wholeUntil);
        }

        boolean hasWholeDays() {
            return !(start != null && end != null && wholeFrom == null);
        }

        boolean hasLowerEdge() {
            if (start == null) {
                return false;
            }
            return !hasWholeDays() || start.isBefore(wholeFrom);
        }

        OffsetDateTime lowerEdgeUntil() {
            // Without whole days the lower edge covers the whole range, up to and including end.
            return hasWholeDays() ? wholeFrom : end.plus(1, ChronoUnit.MICROS);
        }

        boolean hasUpperEdge() {
            return end != null && hasWholeDays() && !wholeUntil.isAfter(end);
        }

        OffsetDateTime upperEdgeFrom() {
            return wholeUntil;
        }

        private static OffsetDateTime floorToDay(OffsetDateTime time) {
            return time.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
        }

        private static OffsetDateTime ceilToDay(OffsetDateTime time) {
            OffsetDateTime floor = floorToDay(time);
            return floor.isEqual(time) ? floor : floor.plusDays(1);
        }
    }
}
