package io.customeranalytics.query.pipes;

import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.customeranalytics.testsupport.TestEvents.unique;
import static io.customeranalytics.testsupport.TestEvents.utc;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class QuarantinePipeTest {

    @Inject
    Pool pool;

    private void quarantine(String table, UUID importId, OffsetDateTime at, String raw, String column, String error) {
        pool.preparedQuery("INSERT INTO " + table + " (c__error_column, c__error, c__import_id, c__raw,"
                        + " insertion_date) VALUES (ARRAY[$1], ARRAY[$2], $3, $4, $5)")
                .execute(Tuple.of(column, error, importId, raw, at))
                .await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void listsRejectedRowsNewestRequestFirstAndInSentOrderWithinARequest() {
        String marker = unique("q");
        UUID older = UUID.randomUUID();
        UUID newer = UUID.randomUUID();
        OffsetDateTime t1 = utc("1999-01-01 10:00:00");
        OffsetDateTime t2 = utc("1999-01-01 11:00:00");
        quarantine("customer_events_quarantine", older, t1, marker + "-old", "c__raw", "invalid JSON");
        quarantine("customer_events_quarantine", newer, t2, marker + "-new-1", "price", "must be >= 0");
        quarantine("customer_events_quarantine", newer, t2, marker + "-new-2", "event_id", "required value is missing");

        JsonPath json = given().queryParam("token", ADMIN)
                .queryParam("start_date", "1999-01-01 00:00:00").queryParam("end_date", "1999-01-01 23:59:59")
                .when().get("/v0/pipes/customer_events_quarantine.json")
                .then().statusCode(200)
                .body("meta[2].type", equalTo("Array(String)"))
                .extract().jsonPath();
        List<String> raws = json.<String>getList("data.c__raw").stream().filter(r -> r.startsWith(marker)).toList();
        assertEquals(List.of(marker + "-new-1", marker + "-new-2", marker + "-old"), raws);
        int i = json.<String>getList("data.c__raw").indexOf(marker + "-new-1");
        assertEquals(List.of("price"), json.getList("data[" + i + "].c__error_column"));
        assertEquals(List.of("must be >= 0"), json.getList("data[" + i + "].c__error"));
        assertEquals(newer.toString(), json.getString("data[" + i + "].c__import_id"));
        assertEquals("1999-01-01 11:00:00", json.getString("data[" + i + "].insertion_date"));

        given().queryParam("token", ADMIN).queryParam("start_date", "1999-01-01 10:30:00")
                .queryParam("end_date", "1999-01-01 23:59:59").queryParam("limit", 1)
                .when().get("/v0/pipes/customer_events_quarantine.json")
                .then().statusCode(200).body("rows", equalTo(1));
    }

    @Test
    void needsAdminOrTheQuarantineReadScope() {
        given().header("Authorization", "Bearer test-quarantine-token")
                .when().get("/v0/pipes/customer_events_quarantine.json").then().statusCode(200);
        given().header("Authorization", "Bearer test-quarantine-token")
                .when().get("/v0/pipes/customer_profiles_quarantine.json")
                .then().statusCode(403).body("error", containsString("DATASOURCES:READ:customer_profiles_quarantine"));
        given().header("Authorization", "Bearer test-activity-token")
                .when().get("/v0/pipes/customer_events_quarantine.json").then().statusCode(403);
    }

    @Test
    void everyDatasourceHasItsQuarantinePipe() {
        for (String ds : List.of("customer_events", "customer_profiles", "customer_segments")) {
            given().queryParam("token", ADMIN).queryParam("limit", 1)
                    .when().get("/v0/pipes/" + ds + "_quarantine.csv")
                    .then().statusCode(200)
                    .body(containsString("insertion_date,c__import_id,c__error_column,c__error,c__raw,"));
        }
    }
}
