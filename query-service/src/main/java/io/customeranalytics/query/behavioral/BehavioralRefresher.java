package io.customeranalytics.query.behavioral;

import io.customeranalytics.common.schema.Revenue;
import io.quarkus.arc.Unremovable;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Recomputes the periods of {@code behavioral_days} (migration V13) that writes have recorded in
 * {@code behavioral_pending}: each period in one REPEATABLE READ transaction, so that the rows it computes and
 * the pending records it removes come from one snapshot (a write committed after it stays pending). A period
 * another replica is refreshing (its advisory lock is held) is skipped, not waited for.
 */
@Unremovable
@ApplicationScoped
public class BehavioralRefresher {

    private static final Logger LOG = Logger.getLogger(BehavioralRefresher.class);

    /** A period another replica holds. */
    private static final long LOCKED_ELSEWHERE = -1;

    /** A period whose refresh failed; it stays pending and is tried again at the next pass. */
    private static final long FAILED = -2;

    /** Days first (cheap, and what a dashboard asks for most), then weeks, then months; oldest first. */
    private static final String PENDING_PERIODS = """
            SELECT grain, period
            FROM behavioral_pending
            GROUP BY grain, period
            ORDER BY CASE grain WHEN 'day' THEN 0 WHEN 'week' THEN 1 ELSE 2 END, period""";

    private static final String REPEATABLE_READ = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";

    private static final String TRY_LOCK = """
            SELECT pg_try_advisory_xact_lock(hashtext('analytics.behavioral_days'),
                                             hashtext($1 || $2::timestamptz::text)) AS locked""";

    private static final String WORK_MEM = "SELECT set_config('work_mem', $1, true)";

    private static final String CLEAR_PERIOD = "DELETE FROM behavioral_days WHERE grain = $1 AND period = $2";

    /**
     * $1 grain, $2 period start, $3 period end. {@code cells}: one row per day, cell and customer. {@code spans}:
     * per customer and cell at each level, its first and last day in the period. Each day's row then holds its
     * events, revenue, and how many customers the period first and last saw on it.
     */
    private static final String FILL_PERIOD = """
            INSERT INTO behavioral_days (grain, level, day, event_type, country, device_type, period, event_count,
                                         revenue, first_seen, last_seen)
            WITH cells AS MATERIALIZED (
                SELECT date_trunc('day', event_timestamp, 'UTC') AS day, event_type, coalesce(country, '') AS country,
                       coalesce(device_type, '') AS device_type, customer_id COLLATE "C" AS customer_id,
                       count(*) AS event_count, sum(%s) AS revenue
                FROM customer_events
                WHERE event_timestamp >= $2 AND event_timestamp < $3
                GROUP BY 1, 2, 3, 4, 5
            ),
            spans AS MATERIALIZED (
                SELECT GROUPING(country, device_type) AS level, event_type, coalesce(country, '') AS country,
                       coalesce(device_type, '') AS device_type, min(day) AS first_day, max(day) AS last_day
                FROM cells
                GROUP BY GROUPING SETS ((event_type, country, device_type, customer_id),
                                        (event_type, country, customer_id),
                                        (event_type, device_type, customer_id),
                                        (event_type, customer_id))
            ),
            days AS (
                SELECT GROUPING(country, device_type) AS level, event_type, coalesce(country, '') AS country,
                       coalesce(device_type, '') AS device_type, day, sum(event_count)::bigint AS event_count,
                       sum(revenue) AS revenue
                FROM cells
                GROUP BY GROUPING SETS ((event_type, country, device_type, day), (event_type, country, day),
                                        (event_type, device_type, day), (event_type, day))
            ),
            firsts AS (
                SELECT level, event_type, country, device_type, first_day AS day, count(*) AS customers
                FROM spans
                GROUP BY 1, 2, 3, 4, 5
            ),
            lasts AS (
                SELECT level, event_type, country, device_type, last_day AS day, count(*) AS customers
                FROM spans
                GROUP BY 1, 2, 3, 4, 5
            )
            SELECT $1, d.level, d.day, d.event_type, d.country, d.device_type, $2, d.event_count, d.revenue,
                   coalesce(f.customers, 0), coalesce(l.customers, 0)
            FROM days d
            LEFT JOIN firsts f USING (level, event_type, country, device_type, day)
            LEFT JOIN lasts l USING (level, event_type, country, device_type, day)""".formatted(Revenue.OF_EVENT);

    /** Under REPEATABLE READ: only the records this transaction's snapshot saw. */
    private static final String CLEAR_PENDING = "DELETE FROM behavioral_pending WHERE grain = $1 AND period = $2";

    private final Pool pool;
    private final BehavioralConfig config;

    public BehavioralRefresher(Pool pool, BehavioralConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** What one pass did. */
    public record Report(int refreshed, int skipped, int failed, long rows) {
    }

    /** Refreshes every period pending when the pass starts, one after the other. */
    public Uni<Report> refreshPending() {
        return pool.query(PENDING_PERIODS)
                .execute()
                .map(rows -> {
                    List<Pending> pending = new ArrayList<>();
                    for (Row row : rows) {
                        pending.add(new Pending(Grain.of(row.getString("grain")), row.getOffsetDateTime("period")));
                    }
                    return pending;
                })
                .chain(pending -> Multi.createFrom().iterable(pending)
                        .onItem().transformToUniAndConcatenate(this::refresh)
                        .collect().asList())
                .map(results -> {
                    int refreshed = 0;
                    int failed = 0;
                    long rows = 0;
                    for (long result : results) {
                        if (result >= 0) {
                            refreshed++;
                            rows += result;
                        } else if (result == FAILED) {
                            failed++;
                        }
                    }
                    return new Report(refreshed, results.size() - refreshed - failed, failed, rows);
                });
    }

    /**
     * Refreshes one period; answers the rows it now has, {@link #LOCKED_ELSEWHERE}, or {@link #FAILED}: one period
     * that fails (its transaction rolled back, it stays pending and is read from the raw events) does not stop
     * the others.
     */
    Uni<Long> refresh(Pending pending) {
        Tuple key = Tuple.of(pending.grain().table, pending.period());
        return pool.withTransaction(conn -> conn.query(REPEATABLE_READ)
                        .execute()
                        .chain(() -> conn.preparedQuery(TRY_LOCK).execute(key))
                        .chain(locked -> locked.iterator().next().getBoolean("locked")
                                ? recompute(conn, pending, key)
                                : Uni.createFrom().item(LOCKED_ELSEWHERE)))
                .onFailure().invoke(e -> LOG.warnf(
                        "behavioral_days: refresh of the %s of %s failed, it stays pending: %s",
                        pending.grain().table, pending.period(), e.getMessage()))
                .onFailure().recoverWithItem(FAILED);
    }

    private Uni<Long> recompute(SqlConnection conn, Pending pending, Tuple key) {
        return conn.preparedQuery(WORK_MEM)
                .execute(Tuple.of(config.refreshWorkMem()))
                .chain(() -> conn.preparedQuery(CLEAR_PERIOD).execute(key))
                .chain(() -> conn.preparedQuery(FILL_PERIOD)
                        .execute(Tuple.of(pending.grain().table, pending.period(), pending.end())))
                .map(filled -> (long) filled.rowCount())
                .call(() -> conn.preparedQuery(CLEAR_PENDING).execute(key));
    }

    /** A period of a grain, as recorded by a write. */
    record Pending(Grain grain, OffsetDateTime period) {

        OffsetDateTime end() {
            return grain.next(period);
        }
    }
}
