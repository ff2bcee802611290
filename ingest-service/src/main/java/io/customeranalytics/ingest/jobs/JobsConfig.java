package io.customeranalytics.ingest.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The record of jobs (deletes by condition). */
@ConfigMapping(prefix = "analytics.jobs")
public interface JobsConfig {

    /**
     * How long a job's record (its condition, which may name a customer, and what it deleted) is kept; older
     * records are deleted when the next job is written.
     */
    @WithDefault("7d")
    Duration retention();
}
