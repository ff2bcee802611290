package io.customeranalytics.testsupport;

import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.EmbeddedDatabase;
import java.util.Map;

/**
 * The database of every module's tests: the one named by {@code ANALYTICS_TEST_DB_URL}
 * ({@code postgresql://user[:password]@host:port/db}; the password may also come from
 * {@code ANALYTICS_TEST_DB_PASSWORD} or {@code PGPASSWORD}), e.g. a real TimescaleDB, or else one embedded
 * PostgreSQL 17 per JVM, stopped with the JVM. Free of Quarkus types, so plain programs can use it too.
 */
public final class TestDatabase {

    public static final String EXTERNAL_URL_ENV = "ANALYTICS_TEST_DB_URL";

    private static DatabaseAddress address;

    private TestDatabase() {
    }

    /** The test database, started on first use. */
    public static synchronized DatabaseAddress get() {
        if (address == null) {
            String external = System.getenv(EXTERNAL_URL_ENV);
            if (external != null && !external.isBlank()) {
                String password = firstNonBlank(System.getenv("ANALYTICS_TEST_DB_PASSWORD"), System.getenv("PGPASSWORD"));
                address = DatabaseAddress.parse(external, password);
            } else {
                EmbeddedDatabase embedded = EmbeddedDatabase.start(Map.of(
                        "fsync", "off",
                        "synchronous_commit", "off",
                        "full_page_writes", "off",
                        "max_connections", "200"));
                Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "embedded-postgres-stop"));
                address = embedded.address();
            }
        }
        return address;
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b == null ? "" : b;
    }
}
