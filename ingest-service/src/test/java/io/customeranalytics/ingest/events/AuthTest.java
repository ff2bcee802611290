package io.customeranalytics.ingest.events;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.customeranalytics.ingest.events.IngestTestSupport.ADMIN;
import static io.customeranalytics.ingest.events.IngestTestSupport.count;
import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.customeranalytics.ingest.events.IngestTestSupport.unique;
import static io.customeranalytics.testsupport.TestJwts.claims;
import static io.customeranalytics.testsupport.TestJwts.pipeScope;
import static io.customeranalytics.testsupport.TestJwts.sign;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The three kinds of 403, and where a token may come from (test tokens: see application.properties). */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class AuthTest {

    private static final String APPENDER = "test-append-events-token";
    private static final String READER = "test-read-only-token";

    @Inject
    Pool pool;

    private static String oneEvent(String id) {
        return json(event(id, "c-" + id, "page_view", "2024-01-01 00:00:00"));
    }

    @Test
    void missingTokenIs403SayingMissing() {
        String id = unique("ev");
        given().body(oneEvent(id))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(403).contentType("application/json")
                .body("error", containsString("missing token"));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", id));
    }

    @Test
    void unknownTokenIs403SayingUnknownAndDoesNotEchoIt() {
        given().header("Authorization", "Bearer not-a-real-token-123").body(oneEvent(unique("ev")))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(403)
                .body("error", containsString("unknown token"))
                .body("error", not(containsString("not-a-real-token-123")));
    }

    @Test
    void tokenWithoutTheScopeIs403SayingInsufficient() {
        given().header("Authorization", "Bearer " + READER).body(oneEvent(unique("ev")))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(403)
                .body("error", containsString("insufficient scope"))
                .body("error", containsString("DATASOURCES:APPEND:customer_events"))
                .body("error", not(containsString(READER)));
    }

    @Test
    void scopedTokenAppendsOnlyToItsDatasource() {
        String id = unique("ev");
        given().header("Authorization", "Bearer " + APPENDER).body(oneEvent(id))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(202).body("successful_rows", equalTo(1));
        given().header("Authorization", "Bearer " + APPENDER).body("{\"customer_id\": \"" + id + "\"}")
                .when().post("/v0/events?name=customer_profiles")
                .then().statusCode(403).body("error", containsString("DATASOURCES:APPEND:customer_profiles"));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_profiles WHERE customer_id = $1", id));
    }

    @Test
    void aJwtReadsPipesAndCannotAppend() {
        String jwt = sign(claims(unique("browser"), 600, List.of(pipeScope("customer_activity", Map.of()))), ADMIN);
        given().header("Authorization", "Bearer " + jwt).body(oneEvent(unique("ev")))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(403)
                .body("error", containsString("the JWT 'browser"))
                .body("error", containsString("does not have the scope DATASOURCES:APPEND:customer_events"));
    }

    @Test
    void aJwtCannotClaimScopesBeyondReading() {
        for (String type : List.of("ADMIN", "DATASOURCES:APPEND")) {
            String jwt = sign(claims(unique("greedy"), 600, List.of(Map.of("type", type,
                    "resource", "customer_events"))), ADMIN);
            given().queryParam("token", jwt).body(oneEvent(unique("ev")))
                    .when().post("/v0/events?name=customer_events")
                    .then().statusCode(403)
                    .body("error", containsString("scope type '" + type + "' is not supported"));
        }
    }

    @Test
    void tokenQueryParameterIsAccepted() {
        given().body(oneEvent(unique("ev")))
                .when().post("/v0/events?name=customer_events&token=" + ADMIN)
                .then().statusCode(202);
    }

    @Test
    void queryParameterWinsOverTheHeader() {
        given().header("Authorization", "Bearer wrong-token").body(oneEvent(unique("ev")))
                .when().post("/v0/events?name=customer_events&token=" + ADMIN)
                .then().statusCode(202);
        given().header("Authorization", "Bearer " + ADMIN).body(oneEvent(unique("ev")))
                .when().post("/v0/events?name=customer_events&token=wrong-token")
                .then().statusCode(403).body("error", containsString("unknown token"));
    }

    @Test
    void bearerSchemeIsCaseInsensitiveAndOtherSchemesAreNotTokens() {
        given().header("Authorization", "bearer " + ADMIN).body(oneEvent(unique("ev")))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(202);
        given().header("Authorization", "Basic " + ADMIN).body(oneEvent(unique("ev")))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(403).body("error", containsString("missing token"));
    }

    @Test
    void aTokenOverItsRateLimitIs429WithRetryAfterAndNothingStored() {
        // Token "limited": burst 2, then 0.01 requests per second (application.properties, %test).
        String[] ids = {unique("ev"), unique("ev"), unique("ev")};
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", "Bearer test-rate-limited-token").body(oneEvent(ids[i]))
                    .when().post("/v0/events?name=customer_events")
                    .then().statusCode(202);
        }
        given().header("Authorization", "Bearer test-rate-limited-token").body(oneEvent(ids[2]))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(429).contentType("application/json")
                .header("Retry-After", equalTo("100"))
                .body("error", containsString("'limited' is over its rate limit"))
                .body("documentation", equalTo("docs/api.md#rate-limits"));
        assertEquals(1, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", ids[1]));
        assertEquals(0, count(pool, "SELECT count(*) FROM customer_events WHERE event_id = $1", ids[2]));
        // Other tokens have their own buckets.
        given().header("Authorization", "Bearer " + ADMIN).body(oneEvent(ids[2]))
                .when().post("/v0/events?name=customer_events")
                .then().statusCode(202);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(
                metrics.contains("analytics_rate_limited_requests_total{token=\"limited\"}"), metrics);
    }
}
