package io.customeranalytics.segmentation.rules;

import io.customeranalytics.common.rules.Metric;
import io.customeranalytics.common.rules.Rule;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a {@link Rule} into a SQL boolean expression over a relation whose columns are named as the metrics,
 * with every literal bound as a parameter ({@code $n}), never spliced into the text.
 *
 * <p>Semantics (API.md section 4): a comparison with a null metric is false, and NOT negates that false (so
 * {@code NOT (age > 30)} holds for a customer without an age); {@code IS NULL} tests for null. Each comparison
 * is therefore wrapped in {@code coalesce(..., false)}, which makes the whole expression two-valued.
 */
public final class RuleCompiler {

    /** The SQL text and the values of its parameters, in order, from {@code $first} on. */
    public record CompiledRule(String sql, List<Object> values) {
    }

    private final Function<Metric, String> column;
    private final List<Object> values = new ArrayList<>();
    private final int first;

    private RuleCompiler(Function<Metric, String> column, int first) {
        this.column = column;
        this.first = first;
    }

    /**
     * @param columnPrefix fixed text put before each metric column, e.g. {@code "m."}; never client input
     * @param first        the number of the first parameter
     */
    public static CompiledRule compile(Rule rule, String columnPrefix, int first) {
        return compile(rule, metric -> columnPrefix + metric.ruleName(), first);
    }

    /**
     * @param column the SQL expression of each metric (fixed text, never client input), for a relation that
     *               stores some metrics as what they are computed from (e.g. days_since_last_event from
     *               last_event_at and the current time)
     * @param first  the number of the first parameter
     */
    public static CompiledRule compile(Rule rule, Function<Metric, String> column, int first) {
        RuleCompiler compiler = new RuleCompiler(column, first);
        String sql = compiler.expression(rule);
        return new CompiledRule(sql, List.copyOf(compiler.values));
    }

    private String expression(Rule rule) {
        if (rule instanceof Rule.Or or) {
            return "(" + expression(or.left()) + " OR " + expression(or.right()) + ")";
        }
        if (rule instanceof Rule.And and) {
            return "(" + expression(and.left()) + " AND " + expression(and.right()) + ")";
        }
        if (rule instanceof Rule.Not not) {
            return "(NOT " + expression(not.operand()) + ")";
        }
        if (rule instanceof Rule.Compare c) {
            return "coalesce(" + operand(c.left()) + " " + c.op() + " " + operand(c.right()) + ", false)";
        }
        if (rule instanceof Rule.In in) {
            List<String> list = new ArrayList<>();
            for (Rule.Operand value : in.values()) {
                list.add(operand(value));
            }
            return "coalesce(" + operand(in.subject()) + (in.negated() ? " NOT IN (" : " IN (")
                    + String.join(", ", list) + "), false)";
        }
        if (rule instanceof Rule.Between b) {
            return "coalesce(" + operand(b.subject()) + (b.negated() ? " NOT BETWEEN " : " BETWEEN ")
                    + operand(b.low()) + " AND " + operand(b.high()) + ", false)";
        }
        Rule.IsNull n = (Rule.IsNull) rule;
        return "(" + operand(n.subject()) + (n.negated() ? " IS NOT NULL)" : " IS NULL)");
    }

    private String operand(Rule.Operand operand) {
        if (operand instanceof Rule.MetricRef m) {
            return column.apply(m.metric());
        }
        if (operand instanceof Rule.NumberLiteral n) {
            return bind(n.value(), "numeric");
        }
        return bind(((Rule.StringLiteral) operand).value(), "text");
    }

    private String bind(Object value, String type) {
        values.add(value);
        return "$" + (first + values.size() - 1) + "::" + type;
    }
}
