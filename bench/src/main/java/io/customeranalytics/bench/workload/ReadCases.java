package io.customeranalytics.bench.workload;

import io.customeranalytics.bench.data.ScaleData;
import io.customeranalytics.common.rules.RuleParser;
import io.customeranalytics.common.rules.RuleCompiler;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

/**
 * The read cases of the benchmark (bench/README.md, "Cases"): for each, the endpoint, its clients, a seeded
 * source of realistic parameters, and the same question as plain SQL over the raw {@code customer_events} rows
 * (the baseline). The Gatling simulation and the baseline draw their parameters from the same seeded source,
 * so the baseline's samples are the first requests of the simulation.
 */
public final class ReadCases {

    /** A SQL statement with {@code ?} parameters and their values, in order. */
    public record Sql(String text, List<Object> values) {
    }

    /** One case: a name (the Gatling request name), the endpoint it calls and how. */
    public record ReadCase(String name, String endpoint, int clients, String description,
                           Function<Random, Map<String, String>> params, Function<Map<String, String>, Sql> baseline) {

        /** The first {@code n} parameter sets this case sends, for a seed. */
        public List<Map<String, String>> sample(long seed, int n) {
            Random random = new Random(seed);
            List<Map<String, String>> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(params.apply(random));
            }
            return out;
        }
    }

    /** Per-customer pages at a load that leaves the cores room, so that what else the service does shows. */
    public static final String PAGES = "pages_4";
    /**
     * {@link #PAGES} while the same service serves big answers: {@link #BIG_ANSWER_CLIENTS} clients beside it,
     * each asking for 100,000 rows of segment_customers again and again.
     */
    public static final String BESIDE_BIG_ANSWERS = "pages_4_beside_big_answers";
    public static final int BIG_ANSWER_CLIENTS = 2;

    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
    static final String[] EVENT_TYPES = {"page_view", "product_view", "search", "add_to_cart", "purchase"};
    static final String[] RFM_SEGMENTS = {"Champions", "Loyal", "New Customers", "Potential Loyalists",
            "Need Attention", "Can't Lose Them", "At Risk", "Hibernating", "Lost", "Browsers", "Inactive"};

    private final int customers;
    private final LocalDate firstDay;
    /** The last day holding events. */
    private final LocalDate lastDay;

    public ReadCases(ScaleData.Size size, LocalDate end, int days) {
        this.customers = size.customers();
        this.lastDay = end.minusDays(1);
        this.firstDay = end.minusDays(days);
    }

    /** Every read case, in the order a run measures them. */
    public List<ReadCase> all() {
        List<ReadCase> cases = new ArrayList<>();
        cases.add(new ReadCase("purchase_history", "customer_purchase_history", 16,
                "one customer's purchases (skewed pick); a date range, a category, both or neither; limit 10/50/100",
                this::purchaseHistoryParams, ReadCases::purchaseHistorySql));
        cases.add(new ReadCase("activity", "customer_activity", 16,
                "one customer's events (skewed pick); an event type, a date range, both or neither; limit 20/100",
                this::activityParams, ReadCases::activitySql));
        cases.add(new ReadCase(PAGES, "customer_purchase_history", 4,
                "purchase_history's requests from 4 clients, a load that leaves the cores room",
                this::purchaseHistoryParams, ReadCases::purchaseHistorySql));
        cases.add(new ReadCase(BESIDE_BIG_ANSWERS, "customer_purchase_history", 4,
                PAGES + " while " + BIG_ANSWER_CLIENTS + " more clients fetch 100,000 members of a segment"
                        + " (segment_customers) again and again", this::purchaseHistoryParams,
                ReadCases::purchaseHistorySql));
        cases.add(new ReadCase("behavioural_all_time_day", "customer_behavioral_analysis", 4,
                "all time, by day, no filter", random -> new LinkedHashMap<>(), ReadCases::behaviouralSql));
        for (String granularity : List.of("day", "week", "month")) {
            cases.add(new ReadCase("behavioural_" + granularity + "_aligned", "customer_behavioral_analysis", 16,
                    "by " + granularity + ", bounds on period boundaries (or absent), random filters",
                    random -> behaviouralParams(random, granularity, true), ReadCases::behaviouralSql));
            cases.add(new ReadCase("behavioural_" + granularity + "_unaligned", "customer_behavioral_analysis", 16,
                    "by " + granularity + ", bounds that cut periods, random filters",
                    random -> behaviouralParams(random, granularity, false), ReadCases::behaviouralSql));
        }
        cases.add(new ReadCase("segment_customers", "segment_customers", 16,
                "every segment; country, age range, minimum lifetime value at random; limit 1000",
                ReadCases::segmentCustomersParams, ReadCases::segmentCustomersSql));
        cases.add(new ReadCase("segment_metrics", "segment_metrics", 16, "with and without country",
                ReadCases::segmentMetricsParams, ReadCases::segmentMetricsSql));
        cases.add(new ReadCase("suggestions_default", "customer_segmentation_suggestions", 4,
                "default parameters (as_of now, limit 1000)", random -> new LinkedHashMap<>(),
                ReadCases::suggestionsSql));
        cases.add(new ReadCase("suggestions_by_segment", "customer_segmentation_suggestions", 4,
                "each suggested_segment", random -> {
                    Map<String, String> p = new LinkedHashMap<>();
                    p.put("suggested_segment", pick(random, RFM_SEGMENTS));
                    return p;
                }, ReadCases::suggestionsSql));
        cases.add(new ReadCase("suggestions_summary", "segment_suggestions_summary", 4, "default parameters",
                random -> new LinkedHashMap<>(), params -> new Sql(rawRfm(params) + SUMMARY_TAIL, List.of())));
        cases.add(new ReadCase("suggestions_past", "customer_segmentation_suggestions", 4,
                "an as_of in the data's last 300 days (any second); every suggested_segment or none",
                this::pastSuggestionsParams, ReadCases::suggestionsSql));
        return cases;
    }

    public Optional<ReadCase> byName(String name) {
        return all().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * The mixed workload: what a dashboard and a per-customer page send together, as weights over the cases
     * (percent). The heavy batch questions (all time, suggestions) are not part of it.
     */
    public Map<String, Integer> mix() {
        Map<String, Integer> mix = new LinkedHashMap<>();
        mix.put("purchase_history", 30);
        mix.put("activity", 30);
        mix.put("behavioural_day_aligned", 6);
        mix.put("behavioural_week_aligned", 6);
        mix.put("behavioural_month_aligned", 4);
        mix.put("behavioural_day_unaligned", 4);
        mix.put("segment_customers", 10);
        mix.put("segment_metrics", 10);
        return mix;
    }

    // --- parameters -----------------------------------------------------------------------------------------

    /** A customer drawn with the generator's own skew, so heavy customers are asked for more often. */
    String customer(Random random) {
        return "c-" + ScaleData.skewedCustomer(customers, random);
    }

    private Map<String, String> purchaseHistoryParams(Random random) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("customer_id", customer(random));
        int shape = random.nextInt(100);
        if (shape >= 40 && shape < 70 || shape >= 85) {
            dateRange(random, p, 90);
        }
        if (shape >= 70) {
            p.put("category_id", "cat-" + random.nextInt(40));
        }
        p.put("limit", pick(random, new String[]{"10", "50", "100"}));
        return p;
    }

    private Map<String, String> activityParams(Random random) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("customer_id", customer(random));
        int shape = random.nextInt(100);
        if (shape >= 40 && shape < 70 || shape >= 85) {
            p.put("event_type", pick(random, EVENT_TYPES));
        }
        if (shape >= 70) {
            dateRange(random, p, 30);
        }
        p.put("limit", pick(random, new String[]{"20", "100"}));
        return p;
    }

    /** A range of up to {@code maxDays} days inside the data, cut at any second. */
    private void dateRange(Random random, Map<String, String> p, int maxDays) {
        long span = ChronoUnit.SECONDS.between(firstDay.atStartOfDay(), lastDay.plusDays(1).atStartOfDay());
        LocalDateTime start = firstDay.atStartOfDay().plusSeconds((long) (random.nextDouble() * span));
        LocalDateTime end = start.plusSeconds(1 + (long) (random.nextDouble() * maxDays * 86_400L));
        p.put("start_date", DATE_TIME.format(start));
        p.put("end_date", DATE_TIME.format(end));
    }

    Map<String, String> behaviouralParams(Random random, String granularity, boolean aligned) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("granularity", granularity);
        boolean absent = aligned && random.nextInt(5) == 0;
        if (!absent) {
            // A period count a dashboard asks for: up to 90 days, 26 weeks or 12 months, ending inside the data.
            int periods = 1 + random.nextInt(switch (granularity) {
                case "day" -> 90;
                case "week" -> 26;
                default -> 12;
            });
            LocalDate endDay = firstDay.plusDays(random.nextInt((int) ChronoUnit.DAYS.between(firstDay, lastDay) + 1));
            LocalDate endPeriod = periodStart(endDay, granularity);
            LocalDate startPeriod = switch (granularity) {
                case "day" -> endPeriod.minusDays(periods - 1L);
                case "week" -> endPeriod.minusWeeks(periods - 1L);
                default -> endPeriod.minusMonths(periods - 1L);
            };
            LocalDateTime start = startPeriod.atStartOfDay();
            LocalDateTime end = nextPeriod(endPeriod, granularity).atStartOfDay().minusSeconds(1);
            if (!aligned) {
                // Both ends cut a period: some seconds to a few days into the first, some before the last's end.
                long firstLength = ChronoUnit.SECONDS.between(start, nextPeriod(startPeriod, granularity).atStartOfDay());
                long lastLength = ChronoUnit.SECONDS.between(endPeriod.atStartOfDay(), end.plusSeconds(1));
                start = start.plusSeconds(1 + (long) (random.nextDouble() * (firstLength - 2)));
                end = end.minusSeconds(1 + (long) (random.nextDouble() * (lastLength - 2)));
                if (!end.isAfter(start)) {
                    end = start.plusHours(1);
                }
            }
            p.put("start_date", DATE_TIME.format(start));
            p.put("end_date", DATE_TIME.format(end));
        }
        if (random.nextInt(100) < 40) {
            p.put("event_type", pick(random, EVENT_TYPES));
        }
        if (random.nextInt(100) < 40) {
            p.put("country", pick(random, ScaleData.COUNTRIES));
        }
        if (random.nextInt(100) < 40) {
            p.put("device_type", pick(random, ScaleData.DEVICES));
        }
        return p;
    }

    static LocalDate periodStart(LocalDate day, String granularity) {
        return switch (granularity) {
            case "day" -> day;
            case "week" -> day.with(TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
            default -> day.withDayOfMonth(1);
        };
    }

    static LocalDate nextPeriod(LocalDate periodStart, String granularity) {
        return switch (granularity) {
            case "day" -> periodStart.plusDays(1);
            case "week" -> periodStart.plusWeeks(1);
            default -> periodStart.plusMonths(1);
        };
    }

    private static Map<String, String> segmentCustomersParams(Random random) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("segment_name", ScaleData.SEGMENTS.get(random.nextInt(ScaleData.SEGMENTS.size())).segmentName());
        if (random.nextInt(100) < 30) {
            p.put("country", pick(random, ScaleData.COUNTRIES));
        }
        if (random.nextInt(100) < 30) {
            int min = 18 + random.nextInt(40);
            p.put("min_age", Integer.toString(min));
            p.put("max_age", Integer.toString(min + 5 + random.nextInt(20)));
        }
        if (random.nextInt(100) < 20) {
            p.put("min_lifetime_value", Integer.toString(50 + random.nextInt(400)));
        }
        p.put("limit", "1000");
        return p;
    }

    private static Map<String, String> segmentMetricsParams(Random random) {
        Map<String, String> p = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            p.put("country", pick(random, ScaleData.COUNTRIES));
        }
        return p;
    }

    static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    // --- baselines: the same questions as plain SQL over the raw rows -----------------------------------------

    private static final String REVENUE = "CASE WHEN event_type = 'purchase' THEN coalesce(price, 0) * "
            + "coalesce(quantity, 1) ELSE 0 END";

    static Sql purchaseHistorySql(Map<String, String> p) {
        List<Object> values = new ArrayList<>();
        StringBuilder sql = new StringBuilder("""
                SELECT event_id, event_timestamp, product_id, category_id, price, quantity,
                       coalesce(price, 0) * coalesce(quantity, 1) AS total_amount, session_id, page_url, device_type,
                       country
                FROM customer_events
                WHERE customer_id = ? AND event_type = 'purchase'""");
        values.add(p.get("customer_id"));
        timeBounds(p, sql, values);
        if (p.containsKey("category_id")) {
            sql.append(" AND category_id = ?");
            values.add(p.get("category_id"));
        }
        sql.append(" ORDER BY event_timestamp DESC, event_id LIMIT ?");
        values.add(Integer.parseInt(p.getOrDefault("limit", "50")));
        return new Sql(sql.toString(), values);
    }

    static Sql activitySql(Map<String, String> p) {
        List<Object> values = new ArrayList<>();
        StringBuilder sql = new StringBuilder("""
                SELECT event_id, event_type, event_timestamp, session_id, page_url, product_id, category_id, price,
                       quantity, device_type, country, referrer
                FROM customer_events
                WHERE customer_id = ?""");
        values.add(p.get("customer_id"));
        if (p.containsKey("event_type")) {
            sql.append(" AND event_type = ?");
            values.add(p.get("event_type"));
        }
        timeBounds(p, sql, values);
        sql.append(" ORDER BY event_timestamp DESC, event_id LIMIT ?");
        values.add(Integer.parseInt(p.getOrDefault("limit", "100")));
        return new Sql(sql.toString(), values);
    }

    static Sql behaviouralSql(Map<String, String> p) {
        List<Object> values = new ArrayList<>();
        String granularity = p.getOrDefault("granularity", "day");
        StringBuilder sql = new StringBuilder("SELECT date_trunc('" + switch (granularity) {
            case "week" -> "week";
            case "month" -> "month";
            default -> "day";
        } + "', event_timestamp, 'UTC') AS period, event_type, count(*) AS event_count, "
                + "count(DISTINCT customer_id) AS unique_customers, sum(" + REVENUE + ") AS total_revenue, "
                + "count(*)::double precision / count(DISTINCT customer_id) AS avg_events_per_customer "
                + "FROM customer_events WHERE true");
        timeBounds(p, sql, values);
        for (String column : List.of("event_type", "country", "device_type")) {
            if (p.containsKey(column)) {
                sql.append(" AND ").append(column).append(" = ?");
                values.add(p.get(column));
            }
        }
        sql.append(" GROUP BY 1, 2 ORDER BY 1, 2");
        return new Sql(sql.toString(), values);
    }

    private static void timeBounds(Map<String, String> p, StringBuilder sql, List<Object> values) {
        if (p.containsKey("start_date")) {
            sql.append(" AND event_timestamp >= ?");
            values.add(LocalDateTime.parse(p.get("start_date"), DATE_TIME).atOffset(ZoneOffset.UTC));
        }
        if (p.containsKey("end_date")) {
            // An end_date to the second covers that whole second, as the endpoints read it (docs/api.md).
            sql.append(" AND event_timestamp < ?");
            values.add(LocalDateTime.parse(p.get("end_date"), DATE_TIME).atOffset(ZoneOffset.UTC).plusSeconds(1));
        }
    }

    /** Every customer's metrics (docs/api.md, "Segment membership"), from the raw events and the profiles. */
    static final String RAW_METRICS = """
            WITH activity AS (
                SELECT customer_id,
                       sum(%1$s) AS total_spent,
                       count(*) FILTER (WHERE event_type = 'purchase') AS purchase_count,
                       count(*) AS event_count,
                       count(DISTINCT session_id) AS session_count,
                       count(*) FILTER (WHERE event_type = 'page_view') AS page_view_count,
                       max(event_timestamp) AS last_event_at,
                       max(event_timestamp) FILTER (WHERE event_type = 'purchase') AS last_purchase_at
                FROM customer_events
                GROUP BY customer_id
            ),
            m AS MATERIALIZED (
                SELECT coalesce(a.customer_id, p.customer_id) AS customer_id,
                       coalesce(a.total_spent, 0) AS total_spent,
                       coalesce(a.purchase_count, 0) AS purchase_count,
                       coalesce(a.event_count, 0) AS event_count,
                       coalesce(a.session_count, 0) AS session_count,
                       coalesce(a.page_view_count, 0) AS page_view_count,
                       CASE WHEN a.purchase_count > 0 THEN a.total_spent / a.purchase_count ELSE 0 END AS avg_order_value,
                       floor(extract(epoch FROM now() - a.last_event_at) / 86400) AS days_since_last_event,
                       floor(extract(epoch FROM now() - a.last_purchase_at) / 86400) AS days_since_last_purchase,
                       p.lifetime_value, p.age, p.country, p.city, p.gender, p.customer_segment,
                       ((now() AT TIME ZONE 'UTC')::date - p.signup_date) AS days_since_signup,
                       p.email, p.first_name, p.last_name, p.signup_date, p.last_login, a.last_event_at
                FROM activity a
                FULL JOIN customer_profiles p ON p.customer_id = a.customer_id
            )
            """.formatted(REVENUE);

    /** The membership condition of a segment over {@code m}, with its values appended to {@code values}. */
    private static String memberOf(ScaleData.Segment segment, List<Object> values) {
        StringBuilder condition = new StringBuilder("(m.customer_segment = ?");
        values.add(segment.segmentName());
        if (segment.rules() != null) {
            RuleCompiler.CompiledRule rule = RuleCompiler.compile(RuleParser.parse(segment.rules()), "m.", 1);
            condition.append(" OR ").append(rule.sql().replaceAll("\\$\\d+", "?"));
            values.addAll(rule.values());
        }
        return condition.append(")").toString();
    }

    private static ScaleData.Segment segment(String name) {
        return ScaleData.SEGMENTS.stream().filter(s -> s.segmentName().equals(name)).findFirst().orElseThrow();
    }

    static Sql segmentCustomersSql(Map<String, String> p) {
        List<Object> values = new ArrayList<>();
        StringBuilder sql = new StringBuilder(RAW_METRICS).append("""
                SELECT m.customer_id, m.email, m.first_name, m.last_name, m.age, m.gender, m.city, m.country,
                       m.signup_date, m.last_login, m.customer_segment, m.lifetime_value, m.total_spent,
                       m.purchase_count, m.session_count, m.last_event_at
                FROM m
                WHERE """);
        sql.append(memberOf(segment(p.get("segment_name")), values));
        if (p.containsKey("country")) {
            sql.append(" AND m.country = ?");
            values.add(p.get("country"));
        }
        if (p.containsKey("min_age")) {
            sql.append(" AND m.age >= ? AND m.age <= ?");
            values.add(Integer.parseInt(p.get("min_age")));
            values.add(Integer.parseInt(p.get("max_age")));
        }
        if (p.containsKey("min_lifetime_value")) {
            sql.append(" AND m.lifetime_value >= ?");
            values.add(Double.parseDouble(p.get("min_lifetime_value")));
        }
        sql.append(" ORDER BY m.lifetime_value DESC NULLS LAST, m.customer_id LIMIT ?");
        values.add(Integer.parseInt(p.getOrDefault("limit", "1000")));
        return new Sql(sql.toString(), values);
    }

    static Sql segmentMetricsSql(Map<String, String> p) {
        List<Object> values = new ArrayList<>();
        StringBuilder sql = new StringBuilder(RAW_METRICS).append(", members AS (");
        String union = "";
        for (ScaleData.Segment s : ScaleData.SEGMENTS) {
            sql.append(union).append("SELECT ?::text AS segment_id, ?::text AS segment_name, ?::text AS segment_type, m.* FROM m WHERE ");
            values.add(s.segmentId());
            values.add(s.segmentName());
            values.add(s.type());
            sql.append(memberOf(s, values));
            if (p.containsKey("country")) {
                sql.append(" AND m.country = ?");
                values.add(p.get("country"));
            }
            union = " UNION ALL ";
        }
        sql.append("""
                )
                SELECT segment_id, segment_name, segment_type, count(*) AS customer_count,
                       sum(lifetime_value) AS total_lifetime_value, avg(lifetime_value) AS avg_lifetime_value,
                       avg(age) AS avg_age, sum(event_count) AS total_events, sum(purchase_count) AS total_purchases,
                       sum(total_spent) AS total_revenue, sum(total_spent) / count(*) AS avg_revenue_per_customer,
                       avg(session_count) AS avg_sessions_per_customer,
                       count(*) FILTER (WHERE last_event_at >= now() - INTERVAL '30 days') AS active_customers_30d
                FROM members
                GROUP BY segment_id, segment_name, segment_type
                ORDER BY customer_count DESC, segment_name""");
        return new Sql(sql.toString(), values);
    }

    /** RFM over the raw events (docs/api.md, "Segmentation endpoints"), as of now. */
    /**
     * Every customer's RFM scores and suggested segment at {@code %2$s} (as_of), from the raw rows, ending with
     * {@code suggested}.
     */
    private static final String RAW_RFM = """
            WITH per_customer AS (
                SELECT customer_id, sum(%1$s) AS monetary,
                       count(*) FILTER (WHERE event_type = 'purchase') AS frequency,
                       count(*) AS total_events, count(DISTINCT session_id) AS session_count,
                       max(event_timestamp) AS last_event_at,
                       max(event_timestamp) FILTER (WHERE event_type = 'purchase') AS last_purchase_at
                FROM customer_events
                WHERE event_timestamp <= %2$s
                GROUP BY customer_id
            ),
            customers AS (
                SELECT coalesce(c.customer_id, p.customer_id) AS customer_id, p.customer_segment AS current_segment,
                       coalesce(c.frequency, 0) AS frequency, coalesce(c.monetary, 0) AS monetary,
                       coalesce(c.total_events, 0) AS total_events, coalesce(c.session_count, 0) AS session_count,
                       c.last_event_at,
                       floor(extract(epoch FROM %2$s - c.last_purchase_at) / 86400) AS recency_days,
                       c.last_event_at >= %2$s - INTERVAL '30 days' AS recent
                FROM per_customer c
                FULL JOIN customer_profiles p ON p.customer_id = c.customer_id
            ),
            scored AS (
                SELECT c.*,
                       CASE WHEN frequency > 0 THEN ceil(5 * cume_dist() OVER (PARTITION BY frequency > 0
                           ORDER BY recency_days DESC))::int END AS r,
                       CASE WHEN frequency > 0 THEN ceil(5 * cume_dist() OVER (PARTITION BY frequency > 0
                           ORDER BY frequency))::int END AS f,
                       CASE WHEN frequency > 0 THEN ceil(5 * cume_dist() OVER (PARTITION BY frequency > 0
                           ORDER BY monetary))::int END AS m
                FROM customers c
            ),
            suggested AS (
                SELECT s.*, CASE
                    WHEN frequency = 0 THEN CASE WHEN recent THEN 'Browsers' ELSE 'Inactive' END
                    WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'Champions'
                    WHEN f >= 4 AND r >= 3 THEN 'Loyal'
                    WHEN r >= 4 AND f = 1 THEN 'New Customers'
                    WHEN r >= 4 THEN 'Potential Loyalists'
                    WHEN r = 3 THEN 'Need Attention'
                    WHEN f >= 4 THEN 'Can''t Lose Them'
                    WHEN f >= 2 AND m >= 3 THEN 'At Risk'
                    WHEN r = 2 THEN 'Hibernating'
                    ELSE 'Lost' END AS suggested_segment
                FROM scored s
            )
            """;

    private static final String SUMMARY_TAIL = """
            SELECT suggested_segment, count(*) AS customer_count, avg(recency_days) AS avg_recency_days,
                   avg(frequency) AS avg_frequency, avg(monetary) AS avg_monetary, sum(monetary) AS total_revenue
            FROM suggested
            GROUP BY suggested_segment
            ORDER BY customer_count DESC, suggested_segment""";

    /** {@link #RAW_RFM} at the request's as_of, or now; the as_of is one of ours, in DATE_TIME's form. */
    private static String rawRfm(Map<String, String> p) {
        String asOf = p.containsKey("as_of")
                ? "timestamptz '" + LocalDateTime.parse(p.get("as_of"), DATE_TIME) + "+00'" : "now()";
        return RAW_RFM.formatted(REVENUE, asOf);
    }

    private Map<String, String> pastSuggestionsParams(Random random) {
        Map<String, String> p = new LinkedHashMap<>();
        LocalDateTime asOf = lastDay.plusDays(1).atStartOfDay()
                .minusSeconds(1 + (long) (random.nextDouble() * 300 * 86_400L));
        p.put("as_of", DATE_TIME.format(asOf));
        if (random.nextInt(12) > 0) {
            p.put("suggested_segment", pick(random, RFM_SEGMENTS));
        }
        return p;
    }

    static Sql suggestionsSql(Map<String, String> p) {
        List<Object> values = new ArrayList<>();
        StringBuilder sql = new StringBuilder(rawRfm(p)).append("""
                SELECT customer_id, current_segment, suggested_segment, recency_days, frequency, monetary, r, f, m,
                       total_events, session_count, last_event_at
                FROM suggested
                WHERE true""");
        if (p.containsKey("suggested_segment")) {
            sql.append(" AND suggested_segment = ?");
            values.add(p.get("suggested_segment"));
        }
        sql.append(" ORDER BY monetary DESC, customer_id LIMIT ?");
        values.add(Integer.parseInt(p.getOrDefault("limit", "1000")));
        return new Sql(sql.toString(), values);
    }
}
