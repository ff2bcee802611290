package io.customeranalytics.ingest.erasure;

import io.customeranalytics.common.schema.EventChangeLog;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** The SQL of an erasure; the only class of the feature that touches the pool. */
@ApplicationScoped
public class ErasureRepository {

    /**
     * One customer's rows, in one statement (so in one transaction: no reader sees half of them gone): its
     * events (the periods they were in recorded as pending for customer_behavioral_analysis, their days for the
     * continuous aggregates), its profile, the quarantined rows that hold its id (as their customer_id, or as a
     * JSON string in the raw line), its change records, and in plain mode its rows of the trigger-kept
     * aggregates. One change record that says nothing (purchase null) takes their place, when there was anything
     * to erase or a snapshot row, so that segmentation-service recomputes the customer (finding nothing, it removes it from the metrics snapshot,
     * every segment and their sums) and suggestions read it raw until then. The audit record is written last.
     */
    private static final String ERASE_CUSTOMER = """
            WITH events AS (
                DELETE FROM customer_events WHERE customer_id = $1
                RETURNING event_timestamp
            ),
            %s,
            aggregate_days AS (
                INSERT INTO aggregate_days_to_refresh (day)
                SELECT DISTINCT date_trunc('day', event_timestamp, 'UTC') FROM events
                ON CONFLICT DO NOTHING
            ),
            profiles AS (
                DELETE FROM customer_profiles WHERE customer_id = $1 RETURNING 1
            ),
            events_quarantine AS (
                DELETE FROM customer_events_quarantine
                WHERE customer_id = $1 OR strpos(c__raw, to_json($1::text)::text) > 0
                RETURNING 1
            ),
            profiles_quarantine AS (
                DELETE FROM customer_profiles_quarantine
                WHERE customer_id = $1 OR strpos(c__raw, to_json($1::text)::text) > 0
                RETURNING 1
            ),
            records AS (
                DELETE FROM customer_changes WHERE customer_id = $1 RETURNING 1
            ),
            recompute AS (
                INSERT INTO customer_changes (customer_id)
                SELECT $1
                WHERE EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM profiles)
                   OR EXISTS (SELECT 1 FROM records)
                   OR EXISTS (SELECT 1 FROM customer_metrics_snapshot WHERE customer_id = $1)
            ),
            erased AS (
                SELECT jsonb_build_object(
                    'customer_events', (SELECT count(*) FROM events),
                    'customer_profiles', (SELECT count(*) FROM profiles),
                    'customer_events_quarantine', (SELECT count(*) FROM events_quarantine),
                    'customer_profiles_quarantine', (SELECT count(*) FROM profiles_quarantine),
                    'customer_changes', (SELECT count(*) FROM records),
                    'aggregate_rows', erase_customer_aggregates($1)) AS rows
            )
            INSERT INTO customer_erasures (erasure_id, customer_sha256, rows)
            SELECT $2, encode(sha256(convert_to($1, 'UTF8')), 'hex'), rows FROM erased
            RETURNING erasure_id, customer_sha256, erased_at, rows""".formatted(
            EventChangeLog.pendingPeriodsFrom("events"));

    private static final String RECOMPUTE_PENDING = "SELECT EXISTS (SELECT 1 FROM customer_changes WHERE customer_id = $1)";

    private final Pool pool;

    public ErasureRepository(Pool pool) {
        this.pool = pool;
    }

    Uni<Erasure> erase(String customerId) {
        return pool.preparedQuery(ERASE_CUSTOMER)
                .execute(Tuple.of(customerId, UUID.randomUUID()))
                .map(rows -> from(rows.iterator().next(), customerId));
    }

    /** Whether segmentation-service has yet to recompute the customer (its change record is still there). */
    Uni<Boolean> recomputePending(String customerId) {
        return pool.preparedQuery(RECOMPUTE_PENDING).execute(Tuple.of(customerId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static Erasure from(Row row, String customerId) {
        JsonObject rows = (JsonObject) row.getValue("rows");
        return new Erasure(row.getUUID("erasure_id").toString(), customerId, row.getString("customer_sha256"),
                row.getOffsetDateTime("erased_at"), rows.getMap());
    }
}
