package io.customeranalytics.bench.run;

import io.customeranalytics.localstack.LocalStack;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Big answers beside a measurement: {@code clients} clients, each asking query-service for the first 100,000
 * members of {@link #SEGMENT} (segment_customers, JSON) again as soon as its last answer has been read whole.
 * At M the segment has more than 100,000 members, so every answer is 100,000 rows (38 MB of JSON).
 */
final class BigAnswers implements AutoCloseable {

    /** The seven segments' largest at M: a third of the customers are in the US, a third of them aged 25 to 45. */
    static final String SEGMENT = "US Adults 25-45";
    static final int LIMIT = 100_000;

    /** What was fetched beside a measurement: by how many clients, answers, their mean time and bytes, failures. */
    record Rate(int clients, long answers, double meanSeconds, double meanMegabytes, long errors) {
        @Override
        public String toString() {
            return "%d answers of %,d rows beside it (%d clients), mean %.2f s and %.1f MB each, %d failed".formatted(
                    answers, LIMIT, clients, meanSeconds, meanMegabytes, errors);
        }
    }

    private final int count;
    private final ExecutorService clients;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    private BigAnswers(int count) {
        this.count = count;
        this.clients = Executors.newFixedThreadPool(Math.max(1, count));
    }

    /** Starts {@code count} clients; none when {@code count} is 0. */
    static BigAnswers start(LocalStack stack, String token, int count) {
        BigAnswers big = new BigAnswers(count);
        URI uri = URI.create(stack.serviceUrl("query-service") + "/v0/pipes/segment_customers.json?segment_name="
                + URLEncoder.encode(SEGMENT, StandardCharsets.UTF_8) + "&limit=" + LIMIT);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < count; i++) {
            big.clients.submit(() -> big.loop(client, uri, token));
        }
        return big;
    }

    private void loop(HttpClient client, URI uri, String token) {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60)).build();
        byte[] buffer = new byte[64 * 1024];
        while (running.get()) {
            long start = System.nanoTime();
            try {
                HttpResponse<InputStream> answer = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                long read = 0;
                try (InputStream body = answer.body()) {
                    for (int n; (n = body.read(buffer)) >= 0; ) {
                        read += n;
                    }
                }
                if (answer.statusCode() == 200) {
                    answers.incrementAndGet();
                    nanos.addAndGet(System.nanoTime() - start);
                    bytes.addAndGet(read);
                } else {
                    errors.incrementAndGet();
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                errors.incrementAndGet();
            }
        }
    }

    Rate rate() {
        long n = Math.max(1, answers.get());
        return new Rate(count, answers.get(), nanos.get() / 1e9 / n, bytes.get() / 1e6 / n, errors.get());
    }

    @Override
    public void close() {
        running.set(false);
        clients.shutdownNow();
        try {
            clients.awaitTermination(70, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
