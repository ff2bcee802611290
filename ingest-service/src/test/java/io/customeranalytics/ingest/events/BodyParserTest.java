package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a body becomes rows: NDJSON lines, or one object / one array as a whole. */
class BodyParserTest {

    private static final class Collected implements BodyParser.Sink {
        final List<String> rows = new ArrayList<>();
        final List<String> rejected = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();

        @Override
        public void row(ObjectNode row, String raw) {
            rows.add(row.get("k") == null ? raw : row.get("k").asText());
        }

        @Override
        public void rejected(String raw, String reason) {
            rejected.add(raw);
            reasons.add(reason);
        }
    }

    private static Collected parse(String body) throws IOException {
        return parse(body, Long.MAX_VALUE);
    }

    private static Collected parse(String body, long maxValueBytes) throws IOException {
        Collected sink = new Collected();
        new BodyParser(new ObjectMapper(), maxValueBytes)
                .parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), sink);
        return sink;
    }

    @Test
    void holdsNoMoreThanItsLimitOfALineOrOfAValueOverSeveralLines() throws IOException {
        assertEquals(List.of("1", "2"), parse("{\"k\":1}\n{\"k\":2}", 8).rows);
        assertThrows(LineReader.LineTooLongException.class, () -> parse("{\"k\":1}\n{\"k\":\"22\"}", 8));
        assertThrows(LineReader.LineTooLongException.class, () -> parse("[\n{\"k\":1},\n{\"k\":2}\n]", 12));
        assertEquals(List.of("1", "2"), parse("[\n{\"k\":1},\n{\"k\":2}\n]", 40).rows);
    }

    @Test
    void ndjsonLinesAreRows() throws IOException {
        Collected c = parse("{\"k\":1}\n{\"k\":2}\r\n\n{\"k\":3}");
        assertEquals(List.of("1", "2", "3"), c.rows);
        assertEquals(List.of(), c.rejected);
    }

    @Test
    void aSingleObjectOnOneLineIsOneRow() throws IOException {
        assertEquals(List.of("1"), parse("  {\"k\":1}  \n\n").rows);
    }

    @Test
    void aPrettyPrintedObjectIsOneRow() throws IOException {
        Collected c = parse("{\n  \"k\": \"a\",\n  \"nested\": {\"x\": [1, {\"y\": \"}\"}]}\n}\n");
        assertEquals(List.of("a"), c.rows);
        assertEquals(List.of(), c.rejected);
    }

    @Test
    void anArrayOnOneLineOrManyIsItsElements() throws IOException {
        assertEquals(List.of("1", "2"), parse("[{\"k\":1},{\"k\":2}]").rows);
        assertEquals(List.of("1", "2"), parse("[\n {\"k\":1},\n {\"k\":2}\n]\n").rows);
        assertEquals(List.of(), parse("[]").rows);
    }

    @Test
    void arrayElementsThatAreNotObjectsAreRejectedAlone() throws IOException {
        Collected c = parse("[{\"k\":1}, 2, \"three\", [4]]");
        assertEquals(List.of("1"), c.rows);
        assertEquals(List.of("2", "\"three\"", "[4]"), c.rejected);
    }

    @Test
    void anArrayLineAmongOtherLinesIsRejected() throws IOException {
        Collected c = parse("{\"k\":1}\n[{\"k\":2}]\n");
        assertEquals(List.of("1"), c.rows);
        assertEquals(List.of("[{\"k\":2}]"), c.rejected);
        assertTrue(c.reasons.get(0).contains("not a JSON object (got an array)"));
    }

    @Test
    void aBrokenLineIsRejectedAloneEvenWhenItOpensABracket() throws IOException {
        // The first line never closes its brace: every line is then a row of its own.
        Collected c = parse("{\"k\": 1\n{\"k\":2}\n{\"k\":3}\n");
        assertEquals(List.of("2", "3"), c.rows);
        assertEquals(List.of("{\"k\": 1"), c.rejected);
    }

    @Test
    void twoPrettyPrintedObjectsAreNotOneValueSoEachLineIsJudgedAlone() throws IOException {
        Collected c = parse("{\n\"k\": 1\n}\n{\"k\":2}\n");
        assertEquals(List.of("2"), c.rows);
        assertEquals(List.of("{", "\"k\": 1", "}"), c.rejected);
    }

    @Test
    void trailingGarbageAfterAValueRejectsTheLine() throws IOException {
        Collected c = parse("{\"k\":1} {\"k\":2}\n{\"k\":3}");
        assertEquals(List.of("3"), c.rows);
        assertEquals(1, c.rejected.size());
    }

    @Test
    void scalarsAndGarbageAreRejectedWithAReason() throws IOException {
        Collected c = parse("42\nnull\nnot json\n{\"k\":1}");
        assertEquals(List.of("1"), c.rows);
        assertEquals(List.of("42", "null", "not json"), c.rejected);
        assertTrue(c.reasons.get(2).startsWith("invalid JSON at character 1"), c.reasons.get(2));
    }

    @Test
    void aByteOrderMarkIsIgnored() throws IOException {
        assertEquals(List.of("1"), parse("\uFEFF{\"k\":1}\n").rows);
    }

    @Test
    void blankBodiesHaveNoRows() throws IOException {
        Collected c = parse(" \n\r\n\t\n");
        assertEquals(List.of(), c.rows);
        assertEquals(List.of(), c.rejected);
    }

    @Test
    void reasonsAreInOurWordsWithoutJavaNames() throws IOException {
        Collected c = parse("[".repeat(1200) + "\n"
                + "{\"k\":" + "9".repeat(1200) + "}\n"
                + "{\"k\":1} 2\n"
                + "{\"k\" 1}\n"
                + "{\"k\":\"open\n"
                + "{\"k\":4}");
        assertEquals(List.of("4"), c.rows);
        assertEquals(5, c.rejected.size(), c.reasons.toString());
        assertTrue(c.reasons.get(0).contains("nested deeper than the 1000 levels allowed"), c.reasons.get(0));
        assertTrue(c.reasons.get(1).contains("a number longer than the 1000 digits allowed"), c.reasons.get(1));
        assertTrue(c.reasons.get(2).contains("more than one JSON value"), c.reasons.get(2));
        for (String reason : c.reasons) {
            assertTrue(reason.startsWith("invalid JSON"), reason);
            for (String internal : List.of("com.fasterxml", "StreamReadConstraints", "JsonNode", "DeserializationFeature",
                    "[Source", "(code ", "`")) {
                assertTrue(!reason.contains(internal), internal + " in: " + reason);
            }
        }
    }

    @Test
    void anArrayWithAnElementTooLargeToReadQuarantinesOnlyThatElement() throws IOException {
        String huge = "9".repeat(1200);
        Collected oneLine = parse("[{\"k\":1},{\"k\":2,\"extra\":" + huge + "},{\"k\":\"a,]}\"},7]");
        assertEquals(List.of("1", "a,]}"), oneLine.rows);
        assertEquals(2, oneLine.rejected.size(), oneLine.reasons.toString());
        assertTrue(oneLine.reasons.get(0).contains("a number longer than the 1000 digits allowed"), oneLine.reasons.get(0));
        assertEquals("array element is not a JSON object (got a number)", oneLine.reasons.get(1));

        Collected pretty = parse("[\n  {\"k\": 1},\n  {\"k\": 2, \"extra\": " + huge + "},\n  {\"k\": 3}\n]\n");
        assertEquals(List.of("1", "3"), pretty.rows);
        assertEquals(1, pretty.rejected.size(), pretty.reasons.toString());
    }
}
