package io.customeranalytics.ingest.events;

import io.customeranalytics.common.schema.Datasource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of segment rows that need the stored segments: the last row for a segment_id wins, and a row that
 * would give a second segment a name already in use (stored, or taken earlier in the same request) is
 * quarantined. Rows are applied in request order, so a request may rename a segment and give its old name to
 * another.
 */
final class SegmentNames {

    private static final int ID = Datasource.CUSTOMER_SEGMENTS.indexOf("segment_id");
    private static final int NAME = Datasource.CUSTOMER_SEGMENTS.indexOf("segment_name");

    /**
     * @param latest      the row to store per segment, last occurrence wins
     * @param conflicting rows quarantined for a name already in use
     * @param superseded  valid rows overtaken by a later row for the same segment_id
     */
    record Resolution(List<Object[]> latest, List<QuarantineRow> conflicting, int superseded) {
    }

    private SegmentNames() {
    }

    /**
     * @param rows   the request's valid segment rows, in order
     * @param stored segment_id to segment_name of the stored segments that share an id or a name with them
     */
    static Resolution resolve(List<Batch.Accepted> rows, Map<String, String> stored) {
        Map<String, String> nameOfId = new HashMap<>(stored);
        Map<String, String> ownerOfName = new HashMap<>();
        stored.forEach((id, name) -> ownerOfName.put(name, id));
        LinkedHashMap<String, Object[]> latest = new LinkedHashMap<>();
        List<QuarantineRow> conflicting = new ArrayList<>();
        for (Batch.Accepted row : rows) {
            String id = (String) row.values()[ID];
            String name = (String) row.values()[NAME];
            String owner = ownerOfName.get(name);
            if (owner != null && !owner.equals(id)) {
                conflicting.add(QuarantineRow.conflicting(Datasource.CUSTOMER_SEGMENTS, row.source(), row.raw(),
                        "segment_name", "segment_name '" + name + "' is already used by segment '" + owner + "'"));
                continue;
            }
            String previousName = nameOfId.put(id, name);
            if (previousName != null && !previousName.equals(name)) {
                ownerOfName.remove(previousName);
            }
            ownerOfName.put(name, id);
            latest.remove(id);
            latest.put(id, row.values());
        }
        int superseded = rows.size() - conflicting.size() - latest.size();
        return new Resolution(new ArrayList<>(latest.values()), conflicting, superseded);
    }

    static String[] ids(List<Batch.Accepted> rows) {
        return rows.stream().map(row -> (String) row.values()[ID]).distinct().toArray(String[]::new);
    }

    static String[] names(List<Batch.Accepted> rows) {
        return rows.stream().map(row -> (String) row.values()[NAME]).distinct().toArray(String[]::new);
    }
}
