package io.customeranalytics.query.pipes;

import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.pipes.PipeColumn;
import io.customeranalytics.pipes.DeclaredPipe;
import io.customeranalytics.pipes.PipeParam;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeSql;
import io.customeranalytics.common.segments.SegmentsConfig;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Singleton;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * {@code segment_customers}: the members of a segment with their profile and metrics. Members come from
 * {@code segment_membership} (kept by segmentation-service), with the lifetime_value, age and country of their
 * last evaluation, which the filters and the order use; a name that only profiles carry as their
 * {@code customer_segment} label, with no defined segment, lists those profiles (matched_by {@code label}). A
 * name neither defined nor carried is a 404; membership older than the staleness bound is a 503.
 */
@Singleton
public class SegmentCustomers extends DeclaredPipe {

    /**
     * The members that pass the filters (appended after it), ordered as the endpoint answers: a defined
     * segment's from segment_membership, whose rows carry the profile's lifetime_value, age and country and the
     * metrics the page shows as of their last evaluation (V15), and an index in this order; a label-only name's
     * from the profiles, with their metrics from the snapshot. The first ? is the segment name; the label
     * branch's filters follow {@link #LABEL_MEMBERS}.
     */
    private static final String SEGMENT_MEMBERS = """
            SELECT mb.customer_id, mb.matched_by, mb.lifetime_value, mb.age, mb.country, mb.total_spent,
                   mb.purchase_count, mb.session_count, mb.last_event_at
            FROM segment_membership mb
            WHERE mb.segment_id = (SELECT s.segment_id FROM customer_segments s WHERE s.segment_name = ?)""";

    /**
     * Every ? is the segment name. Whether a segment defines the name is asked apart from the profiles, so that
     * the planner checks it once before the scan: for a defined name that profiles also carry as their label,
     * checking it per profile read every carrier (50,000 at M, 50-60 ms a request) to return none.
     */
    private static final String LABEL_MEMBERS = """
            SELECT p.customer_id, 'label', p.lifetime_value, p.age, p.country
            FROM customer_profiles p
            WHERE p.customer_segment = ?
              AND NOT EXISTS (SELECT 1 FROM customer_segments s WHERE s.segment_name = ?)""";

    private static final String ORDER = " ORDER BY lifetime_value DESC NULLS LAST, customer_id";

    /** Around the label branch's page: its metrics from the snapshot, for its rows only. */
    private static final String LABEL_PAGE = """
            SELECT l.*, m.total_spent, m.purchase_count, m.session_count, m.last_event_at
            FROM (""";

    private static final String LABEL_PAGE_END = """
            ) AS l
            LEFT JOIN customer_metrics_snapshot m ON m.customer_id = l.customer_id""";

    /**
     * The page's rows with the rest of their profile; then the count of all members. A member row carries its
     * metrics, so that a page of 1,000 reads 1,000 profiles and no snapshot row (at M the snapshot's 1,000
     * lookups were a third of a page's time).
     */
    private static final String PAGE = """
            SELECT t.customer_id, p.email, p.first_name, p.last_name, t.age, p.gender, p.city, t.country,
                   p.signup_date, p.last_login, p.customer_segment, t.lifetime_value, t.matched_by,
                   coalesce(t.total_spent, 0) AS total_spent,
                   coalesce(t.purchase_count, 0) AS purchase_count,
                   coalesce(t.session_count, 0) AS session_count,
                   t.last_event_at,
                   """;

    /**
     * The count of a defined segment's members without an age or lifetime-value filter: its rows of
     * segment_stats, kept in the same statements as the member rows (? the segment name, then the country
     * filter if any). The label branch is counted over its index after it.
     */
    private static final String STATS_COUNT = """
            (SELECT coalesce(sum(st.customers), 0)::bigint FROM segment_stats st
             WHERE st.segment_id = (SELECT s.segment_id FROM customer_segments s WHERE s.segment_name = ?)""";

