package io.customeranalytics.common.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a {@link Rule} into a SQL boolean expression over a relation whose columns are named as the rule's names
 * (metrics or columns), with every literal bound as a parameter ({@code $n}), never spliced into the text.
 *
 * <p>Semantics (docs/api.md, "Segment rules"): a comparison with a null operand is false, and NOT negates that false
 * (so {@code NOT (age > 30)} holds for a customer without an age); {@code IS NULL} tests for null. {@link #compile}
 * wraps each comparison in {@code coalesce(..., false)}, which makes the whole expression two-valued, as a value
 * needs. {@link #compileCondition} gives the same rows as a {@code WHERE} clause, and wraps only the comparisons
 * under an odd number of NOTs: elsewhere a null selects no row just as false does, and the bare comparison can
 * use an index ({@code customer_id = $1}).
 */
public final class RuleCompiler {

    /** The SQL text and the values of its parameters, in order, from {@code $first} on. */
    public record CompiledRule(String sql, List<Object> values) {
    }

    private final Function<Rule.Reference, String> column;
    private final boolean condition;
    private final List<Object> values = new ArrayList<>();
    private final int first;

    private RuleCompiler(Function<Rule.Reference, String> column, boolean condition, int first) {
        this.column = column;
        this.condition = condition;
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
        return compile(rule, reference -> column.apply(((Rule.MetricRef) reference).metric()), false, first);
    }

    /**
     * A {@code WHERE} clause selecting the rows for which {@code rule} holds, over columns named as the rule's
     * names.
     *
     * @param first the number of the first parameter
     */
    public static CompiledRule compileCondition(Rule rule, int first) {
        return compile(rule, Rule.Reference::name, true, first);
    }

    private static CompiledRule compile(Rule rule, Function<Rule.Reference, String> column, boolean condition,
                                        int first) {
        RuleCompiler compiler = new RuleCompiler(column, condition, first);
        String sql = compiler.expression(rule, false);
        return new CompiledRule(sql, List.copyOf(compiler.values));
    }

    /** @param negated whether the expression is under an odd number of NOTs */
    private String expression(Rule rule, boolean negated) {
        if (rule instanceof Rule.Or or) {
            return "(" + expression(or.left(), negated) + " OR " + expression(or.right(), negated) + ")";
        }
        if (rule instanceof Rule.And and) {
            return "(" + expression(and.left(), negated) + " AND " + expression(and.right(), negated) + ")";
        }
        if (rule instanceof Rule.Not not) {
            return "(NOT " + expression(not.operand(), !negated) + ")";
        }
        if (rule instanceof Rule.IsNull n) {
            return "(" + operand(n.subject()) + (n.negated() ? " IS NOT NULL)" : " IS NULL)");
        }
        return twoValued(comparison(rule), negated);
    }

    private String comparison(Rule rule) {
        if (rule instanceof Rule.Compare c) {
            return operand(c.left()) + " " + c.op() + " " + operand(c.right());
        }
        if (rule instanceof Rule.In in) {
            List<String> list = new ArrayList<>();
            for (Rule.Operand value : in.values()) {
                list.add(operand(value));
            }
            return operand(in.subject()) + (in.negated() ? " NOT IN (" : " IN (") + String.join(", ", list) + ")";
        }
        Rule.Between b = (Rule.Between) rule;
        return operand(b.subject()) + (b.negated() ? " NOT BETWEEN " : " BETWEEN ") + operand(b.low()) + " AND "
                + operand(b.high());
    }

    private String twoValued(String comparison, boolean negated) {
        return condition && !negated ? "(" + comparison + ")" : "coalesce(" + comparison + ", false)";
    }

    private String operand(Rule.Operand operand) {
        if (operand instanceof Rule.Reference reference) {
            return column.apply(reference);
        }
        if (operand instanceof Rule.NumberLiteral n) {
            return bind(n.value(), "numeric");
        }
        if (operand instanceof Rule.DateTimeLiteral t) {
            return bind(t.value(), "timestamptz");
        }
        if (operand instanceof Rule.DateLiteral d) {
            return bind(d.value(), "date");
        }
        return bind(((Rule.StringLiteral) operand).value(), "text");
    }

    private String bind(Object value, String type) {
        values.add(value);
        return "$" + (first + values.size() - 1) + "::" + type;
    }
}
