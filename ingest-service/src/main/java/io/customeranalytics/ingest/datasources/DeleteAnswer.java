package io.customeranalytics.ingest.datasources;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.customeranalytics.ingest.jobs.Job;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer of a delete by condition, in Tinybird's shape: the job, already done. */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@Schema(name = "DeleteAnswer", description = "The delete's job; it ran and committed before this answer.")
public record DeleteAnswer(
        @Schema(description = "The job's id", example = "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11")
        String id,
        @JsonProperty("job_id")
        @Schema(description = "The same id")
        String jobId,
        @JsonProperty("delete_id")
        @Schema(description = "The same id")
        String deleteId,
        @JsonProperty("job_url")
        @Schema(description = "Where to read the job again (GET /v0/jobs/<id>)")
        String jobUrl,
        @Schema(description = "Always done", example = "done")
        String status,
        @Schema(description = "The job")
        Job job) {

    static DeleteAnswer of(Job job) {
        return new DeleteAnswer(job.id(), job.id(), job.id(), job.jobUrl(), job.status(), job);
    }
}
