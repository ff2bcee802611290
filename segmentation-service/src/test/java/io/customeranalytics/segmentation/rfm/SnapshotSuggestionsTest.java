package io.customeranalytics.segmentation.rfm;

import io.customeranalytics.pipes.DeclaredPipe;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.segmentation.membership.MembershipRefresher;
import io.customeranalytics.testsupport.PostgresTestResource;
import io.customeranalytics.testsupport.TestEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.customeranalytics.testsupport.TestEvents.ADMIN;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Suggestions for an as_of after (nearly) every event are answered from segmentation-service's customer snapshot,
 * corrected by the change records it has not applied yet: the answers equal the definition computed here over the
 * raw rows, whether the records are applied or not. 400 generated customers (with ties in every score) come on
 * top of whatever the database holds; as_of is a minute ahead, so that nothing moves while the test compares.
 * The scoring over the aggregates, which a past as_of gets when the snapshot cannot answer, is checked against
 * the same definition.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class SnapshotSuggestionsTest {

    private static final RestAssuredConfig DOUBLES = RestAssuredConfig.config().jsonConfig(
            JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));

    /**
     * docs/api.md, "Segmentation endpoints" over the raw rows, with the scores as integers: what the endpoint must
     * answer at $1.
     */
    private static final String DEFINITION = """
            WITH ev AS (
                SELECT * FROM customer_events WHERE event_timestamp <= $1
            ),
            everyone AS (
                SELECT customer_id FROM ev UNION SELECT customer_id FROM customer_profiles
            ),
            metrics AS (
                SELECT c.customer_id,
                       count(ev.event_id) FILTER (WHERE ev.event_type = 'purchase') AS frequency,
                       coalesce(sum(CASE WHEN ev.event_type = 'purchase'
                                         THEN coalesce(ev.price, 0) * coalesce(ev.quantity, 1) ELSE 0 END), 0)
                           AS monetary,
                       count(ev.event_id) AS total_events,
                       count(DISTINCT ev.session_id) AS session_count,
                       max(ev.event_timestamp) AS last_event_at,
                       floor(extract(epoch FROM $1 - max(ev.event_timestamp) FILTER (WHERE ev.event_type = 'purchase'))
                             / 86400)::bigint AS recency_days
                FROM everyone c
                LEFT JOIN ev ON ev.customer_id = c.customer_id
                GROUP BY c.customer_id
            ),
            purchasers AS (
                SELECT m.*, count(*) OVER () AS n,
                       count(*) OVER (ORDER BY recency_days DESC RANGE UNBOUNDED PRECEDING) AS by_recency,
                       count(*) OVER (ORDER BY frequency RANGE UNBOUNDED PRECEDING) AS by_frequency,
                       count(*) OVER (ORDER BY monetary RANGE UNBOUNDED PRECEDING) AS by_monetary
                FROM metrics m WHERE frequency > 0
            ),
            scores AS (
                SELECT customer_id,
                       ((5 * by_recency + n - 1) / n)::int AS r, ((5 * by_frequency + n - 1) / n)::int AS f,
                       ((5 * by_monetary + n - 1) / n)::int AS m
                FROM purchasers
            )
            SELECT m.customer_id, pr.customer_segment, m.frequency, m.monetary, m.total_events, m.session_count,
                   m.recency_days, s.r, s.f, s.m,
                   CASE WHEN m.frequency = 0 THEN
                            CASE WHEN m.last_event_at >= $1 - INTERVAL '30 days' THEN 'Browsers' ELSE 'Inactive' END
                        WHEN s.r >= 4 AND s.f >= 4 AND s.m >= 4 THEN 'Champions'
                        WHEN s.f >= 4 AND s.r >= 3 THEN 'Loyal'
                        WHEN s.r >= 4 AND s.f = 1 THEN 'New Customers'
                        WHEN s.r >= 4 THEN 'Potential Loyalists'
                        WHEN s.r = 3 THEN 'Need Attention'
                        WHEN s.f >= 4 THEN 'Can''t Lose Them'
                        WHEN s.f >= 2 AND s.m >= 3 THEN 'At Risk'
                        WHEN s.r = 2 THEN 'Hibernating'
                        ELSE 'Lost' END AS suggested_segment
            FROM metrics m
            LEFT JOIN scores s ON s.customer_id = m.customer_id
            LEFT JOIN customer_profiles pr ON pr.customer_id = m.customer_id""";

    /** Rows by which the RFM counts (V16) and the snapshot they count differ, both ways; in one MVCC snapshot. */
    private static final String COUNTS_APART = """
            WITH counted AS (
                SELECT 'f' AS kind, purchase_count::text AS key, count(*) AS n
                FROM customer_metrics_snapshot GROUP BY purchase_count
                UNION ALL
                SELECT 'm', rfm_bucket(total_spent)::text, count(*)
                FROM customer_metrics_snapshot WHERE purchase_count > 0 GROUP BY rfm_bucket(total_spent)
                UNION ALL
                SELECT 'r', date_bin('1 hour', last_purchase_at, timestamptz 'epoch')::text, count(*)
                FROM customer_metrics_snapshot WHERE purchase_count > 0
                GROUP BY date_bin('1 hour', last_purchase_at, timestamptz 'epoch')
            ),
            kept AS (
                SELECT 'f' AS kind, purchase_count::text AS key, customers AS n FROM rfm_frequency WHERE customers <> 0
                UNION ALL
                SELECT 'm', bucket::text, customers FROM rfm_monetary WHERE customers <> 0
                UNION ALL
                SELECT 'r', hour::text, customers FROM rfm_recency WHERE customers <> 0
            )
            SELECT (SELECT count(*) FROM (SELECT * FROM counted EXCEPT SELECT * FROM kept) AS a)
                   + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM counted) AS b)""";

    @Inject
    Pool pool;

    String run;
    OffsetDateTime asOf;

    @BeforeEach
    void generateCustomers() {
        run = TestEvents.unique("snap");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        asOf = now.plusMinutes(1);
        untilSnapshotExists();
        TestEvents.insert(pool, generated(now, 0, 400));
    }

    /** Customers from..to: purchases on whole days before now (ties in recency), in a few amounts (ties in m). */
    private List<TestEvents.Event> generated(OffsetDateTime now, int from, int to) {
        Random random = new Random(7 + from);
        List<TestEvents.Event> events = new ArrayList<>();
        for (int c = from; c < to; c++) {
            String customer = run + "-" + c;
            int purchases = c % 8 == 0 ? 0 : 1 + random.nextInt(6);
            for (int i = 0; i < purchases; i++) {
                events.add(new TestEvents.Event(customer + "-p" + i, customer, "purchase",
                        now.minusDays(random.nextInt(300)).minusHours(2), "s-" + (i % 3), null, null, null, null, null,
                        null, 10.0 * (1 + random.nextInt(5)), 1 + random.nextInt(2)));
            }
            events.add(TestEvents.event(customer + "-v", customer, "page_view",
                    now.minusDays(random.nextInt(60)).minusHours(1)));
        }
        return events;
    }

    private void untilSnapshotExists() {
        for (int attempt = 0; attempt < 600; attempt++) {
            if (TestEvents.rows(pool, "SELECT count(*) FROM customer_metrics_snapshot_state").get(0).getLong(0) > 0) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("segmentation-service built no snapshot in 60 s");
    }

    private void untilChangesApplied() {
        for (int attempt = 0; attempt < 600; attempt++) {
            if (TestEvents.rows(pool, "SELECT count(*) FROM customer_changes").get(0).getLong(0) == 0) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("the change records were not applied in 60 s");
    }

    /**
     * Runs {@code body} while this test holds the refresher's lock, as a refresh in progress would: what is written
     * meanwhile stays in change records.
     */
    private void whileTheRefresherIsHeld(Runnable body) {
        SqlConnection other = pool.getConnection().await().atMost(Duration.ofSeconds(30));
        try {
            other.preparedQuery("SELECT pg_advisory_lock(hashtext($1))")
                    .execute(Tuple.of(MembershipRefresher.LOCK_KEY))
                    .await().atMost(Duration.ofMinutes(1));
            body.run();
        } finally {
            other.preparedQuery("SELECT pg_advisory_unlock(hashtext($1))")
                    .execute(Tuple.of(MembershipRefresher.LOCK_KEY))
                    .await().atMost(Duration.ofSeconds(30));
            other.close().await().atMost(Duration.ofSeconds(30));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The monetary value of each customer in the definition's last computation. */
    private final Map<String, Double> definedMonetary = new java.util.HashMap<>();

    /** customer_id -> the columns compared, as text, from the definition at as_of. */
    private Map<String, String> definition() {
        Map<String, String> rows = new TreeMap<>();
        definedMonetary.clear();
        for (Row row : TestEvents.rows(pool, DEFINITION, asOf)) {
            definedMonetary.put(row.getString("customer_id"), row.getDouble("monetary"));
            rows.put(row.getString("customer_id"), String.join("|", row.getString("suggested_segment"),
                    String.valueOf(row.getLong("recency_days")), String.valueOf(row.getLong("frequency")),
                    String.format("%.6f", row.getDouble("monetary")), String.valueOf(row.getInteger("r")),
                    String.valueOf(row.getInteger("f")), String.valueOf(row.getInteger("m")),
                    String.valueOf(row.getLong("total_events")), String.valueOf(row.getLong("session_count")),
                    String.valueOf(row.getString("customer_segment"))));
        }
        return rows;
    }

    private JsonPath answer(Map<String, Object> params) {
        Map<String, Object> query = new TreeMap<>(Map.of("limit", 100_000));
        query.putAll(params);
        return given().config(DOUBLES).queryParam("token", ADMIN).queryParam("as_of", TestEvents.text(asOf))
                .queryParams(query)
                .when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, String> byCustomer(JsonPath answer) {
        return byCustomer(answer.<Map<String, Object>>getList("data"));
    }

    private static Map<String, String> byCustomer(List<Map<String, Object>> data) {
        Map<String, String> rows = new TreeMap<>();
        for (Map<String, Object> row : data) {
            rows.put((String) row.get("customer_id"), String.join("|", (String) row.get("suggested_segment"),
                    text(row.get("recency_days")), text(row.get("frequency")),
                    String.format("%.6f", ((Number) row.get("monetary")).doubleValue()), text(row.get("r_score")),
                    text(row.get("f_score")), text(row.get("m_score")), text(row.get("total_events")),
                    text(row.get("session_count")), String.valueOf(row.get("current_segment"))));
        }
        return rows;
    }

    private static String text(Object number) {
        return number == null ? "null" : String.valueOf(((Number) number).longValue());
    }

    /**
     * The customers whose monetary sums, as the definition and the answer add them, are one or a few ulps apart
     * (the snapshot adds a customer's records to its row, the aggregates add daily sums; the definition adds its
     * raw events in another order), and every customer with a sum that close to theirs: a sum that is a score's
     * threshold, or ties with one, may then rank on either side of it. Any other difference is a bug.
     */
    private java.util.Set<String> summedInAnotherOrder(List<Map<String, Object>> data) {
        java.util.Set<Double> apart = new java.util.HashSet<>();
        for (Map<String, Object> row : data) {
            String customer = (String) row.get("customer_id");
            Double defined = definedMonetary.get(customer);
            double value = ((Number) row.get("monetary")).doubleValue();
            if (defined != null && defined != value && Math.abs(defined - value) <= 1e-9 * Math.abs(defined)) {
                apart.add(defined);
            }
        }
        java.util.Set<String> near = new java.util.HashSet<>();
        definedMonetary.forEach((customer, value) -> {
            if (apart.stream().anyMatch(v -> Math.abs(v - value) <= 1e-9 * Math.abs(v))) {
                near.add(customer);
            }
        });
        return near;
    }

    /** Equal maps but for {@code excused}, or a failure that names the customers that differ. */
    private static void assertSameRows(Map<String, String> expected, Map<String, String> actual,
                                       java.util.Set<String> excused, String what) {
        List<String> differences = new ArrayList<>();
        java.util.Set<String> customers = new java.util.TreeSet<>(expected.keySet());
        customers.addAll(actual.keySet());
        customers.removeAll(excused);
        for (String customer : customers) {
            if (!java.util.Objects.equals(expected.get(customer), actual.get(customer))) {
                differences.add(customer + ": " + expected.get(customer) + " / " + actual.get(customer));
            }
        }
        assertTrue(differences.isEmpty(), what + ": " + differences.size() + " differ (expected / answered): "
                + differences.subList(0, Math.min(20, differences.size())));
    }

    private void assertCountsMatchTheSnapshot(String when) {
        assertEquals(0L, TestEvents.rows(pool, COUNTS_APART).get(0).getLong(0), when + ": the RFM counts");
    }

    private void assertAnswersEqualTheDefinition(String when) {
        var choice = SnapshotScoring.choice(asOf);
        assertTrue(SnapshotScoring.answers(TestEvents.rows(pool, choice.sql(), choice.params().getValue(0)).get(0)),
                when + ": the snapshot answers");
        Map<String, String> expected = definition();
        JsonPath all = answer(Map.of());
        assertEquals(expected.size(), all.getLong("rows_before_limit_at_least"), when + ": every customer counted");
        Map<String, String> answered = byCustomer(all);
        java.util.Set<String> excused = summedInAnotherOrder(all.getList("data"));
        assertSameRows(expected, answered, excused, when + ": every customer");
        List<Double> monetary = all.getList("data.monetary", Double.class);
        for (int i = 1; i < monetary.size(); i++) {
            assertTrue(monetary.get(i - 1) >= monetary.get(i), when + ": ordered by monetary");
        }
        for (String segment : RfmSegments.NAMES) {
            Map<String, String> inSegment = new TreeMap<>();
            expected.forEach((customer, columns) -> {
                if (columns.startsWith(segment + "|")) {
                    inSegment.put(customer, columns);
                }
            });
            JsonPath answer = answer(Map.of("suggested_segment", segment));
            assertSameRows(inSegment, byCustomer(answer), excused, when + ": " + segment);
            assertTrue(Math.abs(inSegment.size() - answer.getLong("rows_before_limit_at_least")) <= excused.size(),
                    when + ": " + segment + " counted");
            // A small limit: the first customers of the whole answer, in its order, and the same count.
            List<String> ids = answer.getList("data.customer_id", String.class);
            JsonPath first = answer(Map.of("suggested_segment", segment, "limit", 3));
            assertEquals(ids.subList(0, Math.min(3, ids.size())), first.getList("data.customer_id", String.class),
                    when + ": the first 3 of " + segment);
            assertEquals(answer.getLong("rows_before_limit_at_least"), first.getLong("rows_before_limit_at_least"),
                    when + ": " + segment + " counted with a limit");
        }
        List<Map<String, Object>> summary = given().config(DOUBLES).queryParam("token", ADMIN)
                .queryParam("as_of", TestEvents.text(asOf))
                .when().get("/v0/pipes/segment_suggestions_summary.json")
                .then().statusCode(200).extract().jsonPath().getList("data");
        for (Map<String, Object> row : summary) {
            String segment = (String) row.get("suggested_segment");
            long count = expected.values().stream().filter(columns -> columns.startsWith(segment + "|")).count();
            assertTrue(Math.abs(count - ((Number) row.get("customer_count")).longValue()) <= excused.size(),
                    when + ": summary of " + segment);
        }
    }

    @Test
    void answersFromTheSnapshotEqualTheDefinitionBeforeAndAfterTheChangesAreApplied() {
        untilChangesApplied();
        assertCountsMatchTheSnapshot("applied");
        assertAnswersEqualTheDefinition("applied");

        // Hold the refresher's lock, as a refresh in progress would: what is written now stays in change
        // records, among them new customers, new purchases of known ones and a new profile.
        whileTheRefresherIsHeld(() -> {
            OffsetDateTime now = asOf.minusMinutes(1);
            List<TestEvents.Event> events = new ArrayList<>(generated(now, 400, 460));
            for (int c = 1; c < 40; c += 3) {
                events.add(new TestEvents.Event(run + "-" + c + "-again", run + "-" + c, "purchase", now.minusHours(5),
                        "s-new", null, null, null, null, null, null, 75.0, 1));
            }
            // An event after as_of: it does not count, though its record is there.
            events.add(new TestEvents.Event(run + "-2-late", run + "-2", "purchase", asOf.plusHours(1), null, null,
                    null, null, null, null, null, 5_000.0, 1));
            TestEvents.insert(pool, events);
            TestEvents.rows(pool, "INSERT INTO customer_profiles (customer_id, customer_segment) VALUES ($1, 'New'),"
                    + " ($2, 'Relabelled')", run + "-profile-only", run + "-3");
            // A profile's record says it adds nothing; a bulk writer's record that says nothing (customer only,
            // for an event written without the Events API) has its customer read from the raw events.
            assertEquals(0L, TestEvents.rows(pool, "SELECT count(*) FROM customer_changes WHERE customer_id = $1"
                    + " AND (purchase IS DISTINCT FROM false OR revenue <> 0)", run + "-profile-only")
                    .get(0).getLong(0));
            TestEvents.rows(pool, "INSERT INTO customer_events (event_id, customer_id, event_type, event_timestamp,"
                    + " price, quantity) VALUES ($1, $2, 'purchase', $3, 42.0, 1)", run + "-5-bulk", run + "-5",
                    now.minusHours(7));
            TestEvents.rows(pool, "INSERT INTO customer_changes (customer_id) VALUES ($1)", run + "-5");
            assertTrue(TestEvents.rows(pool, "SELECT count(*) FROM customer_changes").get(0).getLong(0) > 100);
            assertAnswersEqualTheDefinition("pending");
        });
        untilChangesApplied();
        assertCountsMatchTheSnapshot("applied again");
        assertAnswersEqualTheDefinition("applied again");
    }

    /**
     * What the pipe answers over the aggregates (a past as_of, when the snapshot cannot answer), run as the pipe
     * runs it: its rows as maps of column to value.
     */
    private List<Map<String, Object>> overTheAggregates(DeclaredPipe pipe, OffsetDateTime at,
                                                        Map<String, Object> params) {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("as_of", at, "limit", 100_000));
        values.putAll(params);
        PipeQuery query = pipe.query(new PipeParams(values));
        Object[] bound = new Object[query.params().size()];
        for (int i = 0; i < bound.length; i++) {
            bound[i] = query.params().getValue(i);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row row : TestEvents.rows(pool, query.sql(), bound)) {
            Map<String, Object> columns = new java.util.HashMap<>();
            for (int i = 0; i < row.size(); i++) {
                columns.put(row.getColumnName(i), row.getValue(i));
            }
            rows.add(columns);
        }
        return rows;
    }

    private static long count(List<Map<String, Object>> rows) {
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).get("rows_before_limit")).longValue();
    }

    /**
     * Over the aggregates, the customers without a profile are found among the snapshot's rows without one and
     * the customers with change records (V24), or, without a snapshot, among every customer of the aggregates:
     * each way, with the changes applied and pending, the answers for a past as_of equal the definition.
     */
    @Test
    void answersOverTheAggregatesForAPastAsOfEqualTheDefinition() {
        OffsetDateTime now = asOf.minusMinutes(1);
        TestEvents.rows(pool, "INSERT INTO customer_profiles (customer_id, customer_segment) VALUES ($1, 'Kept'),"
                + " ($2, 'Erased')", run + "-1", run + "-2");
        untilChangesApplied();
        assertPastAnswersEqualTheDefinition("applied");

        whileTheRefresherIsHeld(() -> {
            // Pending: new customers without a profile (one seen only after both as_of), and a customer whose
            // profile is deleted, so that the snapshot still says it has one.
            List<TestEvents.Event> events = new ArrayList<>(generated(now.minusDays(50), 500, 520));
            events.add(TestEvents.event(run + "-later-v", run + "-later", "page_view", now.minusDays(2)));
            TestEvents.insert(pool, events);
            TestEvents.rows(pool, "DELETE FROM customer_profiles WHERE customer_id = $1", run + "-2");
            assertEquals(Boolean.TRUE, TestEvents.rows(pool, "SELECT has_profile FROM customer_metrics_snapshot"
                    + " WHERE customer_id = $1", run + "-2").get(0).getBoolean(0), "the snapshot is behind");
            assertPastAnswersEqualTheDefinition("pending");

            // No snapshot (a bulk load or a truncate deleted its state): every customer of the aggregates is read.
            Row state = TestEvents.rows(pool, "DELETE FROM customer_metrics_snapshot_state RETURNING refreshed_at,"
                    + " duration_ms").get(0);
            try {
                assertPastAnswersEqualTheDefinition("without a snapshot");
            } finally {
                TestEvents.rows(pool, "INSERT INTO customer_metrics_snapshot_state (id, refreshed_at, duration_ms)"
                        + " VALUES (true, $1, $2)", state.getOffsetDateTime(0), state.getLong(1));
            }
        });
    }

    private void assertPastAnswersEqualTheDefinition(String when) {
        CustomerSegmentationSuggestions suggestions = new CustomerSegmentationSuggestions();
        OffsetDateTime current = asOf;
        // Two as_of at other times of day: the days before theirs from the aggregates, the rest of it from the
        // raw events.
        for (OffsetDateTime at : List.of(current.minusDays(20), current.minusDays(45).minusHours(13))) {
            asOf = at;
            String label = when + ", " + at;
            Map<String, String> expected = definition();
            List<Map<String, Object>> all = overTheAggregates(suggestions, at, Map.of());
            assertEquals(expected.size(), count(all), label + ": every customer counted");
            Map<String, String> answered = byCustomer(all);
            java.util.Set<String> excused = summedInAnotherOrder(all);
            assertSameRows(expected, answered, excused, label + ": every customer");
            for (int i = 1; i < all.size(); i++) {
                assertTrue((Double) all.get(i - 1).get("monetary") >= (Double) all.get(i).get("monetary"),
                        label + ": ordered by monetary");
            }
            for (String segment : RfmSegments.NAMES) {
                Map<String, String> inSegment = new TreeMap<>();
                expected.forEach((customer, columns) -> {
                    if (columns.startsWith(segment + "|")) {
                        inSegment.put(customer, columns);
                    }
                });
                List<Map<String, Object>> answer = overTheAggregates(suggestions, at,
                        Map.of("suggested_segment", segment));
                assertSameRows(inSegment, byCustomer(answer), excused, label + ": " + segment);
                assertTrue(Math.abs(inSegment.size() - count(answer)) <= excused.size(), label + ": " + segment
                        + " counted");
                List<Map<String, Object>> first = overTheAggregates(suggestions, at,
                        Map.of("suggested_segment", segment, "limit", 3));
                assertEquals(answer.subList(0, Math.min(3, answer.size())).stream().map(r -> r.get("customer_id"))
                        .toList(), first.stream().map(r -> r.get("customer_id")).toList(), label + ": first 3 of "
                        + segment);
                if (!answer.isEmpty()) {
                    assertEquals(count(answer), count(first), label + ": " + segment + " counted with a limit");
                }
            }
            for (Map<String, Object> row : overTheAggregates(new SegmentSuggestionsSummary(), at, Map.of())) {
                String segment = (String) row.get("suggested_segment");
                long defined = expected.values().stream().filter(c -> c.startsWith(segment + "|")).count();
                assertTrue(Math.abs(defined - ((Number) row.get("customer_count")).longValue()) <= excused.size(),
                        label + ": summary of " + segment);
            }
        }
        asOf = current;
    }

    @Test
    void answersForNowByDefaultWithEveryCustomerCounted() {
        untilChangesApplied();
        long customers = TestEvents.rows(pool, """
                SELECT count(*) FROM (SELECT customer_id FROM customer_events WHERE event_timestamp <= now()
                                      UNION SELECT customer_id FROM customer_profiles) AS c""").get(0).getLong(0);
        JsonPath answer = given().config(DOUBLES).queryParam("token", ADMIN).queryParam("limit", 5)
                .when().get("/v0/pipes/customer_segmentation_suggestions.json")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(customers, answer.getLong("rows_before_limit_at_least"));
        assertEquals(5, answer.getList("data").size());
    }
}
