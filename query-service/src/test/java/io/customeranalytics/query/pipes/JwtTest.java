package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.customeranalytics.testsupport.TestJwts;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestEvents.utc;
import static io.customeranalytics.testsupport.TestJwts.claims;
import static io.customeranalytics.testsupport.TestJwts.pipeScope;
import static io.customeranalytics.testsupport.TestJwts.sign;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.not;

/**
 * Tinybird JWTs (signed with the admin token here): a JWT reads only the pipes its scopes name, with its fixed
 * parameters whatever the request sends, at its own rate; every token that is not a valid JWT is a 403.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class JwtTest {

    private static final String ACTIVITY = "customer_activity";

    @Inject
    Pool pool;

    String mine;
    String theirs;

    @BeforeEach
    void insertTwoCustomers() {
        mine = unique("cust");
        theirs = unique("cust");
        TestEvents.insert(pool, List.of(
                event(mine + "-1", mine, "2024-03-01 10:00:00"),
                event(mine + "-2", mine, "2024-03-02 10:00:00"),
                event(theirs + "-1", theirs, "2024-03-01 11:00:00")));
    }

    private static TestEvents.Event event(String id, String customer, String at) {
        return new TestEvents.Event(id, customer, "page_view", utc(at), "s-" + customer, null, null, null, "mobile",
                "ES", null, null, null);
    }

    private String jwtFixedTo(String customer) {
        return sign(claims(unique("browser"), 600, List.of(pipeScope(ACTIVITY, Map.of("customer_id", customer)))),
                ADMIN);
    }

    @Test
    void aJwtReadsItsPipeWithItsFixedCustomer() {
        given().queryParam("token", jwtFixedTo(mine))
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200)
                .body("rows", equalTo(2))
                .body("data.event_id", everyItem(containsString(mine)));
    }

    @Test
    void theQueryStringCannotOverrideAFixedParameter() {
        String jwt = jwtFixedTo(mine);
        given().queryParam("token", jwt).queryParam("customer_id", theirs)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200)
                .body("rows", equalTo(2))
                .body("data.event_id", everyItem(containsString(mine)));
        // Nor twice, nor in the header form of the token.
        given().header("Authorization", "Bearer " + jwt)
                .queryParam("customer_id", theirs).queryParam("customer_id", theirs)
                .when().get("/v0/pipes/customer_activity.ndjson")
                .then().statusCode(200)
                .body(containsString(mine + "-1")).body(not(containsString(theirs)));
    }

    @Test
    void aJwtWithoutFixedParametersTakesTheRequestsParameters() {
        String jwt = sign(claims(unique("analyst"), 600, List.of(pipeScope(ACTIVITY, Map.of()))), ADMIN);
        given().queryParam("token", jwt).queryParam("customer_id", theirs)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).body("rows", equalTo(1));
    }

    @Test
    void aJwtCannotReadAPipeItsScopesDoNotName() {
        given().queryParam("token", jwtFixedTo(mine)).queryParam("customer_id", mine)
                .when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(403).contentType("application/json")
                .body("error", containsString("insufficient scope"))
                .body("error", containsString("PIPES:READ:customer_purchase_history"))
                .body("error", containsString("the JWT 'browser"));
    }

    @Test
    void aJwtFixingAParameterTheEndpointDoesNotTakeIsRefused() {
        // A typo in fixed_params must not leave customer_id to the caller.
        String jwt = sign(claims(unique("typo"), 600, List.of(pipeScope(ACTIVITY, Map.of("customerid", mine)))),
                ADMIN);
        given().queryParam("token", jwt).queryParam("customer_id", theirs)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(403)
                .body("error", containsString("fixes the parameter 'customerid', which customer_activity does not"
                        + " take"));
    }

    @Test
    void aFixedValueIsParsedAsTheParameterWouldBe() {
        String jwt = sign(claims(unique("limit"), 600, List.of(pipeScope(ACTIVITY,
                Map.of("customer_id", mine, "limit", 1)))), ADMIN);
        given().queryParam("token", jwt).queryParam("limit", 100)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).body("rows", equalTo(1));
        String bad = sign(claims(unique("limit"), 600, List.of(pipeScope(ACTIVITY,
                Map.of("customer_id", mine, "limit", 0)))), ADMIN);
        given().queryParam("token", bad)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(400).body("error", containsString("limit"));
    }

    @Test
    void anExpiredJwtIs403() {
        String jwt = sign(claims(unique("old"), -120, List.of(pipeScope(ACTIVITY, Map.of("customer_id", mine)))),
                ADMIN);
        given().queryParam("token", jwt)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(403).contentType("application/json")
                .body("error", containsString("expired"))
                .body("documentation", containsString("docs/api.md"));
    }

    @Test
    void aJwtSignedWithAnotherSecretIs403() {
        String jwt = sign(claims(unique("forged"), 600, List.of(pipeScope(ACTIVITY, Map.of()))), "not-the-admin");
        given().queryParam("token", jwt).queryParam("customer_id", mine)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(403)
                .body("error", containsString("unknown token"))
                .body("error", containsString("signature"))
                .body("error", not(containsString(jwt)));
    }

    @Test
    void anUnsignedJwtIs403() {
        String jwt = TestJwts.unsigned(claims(unique("none"), 600, List.of(pipeScope(ACTIVITY, Map.of()))));
        given().queryParam("token", jwt).queryParam("customer_id", mine)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(403).body("error", containsString("unknown token"));
    }

    @Test
    void malformedJwtsAre403() {
        for (String token : List.of("a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "..")) {
            given().queryParam("token", token).queryParam("customer_id", mine)
                    .when().get("/v0/pipes/customer_activity.json")
                    .then().statusCode(403).body("error", containsString("unknown token"));
        }
    }

    @Test
    void aJwtWithoutExpIs403() {
        JwtClaims forever = claims(unique("forever"), 600, List.of(pipeScope(ACTIVITY, Map.of("customer_id", mine))));
        forever.unsetClaim("exp");
        given().queryParam("token", sign(forever, ADMIN))
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(403).body("error", containsString("without exp"));
    }

    @Test
    void aJwtWithoutNameOrScopesIs403() {
        JwtClaims nameless = claims("x", 600, List.of(pipeScope(ACTIVITY, Map.of())));
        nameless.unsetClaim("name");
        given().queryParam("token", sign(nameless, ADMIN)).queryParam("customer_id", mine)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(403).body("error", containsString("no name claim"));
        JwtClaims scopeless = claims(unique("x"), 600, List.of());
        scopeless.unsetClaim("scopes");
        given().queryParam("token", sign(scopeless, ADMIN)).queryParam("customer_id", mine)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(403).body("error", containsString("scopes"));
    }

    @Test
    void aRowFilterIsRefusedRatherThanIgnored() {
        String jwt = sign(claims(unique("filtered"), 600, List.of(Map.of("type", "DATASOURCES:READ",
                "resource", "customer_events_quarantine", "filter", "customer_id = 'x'"))), ADMIN);
        given().queryParam("token", jwt)
                .when().get("/v0/pipes/customer_events_quarantine.json")
                .then().statusCode(403).body("error", containsString("filter"));
    }

    @Test
    void aDatasourceReadScopeReadsItsQuarantine() {
        String jwt = sign(claims(unique("ops"), 600, List.of(Map.of("type", "DATASOURCES:READ",
                "resource", "customer_events_quarantine"))), ADMIN);
        given().queryParam("token", jwt)
                .when().get("/v0/pipes/customer_events_quarantine.json")
                .then().statusCode(200);
    }

    @Test
    void aJwtIsHeldToItsOwnRps() {
        JwtClaims limited = claims(unique("limited"), 600, List.of(pipeScope(ACTIVITY, Map.of("customer_id", mine))));
        limited.setClaim("limits", Map.of("rps", 0.01));
        String jwt = sign(limited, ADMIN);
        given().queryParam("token", jwt)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200);
        given().queryParam("token", jwt)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(429)
                .header("Retry-After", equalTo("100"))
                .body("error", containsString("over its rate limit of 0.01 requests per second"));
        // Another JWT, another name: its own bucket.
        given().queryParam("token", jwtFixedTo(mine))
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200);
    }
}
