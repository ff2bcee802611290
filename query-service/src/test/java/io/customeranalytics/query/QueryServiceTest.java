package io.customeranalytics.query;

import io.customeranalytics.common.health.SchemaReadinessCheck;
import io.customeranalytics.localstack.PipeRoutes;
import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** query-service boots, reports health against the database, serves metrics and OpenAPI, and never migrates. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class QueryServiceTest {

    @Test
    void isReadyOnlyWithTheDatabase() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"))
                .body("checks.find { it.name == 'schema' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'schema' }.data.applied_version",
                        greaterThanOrEqualTo(SchemaReadinessCheck.EXPECTED_VERSION));
        given().when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void servesPrometheusMetricsAndOpenApi() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("info.title", equalTo("Customer Analytics API: query-service"));
    }

    @Test
    void doesNotRunMigrations() {
        assertFalse(Arc.container().select(org.flywaydb.core.Flyway.class).isResolvable(),
                "only ingest-service has Flyway");
        assertFalse(ConfigProvider.getConfig().getOptionalValue("quarkus.flyway.migrate-at-start", Boolean.class)
                .orElse(false));
    }

    @Test
    void unknownPathsAnswerJsonErrors() {
        given().when().get("/v0/nothing")
                .then().statusCode(404).contentType("application/json");
        given().queryParam("token", "test-admin-token").when().get("/v0/pipes/nothing.json")
                .then().statusCode(404).contentType("application/json");
    }

    @Test
    void servesNoPipeTheGatewayAndIngressRouteToSegmentation() {
        java.util.Set<String> served = servedPipes();
        org.junit.jupiter.api.Assertions.assertTrue(served.size() >= 6, served.toString());
        org.junit.jupiter.api.Assertions.assertTrue(java.util.Collections.disjoint(served,
                PipeRoutes.SEGMENTATION_PIPES), served.toString());
    }

    /** The pipe names this service documents. */
    private static java.util.Set<String> servedPipes() {
        java.util.Map<String, Object> paths = given().when().get("/q/openapi?format=json")
                .then().statusCode(200).extract().jsonPath().getMap("paths");
        return PipeRoutes.documentedPipes(paths.keySet());
    }
}
