package io.customeranalytics.ingest.events;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.customeranalytics.ingest.events.IngestTestSupport.event;
import static io.customeranalytics.ingest.events.IngestTestSupport.json;
import static io.customeranalytics.ingest.events.IngestTestSupport.post;
import static io.customeranalytics.ingest.events.IngestTestSupport.unique;
import static io.customeranalytics.ingest.events.IngestTestSupport.without;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Health, metrics and the OpenAPI document, without a token. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "migrate", value = "false"))
class OperationsTest {

    @Test
    void readinessChecksTheDatabase() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsCountStoredDeduplicatedAndQuarantinedRowsPerDatasource() {
        double stored = metric("customer_events", "stored");
        double deduplicated = metric("customer_events", "deduplicated");
        double quarantined = metric("customer_events", "quarantined");
        double profilesStored = metric("customer_profiles", "stored");

        String id = unique("ev");
        String good = json(event(id, "c-" + id, "page_view", "2024-01-01 00:00:00"));
        String bad = json(without(event(unique("ev"), "c", "page_view", "2024-01-01 00:00:00"), "customer_id"));
        post("customer_events", good + "\n" + good + "\n" + bad + "\n").statusCode(202)
                .body("successful_rows", equalTo(2)).body("quarantined_rows", equalTo(1));
        post("customer_events", good).statusCode(202);

        assertEquals(stored + 1, metric("customer_events", "stored"));
        assertEquals(deduplicated + 2, metric("customer_events", "deduplicated"));
        assertEquals(quarantined + 1, metric("customer_events", "quarantined"));
        assertEquals(profilesStored, metric("customer_profiles", "stored"));
    }

    @Test
    void openApiDocumentsTheEventsApi() {
        given().accept("application/json").when().get("/q/openapi?format=json")
                .then().statusCode(200)
                .body("paths.'/v0/events'.post.operationId", equalTo("appendEvents"))
                .body("paths.'/v0/events'.post.responses.'200'.content.'application/json'.schema", notNullValue())
                .body("paths.'/v0/events'.post.responses.'202'", notNullValue())
                .body("paths.'/v0/events'.post.responses.'400'", notNullValue())
                .body("paths.'/v0/events'.post.responses.'403'", notNullValue())
                .body("paths.'/v0/events'.post.responses.'404'", notNullValue())
                .body("paths.'/v0/events'.post.responses.'413'", notNullValue())
                .body("paths.'/v0/events'.post.responses.'503'", notNullValue())
                .body("components.schemas.IngestResult.properties.successful_rows", notNullValue())
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("components.securitySchemes.token.in", equalTo("query"));
    }

    @Test
    void unknownPathAndWrongMethodAnswerJsonErrors() {
        given().when().get("/v0/nothing-here")
                .then().statusCode(404).contentType("application/json").body("error", notNullValue());
        given().when().get("/v0/events?name=customer_events")
                .then().statusCode(405).contentType("application/json")
                .body("error", containsString("method not allowed"));
    }

    private static double metric(String datasource, String outcome) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("analytics_ingest_rows_total\\{datasource=\"" + datasource + "\",outcome=\""
                + outcome + "\"} ([0-9.E]+)").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no analytics_ingest_rows_total for " + datasource + "/" + outcome + " in:\n"
                    + text);
        }
        return Double.parseDouble(m.group(1));
    }
}
