package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer of the Events API: how many of the rows read were stored and how many quarantined. */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@Schema(name = "IngestResult", description = "successful_rows + quarantined_rows = the rows read from the body.")
public record IngestResult(
        @JsonProperty("successful_rows")
        @Schema(description = "Rows stored, including retried events that were already stored (idempotent).",
                example = "1")
        long successfulRows,
        @JsonProperty("quarantined_rows")
        @Schema(description = "Rows rejected and written to <datasource>_quarantine with the reason.", example = "0")
        long quarantinedRows) {
}
