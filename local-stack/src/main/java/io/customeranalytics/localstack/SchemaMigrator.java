package io.customeranalytics.localstack;

import org.flywaydb.core.Flyway;

/**
 * Applies the suite's Flyway migrations (from {@code common}) the way ingest-service does at start-up: same
 * locations, same schema. Tests of the services that do not own migrations use it to get the schema.
 */
public final class SchemaMigrator {

    /** The schema that holds all of the suite's tables, and Flyway's history table. */
    public static final String SCHEMA = "analytics";
    public static final String LOCATION = "classpath:db/migration";

    private SchemaMigrator() {
    }

    public static void migrate(DatabaseAddress address) {
        Flyway.configure()
                .dataSource(address.jdbcUrl(), address.user(), address.password())
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .locations(LOCATION)
                .load()
                .migrate();
    }
}