    /**
     * The count of a defined segment's members with an age or lifetime-value filter: its rows of
     * segment_member_counts (V21) that pass the filters appended after it, whole lifetime-value bands only (?
     * the segment name). The members of the one band that a minimum lifetime value cuts are counted over the
     * member rows after it, and the label branch over its index.
     */
    private static final String BAND_COUNT = """
            (SELECT coalesce(sum(c.members), 0)::bigint FROM segment_member_counts c
             WHERE c.segment_id = (SELECT s.segment_id FROM customer_segments s WHERE s.segment_name = ?)""";

    private static final String PAGE_END = """
             AS rows_before_limit
            FROM top t
            LEFT JOIN customer_profiles p ON p.customer_id = t.customer_id
            ORDER BY t.lifetime_value DESC NULLS LAST, t.customer_id""";

    /**
     * Every ? is the segment name. Whether profiles carry it is read from label_stats (kept with the snapshot):
     * over customer_profiles, a cached generic plan scanned every profile to find that none carries a defined
     * segment's name.
     */
    private static final String SEGMENT_STATE = """
                   s.segment_id IS NOT NULL AS defined,
                   EXISTS (SELECT 1 FROM label_stats WHERE label = ? AND customers > 0) AS labelled,
                   s.updated_at, st.refreshed_at, st.segment_updated_at,
                   (SELECT refreshed_at FROM customer_metrics_snapshot_state) AS snapshot_at,
                   to_char(e.failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS failed_at, e.error
            FROM (SELECT 1) AS one
            LEFT JOIN customer_segments s ON s.segment_name = ?
            LEFT JOIN segment_membership_state st ON st.segment_id = s.segment_id
            LEFT JOIN segment_refresh_errors e ON e.segment_id = s.segment_id""";

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.string("segment_name", "The segment", "High Value Active").asRequired(),
            PipeParam.string("country", "Only members whose profile has this country", "US"),
            PipeParam.int32("min_age", 0, 150, "Only members at least this old", "25"),
            PipeParam.int32("max_age", 0, 150, "Only members at most this old", "45"),
            PipeParam.float64("min_lifetime_value", "Only members with at least this lifetime value", "500"),
            PipeParam.limit(1000, 100_000));

    private static final List<PipeColumn> COLUMNS = List.of(
            PipeColumn.string("customer_id"),
            PipeColumn.nullableString("email"),
            PipeColumn.nullableString("first_name"),
            PipeColumn.nullableString("last_name"),
            PipeColumn.nullableInt32("age"),
            PipeColumn.nullableString("gender"),
            PipeColumn.nullableString("city"),
            PipeColumn.nullableString("country"),
            PipeColumn.nullableDate("signup_date"),
            PipeColumn.nullableDateTime("last_login"),
            PipeColumn.nullableString("customer_segment"),
            PipeColumn.nullableFloat64("lifetime_value"),
            PipeColumn.string("matched_by"),
            PipeColumn.float64("total_spent"),
            PipeColumn.uint64("purchase_count"),
            PipeColumn.uint64("session_count"),
            PipeColumn.nullableDateTime("last_event_at"));

    private final SegmentsConfig config;

    public SegmentCustomers(SegmentsConfig config) {
        super("segment_customers",
                "Members of a segment with profile and metrics (lifetime_value desc nulls last, customer_id)",
                PARAMS,
                COLUMNS);
        this.config = config;
    }

    @Override
    public PipeQuery query(PipeParams params) {
        String name = params.string("segment_name");
        Object limit = params.int32("limit");
        PipeSql sql = new PipeSql("WITH top AS ((");
        int segmentFrom = sql.mark();
        filters(sql.bind(SEGMENT_MEMBERS, name), "mb.", params);
        int segmentTo = sql.mark();
        sql.append(ORDER).bind(" LIMIT ?", limit).append(") UNION ALL (").append(LABEL_PAGE);
        int labelFrom = sql.mark();
        filters(sql.bindShared(LABEL_MEMBERS, name), "p.", params);
        int labelTo = sql.mark();
        sql.append(ORDER).bind(" LIMIT ?", limit).append(LABEL_PAGE_END).append(")")
                .append(ORDER).bind(" LIMIT ?", limit).append(")\n");
        sql.append(PAGE);
        if (params.int32("min_age") == null && params.int32("max_age") == null
                && params.float64("min_lifetime_value") == null) {
            // Only a country, or nothing: the kept sums count the segment's members.
            sql.bind(STATS_COUNT, name)
                    .bindIfPresent(" AND st.country = ?", params.string("country"))
                    .append(") + (SELECT count(*) FROM (")
                    .repeat(labelFrom, labelTo)
                    .append(") AS labelled)");
        } else {
            // The kept counts of the whole bands that pass; the cut band's members, and the label branch, counted.
            Double minLifetimeValue = params.float64("min_lifetime_value");
            sql.bind(BAND_COUNT, name)
                    .bindIfPresent(" AND c.country = ?", params.string("country"))
                    .bindIfPresent(" AND c.age >= ?", params.int32("min_age"))
                    // -1 stands for no age, which no age filter lets through.
                    .bindIfPresent(" AND c.age >= 0 AND c.age <= ?", params.int32("max_age"))
                    .bindIfPresent(" AND c.ltv_band > segment_ltv_band(?)", minLifetimeValue)
                    .append(")");
            if (minLifetimeValue != null) {
                sql.append(" + (SELECT count(*) FROM (")
                        .repeat(segmentFrom, segmentTo)
                        .bind(" AND mb.lifetime_value < segment_ltv_band_end(?)", minLifetimeValue)
                        .append(") AS cut)");
            }
            sql.append(" + (SELECT count(*) FROM (")
                    .repeat(labelFrom, labelTo)
                    .append(") AS labelled)");
        }
        return sql.append(PAGE_END).build();
    }

    /** The profile filters, over the columns of {@code alias} (fixed text: "mb." or "p."). */
    private static PipeSql filters(PipeSql sql, String alias, PipeParams params) {
        return sql.bindIfPresent(" AND " + alias + "country = ?", params.string("country"))
                .bindIfPresent(" AND " + alias + "age >= ?", params.int32("min_age"))
                .bindIfPresent(" AND " + alias + "age <= ?", params.int32("max_age"))
                .bindIfPresent(" AND " + alias + "lifetime_value >= ?", params.float64("min_lifetime_value"));
    }

    @Override
    public Optional<Precondition> precondition(PipeParams params) {
        String name = params.string("segment_name");
        PipeQuery state = MembershipFreshness.check(config)
                .bindShared(SEGMENT_STATE, name)
                .build();
        return Optional.of(new Precondition(state, row -> verdict(name, row)));
    }

    private ApiException verdict(String name, Row row) {
        boolean defined = row.getBoolean("defined");
        OffsetDateTime oldestAllowed = row.getOffsetDateTime("oldest_allowed");
        if (!defined) {
            if (!row.getBoolean("labelled")) {
                return ApiException.notFound("unknown segment '" + name + "': no segment has this name and no"
                        + " profile carries it as customer_segment", ApiException.DOC_PIPES);
            }
            OffsetDateTime snapshot = row.getOffsetDateTime("snapshot_at");
            if (snapshot == null || snapshot.isBefore(oldestAllowed)) {
                return MembershipFreshness.stale("the customer metrics snapshot", config);
            }
            return null;
        }
        OffsetDateTime updated = row.getOffsetDateTime("updated_at");
        OffsetDateTime refreshed = row.getOffsetDateTime("refreshed_at");
        OffsetDateTime applied = row.getOffsetDateTime("segment_updated_at");
        boolean changeOverdue = (applied == null || applied.isBefore(updated)) && updated.isBefore(oldestAllowed);
        boolean tooOld = refreshed != null && refreshed.isBefore(oldestAllowed);
        if (changeOverdue || tooOld) {
            String error = row.getString("error");
            return MembershipFreshness.stale("the membership of segment '" + name + "'", config,
                    error == null ? null : "it failed at " + row.getString("failed_at") + " UTC: " + error);
        }
        return null;
    }
}
