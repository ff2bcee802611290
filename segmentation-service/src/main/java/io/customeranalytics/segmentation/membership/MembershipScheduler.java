package io.customeranalytics.segmentation.membership;

import io.customeranalytics.common.segments.SegmentsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps segment membership up to date: the customers changed since the last refresh (and those the clock moved
 * across a rule's threshold) every {@code analytics.segments.refresh-interval}, and the segments created or
 * changed through the Events API every {@code analytics.segments.change-poll-interval}. Both interval defaults
 * sit well inside the staleness bound (60 s). Metrics: {@code analytics_membership_last_refresh_timestamp_seconds},
 * {@code analytics_membership_last_refresh_duration_seconds}, {@code analytics_membership_refresh_seconds}
 * (timer), {@code analytics_membership_changed_customers_total} and {@code analytics_membership_refresh_failures_total},
 * registered at start-up (so they are there from the first scrape, not from the first refresh).
 */
@Startup
@ApplicationScoped
public class MembershipScheduler {

    private static final Logger LOG = Logger.getLogger(MembershipScheduler.class);

    private final MembershipRefresher refresher;
    private final Timer refreshTimer;
    private final Counter failures;
    private final Counter changedCustomers;
    private final AtomicLong lastRefreshEpochMillis = new AtomicLong();
    private final AtomicLong lastDurationMillis = new AtomicLong();

    public MembershipScheduler(MembershipRefresher refresher, MeterRegistry registry, SegmentsConfig config) {
        this.refresher = refresher;
        if (config.refreshInterval().compareTo(config.stalenessBound()) >= 0) {
            LOG.warnf("analytics.segments.refresh-interval (%s) is not below the staleness bound (%s): segment"
                    + " endpoints will answer 503 between refreshes", config.refreshInterval(), config.stalenessBound());
        }
        this.refreshTimer = Timer.builder("analytics_membership_refresh")
                .description("Duration of membership refreshes (changed customers, the clock, changed segments)")
                .register(registry);
        this.changedCustomers = Counter.builder("analytics_membership_changed_customers")
                .description("Customers whose metrics and membership a refresh recomputed after a change")
                .register(registry);
        this.failures = Counter.builder("analytics_membership_refresh_failures")
                .description("Membership refreshes that failed, and single segments whose refresh failed")
                .register(registry);
        Gauge.builder("analytics_membership_last_refresh_timestamp_seconds", lastRefreshEpochMillis,
                        value -> value.get() / 1000.0)
                .description("When the last membership refresh finished (Unix time, seconds)")
                .register(registry);
        Gauge.builder("analytics_membership_last_refresh_duration_seconds", lastDurationMillis,
                        value -> value.get() / 1000.0)
                .description("How long the last membership refresh took")
                .register(registry);
    }

    @Scheduled(every = "${analytics.segments.refresh-interval:5s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        long start = System.nanoTime();
        return refresher.refresh()
                .invoke(report -> {
                    changedCustomers.increment(report.changedCustomers());
                    failures.increment(report.failedSegments());
                    if (report.skipped()) {
                        LOG.debug("membership refresh skipped: another replica holds the membership lock");
                        return;
                    }
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    refreshTimer.record(Duration.ofMillis(millis));
                    lastDurationMillis.set(millis);
                    lastRefreshEpochMillis.set(System.currentTimeMillis());
                    LOG.debugf("membership refreshed in %d ms: %s", millis, report);
                })
                .onFailure().invoke(e -> {
                    failures.increment();
                    LOG.warn("membership refresh failed", e);
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    @Scheduled(every = "${analytics.segments.change-poll-interval:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshSegments() {
        return refresher.refreshSegments()
                .invoke(report -> failures.increment(report.failedSegments()))
                .onFailure().invoke(e -> {
                    failures.increment();
                    LOG.warn("refresh of changed segments failed", e);
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
