package io.customeranalytics.common.rules;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

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

    @Test
    void aConditionLeavesComparisonsBareExceptUnderAnOddNumberOfNots() {
        Vocabulary columns = Vocabulary.columns(Map.of("customer_id", Kind.STRING, "country", Kind.STRING,
                "event_timestamp", Kind.DATE_TIME));
        RuleCompiler.CompiledRule compiled = RuleCompiler.compileCondition(RuleParser.parse(
                "customer_id = 'c1' AND NOT (country IN ('US') OR NOT event_timestamp < '2023-06-15 14:30:45')",
                columns), 1);
        assertEquals("((customer_id = $1::text) AND (NOT (coalesce(country IN ($2::text), false)"
                + " OR (NOT (event_timestamp < $3::timestamptz)))))", compiled.sql());
        assertEquals(List.of("c1", "US", OffsetDateTime.of(2023, 6, 15, 14, 30, 45, 0, ZoneOffset.UTC)),
                compiled.values());
    }
}
