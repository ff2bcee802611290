package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.customeranalytics.common.schema.Column;
import io.customeranalytics.common.schema.Datasource;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a CSV file of the Data Sources API into rows for a {@link BodyParser.Sink}, streaming (Jackson's CSV
 * parser: one record held at a time, each value within Jackson's read limits). The first record is a header when
 * every one of its values names a column of the datasource; otherwise the records are in column order. Per value:
 * empty is null (absent), anything else is the column's text, read by the same validation as JSON rows. A record
 * with another number of values than the header or the columns is rejected on its own.
 */
final class CsvRows {

    /** The delimiter, and the escape character (null for none: a quote is escaped by doubling it). */
    record Dialect(char delimiter, Character escape) {
    }

    /** The file cannot be read on from some record on: malformed CSV, or bytes that are not UTF-8. */
    static final class UnreadableException extends IOException {
        UnreadableException(String message) {
            super(message, null);
        }
    }

    private static final CsvMapper MAPPER = new CsvMapper();
    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private CsvRows() {
    }

    static void read(InputStream in, Datasource datasource, Dialect dialect, BodyParser.Sink sink) throws IOException {
        CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(dialect.delimiter());
        schema = dialect.escape() == null ? schema.withoutEscapeChar() : schema.withEscapeChar(dialect.escape());
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
        List<String> names = datasource.columns().stream().map(Column::name).toList();
        List<String> header = null;
        long record = 0;
        try (MappingIterator<List<String>> records = MAPPER.readerForListOf(String.class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .with(CsvParser.Feature.SKIP_EMPTY_LINES)
                .with(schema)
                .readValues(reader)) {
            while (records.hasNextValue()) {
                List<String> values = records.nextValue();
                record++;
                if (record == 1 && !values.isEmpty() && values.get(0).startsWith(BYTE_ORDER_MARK)) {
                    // A file saved by a spreadsheet: its byte order mark is not part of the first value.
                    values = new ArrayList<>(values);
                    values.set(0, values.get(0).substring(1));
                }
                if (record == 1 && isHeader(values, names)) {
                    header = values.stream().map(String::strip).toList();
                    continue;
                }
                row(values, header == null ? names : header, header != null, datasource, dialect, sink);
            }
        } catch (JsonProcessingException e) {
            throw new UnreadableException("malformed CSV after record " + record + ": "
                    + BodyParser.inOurWords(e));
        } catch (CharacterCodingException e) {
            throw new UnreadableException("the file is not UTF-8 text after record " + record);
        }
    }

    private static boolean isHeader(List<String> values, List<String> names) {
        Set<String> seen = new HashSet<>();
        for (String value : values) {
            if (!names.contains(value.strip()) || !seen.add(value.strip())) {
                return false;
            }
        }
        return !values.isEmpty();
    }

    private static void row(List<String> values, List<String> columns, boolean named, Datasource datasource,
                            Dialect dialect, BodyParser.Sink sink) {
        String raw = raw(values, dialect);
        if (values.size() != columns.size()) {
            sink.rejected(raw, "record has " + values.size() + " values; " + (named
                    ? "the header names " + columns.size() + " columns"
                    : datasource.tableName() + " has " + columns.size() + " columns (in this order, or name them in"
                            + " a header row)"));
            return;
        }
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < values.size(); i++) {
            if (!values.get(i).isEmpty()) {
                row.put(columns.get(i), values.get(i));
            }
        }
        sink.row(row, raw);
    }

    /** The record written back as CSV, for the quarantine's raw line. */
    private static String raw(List<String> values, Dialect dialect) {
        StringBuilder raw = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                raw.append(dialect.delimiter());
            }
            String value = values.get(i);
            if (value.indexOf(dialect.delimiter()) >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
                    || value.indexOf('\r') >= 0) {
                raw.append('"').append(value.replace("\"", "\"\"")).append('"');
            } else {
                raw.append(value);
            }
        }
        return raw.toString();
    }
}
