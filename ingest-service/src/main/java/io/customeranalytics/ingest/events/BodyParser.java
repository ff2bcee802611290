package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an Events API body into rows (docs/api.md, "Events API"), streaming.
 *
 * <ul>
 *   <li>A body that is, as a whole, one JSON object or one JSON array of objects (pretty-printed or not) is read
 *       as that object or those objects; an array element that is not an object is rejected on its own.</li>
 *   <li>Otherwise every non-blank line is one row (NDJSON), and a line that is not a JSON object is rejected on
 *       its own; the other lines still count.</li>
 * </ul>
 * NDJSON is parsed one line at a time: only the current line is held. The one case that buffers is a first
 * value that spans several lines (a pretty-printed body), whose bytes are kept until it is known whether the
 * body is that value alone; the body size limits bound that buffer.
 */
final class BodyParser {

    /** Where the rows go. */
    interface Sink {
        void row(ObjectNode row, String raw);

        void rejected(String raw, String reason);
    }

    private static final int MAX_REASON_LENGTH = 300;

    /** The limit in Jackson's message for a broken read constraint: "... exceeds the maximum allowed (1000, ...". */
    private static final Pattern ALLOWED = Pattern.compile("maximum allowed \\((\\d+)");

    private final ObjectReader reader;
    private final long maxValueBytes;

    /**
     * @param maxValueBytes the most bytes held at once: one line, or the lines of a first value that spans several
     *                      (a pretty-printed body); more fails the parse with {@link LineReader.LineTooLongException}
     */
    BodyParser(ObjectMapper mapper, long maxValueBytes) {
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.maxValueBytes = maxValueBytes;
    }

    void parse(InputStream body, Sink sink) throws IOException {
        LineReader lines = new LineReader(body, maxValueBytes);
        byte[] first = nextNonBlank(lines);
        if (first == null) {
            return;
        }
        StructureScanner scanner = new StructureScanner();
        scanner.feed(first);
        if (scanner.closed()) {
            byte[] second = nextNonBlank(lines);
            if (second == null) {
                whole(first, sink);
                return;
            }
            line(first, sink);
            line(second, sink);
            rest(lines, sink);
            return;
        }
        // The first value goes on over several lines: a pretty-printed body, or a broken first line.
        List<byte[]> pending = new ArrayList<>();
        pending.add(first);
        long held = first.length;
        byte[] next;
        while (!scanner.closed() && (next = lines.next()) != null) {
            held += next.length + 1;
            if (held > maxValueBytes) {
                throw new LineReader.LineTooLongException(maxValueBytes);
            }
            pending.add(next);
            scanner.feed(next);
        }
        byte[] after = scanner.closed() ? nextNonBlank(lines) : null;
        if (scanner.closed() && after == null) {
            byte[] joined = join(pending);
            try {
                JsonNode whole = reader.readTree(joined);
                if (whole != null && (whole.isObject() || whole.isArray())) {
                    emitWhole(whole, sink);
                    return;
                }
            } catch (StreamConstraintsException e) {
                if (elements(joined, sink)) {
                    return;
                }
            } catch (IOException e) {
                // Not one JSON value: read line by line below.
            }
        }
        // Not one value as a whole: every non-blank line is a row of its own.
        for (byte[] pendingLine : pending) {
            if (!LineReader.isBlank(pendingLine)) {
                line(pendingLine, sink);
            }
        }
        if (after != null) {
            line(after, sink);
            rest(lines, sink);
        }
    }

    private void rest(LineReader lines, Sink sink) throws IOException {
        byte[] next;
        while ((next = lines.next()) != null) {
            if (!LineReader.isBlank(next)) {
                line(next, sink);
            }
        }
    }

    /** The whole body is this one line. */
    private void whole(byte[] bytes, Sink sink) {
        try {
            emitWhole(reader.readTree(bytes), sink);
        } catch (StreamConstraintsException e) {
            if (!elements(bytes, sink)) {
                sink.rejected(text(bytes), invalidJson(e));
            }
        } catch (IOException e) {
            sink.rejected(text(bytes), invalidJson(e));
        }
    }

