package io.customeranalytics.ingest.events;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.customeranalytics.ingest.events.IngestTestSupport.ADMIN;
import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** A database that cannot be reached: 503 with Retry-After (never a 500), and readiness DOWN. */
@QuarkusTest
@TestProfile(DatabaseUnavailableTest.UnreachableDatabase.class)
class DatabaseUnavailableTest {

    public static class UnreachableDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/analytics",
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/analytics",
                    "quarkus.flyway.migrate-at-start", "false");
        }
    }

    @Test
    void appendAnswers503WithRetryAfter() {
        given().header("Authorization", "Bearer " + ADMIN)
                .body(json(event("ev-unavailable", "c", "page_view", "2024-01-01 00:00:00")))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(503)
                .contentType("application/json")
                .header("Retry-After", notNullValue())
                .body("error", containsString("database is unavailable"));
    }

    @Test
    void readinessIsDownAndLivenessUp() {
        given().when().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
