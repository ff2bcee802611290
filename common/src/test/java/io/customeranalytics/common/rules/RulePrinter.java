package io.customeranalytics.common.rules;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Collectors;

/**
 * Writes a {@link Rule} back as rule text that {@link RuleParser} reads to the same tree: AND and OR always in
 * parentheses, keywords in capitals, numbers in plain notation, strings, DateTimes and Dates single-quoted. The
 * round-trip tests' printer: no endpoint prints rules.
 */
final class RulePrinter {

    /** To the microsecond, as stored, so that the printed rule reads back to the same instant. */
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

    private RulePrinter() {
    }

    static String print(Rule rule) {
        if (rule instanceof Rule.Or or) {
            return "(" + print(or.left()) + " OR " + print(or.right()) + ")";
        }
        if (rule instanceof Rule.And and) {
            return "(" + print(and.left()) + " AND " + print(and.right()) + ")";
        }
        if (rule instanceof Rule.Not not) {
            return "NOT " + print(not.operand());
        }
        if (rule instanceof Rule.Compare c) {
            return print(c.left()) + " " + c.op() + " " + print(c.right());
        }
        if (rule instanceof Rule.In in) {
            return print(in.subject()) + (in.negated() ? " NOT IN (" : " IN (")
                    + in.values().stream().map(RulePrinter::print).collect(Collectors.joining(", ")) + ")";
        }
        if (rule instanceof Rule.Between b) {
            return print(b.subject()) + (b.negated() ? " NOT BETWEEN " : " BETWEEN ") + print(b.low()) + " AND "
                    + print(b.high());
        }
        Rule.IsNull n = (Rule.IsNull) rule;
        return print(n.subject()) + (n.negated() ? " IS NOT NULL" : " IS NULL");
    }

    public static String print(Rule.Operand operand) {
        if (operand instanceof Rule.Reference r) {
            return r.name();
        }
        if (operand instanceof Rule.NumberLiteral n) {
            return n.value().toPlainString();
        }
        if (operand instanceof Rule.DateTimeLiteral t) {
            return "'" + DATE_TIME.format(t.value().withOffsetSameInstant(ZoneOffset.UTC)) + "'";
        }
        if (operand instanceof Rule.DateLiteral d) {
            return "'" + d.value() + "'";
        }
        return "'" + ((Rule.StringLiteral) operand).value().replace("'", "''") + "'";
    }
}
