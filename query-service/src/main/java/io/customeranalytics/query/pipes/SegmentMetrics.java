package io.customeranalytics.query.pipes;

import io.customeranalytics.common.pipes.PipeColumn;
import io.customeranalytics.common.pipes.DeclaredPipe;
import io.customeranalytics.common.pipes.PipeParam;
import io.customeranalytics.common.pipes.PipeParams;
import io.customeranalytics.common.pipes.PipeQuery;
import io.customeranalytics.common.pipes.PipeSql;
import io.customeranalytics.common.segments.SegmentsConfig;
import jakarta.inject.Singleton;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * {@code segment_metrics}: one row per defined segment (members from {@code segment_membership}) and one per
 * profile label that names no defined segment (segment_id null, segment_type {@code label}), with member counts,
 * value, activity and revenue. {@code country} keeps the members whose profile has that country; segments with
 * no member left are still listed, with zero counts and null averages.
 */
@Singleton
public class SegmentMetrics extends DeclaredPipe {

    private static final String MEMBERS = """
            WITH members AS (
                SELECT s.segment_id, s.segment_name, s.segment_type, mb.customer_id
                FROM customer_segments s
                LEFT JOIN segment_membership mb ON mb.segment_id = s.segment_id
                UNION ALL
                SELECT NULL, p.customer_segment, 'label', p.customer_id
                FROM customer_profiles p
                WHERE p.customer_segment IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM customer_segments s WHERE s.segment_name = p.customer_segment)
            ),
            scoped AS (
                SELECT mbr.segment_id, mbr.segment_name, mbr.segment_type, mbr.customer_id,
                       p.lifetime_value, p.age, m.event_count, m.purchase_count, m.total_spent, m.session_count,
                       m.last_event_at,
                       (mbr.customer_id IS NOT NULL""";

    private static final String PER_SEGMENT = """
                       ) AS in_scope
                FROM members mbr
                LEFT JOIN customer_profiles p ON p.customer_id = mbr.customer_id
                LEFT JOIN customer_metrics_snapshot m ON m.customer_id = mbr.customer_id
            )
            SELECT segment_id, segment_name, segment_type,
                   count(*) FILTER (WHERE in_scope) AS customer_count,
                   coalesce(sum(lifetime_value) FILTER (WHERE in_scope), 0) AS total_lifetime_value,
                   avg(lifetime_value) FILTER (WHERE in_scope) AS avg_lifetime_value,
                   avg(age) FILTER (WHERE in_scope)::double precision AS avg_age,
                   coalesce(sum(event_count) FILTER (WHERE in_scope), 0)::bigint AS total_events,
                   coalesce(sum(purchase_count) FILTER (WHERE in_scope), 0)::bigint AS total_purchases,
                   coalesce(sum(total_spent) FILTER (WHERE in_scope), 0) AS total_revenue,
                   sum(coalesce(total_spent, 0)) FILTER (WHERE in_scope) / nullif(count(*) FILTER (WHERE in_scope), 0)
                       AS avg_revenue_per_customer,
                   sum(coalesce(session_count, 0)) FILTER (WHERE in_scope)::double precision
                       / nullif(count(*) FILTER (WHERE in_scope), 0) AS avg_sessions_per_customer,
                   count(*) FILTER (WHERE in_scope AND last_event_at >= now() - INTERVAL '30 days')
                       AS active_customers_30d
            FROM scoped
            GROUP BY segment_id, segment_name, segment_type
            ORDER BY customer_count DESC, segment_name""";

    private static final String FRESHNESS = """
                   (SELECT refreshed_at FROM customer_metrics_snapshot_state) AS snapshot_at,
                   (SELECT count(*)
                    FROM customer_segments s
                    LEFT JOIN segment_membership_state st ON st.segment_id = s.segment_id
                    WHERE st.segment_id IS NULL AND s.updated_at < now() - make_interval(secs => ?)
                       OR st.refreshed_at < now() - make_interval(secs => ?)
                       OR st.segment_updated_at < s.updated_at AND s.updated_at < now() - make_interval(secs => ?))
                       AS overdue,
                   (SELECT string_agg(format('segment ''%s'' failed at %s UTC: %s', s.segment_name,
                                             to_char(e.failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                                             e.error), '; ' ORDER BY s.segment_name)
                    FROM segment_refresh_errors e JOIN customer_segments s ON s.segment_id = e.segment_id)
                       AS failures""";

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.string("country", "Only members whose profile has this country", "US"));

    private static final List<PipeColumn> COLUMNS = List.of(
            PipeColumn.nullableString("segment_id"),
            PipeColumn.string("segment_name"),
            PipeColumn.nullableString("segment_type"),
            PipeColumn.uint64("customer_count"),
            PipeColumn.float64("total_lifetime_value"),
            PipeColumn.nullableFloat64("avg_lifetime_value"),
            PipeColumn.nullableFloat64("avg_age"),
            PipeColumn.uint64("total_events"),
            PipeColumn.uint64("total_purchases"),
            PipeColumn.float64("total_revenue"),
            PipeColumn.nullableFloat64("avg_revenue_per_customer"),
            PipeColumn.nullableFloat64("avg_sessions_per_customer"),
            PipeColumn.uint64("active_customers_30d"));

    private final SegmentsConfig config;

    public SegmentMetrics(SegmentsConfig config) {
        super("segment_metrics",
                "Members, value, activity and revenue per segment (customer_count desc, segment_name)",
                PARAMS, COLUMNS);
        this.config = config;
    }

    @Override
    public PipeQuery query(PipeParams params) {
        return new PipeSql(MEMBERS)
                .bindIfPresent(" AND p.country = ?", params.string("country"))
                .append(PER_SEGMENT)
                .build();
    }

    @Override
    public Optional<Precondition> precondition(PipeParams params) {
        PipeQuery freshness = MembershipFreshness.check(config)
                .bindShared(FRESHNESS, MembershipFreshness.bound(config))
                .build();
        return Optional.of(new Precondition(freshness, row -> {
            OffsetDateTime snapshot = row.getOffsetDateTime("snapshot_at");
            OffsetDateTime oldestAllowed = row.getOffsetDateTime("oldest_allowed");
            if (snapshot == null || snapshot.isBefore(oldestAllowed) || row.getLong("overdue") > 0) {
                return MembershipFreshness.stale("segment membership", config, row.getString("failures"));
            }
            return null;
        }));
    }
}
