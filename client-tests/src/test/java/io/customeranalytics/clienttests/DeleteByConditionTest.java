package io.customeranalytics.clienttests;

import com.fasterxml.jackson.databind.JsonNode;
import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;

import static io.customeranalytics.clienttests.StackCalls.awaitTrue;
import static io.customeranalytics.clienttests.StackCalls.count;
import static io.customeranalytics.clienttests.StackCalls.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Deletes by condition with the whole stack running, sent as Tinybird's SDK sends them (a form body): every
 * read endpoint answers without the deleted events at once, segment membership follows within its bound, and a
 * deleted segment is gone from both segment endpoints.
 */
@ExtendWith(RunningStack.class)
class DeleteByConditionTest {

    @Test
    void deletedEventsLeaveEveryAnswerAndADeletedSegmentLeavesBothSegmentEndpoints() throws Exception {
        StackCalls calls = new StackCalls(RunningStack.get());
        String run = "delete-" + UUID.randomUUID().toString().substring(0, 8);
        String customer = run + "-c";
        String segment = run + " spenders";
        calls.appendOne("customer_segments", "{\"segment_id\":\"" + run + "\",\"segment_name\":\"" + segment
                + "\",\"segment_rules\":\"total_spent > 5 AND city = '" + run + "'\"}");
        calls.appendOne("customer_profiles", "{\"customer_id\":\"" + customer + "\",\"city\":\"" + run + "\"}");
        for (int i = 1; i <= 2; i++) {
            calls.appendOne("customer_events", "{\"event_id\":\"" + run + "-" + i + "\",\"customer_id\":\"" + customer
                    + "\",\"event_type\":\"purchase\",\"event_timestamp\":\"1986-06-0" + i + " 10:00:00\","
                    + "\"price\":4}");
        }
        String members = "segment_customers.json?segment_name=" + encode(segment);
        awaitTrue(() -> calls.pipe("query-service", members).path("rows").asInt() == 1,
                "the customer spent 8, so it is a member");
        String june = "customer_behavioral_analysis.json?start_date=1986-06-01%2000:00:00"
                + "&end_date=1986-06-30%2023:59:59&granularity=month&event_type=purchase";
        assertEquals(2, calls.pipe("query-service", june).path("data").path(0).path("event_count").asInt());

        JsonNode job = calls.postAdmin("/v0/datasources/customer_events/delete", "delete_condition="
                + encode("customer_id = '" + customer + "' AND event_timestamp >= '1986-06-02 00:00:00'"));
        assertEquals("done", job.path("status").asText(), job.toString());
        assertEquals(1, job.path("job").path("rows_affected").asInt(), job.toString());

        assertEquals(1, calls.pipe("query-service", june).path("data").path(0).path("event_count").asInt(),
                "the month's analysis no longer counts the deleted purchase");
        assertEquals(1, calls.pipe("query-service", "customer_purchase_history.json?customer_id=" + encode(customer))
                .path("rows").asInt());
        awaitTrue(() -> calls.pipe("query-service", members).path("rows").asInt() == 0,
                "the customer now spent 4, so it left the segment");
        DatabaseAddress address = TestDatabase.get();
        try (Connection db = DriverManager.getConnection(address.jdbcUrl(), address.user(), address.password())) {
            assertEquals(1, count(db, "SELECT count(*) FROM analytics.customer_metrics_snapshot WHERE customer_id = ?"
                    + " AND total_spent = 4 AND purchase_count = 1", customer), "the snapshot equals the events left");
        }

        JsonNode dryRun = calls.postAdmin("/v0/datasources/customer_segments/delete",
                "dry_run=true&delete_condition=" + encode("segment_id = '" + run + "'"));
        assertEquals(1, dryRun.path("rows_to_be_deleted").asInt(), dryRun.toString());
        calls.postAdmin("/v0/datasources/customer_segments/delete",
                "delete_condition=" + encode("segment_id = '" + run + "'"));
        assertEquals(404, calls.pipeAnswer("query-service", members).statusCode());
        assertFalse(calls.pipe("query-service", "segment_metrics.json").path("data").toString()
                .contains(segment), "segment_metrics no longer lists the segment");
        try (Connection db = DriverManager.getConnection(address.jdbcUrl(), address.user(), address.password())) {
            for (String table : new String[] {"segment_membership", "segment_membership_state", "segment_stats"}) {
                assertEquals(0, count(db, "SELECT count(*) FROM analytics." + table + " WHERE segment_id = ?", run),
                        table);
            }
        }
    }
}
