package io.customeranalytics.ingest.datasources;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer of a delete with {@code dry_run=true}: how many rows it would delete; nothing is deleted. */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@Schema(name = "DryRunAnswer", description = "How many rows the condition selects now; nothing was deleted.")
public record DryRunAnswer(
        @JsonProperty("rows_to_be_deleted")
        @Schema(description = "Rows the condition selects", example = "3")
        long rowsToBeDeleted) {
}
