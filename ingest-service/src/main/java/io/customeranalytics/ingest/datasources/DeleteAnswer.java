package io.customeranalytics.ingest.datasources;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.customeranalytics.ingest.jobs.Job;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The answer of a delete by condition, in Tinybird's shapes: the job, already done; or, for a dry run, only
 * {@code rows_to_be_deleted}. One schema for both, so that a generated client reads either.
 */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "DeleteAnswer", description = "The delete's job, which ran and committed before this answer; for a"
        + " dry run only rows_to_be_deleted.")
public record DeleteAnswer(
        @Schema(description = "The job's id (not in a dry run)", example = "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11")
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
        @Schema(description = "done (not in a dry run)", example = "done")
        String status,
        @Schema(description = "The job (not in a dry run)")
        Job job,
        @JsonProperty("rows_to_be_deleted")
        @Schema(description = "Dry run only: the rows the condition selects now; nothing was deleted", example = "3")
        Long rowsToBeDeleted) {

    static DeleteAnswer of(Job job) {
        return new DeleteAnswer(job.id(), job.id(), job.id(), job.jobUrl(), job.status(), job, null);
    }

    static DeleteAnswer dryRun(long rows) {
        return new DeleteAnswer(null, null, null, null, null, null, rows);
    }
}
