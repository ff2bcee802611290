package io.customeranalytics.query.pipes;

import io.customeranalytics.pipes.DeclaredPipe;
import io.customeranalytics.pipes.PipeColumn;
import io.customeranalytics.pipes.PipeParam;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeSql;
import io.customeranalytics.common.schema.Revenue;
import io.customeranalytics.query.behavioral.Grain;
import jakarta.inject.Singleton;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code customer_behavioral_analysis}: per period (day, week from Monday, or month, in UTC) and event type, the
 * events, distinct customers, revenue and events per customer. Distinct customers are exact.
 *
 * <p>Read from {@code behavioral_days} (migration V13), which holds, per day of each period and per filter level,
 * how many customers the period first and last saw on that day. A whole period is the sum of its days'
 * {@code first_seen}. A period cut by {@code start_date} is its {@code last_seen} from the first whole day on
 * (the customers seen from then to the period's end), plus the customers of the partial day before it who have
 * no event later in the period; a period cut by {@code end_date} is, the other way round, its {@code first_seen}
 * up to the partial day, plus that day's customers with no earlier event in the period. Only the partial days
 * are read from the raw events. A range inside one period, a cut day (by day), and every period a write has
 * touched since its last refresh ({@code behavioral_pending}) are computed from the raw events, so answers are
 * exact at once.
 */
@Singleton
public class CustomerBehavioralAnalysis extends DeclaredPipe {

    /**
     * The periods of the grain that writes have touched since their refresh, found with one index probe per
     * distinct period (a loose scan of behavioral_pending_period_idx), so that a backlog of records, say while no
     * query-service refreshed for hours, costs the reads nothing. The grain is the statement's first parameter,
     * {@code $1}, which the parts below use too.
     */
    private static final String PENDING = """
            WITH RECURSIVE found AS (
                (SELECT b.period FROM behavioral_pending b WHERE b.grain = ?::text ORDER BY b.period LIMIT 1)
                UNION ALL
                SELECT (SELECT b.period FROM behavioral_pending b
                        WHERE b.grain = ?::text AND b.period > found.period ORDER BY b.period LIMIT 1)
                FROM found
                WHERE found.period IS NOT NULL
            ),
            pending AS (
                SELECT coalesce(array_agg(period) FILTER (WHERE period IS NOT NULL), '{}') AS periods FROM found
            )
            """;

    private static final String HEAD = """
            SELECT period, event_type,
                   sum(event_count)::bigint AS event_count,
                   sum(customers)::bigint AS unique_customers,
                   sum(revenue) AS total_revenue,
                   sum(event_count)::double precision / sum(customers) AS avg_events_per_customer
            FROM (""";

    /** Whole periods, not pending: sums over their days. */
    private static final String WHOLE_PERIODS = """
            SELECT period, event_type, sum(event_count) AS event_count, sum(first_seen) AS customers,
                   sum(revenue) AS revenue
            FROM behavioral_days
            WHERE grain = $1 AND period <> ALL ((SELECT periods FROM pending)::timestamptz[])""";

    /** The whole days of a cut period ({@code %s}: first_seen for a prefix, last_seen for a suffix). */
    private static final String CUT_DAYS = """
            SELECT period, event_type, sum(event_count) AS event_count, sum(%s) AS customers,
                   sum(revenue) AS revenue
            FROM behavioral_days
            WHERE grain = $1""";

    /**
     * A partial day of a cut period: its events and revenue, and its customers without an event in another part
     * of the period (probed per customer on customer_events_customer_count_idx, V10). {@code %s}: "" to add it,
     * "-" to subtract it (the part of the day outside the range, when the table's whole day was taken).
     */
    private static final String PARTIAL_DAY_HEAD = """
            SELECT period, n.event_type, %ssum(n.event_count) AS event_count,
                   %scount(*) FILTER (WHERE NOT EXISTS (
                       SELECT 1 FROM customer_events x
                       WHERE x.customer_id = n.customer_id AND x.event_type = n.event_type""";

    private static final String PARTIAL_DAY_CUSTOMERS = """
            )) AS customers, %%ssum(n.revenue) AS revenue
            FROM (SELECT customer_id, event_type, count(*) AS event_count, sum(%s) AS revenue
                  FROM customer_events
                  WHERE true""".formatted(Revenue.OF_EVENT);

    /**
     * From the raw events (behavioral_raw, V13): for each period in the array, its events in [from, until), per
     * event type; nothing at all for an empty array.
     */
    private static final String RAW = """
            SELECT period, event_type, event_count, customers, revenue
            FROM behavioral_raw(""";

    private static final String PENDING_PERIODS = "(SELECT periods FROM pending)";

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.dateTime("start_date", "Events at or after this time", "2023-01-01 00:00:00"),
            PipeParam.endDateTime("end_date",
                    "Events at or before this time (given to the second, through that whole second)",
                    "2023-06-30 23:59:59"),
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
        // The granularity is one of three fixed words (checked by its parameter), never the client's text.
        Grain grain = Grain.of(params.string("granularity"));
        Filters filters = new Filters(params.string("event_type"), params.string("country"),
                params.string("device_type"));
        OffsetDateTime start = params.dateTime("start_date");
        OffsetDateTime end = params.dateTime("end_date");
        // end is inclusive: the range is [start, until).
        OffsetDateTime until = end == null ? null : end.plus(1, ChronoUnit.MICROS);

        PipeSql sql = new PipeSql("").bindShared(PENDING, grain.table).append(HEAD);
        Parts parts = new Parts(sql, grain, filters);
        OffsetDateTime first = start == null ? null : grain.floor(start);
        OffsetDateTime last = until == null ? null : grain.floor(until);
        boolean lowerCut = start != null && !start.isEqual(first);
        boolean upperCut = until != null && !until.isEqual(last);
        if (lowerCut && upperCut && first.isEqual(last)) {
            // Inside one period: nothing to sum, its part of the events is read as it is.
            parts.raw(start, until, first);
        } else {
            OffsetDateTime wholeFrom = lowerCut ? grain.next(first) : start;
            OffsetDateTime wholeUntil = upperCut ? last : until;
            if (wholeFrom == null || wholeUntil == null || wholeFrom.isBefore(wholeUntil)) {
                parts.whole(wholeFrom, wholeUntil);
            }
            if (lowerCut) {
                parts.lowerCut(start, first);
            }
            if (upperCut) {
                parts.upperCut(last, until);
            }
        }
        // A period and type whose only events were subtracted (outside the range) has none left: no row.
        return sql.append(") AS parts GROUP BY period, event_type HAVING sum(event_count) > 0"
                + " ORDER BY period, event_type").build();
    }

    /** The parts of the statement, joined by UNION ALL; each period is in one part (or in a cut's two). */
    private static final class Parts {

        private final PipeSql sql;
        private final Grain grain;
        private final Filters filters;
        private boolean any;

        Parts(PipeSql sql, Grain grain, Filters filters) {
            this.sql = sql;
            this.grain = grain;
            this.filters = filters;
        }

        private PipeSql next(String head) {
            sql.append(any ? " UNION ALL " : "").append(head);
            any = true;
            return sql;
        }

        /** Whole periods in [from, until), either end open: from the table, or raw when pending. */
        void whole(OffsetDateTime from, OffsetDateTime until) {
            next(WHOLE_PERIODS)
                    .bindIfPresent(" AND day >= ?", from)
                    .bindIfPresent(" AND day < ?", until);
            filters.onTable(sql);
            sql.append(" GROUP BY period, event_type");
            pendingRaw(from, until);
        }

        /**
         * [start, end of its period): the period's suffix of whole days, and the partial day before it. That day is
         * read from the raw events on its shorter side: [start, next midnight) adds its customers with no later
         * event in the period; or, when start is in the first half of its day, the suffix from that day's midnight
         * is taken and [midnight, start) subtracts its customers with no event from start on.
         */
        void lowerCut(OffsetDateTime start, OffsetDateTime period) {
            OffsetDateTime periodEnd = grain.next(period);
            if (grain == Grain.DAY) {
                raw(start, periodEnd, period);
                return;
            }
            OffsetDateTime day = floorToDay(start);
            OffsetDateTime nextDay = ceilToDay(start);
            if (start.isAfter(day) && start.isBefore(day.plusHours(12))) {
                cutDays("last_seen", period, day, periodEnd);
                partialDay(period, day, start, start, periodEnd, "-");
            } else {
                cutDays("last_seen", period, nextDay, periodEnd);
                partialDay(period, start, nextDay, nextDay, periodEnd, "");
            }
            pendingRaw(start, periodEnd);
        }

        /**
         * [start of its period, until): the period's prefix of whole days, and the partial day holding until, on
         * its shorter side: [midnight, until) adds its customers with no earlier event in the period; or, when
         * until is in the second half of its day, the prefix through that day is taken and [until, next midnight)
         * subtracts its customers with no event before until.
         */
        void upperCut(OffsetDateTime period, OffsetDateTime until) {
            if (grain == Grain.DAY) {
                raw(period, until, period);
                return;
            }
            OffsetDateTime day = floorToDay(until);
            if (until.isAfter(day.plusHours(12))) {
                cutDays("first_seen", period, period, day.plusDays(1));
                partialDay(period, until, day.plusDays(1), period, until, "-");
            } else {
                cutDays("first_seen", period, period, day);
                partialDay(period, day, until, period, day, "");
            }
            pendingRaw(period, until);
        }

        /** Days [from, until) of a period that is not pending. */
        private void cutDays(String counted, OffsetDateTime period, OffsetDateTime from, OffsetDateTime until) {
            if (!from.isBefore(until)) {
                return;
            }
            next(CUT_DAYS.formatted(counted))
                    .bind(" AND period = ?", period)
                    .bind(" AND day >= ?", from)
                    .bind(" AND day < ?", until);
            filters.onTable(sql);
            sql.bind(" AND NOT ?::timestamptz = ANY ((SELECT periods FROM pending)::timestamptz[])", period)
                    .append(" GROUP BY period, event_type");
        }

        /**
         * The events of [from, until) in a period that is not pending, counting only the customers with no event in
         * [otherFrom, otherUntil): added ({@code sign} "") when the table has not counted them, subtracted ("-")
         * when it has and they are outside the range asked for. The sign is one of two fixed texts.
         */
        private void partialDay(OffsetDateTime period, OffsetDateTime from, OffsetDateTime until,
                                OffsetDateTime otherFrom, OffsetDateTime otherUntil, String sign) {
            if (!from.isBefore(until)) {
                return;
            }
            next(PARTIAL_DAY_HEAD.formatted(sign, sign))
                    .bind(" AND x.event_timestamp >= ?", otherFrom)
                    .bind(" AND x.event_timestamp < ?", otherUntil);
            filters.onEvents(sql, "x.", false);
            sql.append(PARTIAL_DAY_CUSTOMERS.formatted(sign))
                    .bind(" AND event_timestamp >= ?", from)
                    .bind(" AND event_timestamp < ?", until);
            filters.onEvents(sql, "", true);
            sql.append(" GROUP BY customer_id, event_type) AS n, ")
                    .bind("(SELECT ?::timestamptz AS period) AS cut", period)
                    .append(" WHERE NOT cut.period = ANY ((SELECT periods FROM pending)::timestamptz[]) GROUP BY period, n.event_type");
        }

        /** The pending periods' part of [from, until), either end open, from the raw events. */
        private void pendingRaw(OffsetDateTime from, OffsetDateTime until) {
            next(RAW).append(PENDING_PERIODS);
            rawArguments(from, until);
        }

        /** [from, until) inside {@code period}, from the raw events, pending or not. */
        void raw(OffsetDateTime from, OffsetDateTime until, OffsetDateTime period) {
            next(RAW).bind("ARRAY[?::timestamptz]", period);
            rawArguments(from, until);
        }

        private void rawArguments(OffsetDateTime from, OffsetDateTime until) {
            sql.bind(", ?::text::interval", grain.length)
                    .bind(", ?::timestamptz", from)
                    .bind(", ?::timestamptz", until)
                    .bind(", ?::text", filters.eventType())
                    .bind(", ?::text", filters.country())
                    .bind(", ?::text)", filters.deviceType());
        }
    }

    /** The optional filters, and which level of behavioral_days answers them. */
    private record Filters(String eventType, String country, String deviceType) {

        /** GROUPING(country, device_type): a rolled-up column counts 2 (country) or 1 (device type). */
        int level() {
            return (country == null ? 2 : 0) + (deviceType == null ? 1 : 0);
        }

        void onTable(PipeSql sql) {
            sql.bind(" AND level = ?", (short) level())
                    .bindIfPresent(" AND event_type = ?", eventType)
                    .bindIfPresent(" AND country = ?", country)
                    .bindIfPresent(" AND device_type = ?", deviceType);
        }

        void onEvents(PipeSql sql, String alias, boolean withType) {
            if (withType) {
                sql.bindIfPresent(" AND " + alias + "event_type = ?", eventType);
            }
            sql.bindIfPresent(" AND " + alias + "country = ?", country)
                    .bindIfPresent(" AND " + alias + "device_type = ?", deviceType);
        }
    }

    private static OffsetDateTime floorToDay(OffsetDateTime time) {
        return Grain.DAY.floor(time);
    }

    private static OffsetDateTime ceilToDay(OffsetDateTime time) {
        OffsetDateTime floor = floorToDay(time);
        return floor.isEqual(time) ? floor : floor.plusDays(1);
    }
}
