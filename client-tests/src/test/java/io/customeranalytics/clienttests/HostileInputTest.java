package io.customeranalytics.clienttests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.LocalStack;
import io.customeranalytics.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generated hostile corpus (fixed seed) against the three built services, on the test database:
 * <ol>
 *   <li>every column of every datasource given each hostile value, in a request beside a valid neighbour row;</li>
 *   <li>segment rules from a random grammar walk (operators, metrics, hostile literals, nesting, lengths);</li>
 *   <li>whole bodies that are not what they claim (broken JSON, gzip, bytes that are not UTF-8);</li>
 *   <li>every pipe parameter of every endpoint given each hostile value, over the hostile rows now stored,
 *       and the stored hostile customers' own pages;</li>
 *   <li>erasures, truncates and deletes by condition: hostile ids and names, random conditions (as dry runs,
 *       which must answer a count or a 400), hostile values deleted behind the run's prefix (which must delete
 *       nothing), hostile dry_run values and form bodies.</li>
 * </ol>
 * The bar, for every case: no 5xx; an error answer is our JSON with no class name or stack trace; a 2xx event
 * answer's {@code successful_rows + quarantined_rows} is the rows sent, the datasource grew by exactly the
 * successful rows and its quarantine by exactly the quarantined ones, and the valid neighbour is stored. Then a new
 * segment's membership still refreshes. The counts per category and each service's heap are printed.
 */
@ExtendWith(RunningStack.class)
class HostileInputTest {

    private static final long SEED = 20261202L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INTERNALS = Pattern.compile(
            "Exception|\\bjava\\.|\\bjakarta\\.|io\\.vertx|io\\.quarkus|org\\.postgresql|com\\.fasterxml|\\tat |"
                    + "io\\.smallrye|io\\.netty|StreamReadConstraints|NullPointer");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** JSON literals, each given to one column of a valid row. */
    private static final List<String> VALUES = List.of(
            "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"49.99\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"",
            "\"'; DROP TABLE customer_events; --\"", "\"\\\" OR 1=1 --\"", "\"%00\"", "\"%s%n%x\"",
            "\"${jndi:ldap://127.0.0.1/x}\"", "\"<script>alert(1)</script>\"", "\"\\ud835\\udd18\\u202e\"",
            "\"\\r\\n\\t\"", "\"" + "x".repeat(129) + "\"", "\"" + "x".repeat(257) + "\"",
            "\"" + "x".repeat(4097) + "\"", "\"" + "y".repeat(70_000) + "\"", "\"\\\\\"", "\"\\\\u0000\"",
            "0", "-0", "-1", "1e400", "-1e400", "1e308", "1.7976931348623157e308", "4.9e-324", "2147483648",
            "-2147483649", "9223372036854775808", "123456789012345678901234567890", "1.5", "1e-400",
            "1" + "0".repeat(1100), "true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "\"NaN\"",
            "\"Infinity\"", "\"-Infinity\"", "\"1e400\"", "\"0x10\"", "\"1_000\"", "\" 42 \"", "\"4 2\"",
            "\"0000-01-01 00:00:00\"", "\"9999-12-31T23:59:59.999999-14:00\"", "\"2023-02-30 00:00:00\"",
            "\"2023-06-15 24:00:00\"", "\"2023-06-15T10:00:00+99:00\"", "\"1970-01-01 00:00:00\"",
            "\"2262-04-12 00:00:00\"", "\"-infinity\"", "\"infinity\"", "\"epoch\"", "\"now\"", "\"today\"",
            "\"2023-06-15\"", "\"2023-06-15 10:00:00.1234567890\"", "\"10:00:00\"", "\"1e10\"");

    /** Query parameter values, sent percent-encoded so that they reach the endpoint. */
    private static final List<String> PARAMS = List.of(
            "", " ", "\u0000", "a\u0000", "%", "%zz", "1e400", "-1", "0", "1", "10001", "100001", "2147483648",
            "9999999999999999999", "NaN", "Infinity", "1.5", "abc", "'; SELECT pg_sleep(10); --",
            "0000-01-01 00:00:00", "9999-12-31T23:59:59.999999-14:00", "2023-02-30 00:00:00",
            "2023-06-15T10:00:00+99:00", "1970-01-01 00:00:00", "2023-06-15 10:00:00", "2023-06-15T10:00:00Z",
            "x".repeat(5000), "\ud83d\ude80", "\r\n", "day", "week", "month", "year", "Champions", "champions",
            "<script>", "\ud800", "US", "purchase");

