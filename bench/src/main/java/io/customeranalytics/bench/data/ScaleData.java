package io.customeranalytics.bench.data;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The benchmark data set, generated the same for the same seed and size (bench/README.md, "Scale data"):
 * {@code days} UTC days of sessions ending the day before {@code end}, each session 3 to 15 events of one
 * customer on one device; customers drawn with a strong skew (the first percent of ids has about a third of the
 * sessions, most customers a handful of events); about 10% of events are purchases; 10 countries, 3 device
 * types; a profile per customer with the labels segments use; and six segments with rules of each kind.
 *
 * <p>Events come out day by day in time order, each day from its own seeded random stream, in constant memory,
 * so that COPY writes one day's chunk at a time.
 */
public final class ScaleData {

    /** The two sizes of the benchmark issue: S = 1M events / 100k customers, M = 10M / 1M. */
    public enum Size {
        S(1_000_000, 100_000), M(10_000_000, 1_000_000), XS(100_000, 10_000);

        final long events;
        final int customers;

        Size(long events, int customers) {
            this.events = events;
            this.customers = customers;
        }

        public long events() {
            return events;
        }

        public int customers() {
            return customers;
        }
    }

    public record Event(String eventId, String customerId, String eventType, OffsetDateTime timestamp,
                        String sessionId, String pageUrl, String productId, String categoryId, String deviceType,
                        String country, String referrer, String userAgent, Double price, Integer quantity) {
    }

    public record Profile(String customerId, String email, String firstName, String lastName, String gender,
                          String city, String country, String customerSegment, int age, LocalDate signupDate,
                          OffsetDateTime lastLogin, double lifetimeValue) {
    }

    public record Segment(String segmentId, String segmentName, String description, String rules, String type) {
    }

