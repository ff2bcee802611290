package io.customeranalytics.ingest.schema;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ingest-service owns the migrations: its tests start on a database that nobody migrated (the test resource's
 * {@code migrate=false}), so every table here exists because this service created it at start-up.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class SchemaMigrationTest {

    @Inject
    Flyway flyway;

    @Inject
    Pool pool;

    private List<Row> rows(String sql) {
        List<Row> out = new ArrayList<>();
        pool.query(sql).execute().await().atMost(Duration.ofSeconds(30)).forEach(out::add);
        return out;
    }

    @Test
    void thisServiceMigratesAtStartUp() {
        assertEquals(Boolean.TRUE, ConfigProvider.getConfig()
                .getValue("quarkus.flyway.migrate-at-start", Boolean.class));
        assertEquals(0, flyway.info().pending().length, "no pending migration after start-up");
        for (MigrationInfo applied : flyway.info().applied()) {
            assertTrue(applied.getState() == MigrationState.SUCCESS, applied.getVersion() + " " + applied.getState());
        }
        assertTrue(flyway.info().applied().length >= 2);
    }

    @Test
    void aSchemaMigratedByANewerImageDoesNotStopThisOne() {
        // What a rollback, or an old pod restarting during a rolling update, finds: a migration it does not have.
        pool.query("""
                INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,
                                                   installed_by, execution_time, success)
                SELECT max(installed_rank) + 1, '100000', 'from a newer image', 'SQL', 'V100000__newer.sql', 0,
                       current_user, 0, true
                FROM flyway_schema_history""").execute().await().atMost(Duration.ofSeconds(30));
        try {
            assertTrue(flyway.validateWithResult().validationSuccessful,
                    "a future migration is ignored, not a validation error");
            assertEquals(0, flyway.migrate().migrationsExecuted);
        } finally {
            pool.query("DELETE FROM flyway_schema_history WHERE version = '100000'").execute()
                    .await().atMost(Duration.ofSeconds(30));
        }
    }

    @Test
    void createsEveryTableInTheAnalyticsSchema() {
        for (String table : List.of("customer_events", "customer_profiles", "customer_segments",
                "customer_events_quarantine", "customer_profiles_quarantine", "customer_segments_quarantine",
                "flyway_schema_history")) {
            assertEquals(1, rows("SELECT count(*) FROM pg_tables WHERE schemaname = 'analytics' AND tablename = '"
                    + table + "'").get(0).getLong(0), table);
        }
    }

    @Test
    void customerEventsIsAHypertableExactlyWhenTimescaleDbIsAvailable() {
        boolean timescale = rows("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'")
                .get(0).getLong(0) > 0;
        if (timescale) {
            Row hypertable = rows("""
                    SELECT h.compression_enabled, d.time_interval
                    FROM timescaledb_information.hypertables h
                    JOIN timescaledb_information.dimensions d
                      ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name
                    WHERE h.hypertable_schema = 'analytics' AND h.hypertable_name = 'customer_events'
                      AND d.column_name = 'event_timestamp'""").get(0);
            assertTrue(hypertable.getBoolean("compression_enabled"));
            assertEquals(Duration.ofDays(30).toSeconds(),
                    rows("SELECT extract(epoch FROM time_interval)::bigint FROM timescaledb_information.dimensions"
                            + " WHERE hypertable_schema = 'analytics' AND hypertable_name = 'customer_events'")
                            .get(0).getLong(0));
            assertEquals(1, rows("SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name ="
                    + " 'policy_compression' AND hypertable_schema = 'analytics'"
                    + " AND hypertable_name = 'customer_events'").get(0).getLong(0));
        } else {
            assertEquals("r", rows("SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid ="
                    + " c.relnamespace WHERE n.nspname = 'analytics' AND c.relname = 'customer_events'")
                    .get(0).getString(0), "a plain table");
        }
        // Same indexes in both modes.
        List<String> indexes = rows("SELECT indexname FROM pg_indexes WHERE schemaname = 'analytics'"
                + " AND tablename = 'customer_events'").stream().map(r -> r.getString(0)).toList();
        assertTrue(indexes.containsAll(List.of("customer_events_pkey", "customer_events_customer_read_idx",
                "customer_events_time_idx")), indexes.toString());
    }
}
