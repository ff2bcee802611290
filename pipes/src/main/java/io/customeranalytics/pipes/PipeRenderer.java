package io.customeranalytics.pipes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a pipe result as Tinybird does: the JSON envelope ({@code meta}, {@code data}, {@code rows},
 * {@code rows_before_limit_at_least}, {@code statistics}), CSV with a header row (RFC 4180 quoting, CRLF line
 * ends, NULL as an empty field and an empty string as {@code ""}, arrays as JSON text), or NDJSON (one object per row).
 */
public final class PipeRenderer {

    private static final JsonFactory JSON = new JsonFactory();

    private PipeRenderer() {
    }

    public static byte[] render(PipeResult result, PipeFormat format) {
        try {
            return switch (format) {
                case JSON -> json(result);
                case CSV -> csv(result).getBytes(StandardCharsets.UTF_8);
                case NDJSON -> ndjson(result);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] json(PipeResult result) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + result.rows().size() * 128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("meta");
            for (PipeColumn column : result.columns()) {
                g.writeStartObject();
                g.writeStringField("name", column.name());
                g.writeStringField("type", column.type());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("data");
            for (Object[] row : result.rows()) {
                writeRow(g, result.columns(), row);
            }
            g.writeEndArray();
            g.writeNumberField("rows", result.rows().size());
            g.writeNumberField("rows_before_limit_at_least", result.rowsBeforeLimit());
            g.writeObjectFieldStart("statistics");
            g.writeNumberField("elapsed", result.elapsedSeconds());
            g.writeNumberField("rows_read", result.rowsBeforeLimit());
            g.writeNumberField("bytes_read", result.bytesRead());
            g.writeEndObject();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static byte[] ndjson(PipeResult result) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(result.rows().size() * 128);
        for (Object[] row : result.rows()) {
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                writeRow(g, result.columns(), row);
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static void writeRow(JsonGenerator g, List<PipeColumn> columns, Object[] row) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < row.length; i++) {
            g.writeFieldName(columns.get(i).name());
            writeValue(g, row[i]);
        }
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof String[] array) {
            g.writeStartArray();
            for (String s : array) {
                g.writeString(s);
            }
            g.writeEndArray();
        } else {
            g.writeString(value.toString());
        }
    }

    static String csv(PipeResult result) throws IOException {
        StringBuilder out = new StringBuilder();
        List<PipeColumn> columns = result.columns();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            field(out, columns.get(i).name());
        }
        out.append("\r\n");
        for (Object[] row : result.rows()) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                Object value = row[i];
                if (value instanceof String[] array) {
                    ByteArrayOutputStream json = new ByteArrayOutputStream();
                    try (JsonGenerator g = JSON.createGenerator(json)) {
                        writeValue(g, array);
                    }
                    field(out, json.toString(StandardCharsets.UTF_8));
                } else if (value != null) {
                    field(out, value.toString());
                }
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    private static void field(StringBuilder out, String text) {
        boolean quote = text.isEmpty() || text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0
                || text.indexOf('\r') >= 0;
        if (!quote) {
            out.append(text);
            return;
        }
        out.append('"').append(text.replace("\"", "\"\"")).append('"');
    }
}
