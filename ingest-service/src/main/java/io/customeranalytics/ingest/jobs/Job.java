package io.customeranalytics.ingest.jobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One job, as Tinybird's jobs API shows it: a delete by condition ({@code kind} {@code delete_data}). It runs
 * inside the request that asked for it, so a job is {@code done} by the time anyone can read it.
 */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@Schema(name = "Job", description = "A delete by condition and what it deleted.")
public record Job(
        @Schema(description = "The job's id", example = "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11")
        String id,
        @JsonProperty("job_id")
        @Schema(description = "The same id, as Tinybird also names it",
                example = "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11")
        String jobId,
        @Schema(description = "What the job does", example = "delete_data")
        String kind,
        @Schema(description = "Always done: the job ran in the request that created it, and committed",
                example = "done")
        String status,
        @JsonProperty("created_at")
        @Schema(description = "When it ran (UTC)", example = "2026-12-02 06:30:00")
        String createdAt,
        @JsonProperty("updated_at")
        @Schema(description = "When it was last changed (UTC): when it ran", example = "2026-12-02 06:30:00")
        String updatedAt,
        @JsonProperty("job_url")
        @Schema(description = "Where to read it again",
                example = "http://localhost:8081/v0/jobs/0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11")
        String jobUrl,
        @JsonProperty("delete_condition")
        @Schema(description = "The condition, as sent", example = "event_timestamp < '2023-01-01 00:00:00'")
        String deleteCondition,
        @Schema(description = "The datasource it deleted from")
        JobDatasource datasource,
        @JsonProperty("rows_affected")
        @Schema(description = "Rows deleted", example = "1520")
        long rowsAffected) {

    /** The datasource of a job. */
    @RegisterForReflection
    @Schema(name = "JobDatasource")
    public record JobDatasource(
            @Schema(description = "The datasource's name", example = "customer_events")
            String name) {
    }
}
