package io.customeranalytics.common.rules;

import java.math.BigDecimal;
import java.util.List;

/** The typed syntax tree of a segment rule (API.md section 4). */
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

    /** A value in a rule: a metric, a number or a string. */
    sealed interface Operand {
        Metric.Kind kind();
    }

    record MetricRef(Metric metric) implements Operand {
        @Override
        public Metric.Kind kind() {
            return metric.kind();
        }
    }

    record NumberLiteral(BigDecimal value) implements Operand {
        @Override
        public Metric.Kind kind() {
            return Metric.Kind.NUMBER;
        }
    }

    record StringLiteral(String value) implements Operand {
        @Override
        public Metric.Kind kind() {
            return Metric.Kind.STRING;
        }
    }
}
