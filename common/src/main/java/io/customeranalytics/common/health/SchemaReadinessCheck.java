package io.customeranalytics.common.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness "schema": a service is ready only once the database holds the schema version it was built for. In
 * Kubernetes the migration Job migrates while new pods start; until it has finished they report DOWN here and
 * take no traffic (deploy/k8s/README.md, "Rollout order"). A database migrated further (a newer release rolling out) is
 * fine: migrations only add.
 */
@Readiness
@ApplicationScoped
public class SchemaReadinessCheck implements AsyncHealthCheck {

    /** The highest migration in common/src/main/resources/db/migration (SchemaVersionTest keeps them equal). */
    public static final int EXPECTED_VERSION = 24;

    private static final String APPLIED_VERSION = """
            SELECT coalesce(max(version::int), 0) AS version
            FROM analytics.flyway_schema_history
            WHERE success AND version IS NOT NULL""";

    private final Pool pool;

    public SchemaReadinessCheck(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query(APPLIED_VERSION)
                .execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return response(row.getInteger("version"));
                })
                .onFailure()
                .recoverWithItem(failure -> HealthCheckResponse.named("schema")
                        .down()
                        .withData("expected_version", EXPECTED_VERSION)
                        .withData("error", "schema history not readable: " + failure.getMessage())
                        .build());
    }

    static HealthCheckResponse response(int applied) {
        return HealthCheckResponse.named("schema")
                .status(applied >= EXPECTED_VERSION)
                .withData("expected_version", EXPECTED_VERSION)
                .withData("applied_version", applied)
                .build();
    }
}
