package io.customeranalytics.query.behavioral;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How query-service keeps {@code behavioral_days} (migration V13) up to date. */
@ConfigMapping(prefix = "analytics.behavioral")
public interface BehavioralConfig {

    /**
     * How often query-service recomputes the periods written to since their last refresh ({@code off}: never).
     * Answers are exact whatever the interval, since a pending period is read from the raw events; a short one
     * keeps that part small. Read by {@link BehavioralScheduler}'s schedule.
     */
    @WithDefault("5s")
    String refreshInterval();

    /**
     * PostgreSQL's work_mem for one period's refresh (a month of events is grouped per customer in memory):
     * 256MB holds a month of 10M events a year without spilling to disk.
     */
    @WithDefault("256MB")
    String refreshWorkMem();
}
