package io.customeranalytics.ingest.erasure;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/** The answer of an erasure: its audit record, and how far the derived data had followed when it was sent. */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@Schema(name = "ErasureResult", description = "What one erasure removed, as its audit record keeps it.")
public record ErasureResult(
        @JsonProperty("erasure_id")
        @Schema(description = "The audit record's id (table customer_erasures).",
                example = "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11")
        String erasureId,
        @JsonProperty("customer_id")
        @Schema(description = "The customer erased, as sent; the audit record keeps only its SHA-256.",
                example = "cust-789")
        String customerId,
        @JsonProperty("customer_sha256")
        @Schema(description = "SHA-256 of the customer id (UTF-8, hex), what the audit record keeps.")
        String customerSha256,
        @JsonProperty("erased_at")
        @Schema(description = "When its transaction committed the erasure (UTC).", example = "2026-12-02 03:50:00")
        String erasedAt,
        @Schema(description = "Rows deleted in the erasure's transaction, per table: customer_events,"
                + " customer_profiles, customer_events_quarantine, customer_profiles_quarantine, customer_changes,"
                + " aggregate_rows (plain mode's trigger-kept aggregates).")
        Map<String, Object> rows,
        @JsonProperty("aggregate_days_pending")
        @Schema(description = "Days of the continuous aggregates still to rebuild without the customer (0 once"
                + " done); their readers already leave the customer out.", example = "0")
        long aggregateDaysPending,
        @JsonProperty("derived_data_erased")
        @Schema(description = "Whether segmentation-service had removed the customer from the metrics snapshot,"
                + " every segment and the suggestions before this answer was sent (it waits up to"
                + " analytics.erasure.derived-data-wait); false: it does so at its next refresh.", example = "true")
        boolean derivedDataErased) {
}
