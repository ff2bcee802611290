package io.customeranalytics.ingest.aggregates;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The continuous aggregates' days that a statement deleting events recorded in {@code aggregate_days_to_refresh}
 * (V18): an erasure, or a delete by condition. Until a day is rebuilt its readers read it from the raw events
 * (a delete invalidates it), so their answers are exact at once; the rebuild removes the materialized rows.
 */
@ApplicationScoped
public class AggregateDays {

    private static final Logger LOG = Logger.getLogger(AggregateDays.class);

    /** Rebuilds the recorded days and forgets them (V18); simple protocol, as CALL needs. */
    private static final String REFRESH = "CALL refresh_erased_days()";

    private static final String LEFT = "SELECT count(*) FROM aggregate_days_to_refresh";

    private final Pool pool;

    public AggregateDays(Pool pool) {
        this.pool = pool;
    }

    /**
     * Rebuilds every recorded day; answers how many are left (0, unless a rebuild failed: those are left recorded
     * for the next delete, or for {@code CALL analytics.refresh_erased_days()} by hand).
     *
     * @param after what recorded the days, for the log
     */
    public Uni<Long> refresh(String after) {
        return pool.query(REFRESH).execute()
                .replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("%s: the aggregates' days are left to rebuild: %s", after,
                        e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> pool.query(LEFT).execute())
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
