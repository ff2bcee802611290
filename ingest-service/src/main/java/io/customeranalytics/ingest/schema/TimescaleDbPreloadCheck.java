package io.customeranalytics.ingest.schema;

import io.quarkus.flyway.FlywayConfigurationCustomizer;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Singleton;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Before Flyway applies a migration, refuses a server that offers the {@code timescaledb} extension without preloading it,
 * the usual state of a fresh install. The migrations take such a server for TimescaleDB mode (they detect the
 * mode from {@code pg_available_extensions}), and {@code CREATE EXTENSION} or any later use of the extension then
 * ends the connection with a FATAL error. The refusal is a {@link ConfigurationException}, which Quarkus prints
 * as its one-line message, without a stack trace, before it exits with status 1.
 *
 * <p>Whether the library is loaded is read from {@code timescaledb.disable_load}, the setting its loader defines
 * when it is preloaded: {@code shared_preload_libraries} itself can only be read by a superuser.
 */
@Singleton
public class TimescaleDbPreloadCheck implements FlywayConfigurationCustomizer {

    static final String NOT_PRELOADED = """
            SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
                   AND current_setting('timescaledb.disable_load', true) IS NULL""";

    static final String MESSAGE = "This PostgreSQL server offers the timescaledb extension but does not preload it,"
            + " so the schema cannot be migrated: add timescaledb to shared_preload_libraries in postgresql.conf"
            + " and restart the server, or remove the extension's package to run in plain PostgreSQL mode"
            + " (docs/operations.md, \"Schema migrations\").";

    @Override
    public void customize(FluentConfiguration configuration) {
        configuration.callbacks(new Refusal());
    }

    private static final class Refusal implements Callback {

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try (PreparedStatement check = context.getConnection().prepareStatement(NOT_PRELOADED);
                 ResultSet row = check.executeQuery()) {
                row.next();
                if (row.getBoolean(1)) {
                    throw new ConfigurationException(MESSAGE);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("could not check whether timescaledb is preloaded", e);
            }
        }

        @Override
        public String getCallbackName() {
            return "timescaledb-preload-check";
        }
    }
}
