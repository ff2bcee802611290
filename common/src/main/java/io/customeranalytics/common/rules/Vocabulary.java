package io.customeranalytics.common.rules;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The names a rule can read values by, each with its kind: the customer metrics of a segment rule, or the columns
 * of one datasource in a delete condition. Names are case-insensitive, like the keywords.
 */
public final class Vocabulary {

    /** The customer metrics (docs/api.md, "Segment membership"), for segment rules. */
    public static final Vocabulary METRICS = new Vocabulary("metric", Arrays.stream(Metric.values())
            .collect(LinkedHashMap::new, (map, m) -> map.put(m.ruleName(), new Rule.MetricRef(m)), Map::putAll),
            false);

    private final String noun;
    private final Map<String, Rule.Reference> names;
    private final boolean listNames;

    private Vocabulary(String noun, Map<String, ? extends Rule.Reference> names, boolean listNames) {
        this.noun = noun;
        this.names = new LinkedHashMap<>();
        names.forEach((name, reference) -> this.names.put(name.toLowerCase(Locale.ROOT), reference));
        this.listNames = listNames;
    }

    /**
     * The columns of a table, for a condition over its rows.
     *
     * @param kinds each column's name (fixed text from a definition, never client input) and kind, in table order
     */
    public static Vocabulary columns(Map<String, Kind> kinds) {
        Map<String, Rule.ColumnRef> names = new LinkedHashMap<>();
        kinds.forEach((name, kind) -> names.put(name, new Rule.ColumnRef(name, kind)));
        return new Vocabulary("column", names, true);
    }

    /** What a name is called in messages: "metric" or "column". */
    String noun() {
        return noun;
    }

    Optional<Rule.Reference> reference(String name) {
        return Optional.ofNullable(names.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The message for a name that is not in the vocabulary. */
    String unknown(String name) {
        String message = "unknown " + noun + " '" + name + "'";
        return listNames ? message + " (" + noun + "s: " + String.join(", ", names.keySet()) + ")" : message;
    }
}
