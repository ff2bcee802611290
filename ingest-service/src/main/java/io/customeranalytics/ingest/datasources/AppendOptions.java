package io.customeranalytics.ingest.datasources;

import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.ingest.events.FileAppend;

import java.util.List;
import java.util.Locale;

/** The query parameters of a file append, read and checked: mode, format and the CSV dialect. */
record AppendOptions(FileAppend.Format format, char delimiter, Character escape) {

    /** The line endings dialect_new_line may name, as characters or as backslash escapes; the parser reads both. */
    private static final List<String> NEW_LINES = List.of("\n", "\r\n", "\\n", "\\r\\n");

    static AppendOptions of(String mode, String format, String fileName, String delimiter, String newLine,
                            String escape) {
        if (mode != null && !mode.isBlank() && !mode.equalsIgnoreCase("append")) {
            throw ApiException.badRequest("mode '" + shown(mode) + "' is not built: the datasources of this API"
                    + " exist already, so use mode=append (to replace rows, truncate or delete, then append)",
                    DatasourcesResource.DOC_APPEND);
        }
        if (newLine != null && !newLine.isEmpty() && !NEW_LINES.contains(newLine)) {
            throw ApiException.badRequest("dialect_new_line must be \\n or \\r\\n, got '" + shown(newLine) + "'",
                    DatasourcesResource.DOC_APPEND);
        }
        return new AppendOptions(format(format, fileName), delimiter(delimiter), escape(escape));
    }

    private static FileAppend.Format format(String format, String fileName) {
        if (format == null || format.isBlank()) {
            String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
            name = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
            return name.endsWith(".ndjson") || name.endsWith(".jsonl") ? FileAppend.Format.NDJSON
                    : FileAppend.Format.CSV;
        }
        return switch (format.strip().toLowerCase(Locale.ROOT)) {
            case "csv" -> FileAppend.Format.CSV;
            case "ndjson", "jsonl" -> FileAppend.Format.NDJSON;
            default -> throw ApiException.badRequest("format '" + shown(format) + "' is not built: send csv or"
                    + " ndjson", DatasourcesResource.DOC_APPEND);
        };
    }

    private static char delimiter(String delimiter) {
        if (delimiter == null || delimiter.isEmpty()) {
            return ',';
        }
        Character c = character(delimiter);
        if (c == null || c == '"' || c == '\n' || c == '\r') {
            throw ApiException.badRequest("dialect_delimiter must be one character other than a quote or a line"
                    + " break, got '" + shown(delimiter) + "'", DatasourcesResource.DOC_APPEND);
        }
        return c;
    }

    private static Character escape(String escape) {
        if (escape == null || escape.isEmpty()) {
            return null;
        }
        Character c = character(escape);
        if (c == null) {
            throw ApiException.badRequest("dialect_escapechar must be one character, got '" + shown(escape) + "'",
                    DatasourcesResource.DOC_APPEND);
        }
        return c;
    }

    /** One character, or a backslash escape of one ({@code \t}, {@code \\}); null for anything else. */
    private static Character character(String text) {
        return switch (text) {
            case "\\t" -> '\t';
            case "\\\\" -> '\\';
            default -> text.length() == 1 ? text.charAt(0) : null;
        };
    }

    /** A parameter's value as a message quotes it: its first 20 characters. */
    static String shown(String text) {
        return text.length() > 20 ? text.substring(0, 20) + "..." : text;
    }
}
