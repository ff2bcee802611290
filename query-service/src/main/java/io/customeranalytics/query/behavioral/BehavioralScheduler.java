package io.customeranalytics.query.behavioral;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Runs {@link BehavioralRefresher} every {@code analytics.behavioral.refresh-interval} (default 5s; {@code off}
 * for none: answers stay exact, pending periods are then always read from the raw events). Metrics:
 * {@code analytics_behavioral_refresh_seconds} (one timer sample per pass that refreshed something),
 * {@code analytics_behavioral_refreshed_periods_total} and {@code analytics_behavioral_refresh_failures_total}.
 */
@Startup
@ApplicationScoped
public class BehavioralScheduler {

    private static final Logger LOG = Logger.getLogger(BehavioralScheduler.class);

    private final BehavioralRefresher refresher;
    private final Timer passes;
    private final Counter periods;
    private final Counter failures;

    public BehavioralScheduler(BehavioralRefresher refresher, MeterRegistry registry) {
        this.refresher = refresher;
        this.passes = Timer.builder("analytics_behavioral_refresh")
                .description("Duration of the passes that refreshed pending periods of behavioral_days")
                .register(registry);
        this.periods = Counter.builder("analytics_behavioral_refreshed_periods")
                .description("Periods of behavioral_days recomputed from the raw events")
                .register(registry);
        this.failures = Counter.builder("analytics_behavioral_refresh_failures")
                .description("Periods of behavioral_days whose refresh failed, and failed passes (retried next pass)")
                .register(registry);
    }

    @Scheduled(every = "${analytics.behavioral.refresh-interval:5s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshPending() {
        long start = System.nanoTime();
        return refresher.refreshPending()
                .invoke(report -> {
                    failures.increment(report.failed());
                    if (report.refreshed() == 0) {
                        return;
                    }
                    passes.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    periods.increment(report.refreshed());
                    LOG.debugf("behavioral_days: %s in %d ms", report, (System.nanoTime() - start) / 1_000_000);
                })
                .onFailure().invoke(e -> {
                    failures.increment();
                    LOG.warn("refresh of behavioral_days failed", e);
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
