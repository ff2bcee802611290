package io.customeranalytics.ingest.datasources;

import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.rules.Kind;
import io.customeranalytics.common.rules.RuleCompiler;
import io.customeranalytics.common.rules.RuleException;
import io.customeranalytics.common.rules.RuleParser;
import io.customeranalytics.common.rules.Vocabulary;
import io.customeranalytics.common.schema.ClientText;
import io.customeranalytics.common.schema.Column;
import io.customeranalytics.common.schema.Datasource;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A delete condition: the rule grammar of docs/api.md, "Segment rules" over one datasource's columns (never SQL),
 * compiled to a {@code WHERE} clause whose every literal is bound. A DateTime or Date column is compared with a quoted
 * time in the API's formats; a comparison with a null column is false, and NOT negates that false, as in segment
 * rules.
 */
final class DeleteCondition {

    private static final Map<Datasource, Vocabulary> VOCABULARIES = new EnumMap<>(Datasource.class);

    static {
        for (Datasource datasource : Datasource.values()) {
            Map<String, Kind> kinds = new LinkedHashMap<>();
            for (Column column : datasource.columns()) {
                kinds.put(column.name(), switch (column.type()) {
                    case STRING -> Kind.STRING;
                    case FLOAT64, INT32 -> Kind.NUMBER;
                    case DATETIME -> Kind.DATE_TIME;
                    case DATE -> Kind.DATE;
                });
            }
            VOCABULARIES.put(datasource, Vocabulary.columns(kinds));
        }
    }

    private DeleteCondition() {
    }

    /**
     * @param first the number of the condition's first parameter
     * @throws ApiException 400 naming the problem and its position when {@code text} is not a condition over
     *                      {@code datasource}'s columns
     */
    static RuleCompiler.CompiledRule compile(Datasource datasource, String text, int first) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest("missing parameter 'delete_condition': the rows to delete, as a condition"
                    + " over the columns of " + datasource.tableName() + ", such as customer_id = 'cust-789'",
                    DatasourcesResource.DOC_DELETE);
        }
        String problem = ClientText.problem(text);
        if (problem != null) {
            throw ApiException.badRequest("delete_condition " + problem, DatasourcesResource.DOC_DELETE);
        }
        try {
            return RuleCompiler.compileCondition(RuleParser.parse(text, VOCABULARIES.get(datasource)), first);
        } catch (RuleException e) {
            throw ApiException.badRequest("delete_condition: " + e.getMessage(), DatasourcesResource.DOC_DELETE);
        }
    }
}