    /**
     * A JSON array too large to read as a whole (one element breaks a read constraint, such as a number of more
     * than 1,000 digits): its top-level elements, found by their commas outside strings, are read one by one,
     * so that only the element at fault is quarantined and every row still counts as one. False when
     * {@code bytes} is not an array.
     */
    private boolean elements(byte[] bytes, Sink sink) {
        int i = 0;
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\r' || bytes[i] == '\n')) {
            i++;
        }
        if (i == bytes.length || bytes[i] != '[') {
            return false;
        }
        int depth = 0;
        Strings strings = new Strings();
        int start = i + 1;
        for (; i < bytes.length; i++) {
            byte b = bytes[i];
            if (!strings.outside(b)) {
                continue;
            }
            if (b == '[' || b == '{') {
                depth++;
            } else if (b == ']' || b == '}') {
                depth--;
                if (depth == 0) {
                    element(Arrays.copyOfRange(bytes, start, i), sink);
                    return true;
                }
            } else if (b == ',' && depth == 1) {
                element(Arrays.copyOfRange(bytes, start, i), sink);
                start = i + 1;
            }
        }
        return true;
    }

    private void element(byte[] bytes, Sink sink) {
        String raw = text(bytes).strip();
        if (!raw.isEmpty()) {
            row(bytes, raw, "array element", sink);
        }
    }

    private void emitWhole(JsonNode node, Sink sink) {
        if (node.isObject()) {
            sink.row((ObjectNode) node, node.toString());
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (element.isObject()) {
                    sink.row((ObjectNode) element, element.toString());
                } else {
                    sink.rejected(element.toString(),
                            "array element is not a JSON object (got " + RowValidator.kind(element) + ")");
                }
            }
        } else {
            sink.rejected(node.toString(), "row is not a JSON object (got " + RowValidator.kind(node) + ")");
        }
    }

    /** One NDJSON line. */
    private void line(byte[] bytes, Sink sink) {
        row(bytes, text(bytes), "line", sink);
    }

    /** One row's JSON ({@code what}: "line" or "array element", for the reason): a row, or rejected. */
    private void row(byte[] bytes, String raw, String what, Sink sink) {
        JsonNode node;
        try {
            node = reader.readTree(bytes);
        } catch (IOException e) {
            sink.rejected(raw, invalidJson(e));
            return;
        }
        if (node != null && node.isObject()) {
            sink.row((ObjectNode) node, raw);
        } else {
            sink.rejected(raw, what + " is not a JSON object (got " + RowValidator.kind(node) + ")");
        }
    }

    private static byte[] nextNonBlank(LineReader lines) throws IOException {
        byte[] line;
        while ((line = lines.next()) != null) {
            if (!LineReader.isBlank(line)) {
                return line;
            }
        }
        return null;
    }

    private static byte[] join(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            out.writeBytes(line);
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String invalidJson(IOException e) {
        String detail = inOurWords(e);
        String where = "";
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null
                && jpe.getLocation() != JsonLocation.NA && jpe.getLocation().getColumnNr() > 0) {
            where = " at character " + jpe.getLocation().getColumnNr();
        }
        String reason = "invalid JSON" + where + ": " + (detail == null ? "unreadable" : detail);
        return reason.length() <= MAX_REASON_LENGTH ? reason : reason.substring(0, MAX_REASON_LENGTH - 3) + "...";
    }


    /**
     * What is wrong with a line, for the client (it is served by the quarantine pipes): Jackson's reason without
     * its Java names, source excerpts and configuration hints.
     */
    static String inOurWords(IOException e) {
        String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (detail == null) {
            return null;
        }
        if (e instanceof StreamConstraintsException) {
            Matcher allowed = ALLOWED.matcher(detail);
            String limit = allowed.find() ? allowed.group(1) : "most";
            if (detail.contains("nesting depth")) {
                return "nested deeper than the " + limit + " levels allowed";
            }
            if (detail.startsWith("Number value length")) {
                return "a number longer than the " + limit + " digits allowed";
            }
            if (detail.startsWith("String value length")) {
                return "a string longer than the " + limit + " characters allowed";
            }
            return "too large to read";
        }
        if (detail.startsWith("Trailing token")) {
            return "more than one JSON value where one object was expected";
        }
        if (detail.startsWith("No content to map")) {
            return "no JSON value";
        }
        return detail.replaceAll("\\s*\\[Source: [^\\]]*]", "")
                .replaceAll("\\s*\\(code -?\\d+\\)", "")
                .replaceAll("`[^`]*`", "a value")
                .replaceAll("com\\.fasterxml\\.[\\w.$]+", "a value");
    }

    /**
     * Follows the nesting of {{@code [ ]}} and {@code { }} (outside strings) of the first value, to tell where it
     * ends. A first value that does not start with a bracket ends at once.
     */
    static final class StructureScanner {
        private final Strings strings = new Strings();
        private boolean started;
        private boolean closed;
        private int depth;

        void feed(byte[] line) {
            for (byte b : line) {
                if (closed) {
                    return;
                }
                if (!started) {
                    if (b == ' ' || b == '\t' || b == '\r' || b == '\f') {
                        continue;
                    }
                    started = true;
                    if (b == '{' || b == '[') {
                        depth = 1;
                    } else {
                        closed = true;
                    }
                    continue;
                }
                if (!strings.outside(b)) {
                    continue;
                }
                if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    depth--;
                    if (depth == 0) {
                        closed = true;
                    }
                }
            }
        }

        boolean closed() {
            return closed;
        }
    }

    /** Follows JSON strings byte by byte, so that brackets and commas inside them are not taken for structure. */
    static final class Strings {
        private boolean inString;
        private boolean escaped;

        /** Feeds the next byte: true when it stands outside every string (a quote itself never does). */
        boolean outside(byte b) {
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
                return false;
            }
            if (b == '"') {
                inString = true;
                return false;
            }
            return true;
        }
    }
}
