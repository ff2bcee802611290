package io.customeranalytics.pipes;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/** The documented shape of a JSON pipe answer (the renderer writes it directly; this type is for OpenAPI). */
@Schema(name = "PipeEnvelope", description = "Tinybird's JSON envelope of a pipe answer")
public record PipeEnvelope(
        @Schema(description = "Output columns in order, with ClickHouse-style type names") List<Meta> meta,
        @Schema(description = "One object per row") List<Map<String, Object>> data,
        @Schema(description = "Rows in data") long rows,
        @JsonProperty("rows_before_limit_at_least")
        @Schema(description = "Rows the query produced before its limit") long rowsBeforeLimitAtLeast,
        Statistics statistics) {

    /** A column: name and type. */
    @Schema(name = "PipeColumnMeta")
    public record Meta(@Schema(example = "event_id") String name, @Schema(example = "String") String type) {
    }

    /** Figures of the query; see docs/api.md, "Pipe endpoints". */
    @Schema(name = "PipeStatistics")
    public record Statistics(
            @Schema(description = "Seconds from sending the query to having its rows") double elapsed,
            @JsonProperty("rows_read") @Schema(description = "Rows the query produced before its limit") long rowsRead,
            @JsonProperty("bytes_read") @Schema(description = "Bytes of row values received from the database")
            long bytesRead) {
    }
}
