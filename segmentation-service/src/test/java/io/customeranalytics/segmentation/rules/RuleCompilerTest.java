package io.customeranalytics.segmentation.rules;

import io.customeranalytics.common.rules.Rule;
import io.customeranalytics.common.rules.RuleParser;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class RuleCompilerTest {

    @Test
    void bindsEveryLiteralAndWrapsComparisonsSoNullIsFalse() {
        RuleCompiler.CompiledRule compiled = RuleCompiler.compile(
                RuleParser.parse("total_spent > 1000 AND (country IN ('US', 'GB') OR NOT age BETWEEN 18 AND 30)"
                        + " AND days_since_last_purchase IS NOT NULL"), "m.", 3);
        assertEquals("((coalesce(m.total_spent > $3::numeric, false) AND (coalesce(m.country IN ($4::text,"
                + " $5::text), false) OR (NOT coalesce(m.age BETWEEN $6::numeric AND $7::numeric, false)))) AND"
                + " (m.days_since_last_purchase IS NOT NULL))", compiled.sql());
        assertEquals(List.of(new BigDecimal("1000"), "US", "GB", new BigDecimal("18"), new BigDecimal("30")),
                compiled.values());
    }

    @Test
    void neverSplicesAStringIntoTheSql() {
        RuleCompiler.CompiledRule compiled = RuleCompiler.compile(
                RuleParser.parse("country = 'x'' OR 1=1; DROP TABLE customer_events --'"), "", 1);
        assertEquals("coalesce(country = $1::text, false)", compiled.sql());
        assertFalse(compiled.sql().contains("DROP"));
        assertEquals(List.of("x' OR 1=1; DROP TABLE customer_events --"), compiled.values());
    }
}
