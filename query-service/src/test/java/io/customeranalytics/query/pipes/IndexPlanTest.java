package io.customeranalytics.query.pipes;

import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.customeranalytics.testsupport.TestEvents.unique;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-customer endpoints can read customer_events through index-only range scans: the page through
 * customer_events_customer_read_idx, in its order, and the count beside it (rows_before_limit_at_least) through
 * the narrow customer_events_customer_count_idx. The plan of the very SQL the endpoints send, with their
 * parameters bound.
 * Events are recent, so that in TimescaleDB mode their chunk is not compressed yet.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class IndexPlanTest {

    @Inject
    Pool pool;

    @Inject
    CustomerActivity activity;

    @Inject
    CustomerPurchaseHistory purchases;

    String customer;

    @BeforeEach
    void insertCustomer() {
        customer = unique("cust");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        List<TestEvents.Event> events = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            // Many customers, so that one customer's rows are a small part of the table.
            String who = i % 20 == 0 ? customer : customer + "-other-" + i % 400;
            events.add(new TestEvents.Event(unique("ev"), who, i % 4 == 0 ? "purchase" : "page_view",
                    now.minusMinutes(i), "s-" + i, "https://shop.example/" + i, "prod", "cat-" + i % 3, "mobile", "US",
                    null, 9.99, 1));
        }
        TestEvents.insert(pool, events);
    }

    /**
     * The plan of {@code query} with the alternatives that do not read the index in order switched off
     * (sequential and bitmap scans, sorting), in one transaction: what remains possible shows whether the index
     * alone can answer in the endpoint's order. The planner picks an index-only scan even before a VACUUM has
     * marked pages all-visible, when the index covers every column the query needs.
     */
    private String plan(PipeQuery query) {
        List<Row> rows = new ArrayList<>();
        pool.withTransaction(connection -> connection
                        .query("SET LOCAL enable_seqscan = off").execute()
                        .chain(() -> connection.query("SET LOCAL enable_bitmapscan = off").execute())
                        .chain(() -> connection.query("SET LOCAL enable_sort = off").execute())
                        .chain(() -> connection.preparedQuery("EXPLAIN " + query.sql()).execute(query.params())))
                .await().atMost(Duration.ofMinutes(1))
                .forEach(rows::add);
        return rows.stream().map(r -> r.getString(0)).collect(Collectors.joining("\n"));
    }

    private static PipeParams params(Map<String, Object> values) {
        return new PipeParams(new HashMap<>(values));
    }

    /** {@code values} with a range over the last ten hours, where this test's events are. */
    private static PipeParams lastTenHours(Map<String, Object> values) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Map<String, Object> ranged = new HashMap<>(values);
        ranged.put("start_date", now.minusHours(10));
        ranged.put("end_date", now);
        return new PipeParams(ranged);
    }

    /** Whether the plan reads {@code index} index-only (in TimescaleDB mode, a chunk's copy of it). */
    private static boolean readsIndexOnly(String plan, String index) {
        return plan.matches("(?s).*Index Only Scan (Backward )?using \\S*" + index + " .*");
    }

    /** The page from the wide index, the count from the narrow one, and neither visits the table. */
    private static void assertReadsBothIndexesOnly(String plan) {
        assertTrue(readsIndexOnly(plan, "customer_events_customer_read_idx"),
                "the page, index-only from the wide index:\n" + plan);
        assertCountsFromTheNarrowIndex(plan);
    }

    /**
     * The count index-only from the narrow index, with no window over the page's rows; the page from either
     * index in its order, without a full sort. With an event type (purchases always have one) the planner may
     * take the narrow index for the page too, whose key range then holds only the customer's events of that
     * type, and visit the table for the page's rows alone.
     */
    private static void assertCountsFromTheNarrowIndex(String plan) {
        assertTrue(readsIndexOnly(plan, "customer_events_customer_count_idx"),
                "the count, index-only from the narrow index:\n" + plan);
        assertFalse(plan.contains("WindowAgg"), "no window over the page's rows:\n" + plan);
        assertFalse(plan.contains("Seq Scan"), plan);
        assertFalse(plan.matches("(?s).*->  Sort .*"), "no full sort:\n" + plan);
    }

    @Test
    void customerActivityIsAnIndexOnlyScan() {
        String plan = plan(activity.query(params(Map.of("customer_id", customer, "limit", 100))));
        assertReadsBothIndexesOnly(plan);
    }

    @Test
    void customerActivityWithARangeAndATypeCountsFromTheNarrowIndex() {
        assertCountsFromTheNarrowIndex(plan(activity.query(lastTenHours(Map.of("customer_id", customer,
                "limit", 100, "event_type", "purchase")))));
    }

    @Test
    void purchaseHistoryInACategoryWithARangeCountsFromTheNarrowIndex() {
        assertCountsFromTheNarrowIndex(plan(purchases.query(lastTenHours(Map.of("customer_id", customer,
                "limit", 50, "category_id", "cat-1")))));
    }

    @Test
    void purchaseHistoryCountsFromTheNarrowIndex() {
        assertCountsFromTheNarrowIndex(plan(purchases.query(params(Map.of("customer_id", customer, "limit", 50)))));
    }
}
