package io.customeranalytics.ingest.datasources;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer of a file append: the rows stored and quarantined, and the import's id in the quarantine. */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@Schema(name = "AppendResult", description = "successful_rows + quarantined_rows = the rows read from the file.")
public record AppendResult(
        @JsonProperty("successful_rows")
        @Schema(description = "Rows stored, including events that were already stored (idempotent).",
                example = "1520")
        long successfulRows,
        @JsonProperty("quarantined_rows")
        @Schema(description = "Rows written to <datasource>_quarantine with the reason.", example = "3")
        long quarantinedRows,
        @JsonProperty("import_id")
        @Schema(description = "The c__import_id of this file's quarantined rows",
                example = "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11")
        String importId,
        @Schema(description = "The datasource appended to")
        AppendedDatasource datasource) {

    /** The datasource of an append. */
    @RegisterForReflection
    @Schema(name = "AppendedDatasource")
    public record AppendedDatasource(
            @Schema(description = "The datasource's name", example = "customer_events")
            String name) {
    }
}
