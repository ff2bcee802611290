package io.customeranalytics.ingest.schema;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The TimescaleDB mode's objects, as the migrations promise them (docs/api.md, "How the endpoints read", V2, V4, V5,
 * V7, V11). They only mean something on a TimescaleDB server: on plain PostgreSQL every test here is skipped, with the
 * reason logged.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class TimescaleDbSchemaTest {


    @Inject
    Pool pool;

    @BeforeEach
    void onlyOnTimescaleDb() {
        assumeTrue(TestEvents.timescaleElseLogSkip(pool, "TimescaleDbSchemaTest",
                "no timescaledb extension"),
                "plain PostgreSQL: no timescaledb extension in the test database");
    }

    private List<Row> rows(String sql, Object... params) {
        return TestEvents.rows(pool, sql, params);
    }

    @Test
    void extensionLivesInPublicNotInTheAnalyticsSchema() {
        assertEquals("public", rows("SELECT extnamespace::regnamespace::text FROM pg_extension"
                + " WHERE extname = 'timescaledb'").get(0).getString(0));
        assertEquals(0L, rows("""
                SELECT count(*) FROM pg_depend d
                JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'timescaledb' AND d.deptype = 'e'
                JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
                WHERE p.pronamespace = 'analytics'::regnamespace""").get(0).getLong(0),
                "no routine of the extension in schema analytics");
        // What DROP SCHEMA analytics CASCADE would follow: the extension depends on public only.
        assertEquals(List.of("public"), rows("""
                SELECT d.refobjid::regnamespace::text FROM pg_depend d
                JOIN pg_extension e ON d.classid = 'pg_extension'::regclass AND d.objid = e.oid
                WHERE e.extname = 'timescaledb' AND d.refclassid = 'pg_namespace'::regclass""")
                .stream().map(r -> r.getString(0)).toList());
        assertEquals(0L, rows("""
                SELECT count(*) FROM _timescaledb_catalog.continuous_aggs_bucket_function
                WHERE bucket_func LIKE 'analytics.%'""").get(0).getLong(0));
    }

    @Test
    void customerEventsIsAHypertableWithThirtyDayChunks() {
        Row dimension = rows("""
                SELECT d.column_name, extract(epoch FROM d.time_interval)::bigint AS seconds
                FROM timescaledb_information.dimensions d
                WHERE d.hypertable_schema = 'analytics' AND d.hypertable_name = 'customer_events'""").get(0);
        assertEquals("event_timestamp", dimension.getString("column_name"));
        assertEquals(30 * 86_400L, dimension.getLong("seconds"), "V11: 30-day chunks");
    }

    @Test
    void eachContinuousAggregateIsRealTimeWithARefreshPolicyEveryMinute() {
        for (String view : List.of("customer_daily_activity", "customer_daily_sessions")) {
            List<Row> aggregate = rows("""
                    SELECT materialized_only FROM timescaledb_information.continuous_aggregates
                    WHERE view_schema = 'analytics' AND view_name = $1""", view);
            assertEquals(1, aggregate.size(), view + " is a continuous aggregate");
            assertFalse(aggregate.get(0).getBoolean("materialized_only"), view + ": real-time (materialized_only false)");

            List<Row> policies = rows("""
                    SELECT extract(epoch FROM schedule_interval)::bigint AS every,
                           config->>'start_offset' AS start_offset, config->>'end_offset' AS end_offset
                    FROM timescaledb_information.jobs
                    WHERE proc_name = 'policy_refresh_continuous_aggregate'
                      AND hypertable_schema = 'analytics' AND hypertable_name = $1""", view);
            assertEquals(1, policies.size(), view + ": one refresh policy");
            Row policy = policies.get(0);
            assertEquals(60L, policy.getLong("every"), view + ": refreshed every minute");
            assertNull(policy.getString("start_offset"), view + ": the whole history (start_offset NULL)");
            assertEquals("00:01:00", policy.getString("end_offset"), view + ": up to one minute ago");
        }
    }

    @Test
    void customerEventsIsCompressedAfterSevenDaysSegmentedByCustomer() {
        Row policy = rows("""
                SELECT config->>'compress_after' AS compress_after FROM timescaledb_information.jobs
                WHERE proc_name = 'policy_compression'
                  AND hypertable_schema = 'analytics' AND hypertable_name = 'customer_events'""").get(0);
        assertEquals("7 days", policy.getString("compress_after"));
        List<String> segmentBy = rows("""
                SELECT attname FROM timescaledb_information.compression_settings
                WHERE hypertable_schema = 'analytics' AND hypertable_name = 'customer_events'
                  AND segmentby_column_index IS NOT NULL""").stream().map(r -> r.getString(0)).toList();
        assertEquals(List.of("customer_id"), segmentBy);
    }

    @Test
    void noRoutineOfTheExtensionStillCallsIntoTheAnalyticsSchema() {
        // V7 rewrote the bodies that called the extension's own functions schema-qualified: the compression policy
        // calls public.show_chunks and public.compress_chunk now.
        assertEquals(0L, rows("""
                SELECT count(*) FROM pg_proc p
                JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'timescaledb'
                WHERE p.prosrc ~ '\\manalytics\\.'""").get(0).getLong(0));
        assertTrue(rows("""
                SELECT prosrc FROM pg_proc
                WHERE oid = '_timescaledb_functions.policy_compression_execute'::regproc""")
                .get(0).getString(0).contains("public.show_chunks("));
    }

    @Test
    void aCompressedChunkStillAnswersAndTakesLateRows() {
        // A month no other test writes to, so that compressing its chunk changes nothing for them.
        String customer = TestEvents.unique("compressed");
        java.time.OffsetDateTime day = TestEvents.utc("2019-02-03 00:00:00");
        TestEvents.insert(pool, List.of(TestEvents.event(TestEvents.unique("ev"), customer, "page_view", day.plusHours(3))));
        rows("""
                SELECT compress_chunk(format('%I.%I', chunk_schema, chunk_name)::regclass, if_not_compressed => true)
                FROM timescaledb_information.chunks
                WHERE hypertable_schema = 'analytics' AND hypertable_name = 'customer_events'
                  AND range_start <= $1 AND $1 < range_end""", day);
        assertEquals(1L, rows("""
                SELECT count(*) FROM timescaledb_information.chunks
                WHERE hypertable_schema = 'analytics' AND hypertable_name = 'customer_events' AND is_compressed
                  AND range_start <= $1 AND $1 < range_end""", day).get(0).getLong(0),
                "the chunk of that day is compressed");
        TestEvents.insert(pool, List.of(TestEvents.event(TestEvents.unique("ev"), customer, "purchase", day.plusHours(5))));
        assertEquals(List.of("purchase", "page_view"), rows("""
                SELECT event_type FROM customer_events WHERE customer_id = $1 ORDER BY event_timestamp DESC""",
                customer).stream().map(r -> r.getString(0)).toList());
    }
}
