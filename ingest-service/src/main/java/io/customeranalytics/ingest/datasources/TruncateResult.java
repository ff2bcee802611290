package io.customeranalytics.ingest.datasources;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer of a truncate: which datasource is now empty. */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@Schema(name = "TruncateResult", description = "The datasource that was emptied.")
public record TruncateResult(
        @Schema(description = "The datasource (or quarantine) emptied", example = "customer_events_quarantine")
        String datasource,
        @Schema(description = "Always true: the answer comes after the commit", example = "true")
        boolean truncated) {
}
