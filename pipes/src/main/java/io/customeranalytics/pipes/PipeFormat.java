package io.customeranalytics.pipes;

import io.customeranalytics.common.error.ApiException;

import java.util.Arrays;

/** The output formats of pipe endpoints, chosen by the path's extension. */
public enum PipeFormat {
    JSON("json", "application/json"),
    CSV("csv", "text/csv; charset=utf-8"),
    NDJSON("ndjson", "application/x-ndjson");

    private final String extension;
    private final String mediaType;

    PipeFormat(String extension, String mediaType) {
        this.extension = extension;
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    public static PipeFormat of(String extension) {
        return Arrays.stream(values())
                .filter(format -> format.extension.equals(extension))
                .findFirst()
                .orElseThrow(() -> ApiException.badRequest("unsupported format '" + extension
                        + "'; use .json, .csv or .ndjson", ApiException.DOC_PIPES));
    }
}