    private static final Map<String, List<String>> ENDPOINTS = new LinkedHashMap<>();

    static {
        ENDPOINTS.put("query-service/customer_purchase_history",
                List.of("customer_id", "start_date", "end_date", "category_id", "limit"));
        ENDPOINTS.put("query-service/customer_activity",
                List.of("customer_id", "event_type", "start_date", "end_date", "limit"));
        ENDPOINTS.put("query-service/customer_behavioral_analysis",
                List.of("start_date", "end_date", "event_type", "country", "device_type", "granularity"));
        ENDPOINTS.put("query-service/segment_customers",
                List.of("segment_name", "country", "min_age", "max_age", "min_lifetime_value", "limit"));
        ENDPOINTS.put("query-service/segment_metrics", List.of("country"));
        ENDPOINTS.put("query-service/customer_events_quarantine", List.of("start_date", "end_date", "limit"));
        ENDPOINTS.put("query-service/customer_profiles_quarantine", List.of("start_date", "end_date", "limit"));
        ENDPOINTS.put("query-service/customer_segments_quarantine", List.of("start_date", "end_date", "limit"));
        ENDPOINTS.put("segmentation-service/customer_segmentation_suggestions",
                List.of("suggested_segment", "as_of", "limit"));
        ENDPOINTS.put("segmentation-service/segment_suggestions_summary", List.of("as_of"));
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, Integer> cases = new TreeMap<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private final List<String> violations = new ArrayList<>();
    private final Random random = new Random(SEED);
    private final String run = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
    private LocalStack stack;
    private Connection db;
    private int serial;
    private String storedSegment;

    @Test
    void hostileInputNeverBreaksAnyoneAndMembershipStillRefreshes() throws Exception {
        stack = RunningStack.get();
        DatabaseAddress address = TestDatabase.get();
        try (Connection connection = DriverManager.getConnection(address.jdbcUrl(), address.user(),
                address.password())) {
            db = connection;
            try {
                awaitMembership();
                columns();
                rules();
                bodies();
                pipes();
                erasuresAndTruncates();
                deletes();
                storedCustomersPages();
                membershipStillRefreshes();
            } finally {
                execute("DELETE FROM analytics.customer_segments WHERE segment_id >= ? AND segment_id < ?",
                        run, run + "~");
            }
        }
        int total = cases.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("hostile corpus (seed " + SEED + "): " + total + " cases " + cases);
        System.out.println("hostile corpus: answers and rows " + outcomes);
        for (String service : LocalStack.SERVICES) {
            System.out.println("hostile corpus: " + service + " heap after the run " + heapOf(service) + " bytes");
        }
        assertTrue(total >= 5000, "at least 5,000 cases: " + total);
        assertTrue(violations.isEmpty(), violations.size() + " violations, first: "
                + String.join("\n", violations.subList(0, Math.min(20, violations.size()))));
    }

    // ---- 1. every column of every datasource ------------------------------------------------------------------

    private void columns() throws Exception {
        List<String> eventColumns = List.of("event_id", "customer_id", "event_type", "event_timestamp", "session_id",
                "page_url", "product_id", "category_id", "device_type", "country", "referrer", "user_agent", "price",
                "quantity");
        for (String column : eventColumns) {
            for (String value : VALUES) {
                eventCase(column, value, false);
                eventCase(column, value, true);
            }
        }
        List<String> profileColumns = List.of("customer_id", "email", "first_name", "last_name", "gender", "city",
                "country", "customer_segment", "age", "signup_date", "last_login", "lifetime_value");
        for (String column : profileColumns) {
            for (String value : VALUES) {
                profileCase(column, value);
            }
        }
        List<String> segmentColumns = List.of("segment_id", "segment_name", "segment_description", "creation_date",
                "update_date", "segment_rules", "segment_type");
        for (String column : segmentColumns) {
            for (String value : VALUES) {
                segmentCase(column, value, "segment columns");
            }
        }
    }

    /** @param file true: the two rows as a CSV file to the Data Sources API, each JSON value as its text */
    private void eventCase(String column, String value, boolean file) throws Exception {
        int n = ++serial;
        String customer = run + "-c" + n;
        String at = LocalDateTime.of(2011, 3, 1, 0, 0).plusSeconds(n).format(SECONDS);
        Map<String, String> base = new LinkedHashMap<>();
        base.put("event_id", quote(run + "-e" + n));
        base.put("customer_id", quote(customer));
        base.put("event_type", quote("purchase"));
        base.put("event_timestamp", quote(at));
        base.put("session_id", quote("s" + n));
        base.put("device_type", quote("mobile"));
        base.put("country", quote("US"));
        base.put("price", "2.5");
        base.put("quantity", "2");
        Map<String, String> row = new LinkedHashMap<>(base);
        row.put(column, prefixed(column, value));
        Map<String, String> neighbour = new LinkedHashMap<>(base);
        neighbour.put("event_id", quote(run + "-n" + n));
        String stored = "SELECT count(*) FROM analytics.customer_events WHERE customer_id = ? OR event_timestamp = ?";
        String body = file ? csv(List.of(row, neighbour)) : object(row) + "\n" + object(neighbour) + "\n";
        rowsCase(file ? "events columns, CSV file" : "events columns", "customer_events", body, file, 2,
                () -> count(stored, customer, LocalDateTime.parse(at, SECONDS).atOffset(ZoneOffset.UTC)),
                () -> count("SELECT count(*) FROM analytics.customer_events WHERE event_id = ?", run + "-n" + n));
    }

    private void profileCase(String column, String value) throws Exception {
        int n = ++serial;
        String customer = run + "-p" + n;
        String email = run + "-m" + n + "@example.com";
        Map<String, String> row = new LinkedHashMap<>();
        row.put("customer_id", quote(customer));
        row.put("email", quote(email));
        row.put("age", "30");
        row.put("country", quote("US"));
        row.put("lifetime_value", "10.5");
        row.put("signup_date", quote("2020-01-01"));
        row.put(column, prefixed(column, value));
        Map<String, String> neighbour = new LinkedHashMap<>();
        neighbour.put("customer_id", quote(customer + "-n"));
        neighbour.put("email", quote(email));
        String stored = "SELECT count(*) FROM analytics.customer_profiles WHERE customer_id = ? OR customer_id = ?"
                + " OR email = ?";
        rowsCase("profile columns", "customer_profiles", object(row) + "\n" + object(neighbour) + "\n", false, 2,
                () -> count(stored, customer, customer + "-n", email),
                () -> count("SELECT count(*) FROM analytics.customer_profiles WHERE customer_id = ?", customer + "-n"));
    }

    private void segmentCase(String column, String value, String category) throws Exception {
        int n = ++serial;
        String id = run + "-s" + n;
        String name = run + " segment " + n;
        Map<String, String> row = new LinkedHashMap<>();
        row.put("segment_id", quote(id));
        row.put("segment_name", quote(name));
        row.put("segment_rules", quote("total_spent > 100"));
        row.put("segment_type", quote("value-based"));
        row.put("creation_date", quote("2023-01-01"));
        row.put(column, prefixed(column, value));
        Map<String, String> neighbour = new LinkedHashMap<>();
        neighbour.put("segment_id", quote(id + "-n"));
        neighbour.put("segment_name", quote(name + " neighbour"));
        String stored = "SELECT count(*) FROM analytics.customer_segments WHERE segment_id = ? OR segment_id = ?"
                + " OR segment_name = ?";
        rowsCase(category, "customer_segments", object(row) + "\n" + object(neighbour) + "\n", false, 2,
                () -> count(stored, id, id + "-n", name),
                () -> count("SELECT count(*) FROM analytics.customer_segments WHERE segment_id = ?", id + "-n"));
    }

    /** A hostile string for an identifying column keeps the run's prefix, so that its row can be found. */
    private String prefixed(String column, String value) {
        boolean identifying = column.equals("event_id") || column.equals("customer_id")
                || column.equals("segment_id") || column.equals("segment_name");
        if (identifying && value.startsWith("\"") && value.length() > 2) {
            return "\"" + run + "-" + serial + value.substring(1);
        }
        return value;
    }

    private interface Count {
        long get() throws SQLException;
    }

    /** @param file true: {@code body} is a CSV file for the Data Sources API, not an Events API body */
    private void rowsCase(String category, String datasource, String body, boolean file, int rows, Count stored,
                          Count neighbour) throws Exception {
        cases.merge(category, 1, Integer::sum);
        String quarantine = "SELECT count(*) FROM analytics." + datasource + "_quarantine";
        long storedBefore = stored.get();
        long quarantinedBefore = count(quarantine);
        HttpResponse<String> answer = file ? appendFile(datasource, body.getBytes(StandardCharsets.UTF_8))
                : post(datasource, body.getBytes(StandardCharsets.UTF_8), false);
        String what = category + " " + abbreviate(body);
        if (!checkAnswer(what, answer)) {
            return;
        }
        if (answer.statusCode() / 100 != 2) {
            violations.add(what + ": a row-level problem failed the whole request: " + answer.statusCode() + " "
                    + abbreviate(answer.body()));
            return;
        }
        JsonNode counts = JSON.readTree(answer.body());
        long successful = counts.path("successful_rows").asLong(-1);
        long quarantined = counts.path("quarantined_rows").asLong(-1);
        if (successful + quarantined != rows) {
            violations.add(what + ": " + successful + " + " + quarantined + " rows answered for " + rows + " sent");
        }
        outcomes.merge("rows stored", (int) successful, Integer::sum);
        outcomes.merge("rows quarantined", (int) quarantined, Integer::sum);
        long storedNow = stored.get() - storedBefore;
        long quarantinedNow = count(quarantine) - quarantinedBefore;
        if (storedNow != successful || quarantinedNow != quarantined) {
            violations.add(what + ": answered " + successful + " stored and " + quarantined + " quarantined, the"
                    + " database grew by " + storedNow + " and " + quarantinedNow);
        }
        if (neighbour.get() != 1) {
            violations.add(what + ": the valid neighbour row was not stored");
        }
    }

    // ---- 2. segment rules from a random grammar walk ---------------------------------------------------------

    private static final List<String> RULE_TOKENS = List.of("total_spent", "purchase_count", "event_count",
            "session_count", "page_view_count", "avg_order_value", "days_since_last_event",
            "days_since_last_purchase", "lifetime_value", "age", "country", "city", "gender", "customer_segment",
            "days_since_signup", "no_such_metric", "=", "!=", "<>", "<", "<=", ">", ">=", "IN", "NOT IN", "BETWEEN",
            "AND", "OR", "NOT", "IS NULL", "IS NOT NULL", "(", ")", ",", "0", "-1", "1e400", "-1e400", "1e308",
            "4.9e-324", "1.5", "99999999999999999999999", "'US'", "''", "'it''s'", "'unterminated", "'\u0000'",
            "'\ud83d\ude80'", ";", "--", "/*", "$1", "?", "::text", "select", "pg_sleep(10)");

    private void rules() throws Exception {
        for (int i = 0; i < 1000; i++) {
            StringBuilder rule = new StringBuilder();
            int tokens = 1 + random.nextInt(24);
            for (int t = 0; t < tokens; t++) {
                rule.append(RULE_TOKENS.get(random.nextInt(RULE_TOKENS.size()))).append(' ');
            }
            segmentCase("segment_rules", JSON.writeValueAsString(rule.toString().trim()), "rule grammar");
        }
        for (int depth : new int[] {31, 32, 33, 100, 5000}) {
            String rule = "(".repeat(depth) + "total_spent > 1" + ")".repeat(depth);
            segmentCase("segment_rules", JSON.writeValueAsString(rule), "rule grammar");
        }
        for (int length : new int[] {1999, 2000, 2001, 100_000}) {
            String rule = "total_spent > 1" + " OR total_spent > 1".repeat(length / 19);
            segmentCase("segment_rules", JSON.writeValueAsString(rule.substring(0, Math.min(rule.length(), length))),
                    "rule grammar");
        }
    }

    // ---- 3. bodies that are not what they claim --------------------------------------------------------------

    private void bodies() throws Exception {
        List<byte[]> raw = new ArrayList<>();
        for (String text : List.of("not json", "{", "[", "[{}", "]", "{}", "[]", "[1,2,3]", "\"string\"", "null",
                "{\"event_id\":", "[".repeat(5000), "{\"a\":".repeat(3000), "1" + "0".repeat(1200),
                "[{\"event_id\":\"x\"}, 1" + "0".repeat(1200) + "]", "\ufeff{\"event_id\":\"bom\"}", "\r\n\r\n",
                "   ", "{\"event_id\":\"dup\",\"event_id\":\"dup2\"}", "{}\n{}\n{}\nnot json\n{",
                "{\"customer_id\":\"" + "z".repeat(2_000_000) + "\"}")) {
            raw.add(text.getBytes(StandardCharsets.UTF_8));
        }
        raw.add(new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b, 0x7d});
        raw.add(new byte[] {0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, (byte) 0xc3, 0x28, 0x22, 0x7d});
        raw.add("{\"event_id\":\"utf16\"}".getBytes(StandardCharsets.UTF_16));
        for (String datasource : List.of("customer_events", "customer_profiles", "customer_segments")) {
            for (byte[] body : raw) {
                bodyCase(datasource, body, false);
                bodyCase(datasource, gzip(body), true);
            }
            byte[] truncated = gzip("{\"event_id\":\"t\"}\n".repeat(100).getBytes(StandardCharsets.UTF_8));
            bodyCase(datasource, java.util.Arrays.copyOf(truncated, truncated.length / 2), true);
            bodyCase(datasource, java.util.Arrays.copyOf(truncated, truncated.length - 8), true);
            bodyCase(datasource, new byte[0], true);
            bodyCase(datasource, "not gzip at all".getBytes(StandardCharsets.UTF_8), true);
        }
    }

