package io.customeranalytics.testsupport;

import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.SchemaMigrator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * The database of every module's tests.
 *
 * <p>With the environment variable {@code ANALYTICS_TEST_DB_URL} ({@code postgresql://user[:password]@host:port/db};
 * the password may also come from {@code ANALYTICS_TEST_DB_PASSWORD} or {@code PGPASSWORD}) the tests run against
 * that database, e.g. a real TimescaleDB. Otherwise one embedded PostgreSQL 17 is started per test JVM and
 * shared by all its test classes. Either way the database may hold other data: tests make their own rows with
 * unique ids.
 *
 * <p>Init argument {@code migrate} (default {@code true}): apply the migrations before the application starts.
 * ingest-service's tests set it to {@code false}, because that service migrates the schema itself (through JDBC,
 * so only then is {@code quarkus.datasource.jdbc.url} given).
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static boolean migrated;

    private boolean migrate = true;

    @Override
    public void init(Map<String, String> initArgs) {
        migrate = Boolean.parseBoolean(initArgs.getOrDefault("migrate", "true"));
    }

    @Override
    public Map<String, String> start() {
        DatabaseAddress db = TestDatabase.get();
        synchronized (PostgresTestResource.class) {
            if (migrate && !migrated) {
                SchemaMigrator.migrate(db);
                migrated = true;
            }
        }
        Map<String, String> config = new HashMap<>(Map.of(
                "quarkus.datasource.reactive.url", db.reactiveUrl(),
                "quarkus.datasource.username", db.user(),
                "quarkus.datasource.password", db.password()));
        if (!migrate) {
            config.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        }
        return config;
    }

    @Override
    public void stop() {
        // The server outlives single test classes; it stops with the JVM.
    }
}
