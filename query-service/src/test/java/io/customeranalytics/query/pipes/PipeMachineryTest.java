package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestEvents.utc;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What every endpoint shares: formats, envelope, tokens, unknown endpoints and parameters. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class PipeMachineryTest {

    @Inject
    Pool pool;

    String customer;

    @BeforeEach
    void insertCustomer() {
        customer = unique("cust");
        TestEvents.insert(pool, List.of(
                new TestEvents.Event(customer + "-1", customer, "page_view", utc("2022-07-01 10:00:00"), "s-1",
                        "https://shop.example/a,b?q=\"x\"", null, null, "mobile", "", "line1\nline2", null, null),
                new TestEvents.Event(customer + "-2", customer, "purchase", utc("2022-07-01 11:00:00"), "s-1",
                        null, "prod-1", "cat-1", "mobile", "ES", null, 12.25, 2)));
    }

    @Test
    void jsonEnvelopeHasMetaDataRowsAndStatistics() {
        given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).contentType("application/json")
                .body("meta.size()", equalTo(12))
                .body("data.size()", equalTo(2))
                .body("rows", equalTo(2))
                .body("rows_before_limit_at_least", equalTo(2))
                .body("statistics.elapsed", notNullValue())
                .body("statistics.rows_read", equalTo(2))
                .body("statistics.bytes_read", greaterThan(0));
    }

    @Test
    void csvHasAHeaderRowAndRfc4180Quoting() {
        String csv = given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .when().get("/v0/pipes/customer_activity.csv")
                .then().statusCode(200).contentType(containsString("text/csv"))
                .extract().asString();
        String expected = "event_id,event_type,event_timestamp,session_id,page_url,product_id,category_id,price,"
                + "quantity,device_type,country,referrer\r\n"
                + customer + "-2,purchase,2022-07-01 11:00:00,s-1,,prod-1,cat-1,12.25,2,mobile,ES,\r\n"
                + customer + "-1,page_view,2022-07-01 10:00:00,s-1,\"https://shop.example/a,b?q=\"\"x\"\"\",,,,,"
                + "mobile,\"\",\"line1\nline2\"\r\n";
        assertEquals(expected, csv);
    }

    @Test
    void ndjsonIsOneObjectPerRow() {
        String ndjson = given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .when().get("/v0/pipes/customer_activity.ndjson")
                .then().statusCode(200).contentType(containsString("application/x-ndjson"))
                .extract().asString();
        String[] lines = ndjson.split("\n");
        assertEquals(2, lines.length);
        assertEquals(customer + "-2", io.restassured.path.json.JsonPath.from(lines[0]).getString("event_id"));
        assertEquals(12.25, io.restassured.path.json.JsonPath.from(lines[0]).getDouble("price"));
        assertEquals("line1\nline2", io.restassured.path.json.JsonPath.from(lines[1]).getString("referrer"));
    }

    @Test
    void unknownEndpointIs404AndUnknownFormatIs400() {
        given().queryParam("token", ADMIN).when().get("/v0/pipes/customer_orders.json")
                .then().statusCode(404).contentType("application/json")
                .body("error", containsString("unknown pipe endpoint 'customer_orders'"));
        given().queryParam("token", ADMIN).queryParam("customer_id", customer)
                .when().get("/v0/pipes/customer_activity.xml")
                .then().statusCode(400).body("error", containsString("unsupported format 'xml'"));
    }

    @Test
    void unknownParametersAreIgnored() {
        given().queryParam("customer_id", customer).queryParam("token", ADMIN).queryParam("q", "whatever")
                .when().get("/v0/pipes/customer_activity.json")
                .then().statusCode(200).body("rows", equalTo(2));
    }

    @Test
    void eachTokenCase() {
        String path = "/v0/pipes/customer_activity.json";
        given().queryParam("customer_id", customer).when().get(path)
                .then().statusCode(403).body("error", containsString("missing token"));
        given().queryParam("customer_id", customer).queryParam("token", "nope").when().get(path)
                .then().statusCode(403).body("error", containsString("unknown token"));
        // A token scoped to customer_activity reads it, and nothing else.
        given().queryParam("customer_id", customer).header("Authorization", "Bearer test-activity-token")
                .when().get(path).then().statusCode(200).body("rows", equalTo(2));
        given().queryParam("customer_id", customer).header("Authorization", "Bearer test-activity-token")
                .when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(403).body("error", containsString("PIPES:READ:customer_purchase_history"))
                .body("error", not(containsString("test-activity-token")));
        // The query parameter wins over the header.
        given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .header("Authorization", "Bearer nope").when().get(path).then().statusCode(200);
    }

    @Test
    void openApiDocumentsEachEndpointWithItsParametersAndRows() {
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/v0/pipes/customer_activity.json'.get.operationId", equalTo("customerActivity"))
                .body("paths.'/v0/pipes/customer_activity.json'.get.parameters.name",
                        equalTo(List.of("customer_id", "event_type", "start_date", "end_date", "limit")))
                .body("paths.'/v0/pipes/customer_activity.json'.get.parameters[0].required", equalTo(true))
                .body("paths.'/v0/pipes/customer_activity.json'.get.parameters[4].schema.maximum", equalTo(10000))
                .body("paths.'/v0/pipes/customer_activity.json'.get.parameters[4].schema.default", equalTo(100))
                .body("paths.'/v0/pipes/customer_activity.json'.get.responses.'200'.content.'application/json'"
                        + ".schema.'$ref'", equalTo("#/components/schemas/CustomerActivityResponse"))
                .body("paths.'/v0/pipes/customer_activity.json'.get.responses.'400'", notNullValue())
                .body("components.schemas.CustomerActivityRow.properties.price.type",
                        equalTo(List.of("number", "null")))
                .body("components.schemas.CustomerActivityRow.required", org.hamcrest.Matchers.hasItem("event_id"))
                .body("paths.'/v0/pipes/customer_behavioral_analysis.json'.get.parameters.find { it.name == "
                        + "'granularity' }.schema.enum", equalTo(List.of("day", "week", "month")))
                .body("paths.'/v0/pipes/segment_metrics.json'.get.operationId", equalTo("segmentMetrics"));
    }

    @Test
    void recordsLatencyPerEndpoint() {
        given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .when().get("/v0/pipes/customer_purchase_history.json").then().statusCode(200);
        given().queryParam("token", ADMIN).when().get("/v0/pipes/customer_purchase_history.json")
                .then().statusCode(400);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains(
                "analytics_pipe_request_seconds_count{endpoint=\"customer_purchase_history\",outcome=\"ok\"}"),
                metrics);
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains(
                "analytics_pipe_request_seconds_bucket{endpoint=\"customer_purchase_history\",outcome=\"ok\",le=\"0.25\"}"),
                metrics);
    }

    @Test
    void healthMetricsAndOpenApiNeedNoToken() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/metrics").then().statusCode(200);
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/v0/pipes/{pipe}.{format}'.get.operationId", equalTo("queryPipe"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("paths.size()", greaterThanOrEqualTo(1));
    }

    @Test
    void aTokenOverItsRateLimitIs429WithRetryAfter() {
        // Token "limited": burst 2, then 0.01 requests per second (application.properties, %test).
        for (int i = 0; i < 2; i++) {
            given().queryParam("customer_id", customer).queryParam("token", "test-rate-limited-token")
                    .when().get("/v0/pipes/customer_activity.json").then().statusCode(200);
        }
        given().queryParam("customer_id", customer).queryParam("token", "test-rate-limited-token")
                .when().get("/v0/pipes/customer_activity.csv")
                .then().statusCode(429).contentType("application/json")
                .header("Retry-After", org.hamcrest.Matchers.equalTo("100"))
                .body("error", org.hamcrest.Matchers.containsString("'limited' is over its rate limit of 0.01"));
        given().queryParam("customer_id", customer).queryParam("token", ADMIN)
                .when().get("/v0/pipes/customer_activity.json").then().statusCode(200);
    }

    @Inject
    @jakarta.enterprise.inject.Any
    jakarta.enterprise.inject.Instance<io.customeranalytics.pipes.PipeEndpoint> endpoints;

    @Test
    void aNulCharacterInAnyParameterIsA400NamingIt() {
        int checked = 0;
        for (io.customeranalytics.pipes.PipeEndpoint endpoint : endpoints) {
            for (io.customeranalytics.pipes.PipeParam param : endpoint.params()) {
                for (String hostile : List.of("a%00b", "2023-06-15%2010:00:00%00")) {
                    var request = given().urlEncodingEnabled(false).queryParam("token", ADMIN);
                    for (io.customeranalytics.pipes.PipeParam other : endpoint.params()) {
                        if (other.required() && !other.name().equals(param.name())) {
                            request = request.queryParam(other.name(), "x");
                        }
                    }
                    String body = request.queryParam(param.name(), hostile)
                            .when().get("/v0/pipes/" + endpoint.name() + ".json")
                            .then().statusCode(400).contentType("application/json")
                            .body("error", containsString("parameter '" + param.name() + "'"))
                            .extract().asString();
                    org.junit.jupiter.api.Assertions.assertFalse(body.contains("Exception"), body);
                    checked++;
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(checked >= 20, "every parameter of every endpoint: " + checked);
    }
}
