package io.customeranalytics.common.rules;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Property: any valid tree, printed, parses back to the same tree (2,000 random trees, fixed seed). */
class RuleRoundTripTest {

    private static final String[] OPS = {"=", "!=", "<", "<=", ">", ">="};
    private static final String[] WORDS = {"US", "it's", "Łódź", "", "a b", "'quoted'", "x--y", "東京"};

    private final Random random = new Random(4_242);

    private Metric metric(Metric.Kind kind) {
        List<Metric> candidates = new ArrayList<>();
        for (Metric metric : Metric.values()) {
            if (metric.kind() == kind) {
                candidates.add(metric);
            }
        }
        return candidates.get(random.nextInt(candidates.size()));
    }

    private Rule.Operand operand(Metric.Kind kind, boolean metricAllowed) {
        if (metricAllowed && random.nextInt(3) == 0) {
            return new Rule.MetricRef(metric(kind));
        }
        if (kind == Metric.Kind.STRING) {
            return new Rule.StringLiteral(WORDS[random.nextInt(WORDS.length)]);
        }
        BigDecimal value = BigDecimal.valueOf(random.nextInt(200_001) - 100_000, random.nextInt(4));
        return new Rule.NumberLiteral(value);
    }

    private Rule tree(int depth) {
        int choice = random.nextInt(depth <= 0 ? 4 : 7);
        Metric.Kind kind = random.nextBoolean() ? Metric.Kind.NUMBER : Metric.Kind.STRING;
        Rule.Operand subject = random.nextInt(5) == 0 ? operand(kind, false) : new Rule.MetricRef(metric(kind));
        return switch (choice) {
            case 0 -> new Rule.Compare(subject, OPS[random.nextInt(OPS.length)], operand(kind, true));
            case 1 -> {
                List<Rule.Operand> values = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    values.add(operand(kind, true));
                }
                yield new Rule.In(subject, values, random.nextBoolean());
            }
            case 2 -> new Rule.Between(subject, operand(kind, true), operand(kind, true), random.nextBoolean());
            case 3 -> new Rule.IsNull(subject, random.nextBoolean());
            case 4 -> new Rule.Not(tree(depth - 1));
            case 5 -> new Rule.And(tree(depth - 1), tree(depth - 1));
            default -> new Rule.Or(tree(depth - 1), tree(depth - 1));
        };
    }

    @Test
    void randomTreesSurvivePrintThenParse() {
        for (int i = 0; i < 2_000; i++) {
            Rule rule = tree(1 + random.nextInt(6));
            String text = RulePrinter.print(rule);
            assertEquals(rule, RuleParser.parse(text), text);
            assertEquals(text, RulePrinter.print(RuleParser.parse(text)));
        }
    }
}
