package io.customeranalytics.common.rules;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The typed syntax tree of a rule (docs/api.md, "Segment rules"): a segment rule over the customer metrics, or a delete
 * condition over a datasource's columns.
 */
public sealed interface Rule {

    record Or(Rule left, Rule right) implements Rule {
    }

    record And(Rule left, Rule right) implements Rule {
    }

    record Not(Rule operand) implements Rule {
    }

    /** {@code left op right}; op is one of {@code = != < <= > >=} ({@code <>} is read as {@code !=}). */
    record Compare(Operand left, String op, Operand right) implements Rule {
    }

    record In(Operand subject, List<Operand> values, boolean negated) implements Rule {
        public In {
            values = List.copyOf(values);
        }
    }

    record Between(Operand subject, Operand low, Operand high, boolean negated) implements Rule {
    }

    record IsNull(Operand subject, boolean negated) implements Rule {
    }

    /** A value in a rule: a name (a metric or a column), a number, a string, a DateTime or a Date. */
    sealed interface Operand {
        Kind kind();
    }

    /** A name the rule reads a value by: a customer metric (segment rules) or a column (delete conditions). */
    sealed interface Reference extends Operand {
        /** The name as written in rules, which is also the column name it is compiled to. */
        String name();
    }

    record MetricRef(Metric metric) implements Reference {
        @Override
        public Kind kind() {
            return metric.kind();
        }

        @Override
        public String name() {
            return metric.ruleName();
        }
    }

    /** A column of a datasource; {@code name} comes from the datasource's definition, never from the rule text. */
    record ColumnRef(String name, Kind kind) implements Reference {
    }

    record NumberLiteral(BigDecimal value) implements Operand {
        @Override
        public Kind kind() {
            return Kind.NUMBER;
        }
    }

    record StringLiteral(String value) implements Operand {
        @Override
        public Kind kind() {
            return Kind.STRING;
        }
    }

    /** A quoted DateTime compared with a DateTime operand, in UTC, to the microsecond. */
    record DateTimeLiteral(OffsetDateTime value) implements Operand {
        @Override
        public Kind kind() {
            return Kind.DATE_TIME;
        }
    }

    /** A quoted Date compared with a Date operand. */
    record DateLiteral(LocalDate value) implements Operand {
        @Override
        public Kind kind() {
            return Kind.DATE;
        }
    }
}
