package io.customeranalytics.segmentation;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;

/**
 * Test only: when the suites of all modules share one database (`.ci/run` in TimescaleDB mode), the ones before
 * this module's have written what segmentation-service never saw: query-service's segment fixture writes
 * snapshot rows and the snapshot's state row itself, and a bulk-load test writes events without change records.
 * In production nothing but segmentation-service writes the snapshot, and docs/operations.md asks such writers
 * to record their customers or clear the state row. The tests do the second once, at start: the first refresh
 * then rebuilds the snapshot from everything in the database.
 */
@ApplicationScoped
class SnapshotRebuildOnStart {

    void rebuild(@Observes StartupEvent started, Pool pool) {
        pool.query("DELETE FROM customer_metrics_snapshot_state").execute().await().atMost(Duration.ofSeconds(30));
    }
}
