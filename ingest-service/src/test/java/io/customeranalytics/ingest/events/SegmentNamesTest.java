package io.customeranalytics.ingest.events;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SegmentNamesTest {

    private static Batch.Accepted row(String id, String name) {
        return new Batch.Accepted(new Object[]{id, name, null, null, null, null, null},
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("segment_id", id)
                        .put("segment_name", name), "{}");
    }

    @Test
    void aNameHeldByAStoredSegmentCannotBeTaken() {
        SegmentNames.Resolution r = SegmentNames.resolve(List.of(row("b", "X")), Map.of("a", "X"));
        assertEquals(0, r.latest().size());
        assertEquals(1, r.conflicting().size());
        assertEquals(List.of("segment_name"), r.conflicting().get(0).errorColumns());
    }

    @Test
    void aSegmentMayKeepOrChangeItsOwnName() {
        SegmentNames.Resolution r = SegmentNames.resolve(List.of(row("a", "X"), row("a", "Y")), Map.of("a", "X"));
        assertEquals(1, r.latest().size());
        assertEquals("Y", r.latest().get(0)[1]);
        assertEquals(1, r.superseded());
        assertEquals(0, r.conflicting().size());
    }

    @Test
    void aNameFreedEarlierInTheRequestCanBeTaken() {
        SegmentNames.Resolution r = SegmentNames.resolve(List.of(row("a", "Y"), row("b", "X")), Map.of("a", "X"));
        assertEquals(2, r.latest().size());
        assertEquals(0, r.conflicting().size());
    }

    @Test
    void aNameTakenEarlierInTheRequestCannotBeTakenAgain() {
        SegmentNames.Resolution r = SegmentNames.resolve(List.of(row("a", "X"), row("b", "X")), Map.of());
        assertEquals(1, r.latest().size());
        assertEquals("a", r.latest().get(0)[0]);
        assertEquals(1, r.conflicting().size());
    }
}
