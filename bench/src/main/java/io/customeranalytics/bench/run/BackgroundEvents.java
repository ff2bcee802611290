package io.customeranalytics.bench.run;

import io.customeranalytics.localstack.DatabaseAddress;
import io.customeranalytics.localstack.LocalStack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest beside a measurement: {@code rate} page views a second posted to ingest-service's Events API (100 per
 * request, {@code wait=true}), each of one of 10,000 customers with a profile drawn at random, timestamped now.
 * Each stored event is a change segmentation-service applies, as a live workspace's are.
 */
final class BackgroundEvents implements AutoCloseable {

    private static final int PER_REQUEST = 100;

    /** What was sent beside a measurement: events stored a second, and requests that failed or were refused. */
    record Rate(double eventsPerSecond, long errors) {
    }

    private final ScheduledExecutorService sender = Executors.newScheduledThreadPool(4);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final long started = System.nanoTime();
    private long stopped;

    private BackgroundEvents() {
    }

    /** Starts sending; nothing is sent when {@code rate} is 0. */
    static BackgroundEvents start(DatabaseAddress db, LocalStack stack, String token, long seed, int rate)
            throws SQLException {
        BackgroundEvents events = new BackgroundEvents();
        if (rate <= 0) {
            return events;
        }
        URI uri = URI.create(stack.serviceUrl("ingest-service") + "/v0/events?name=customer_events&wait=true");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Random random = new Random(seed);
        List<String> customers = customers(db, seed);
        long periodMicros = 1_000_000L * PER_REQUEST / rate;
        events.sender.scheduleAtFixedRate(() -> events.send(client, uri, token, random, customers), 0, periodMicros,
                TimeUnit.MICROSECONDS);
        return events;
    }

    private static List<String> customers(DatabaseAddress db, long seed) throws SQLException {
        List<String> customers = new ArrayList<>();
        try (Connection connection = Baseline.connect(db);
             PreparedStatement pick = connection.prepareStatement("""
                     SELECT customer_id FROM analytics.customer_profiles
                     ORDER BY hashtext(customer_id || ?) LIMIT 10000""")) {
            pick.setString(1, "bg" + seed);
            try (ResultSet rows = pick.executeQuery()) {
                while (rows.next()) {
                    customers.add(rows.getString(1));
                }
            }
        }
        return customers;
    }

    private void send(HttpClient client, URI uri, String token, Random random, List<String> customers) {
        StringBuilder body = new StringBuilder();
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        for (int i = 0; i < PER_REQUEST; i++) {
            String customer;
            synchronized (random) {
                customer = customers.get(random.nextInt(customers.size()));
            }
            body.append("{\"event_id\":\"bg-").append(UUID.randomUUID())
                    .append("\",\"customer_id\":\"").append(customer)
                    .append("\",\"event_type\":\"page_view\",\"event_timestamp\":\"").append(now)
                    .append("\",\"session_id\":\"bg-").append(customer).append("\"}\n");
        }
        try {
            int status = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                sent.addAndGet(PER_REQUEST);
            } else {
                errors.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            errors.incrementAndGet();
        }
    }

    /** Events stored a second, from the start until {@link #close()} (or now). */
    double eventsPerSecond() {
        long end = stopped == 0 ? System.nanoTime() : stopped;
        return sent.get() / ((end - started) / 1e9);
    }

    /** Requests that failed or were refused. */
    long errors() {
        return errors.get();
    }

    @Override
    public void close() {
        sender.shutdownNow();
        try {
            sender.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = System.nanoTime();
    }
}
