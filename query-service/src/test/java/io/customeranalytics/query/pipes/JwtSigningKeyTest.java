package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestJwts.claims;
import static io.customeranalytics.testsupport.TestJwts.pipeScope;
import static io.customeranalytics.testsupport.TestJwts.sign;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/** With analytics.jwt.signing-key set, that key signs JWTs and the admin token no longer does. */
@QuarkusTest
@TestProfile(JwtSigningKeyTest.SigningKey.class)
@WithTestResource(PostgresTestResource.class)
class JwtSigningKeyTest {

    static final String KEY = "a-signing-key-of-its-own-0123456789";

    public static class SigningKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("analytics.jwt.signing-key", KEY);
        }
    }

    @Test
    void theSigningKeySignsAndTheAdminTokenDoesNot() {
        String customer = unique("cust");
        List<Map<String, Object>> scopes = List.of(pipeScope("customer_activity", Map.of("customer_id", customer)));
        given().queryParam("token", sign(claims(unique("app"), 600, scopes), KEY))
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200);
        given().queryParam("token", sign(claims(unique("app"), 600, scopes), ADMIN))
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(403).body("error", containsString("signature"));
        // The admin token itself is still the admin token.
        given().queryParam("token", ADMIN).queryParam("customer_id", customer)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200);
    }
}