    public static final String[] COUNTRIES = {"US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "IN", "JP"};
    /** How often each country is a customer's: the US most. */
    private static final int[] COUNTRY_WEIGHTS = {30, 12, 11, 9, 7, 7, 6, 7, 6, 5};
    private static final String[][] CITIES = {
            {"New York", "Chicago", "Austin"}, {"London", "Leeds"}, {"Berlin", "Munich"}, {"Paris", "Lyon"},
            {"Madrid", "Seville"}, {"Rome", "Milan"}, {"Amsterdam"}, {"Sao Paulo"}, {"Mumbai", "Pune"}, {"Tokyo"}};
    public static final String[] DEVICES = {"mobile", "desktop", "tablet"};
    private static final int[] DEVICE_WEIGHTS = {55, 35, 10};
    /** Event types of a session after its first page view; purchases are drawn apart (about 10% of events). */
    private static final String[] BROWSING = {"page_view", "page_view", "page_view", "search", "add_to_cart",
            "page_view", "product_view", "product_view"};
    private static final String[] REFERRERS = {"google.com", "bing.com", "facebook.com", "newsletter", null, null};
    private static final String[] LABELS = {"VIP", "Newsletter", "High Value", null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null};
    private static final String[] FIRST = {"Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan"};
    private static final String[] LAST = {"Smith", "Garcia", "Müller", "Rossi", "Tanaka", "Silva", "Khan", "Dubois"};

    public static final List<Segment> SEGMENTS = List.of(
            new Segment("seg-high-value", "High Value", "Spent more than 1,000 in all",
                    "total_spent > 1000", "value-based"),
            new Segment("seg-recent-buyers", "Recent Buyers", "A purchase in the last 30 days",
                    "days_since_last_purchase <= 30", "recency"),
            new Segment("seg-us-adults", "US Adults 25-45", "Customers in the US aged 25 to 45",
                    "country = 'US' AND age BETWEEN 25 AND 45", "demographic"),
            new Segment("seg-window-shoppers", "Window Shoppers", "Many page views, never a purchase",
                    "page_view_count > 20 AND purchase_count = 0", "behavioral"),
            new Segment("seg-loyal", "Loyal", "Five purchases or more over more than ten sessions",
                    "purchase_count >= 5 AND session_count > 10", "behavioral"),
            new Segment("seg-vip", "VIP", "Labelled VIP in their profile", null, "label"),
            new Segment("seg-lapsed", "Lapsed", "Bought before, nothing for 90 days",
                    "purchase_count >= 1 AND days_since_last_event > 90", "recency"));

    private final Size size;
    private final long seed;
    private final LocalDate end;
    private final int days;

    public ScaleData(Size size, long seed, LocalDate end, int days) {
        this.size = size;
        this.seed = seed;
        this.end = end;
        this.days = days;
    }

    public Size size() {
        return size;
    }

    /** The day after the last day of events. */
    public LocalDate end() {
        return end;
    }

    public LocalDate firstDay() {
        return end.minusDays(days);
    }

    /** The country of a customer: fixed per customer, the same in its profile and its events. */
    private String countryOf(int customer) {
        return COUNTRIES[weighted(new Random(seed * 31 + customer), COUNTRY_WEIGHTS)];
    }

    /** A customer drawn with a power-law skew: small ids are drawn far more often. */
    private int customer(Random random) {
        return skewedCustomer(size.customers, random);
    }

    /** A customer number in [0, customers) with the data's power-law skew ({@code floor(N * u^3)}). */
    public static int skewedCustomer(int customers, Random random) {
        double u = random.nextDouble();
        return (int) Math.min(customers - 1, Math.floor(customers * u * u * u));
    }

    private static int weighted(Random random, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            pick -= weights[i];
            if (pick < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** Every event, day after day, each day in time order. */
    public void events(Consumer<Event> sink) {
        long perDay = size.events / days;
        long remainder = size.events % days;
        long eventNumber = 0;
        long sessionNumber = 0;
        for (int d = 0; d < days; d++) {
            long target = perDay + (d < remainder ? 1 : 0);
            Random random = new Random(seed * 1_000_003L + d);
            OffsetDateTime dayStart = firstDay().plusDays(d).atStartOfDay().atOffset(ZoneOffset.UTC);
            List<Event> day = new ArrayList<>((int) target + 16);
            long made = 0;
            while (made < target) {
                int length = (int) Math.min(target - made, 3 + random.nextInt(13));
                int customer = customer(random);
                String customerId = "c-" + customer;
                String country = countryOf(customer);
                String device = DEVICES[weighted(random, DEVICE_WEIGHTS)];
                String sessionId = "s-" + sessionNumber++;
                String referrer = REFERRERS[random.nextInt(REFERRERS.length)];
                String agent = device.equals("mobile") ? "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X)"
                        : device.equals("tablet") ? "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X)"
                        : "Mozilla/5.0 (X11; Linux x86_64)";
                // Sessions start at any second of the day and last up to about an hour; none crosses midnight.
                long at = random.nextInt(86_400 - 3_600);
                for (int i = 0; i < length; i++) {
                    at += 1 + random.nextInt(240);
                    boolean purchase = i > 0 && random.nextInt(100) < 11;
                    String type = i == 0 ? "page_view" : purchase ? "purchase" : BROWSING[random.nextInt(BROWSING.length)];
                    int product = random.nextInt(5_000);
                    boolean withProduct = !type.equals("page_view") && !type.equals("search");
                    Double price = purchase ? Math.round((5 + Math.exp(random.nextGaussian() * 0.9 + 3.5)) * 100)
                            / 100.0 : null;
                    Integer quantity = purchase ? 1 + random.nextInt(random.nextInt(10) == 0 ? 6 : 2) : null;
                    day.add(new Event("e-" + (eventNumber + made + i), customerId, type,
                            dayStart.plusSeconds(Math.min(at, 86_399)).plusNanos(random.nextInt(1_000_000) * 1000L),
                            sessionId, "https://shop.example.com/" + (withProduct ? "p/" + product : "c/" + random.nextInt(40)),
                            withProduct ? "p-" + product : null, withProduct ? "cat-" + product % 40 : null,
                            device, country, i == 0 ? referrer : null, agent, price, quantity));
                }
                made += length;
            }
            eventNumber += made;
            day.sort(Comparator.comparing(Event::timestamp));
            day.forEach(sink);
        }
    }

    /** One profile per customer. */
    public void profiles(Consumer<Profile> sink) {
        for (int c = 0; c < size.customers; c++) {
            Random random = new Random(seed * 7_919L + c);
            int countryIndex = indexOf(countryOf(c));
            String[] cities = CITIES[countryIndex];
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            LocalDate signup = firstDay().minusDays(random.nextInt(900));
            sink.accept(new Profile("c-" + c, "customer" + c + "@example.com", first, last,
                    random.nextBoolean() ? "female" : "male", cities[random.nextInt(cities.length)],
                    COUNTRIES[countryIndex], LABELS[random.nextInt(LABELS.length)], 18 + random.nextInt(63),
                    signup, end.atStartOfDay().atOffset(ZoneOffset.UTC).minusSeconds(random.nextInt(86_400 * 60)),
                    Math.round(Math.exp(random.nextGaussian() + 5) * 100) / 100.0));
        }
    }

    private static int indexOf(String country) {
        for (int i = 0; i < COUNTRIES.length; i++) {
            if (COUNTRIES[i].equals(country)) {
                return i;
            }
        }
        throw new IllegalArgumentException(country);
    }

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSXXX");
}