    private void bodyCase(String datasource, byte[] body, boolean gzip) throws Exception {
        cases.merge("bodies", 1, Integer::sum);
        long quarantinedBefore = count("SELECT count(*) FROM analytics." + datasource + "_quarantine");
        HttpResponse<String> answer = post(datasource, body, gzip);
        String what = "body to " + datasource + (gzip ? " (gzip) " : " ")
                + abbreviate(new String(body, StandardCharsets.UTF_8));
        if (checkAnswer(what, answer) && answer.statusCode() / 100 == 2) {
            JsonNode counts = JSON.readTree(answer.body());
            long quarantined = counts.path("quarantined_rows").asLong(-1);
            long grew = count("SELECT count(*) FROM analytics." + datasource + "_quarantine") - quarantinedBefore;
            if (grew != quarantined) {
                violations.add(what + ": answered " + quarantined + " quarantined, the quarantine grew by " + grew);
            }
        }
    }

    // ---- 4. every pipe parameter ------------------------------------------------------------------------------

    private void pipes() throws Exception {
        try (PreparedStatement select = db.prepareStatement("SELECT min(segment_name) FROM analytics.customer_segments"
                + " WHERE segment_id >= ? AND segment_id < ? AND segment_rules = 'total_spent > 100'")) {
            select.setString(1, run);
            select.setString(2, run + "~");
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                storedSegment = rows.getString(1);
            }
        }
        String[] formats = {"json", "csv", "ndjson"};
        int f = 0;
        for (Map.Entry<String, List<String>> endpoint : ENDPOINTS.entrySet()) {
            for (String param : endpoint.getValue()) {
                for (String value : PARAMS) {
                    for (int round = 0; round < 2; round++) {
                        Map<String, String> query = required(endpoint.getKey());
                        query.put(param, value);
                        pipeCase("pipe parameters", endpoint.getKey(), formats[f++ % 3], query);
                    }
                }
            }
            Map<String, String> query = required(endpoint.getKey());
            for (String format : List.of("xml", "JSON", "json.gz", "", "csv%00")) {
                pipeCase("pipe formats", endpoint.getKey(), format, query);
            }
            query.put("token", "\u0000");
            pipeCase("pipe tokens", endpoint.getKey(), "json", query);
            query.put("token", "x".repeat(3000));
            pipeCase("pipe tokens", endpoint.getKey(), "json", query);
        }
    }

    private Map<String, String> required(String endpoint) {
        Map<String, String> query = new LinkedHashMap<>();
        if (endpoint.endsWith("customer_purchase_history") || endpoint.endsWith("customer_activity")) {
            query.put("customer_id", run + "-c1");
        }
        if (endpoint.endsWith("segment_customers")) {
            query.put("segment_name", storedSegment);
        }
        return query;
    }

    private void pipeCase(String category, String endpoint, String format, Map<String, String> query)
            throws Exception {
        cases.merge(category, 1, Integer::sum);
        String service = endpoint.substring(0, endpoint.indexOf('/'));
        String pipe = endpoint.substring(endpoint.indexOf('/') + 1);
        StringBuilder url = new StringBuilder(stack.serviceUrl(service) + "/v0/pipes/" + pipe + "."
                + URLEncoder.encode(format, StandardCharsets.UTF_8).replace("%2500", "%00"));
        url.append("?");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("token", stack.adminToken());
        all.putAll(query);
        for (Map.Entry<String, String> e : all.entrySet()) {
            url.append(e.getKey()).append('=').append(encode(e.getValue())).append('&');
        }
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url.toString()))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
        checkAnswer(category + " " + endpoint + "." + format + " " + abbreviate(query.toString()), answer);
    }

    /** Percent-encodes as UTF-8; an unpaired surrogate, which UTF-8 cannot hold, is sent as its raw bytes. */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("%3F", value.contains("\ud800") ? "%ED%A0%80"
                : "%3F");
    }

    // ---- 4b. erasure and truncate parameters ---------------------------------------------------------------

    /**
     * Erasures of hostile ids (behind the run's prefix, so that no customer of another test can match; the empty,
     * NUL and over-long ones alone) and truncates of hostile datasource names, none of which names a table.
     */
    private void erasuresAndTruncates() throws Exception {
        List<String> ids = new ArrayList<>(List.of("", "\u0000", "x".repeat(129), "\ud800"));
        for (String value : PARAMS) {
            ids.add(run + "-" + value);
        }
        for (String id : ids) {
            adminCase("erasure and truncate", "/v0/erasures?customer_id=" + encode(id));
        }
        for (String value : PARAMS) {
            adminCase("erasure and truncate", "/v0/datasources/" + encode(run + value) + "/truncate");
        }
    }

    private static final List<String> CONDITION_TOKENS = List.of("event_id", "customer_id", "event_type",
            "event_timestamp", "session_id", "page_url", "price", "quantity", "country", "age", "signup_date",
            "last_login", "lifetime_value", "segment_id", "segment_name", "segment_rules", "creation_date",
            "no_such_column", "=", "!=", "<>", "<", "<=", ">", ">=", "IN", "NOT IN", "BETWEEN", "AND", "OR", "NOT",
            "IS NULL", "IS NOT NULL", "(", ")", ",", "0", "-1", "1e400", "1e308", "1.5", "'US'", "''",
            "'2023-06-15 10:00:00'", "'2023-06-15'", "'0000-01-01 00:00:00'", "'2023-02-30'",
            "'9999-12-31T23:59:59.999999-14:00'", "'unterminated", "'\u0000'", "'\ud83d\ude80'", ";", "--",
            "$1", "?", "::text", "select", "pg_sleep(10)", "1=1", "true");

    private static final List<String> DELETE_DATASOURCES = List.of("customer_events", "customer_profiles",
            "customer_segments");

    /**
     * Deletes by condition: random conditions over every datasource as dry runs (nothing can be deleted); each
     * hostile value, quoted by the grammar behind the run's prefix, deleted for real (it names no row, so each
     * must delete nothing); hostile dry_run values, form bodies and datasource names.
     */
    private void deletes() throws Exception {
        for (int i = 0; i < 600; i++) {
            StringBuilder condition = new StringBuilder();
            for (int t = 0, tokens = 1 + random.nextInt(16); t < tokens; t++) {
                condition.append(CONDITION_TOKENS.get(random.nextInt(CONDITION_TOKENS.size()))).append(' ');
            }
            deleteCase(DELETE_DATASOURCES.get(random.nextInt(DELETE_DATASOURCES.size())),
                    "dry_run=true&delete_condition=" + encode(condition.toString().trim()));
        }
        for (String value : PARAMS) {
            String quoted = "'" + (run + "-nobody-" + value).replace("'", "''") + "'";
            deleteCase("customer_events", "delete_condition=" + encode("customer_id = " + quoted));
            deleteCase("customer_profiles", "delete_condition=" + encode("customer_id = " + quoted));
            deleteCase("customer_segments", "delete_condition=" + encode("segment_id = " + quoted));
            deleteCase("customer_events", "dry_run=" + encode(value) + "&delete_condition=" + encode("event_id = 'x'"));
            adminCase("delete conditions", "/v0/datasources/" + encode(run + value) + "/delete");
        }
        for (String form : List.of("", "=", "&&&", "delete_condition", "delete_condition=", "delete_condition=%zz",
                "delete_condition=%00", "delete_condition=%C3%28", "dry_run=true", "dry_run=true&delete_condition",
                "delete_condition=" + "x".repeat(100_000))) {
            deleteCase("customer_events", form);
        }
    }

    /** A delete: a 2xx dry run counts, a 2xx delete deletes nothing (every condition here names no row). */
    private void deleteCase(String datasource, String form) throws Exception {
        cases.merge("delete conditions", 1, Integer::sum);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(stack.serviceUrl("ingest-service")
                        + "/v0/datasources/" + datasource + "/delete"))
                .header("Authorization", "Bearer " + stack.adminToken())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        String what = "delete conditions " + datasource + " " + abbreviate(form);
        if (checkAnswer(what, answer) && answer.statusCode() / 100 == 2) {
            JsonNode body = JSON.readTree(answer.body());
            boolean dryRun = body.has("rows_to_be_deleted");
            if (dryRun ? !body.path("rows_to_be_deleted").isIntegralNumber()
                    : body.path("job").path("rows_affected").asLong(-1) != 0) {
                violations.add(what + ": " + abbreviate(answer.body()));
            }
        }
    }

    private void adminCase(String category, String path) throws Exception {
        cases.merge(category, 1, Integer::sum);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(stack.serviceUrl("ingest-service")
                        + path)).header("Authorization", "Bearer " + stack.adminToken())
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        checkAnswer(category + " " + abbreviate(path), answer);
    }

    // ---- 5. the stored hostile customers' own pages ----------------------------------------------------------

    private void storedCustomersPages() throws Exception {
        List<String> customers = new ArrayList<>();
        try (PreparedStatement select = db.prepareStatement("SELECT DISTINCT customer_id FROM analytics.customer_events"
                + " WHERE customer_id >= ? AND customer_id < ?")) {
            select.setString(1, run);
            select.setString(2, run + "~");
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    customers.add(rows.getString(1));
                }
            }
        }
        for (String customer : customers) {
            for (String pipe : List.of("customer_purchase_history", "customer_activity")) {
                pipeCase("stored customers' pages", "query-service/" + pipe, "json",
                        new LinkedHashMap<>(Map.of("customer_id", customer)));
            }
        }
        for (String granularity : List.of("day", "week", "month")) {
            pipeCase("stored customers' pages", "query-service/customer_behavioral_analysis", "json",
                    new LinkedHashMap<>(Map.of("granularity", granularity)));
        }
        for (String asOf : List.of("1970-01-01 00:00:00", "2011-03-02 00:00:00", "2262-01-01 00:00:00")) {
            pipeCase("stored customers' pages", "segmentation-service/segment_suggestions_summary", "json",
                    new LinkedHashMap<>(Map.of("as_of", asOf)));
            pipeCase("stored customers' pages", "segmentation-service/customer_segmentation_suggestions", "json",
                    new LinkedHashMap<>(Map.of("as_of", asOf)));
        }
    }

    // ---- 6. membership still refreshes -------------------------------------------------------------------------

    private void membershipStillRefreshes() throws Exception {
        String name = run + " still refreshes";
        String customer = run + "-member";
        post("customer_segments", ("{\"segment_id\":\"" + run + "-check\",\"segment_name\":\"" + name
                + "\",\"segment_type\":\"label\"}").getBytes(StandardCharsets.UTF_8), false);
        post("customer_profiles", ("{\"customer_id\":\"" + customer + "\",\"customer_segment\":\"" + name + "\"}")
                .getBytes(StandardCharsets.UTF_8), false);
        URI members = URI.create(stack.serviceUrl("query-service") + "/v0/pipes/segment_customers.json?token="
                + stack.adminToken() + "&segment_name=" + encode(name));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(members).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            last = answer.statusCode() + " " + abbreviate(answer.body());
            if (answer.statusCode() == 200 && answer.body().contains(customer)) {
                return;
            }
            Thread.sleep(500);
        }
        violations.add("after the hostile rows, a new segment's member did not appear within 120 s: " + last);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** The bar every answer meets; false when it failed it (recorded). */
    private boolean checkAnswer(String what, HttpResponse<String> answer) {
        int status = answer.statusCode();
        outcomes.merge(String.valueOf(status), 1, Integer::sum);
        if (status >= 500) {
            violations.add(what + ": " + status + " " + abbreviate(answer.body()));
            return false;
        }
        if (status >= 400) {
            try {
                JsonNode body = JSON.readTree(answer.body());
                if (!body.path("error").isTextual() || body.path("error").asText().isBlank()) {
                    violations.add(what + ": " + status + " without a JSON error: " + abbreviate(answer.body()));
                }
            } catch (IOException e) {
                violations.add(what + ": " + status + " with a body that is not JSON: " + abbreviate(answer.body()));
            }
            if (INTERNALS.matcher(answer.body()).find()) {
                violations.add(what + ": internals in the error: " + abbreviate(answer.body()));
            }
        }
        return true;
    }

    private HttpResponse<String> post(String datasource, byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.serviceUrl("ingest-service")
                        + "/v0/events?name=" + datasource + "&wait=true"))
                .header("Authorization", "Bearer " + stack.adminToken())
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (gzip) {
            request.header("Content-Encoding", "gzip");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A CSV file as the body of a Data Sources API append. */
    private HttpResponse<String> appendFile(String datasource, byte[] csv) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.serviceUrl("ingest-service")
                        + "/v0/datasources?name=" + datasource + "&mode=append&format=csv"))
                .header("Authorization", "Bearer " + stack.adminToken())
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(csv)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Rows of JSON literals as a CSV file with a header (the first row's columns): a JSON string as its text, any
     * other literal (number, object, null) as written; every value quoted, quotes doubled.
     */
    private static String csv(List<Map<String, String>> rows) throws IOException {
        List<String> columns = new ArrayList<>(rows.get(0).keySet());
        StringBuilder out = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, String> row : rows) {
            List<String> values = new ArrayList<>();
            for (String column : columns) {
                String literal = row.get(column);
                JsonNode node = literal == null ? null : parsedOrNull(literal);
                String text = literal == null ? "" : node != null && node.isTextual() ? node.textValue() : literal;
                values.add("\"" + text.replace("\"", "\"\"") + "\"");
            }
            out.append(String.join(",", values)).append('\n');
        }
        return out.toString();
    }

    private static JsonNode parsedOrNull(String literal) {
        try {
            return JSON.readTree(literal);
        } catch (IOException e) {
            return null;
        }
    }

    private void awaitMembership() throws Exception {
        URI metrics = URI.create(stack.serviceUrl("query-service") + "/v0/pipes/segment_metrics.json?token="
                + stack.adminToken());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (http.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200) {
                return;
            }
            Thread.sleep(500);
        }
    }

    private long heapOf(String service) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(stack.serviceUrl(service) + "/q/metrics"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        double heap = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) heap;
    }

    private long count(String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private void execute(String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.execute();
        }
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String object(Map<String, String> fields) {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(quote(field.getKey())).append(':').append(field.getValue());
        }
        return json.append('}').toString();
    }

    private static byte[] gzip(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(body);
        }
        return out.toByteArray();
    }

    private static String abbreviate(String text) {
        String flat = text.replace("\n", "\\n").replace("\u0000", "\\0");
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...(" + flat.length() + " chars)";
    }
}
