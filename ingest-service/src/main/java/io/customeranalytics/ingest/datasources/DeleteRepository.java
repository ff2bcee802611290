package io.customeranalytics.ingest.datasources;

import io.customeranalytics.common.rules.RuleCompiler;
import io.customeranalytics.common.schema.Datasource;
import io.customeranalytics.common.schema.EventChangeLog;
import io.customeranalytics.common.schema.MembershipLock;
import io.customeranalytics.ingest.jobs.Job;
import io.customeranalytics.ingest.jobs.JobRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of deleting a datasource's rows by condition; the only class of the feature on the pool. Each delete is
 * one statement that also keeps what is derived from the rows and writes the job's record, so no reader sees the
 * rows gone and their derived data still there (or the reverse). The condition's SQL comes from
 * {@link DeleteCondition}: fixed fragments and bound values.
 */
@ApplicationScoped
public class DeleteRepository {

    /** The parameters before the condition's: $1 job id, $2 datasource, $3 condition text, $4 retention (s). */
    static final int FIRST_CONDITION_PARAMETER = 5;

    /**
     * Events: the periods and days they were in are recorded, for customer_behavioral_analysis (read raw until
     * query-service refreshes them) and for the continuous aggregates (rebuilt after the commit,
     * {@code AggregateDays}); one change record per customer that says nothing (purchase null), so that
     * segmentation-service recomputes its metrics and membership and its suggestions read it raw until then.
     * Plain mode's trigger-kept aggregates follow by their own trigger (V20). %1$s: the condition.
     */
    private static final String DELETE_EVENTS = """
            WITH deleted AS (
                DELETE FROM customer_events WHERE %1$s
                RETURNING customer_id, event_timestamp
            ),
            %2$s,
            aggregate_days AS (
                INSERT INTO aggregate_days_to_refresh (day)
                SELECT DISTINCT date_trunc('day', event_timestamp, 'UTC') FROM deleted
                ON CONFLICT DO NOTHING
            ),
            recompute AS (
                INSERT INTO customer_changes (customer_id)
                SELECT DISTINCT customer_id FROM deleted
            ),
            %3$s""";

    /** Profiles: their triggers record the customers to recompute (V14, V17). %1$s: the condition. */
    private static final String DELETE_PROFILES = """
            WITH deleted AS (
                DELETE FROM customer_profiles WHERE %1$s
                RETURNING customer_id
            ),
            %3$s""";

    /**
     * Segments, with everything segmentation-service keeps per segment; under the membership lock
     * ({@link MembershipLock}), so that no refresh writes members of a segment being deleted. %1$s: the condition.
     */
    private static final String DELETE_SEGMENTS = """
            WITH deleted AS (
                DELETE FROM customer_segments WHERE %1$s
                RETURNING segment_id
            ),
            members AS (
                DELETE FROM segment_membership WHERE segment_id IN (SELECT segment_id FROM deleted)
            ),
            states AS (
                DELETE FROM segment_membership_state WHERE segment_id IN (SELECT segment_id FROM deleted)
            ),
            stats AS (
                DELETE FROM segment_stats WHERE segment_id IN (SELECT segment_id FROM deleted)
            ),
            active_days AS (
                DELETE FROM segment_active_days WHERE segment_id IN (SELECT segment_id FROM deleted)
            ),
            member_counts AS (
                DELETE FROM segment_member_counts WHERE segment_id IN (SELECT segment_id FROM deleted)
            ),
            refresh_errors AS (
                DELETE FROM segment_refresh_errors WHERE segment_id IN (SELECT segment_id FROM deleted)
            ),
            %3$s""";

    /** The end of every delete: the job's record, and the records past their retention gone. */
    private static final String RECORD_JOB = """
            expired AS (
                DELETE FROM datasource_jobs WHERE created_at < now() - make_interval(secs => $4)
            )
            INSERT INTO datasource_jobs (job_id, kind, datasource, delete_condition, status, rows_affected)
            SELECT $1, 'delete_data', $2, $3, 'done', (SELECT count(*) FROM deleted)
            RETURNING %s""".formatted(JobRepository.COLUMNS);

    /** %1$s: the table (from the Datasource definition), %2$s: the condition. */
    private static final String COUNT = "SELECT count(*) FROM %1$s WHERE %2$s";

    /** A wait for the membership lock longer than this answers 503 (lock_timeout, retryable); truncate's too. */
    static final String LOCK_TIMEOUT = "SET LOCAL lock_timeout = '30s'";

    private final Pool pool;

    public DeleteRepository(Pool pool) {
        this.pool = pool;
    }

    /** How many rows {@code condition} selects; a dry run. */
    Uni<Long> count(Datasource datasource, String conditionText) {
        RuleCompiler.CompiledRule condition = DeleteCondition.compile(datasource, conditionText, 1);
        return pool.preparedQuery(COUNT.formatted(datasource.tableName(), condition.sql()))
                .execute(Tuple.from(condition.values()))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Deletes the rows {@code condition} selects, with their derived data and the job's record, in one transaction. */
    Uni<Job> delete(Datasource datasource, String conditionText, Duration retention, String jobsUrl) {
        RuleCompiler.CompiledRule condition = DeleteCondition.compile(datasource, conditionText,
                FIRST_CONDITION_PARAMETER);
        String statement = switch (datasource) {
            case CUSTOMER_EVENTS -> DELETE_EVENTS;
            case CUSTOMER_PROFILES -> DELETE_PROFILES;
            case CUSTOMER_SEGMENTS -> DELETE_SEGMENTS;
        };
        String sql = statement.formatted(condition.sql(), EventChangeLog.pendingPeriodsFrom("deleted"), RECORD_JOB);
        List<Object> values = new ArrayList<>(List.of(UUID.randomUUID(), datasource.tableName(), conditionText,
                (double) retention.toSeconds()));
        values.addAll(condition.values());
        return pool.withTransaction(connection -> {
            Uni<Void> before = datasource == Datasource.CUSTOMER_SEGMENTS
                    ? connection.query(LOCK_TIMEOUT).execute()
                            .chain(() -> connection.query(MembershipLock.WAIT).execute())
                            .replaceWithVoid()
                    : Uni.createFrom().voidItem();
            return before.chain(() -> connection.preparedQuery(sql).execute(Tuple.from(values)))
                    .map(rows -> JobRepository.from(rows.iterator().next(), jobsUrl));
        });
    }
}
