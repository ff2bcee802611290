package io.customeranalytics.ingest.datasources;

import io.customeranalytics.common.schema.Datasource;
import io.customeranalytics.common.schema.MembershipLock;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The SQL of truncating a datasource and what is derived from it; the only class of the feature on the pool. */
@ApplicationScoped
public class TruncateRepository {

    /**
     * customer_events and what only its rows feed: the behavioural analysis' table and pending periods, the change
     * records, the erased days; plain mode's trigger-kept aggregates (V19). The metrics snapshot's state goes, so
     * that segmentation-service rebuilds the snapshot and every segment from what is left.
     */
    private static final List<String> EVENTS = List.of(
            "TRUNCATE customer_events, behavioral_days, behavioral_pending, customer_changes, aggregate_days_to_refresh",
            "SELECT truncate_event_aggregates()",
            "DELETE FROM customer_metrics_snapshot_state");

    /** Profile triggers do not fire on TRUNCATE: the snapshot is rebuilt instead. */
    private static final List<String> PROFILES = List.of(
            "TRUNCATE customer_profiles",
            "DELETE FROM customer_metrics_snapshot_state");

    /**
     * The segments and everything segmentation-service keeps per segment, under the membership lock
     * ({@link MembershipLock}, waited for up to 30 s, then 503), so that no refresh writes members meanwhile.
     */
    private static final List<String> SEGMENTS = List.of(
            DeleteRepository.LOCK_TIMEOUT,
            MembershipLock.WAIT,
            "TRUNCATE customer_segments, segment_membership, segment_membership_state, segment_stats,"
                    + " segment_active_days, segment_member_counts, segment_refresh_errors");

    /** TimescaleDB mode's aggregates lose their materialized rows of the truncated events (V19). */
    private static final String REFRESH_EVENT_AGGREGATES = "CALL refresh_all_event_aggregates()";

    private final Pool pool;

    public TruncateRepository(Pool pool) {
        this.pool = pool;
    }

    /** Truncates {@code datasource} (or, with {@code quarantine}, its quarantine) in one transaction. */
    Uni<Void> truncate(Datasource datasource, boolean quarantine) {
        List<String> statements = quarantine
                // The table name comes from the Datasource definition, never from the request.
                ? List.of("TRUNCATE " + datasource.quarantineTableName())
                : switch (datasource) {
                    case CUSTOMER_EVENTS -> EVENTS;
                    case CUSTOMER_PROFILES -> PROFILES;
                    case CUSTOMER_SEGMENTS -> SEGMENTS;
                };
        return pool.withTransaction(connection -> {
            Uni<Void> done = Uni.createFrom().voidItem();
            for (String statement : statements) {
                done = done.chain(() -> connection.query(statement).execute().replaceWithVoid());
            }
            return done;
        }).chain(() -> !quarantine && datasource == Datasource.CUSTOMER_EVENTS
                // Simple protocol, as a procedure that commits inside needs.
                ? pool.query(REFRESH_EVENT_AGGREGATES).execute().replaceWithVoid()
                : Uni.createFrom().voidItem());
    }
}
