package io.customeranalytics.common.rules;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RuleParserTest {

    private static Rule.MetricRef m(Metric metric) {
        return new Rule.MetricRef(metric);
    }

    private static Rule.NumberLiteral n(String value) {
        return new Rule.NumberLiteral(new BigDecimal(value));
    }

    private static Rule.StringLiteral s(String value) {
        return new Rule.StringLiteral(value);
    }

    private static void fails(String rule, String message) {
        RuleException e = assertThrows(RuleException.class, () -> RuleParser.parse(rule), rule);
        assertEquals(message, e.getMessage(), rule);
    }

    @Test
    void readsTheSeedRule() {
        assertEquals(new Rule.And(
                        new Rule.Compare(m(Metric.TOTAL_SPENT), ">", n("1000")),
                        new Rule.Compare(m(Metric.SESSION_COUNT), ">", n("10"))),
                RuleParser.parse("total_spent > 1000 AND session_count > 10"));
    }

    @Test
    void andBindsTighterThanOrAndParenthesesOverride() {
        Rule a = new Rule.Compare(m(Metric.AGE), ">", n("1"));
        Rule b = new Rule.Compare(m(Metric.AGE), "<", n("2"));
        Rule c = new Rule.Compare(m(Metric.AGE), "=", n("3"));
        assertEquals(new Rule.Or(a, new Rule.And(b, c)), RuleParser.parse("age > 1 OR age < 2 AND age = 3"));
        assertEquals(new Rule.And(new Rule.Or(a, b), c), RuleParser.parse("(age > 1 OR age < 2) AND age = 3"));
        assertEquals(new Rule.Or(new Rule.Or(a, b), c), RuleParser.parse("age > 1 OR age < 2 OR age = 3"));
    }

    @Test
    void readsEveryOperator() {
        for (String op : List.of("=", "!=", "<", "<=", ">", ">=")) {
            assertEquals(new Rule.Compare(m(Metric.AGE), op, n("30")), RuleParser.parse("age " + op + " 30"));
        }
        assertEquals(new Rule.Compare(m(Metric.AGE), "!=", n("30")), RuleParser.parse("age<>30"));
        assertEquals(new Rule.In(m(Metric.COUNTRY), List.of(s("US"), s("GB")), false),
                RuleParser.parse("country IN ('US', 'GB')"));
        assertEquals(new Rule.In(m(Metric.COUNTRY), List.of(s("US")), true), RuleParser.parse("country NOT IN ('US')"));
        assertEquals(new Rule.Between(m(Metric.AGE), n("25"), n("45"), false),
                RuleParser.parse("age BETWEEN 25 AND 45"));
        assertEquals(new Rule.Between(m(Metric.AGE), n("25"), n("45"), true),
                RuleParser.parse("age NOT BETWEEN 25 AND 45"));
        assertEquals(new Rule.IsNull(m(Metric.DAYS_SINCE_LAST_PURCHASE), false),
                RuleParser.parse("days_since_last_purchase IS NULL"));
        assertEquals(new Rule.IsNull(m(Metric.AGE), true), RuleParser.parse("age IS NOT NULL"));
        assertEquals(new Rule.Not(new Rule.Compare(m(Metric.AGE), ">", n("30"))), RuleParser.parse("NOT (age > 30)"));
        assertEquals(new Rule.Not(new Rule.Compare(m(Metric.AGE), ">", n("30"))), RuleParser.parse("NOT age > 30"));
    }

    @Test
    void keywordsAndMetricsAreCaseInsensitive() {
        assertEquals(RuleParser.parse("total_spent > 5 AND age IS NOT NULL"),
                RuleParser.parse("TOTAL_SPENT > 5 and Age is not null"));
    }

    @Test
    void readsNumbersStringsAndMetricOperands() {
        assertEquals(new Rule.Compare(m(Metric.LIFETIME_VALUE), ">=", n("-12.50")),
                RuleParser.parse("lifetime_value >= -12.50"));
        assertEquals(new Rule.Compare(m(Metric.TOTAL_SPENT), ">=", n("5e-05")), RuleParser.parse("total_spent >= 5e-05"));
        assertEquals(new Rule.Compare(m(Metric.TOTAL_SPENT), "<", n("1E+20")), RuleParser.parse("total_spent < 1E+20"));
        assertEquals(new Rule.Compare(m(Metric.CITY), "=", s("L'Hospitalet — Łódź 東京")),
                RuleParser.parse("city = 'L''Hospitalet — Łódź 東京'"));
        assertEquals(new Rule.Compare(m(Metric.TOTAL_SPENT), ">", m(Metric.LIFETIME_VALUE)),
                RuleParser.parse("total_spent > lifetime_value"));
        assertEquals(new Rule.Compare(n("100"), "<", m(Metric.TOTAL_SPENT)), RuleParser.parse("100 < total_spent"));
    }

    @Test
    void namesTheProblemAndItsPosition() {
        fails("totl_spent > 1000", "unknown metric 'totl_spent' at position 1");
        fails("total_spent >", "expected a number after '>', got the end of the rule at position 14");
        fails("total_spent > 'a lot'", "expected a number after '>', got 'a lot' at position 15");
        fails("country = 5", "expected a string after '=', got '5' at position 11");
        fails("total_spent > 1000 AND", "expected a metric, a number or a string, got the end of the rule"
                + " at position 23");
        fails("total_spent 1000", "expected an operator (=, !=, <>, <, <=, >, >=, IN, NOT IN, BETWEEN, IS) after"
                + " 'total_spent', got '1000' at position 13");
        fails("(age > 1", "expected ')' to close the '(' at position 1, got the end of the rule at position 9");
        fails("age > 1 age < 2", "expected AND, OR or the end of the rule, got 'age' at position 9");
        fails("age BETWEEN 1 OR 2", "expected AND after the lower bound of BETWEEN, got 'OR' at position 15");
        fails("country IN ('US' 'GB')", "expected ',' or ')' in the IN list, got 'GB' at position 18");
        fails("country IN ('US', 3)", "expected a string after ',', got '3' at position 19");
        fails("age IS 3", "expected NULL after IS, got '3' at position 8");
        fails("country = 'open", "unterminated string at position 11");
        fails("", "empty rule at position 1");
        fails("   ", "empty rule at position 1");
        fails("age > 1.", "expected a digit after the decimal point at position 9");
        fails("age > 12abc", "malformed number at position 7");
        fails("AND > 1", "expected a metric, a number or a string, got 'AND' at position 1");
    }

    @Test
    void rejectsHostileInputCleanly() {
        fails("total_spent > 1; DROP TABLE customer_events", "unexpected character ';' at position 16");
        fails("total_spent > 1 -- comment", "unexpected character '-' at position 17");
        fails("total_spent > 1 /* x */", "unexpected character '/' at position 17");
        fails("country = \"US\"", "unexpected character '\"' at position 11");
        fails("âge > 3", "unexpected character 'â' at position 1");
        fails("😀 age > 3", "unexpected character '😀' at position 1");
        fails("age > 3 😀", "unexpected character '😀' at position 9");
        fails("pg_sleep(10) > 1", "unknown metric 'pg_sleep' at position 1");
        // Quotes inside a string are data: the whole thing is one string value, bound, never SQL.
        Rule injected = RuleParser.parse("country = 'x'' OR 1=1 --'");
        assertEquals(new Rule.Compare(m(Metric.COUNTRY), "=", s("x' OR 1=1 --")), injected);
    }

    @Test
    void limitsLengthAndNesting() {
        String longRule = "age > 1" + " OR age > 1".repeat(200);
        assertEquals(2207, longRule.length());
        fails(longRule, "rule is longer than 2000 characters (2207) at position 2001");

        String deep32 = "(".repeat(32) + "age > 1" + ")".repeat(32);
        assertInstanceOf(Rule.Compare.class, RuleParser.parse(deep32));
        fails("(".repeat(33) + "age > 1" + ")".repeat(33), "nesting deeper than 32 at position 33");
        fails("NOT ".repeat(33) + "age > 1", "nesting deeper than 32 at position 129");
        fails("(".repeat(1500), "nesting deeper than 32 at position 33");
    }

    @Test
    void refusesNumbersThatDoublePrecisionCannotHold() {
        fails("total_spent > 1e400", "number 1e400 is out of range: a number must be 0 or between 1e-300 and 1e300"
                + " in absolute value at position 15");
        fails("age BETWEEN -1e301 AND 5", "number -1e301 is out of range: a number must be 0 or between 1e-300 and"
                + " 1e300 in absolute value at position 13");
        fails("avg_order_value IN (1, 1e-400)", "number 1e-400 is out of range: a number must be 0 or between 1e-300"
                + " and 1e300 in absolute value at position 24");
        assertEquals(new Rule.Compare(m(Metric.TOTAL_SPENT), ">", n("1e300")), RuleParser.parse("total_spent > 1e300"));
        assertEquals(new Rule.Compare(m(Metric.TOTAL_SPENT), ">", n("0.0")), RuleParser.parse("total_spent > 0.0"));
    }

    private static final Vocabulary EVENTS = Vocabulary.columns(columns());

    private static Map<String, Kind> columns() {
        Map<String, Kind> columns = new LinkedHashMap<>();
        columns.put("customer_id", Kind.STRING);
        columns.put("price", Kind.NUMBER);
        columns.put("event_timestamp", Kind.DATE_TIME);
        columns.put("signup_date", Kind.DATE);
        return columns;
    }

    private static Rule.ColumnRef c(String name, Kind kind) {
        return new Rule.ColumnRef(name, kind);
    }

    private static void failsOverColumns(String rule, String message) {
        RuleException e = assertThrows(RuleException.class, () -> RuleParser.parse(rule, EVENTS), rule);
        assertEquals(message, e.getMessage(), rule);
    }

    @Test
    void readsAConditionOverColumnsWithQuotedTimes() {
        Rule.ColumnRef timestamp = c("event_timestamp", Kind.DATE_TIME);
        OffsetDateTime june = OffsetDateTime.of(2023, 6, 15, 14, 30, 45, 0, ZoneOffset.UTC);
        assertEquals(new Rule.And(
                        new Rule.Compare(c("customer_id", Kind.STRING), "=", s("cust-789")),
                        new Rule.Compare(timestamp, "<", new Rule.DateTimeLiteral(june))),
                RuleParser.parse("customer_id = 'cust-789' AND event_timestamp < '2023-06-15 14:30:45'", EVENTS));
        // ISO-8601 with an offset is read in UTC; a column name is case-insensitive, like a keyword.
        assertEquals(new Rule.Compare(timestamp, ">=", new Rule.DateTimeLiteral(june)),
                RuleParser.parse("EVENT_TIMESTAMP >= '2023-06-15T16:30:45+02:00'", EVENTS));
        assertEquals(new Rule.Between(c("signup_date", Kind.DATE), new Rule.DateLiteral(LocalDate.of(2023, 1, 1)),
                        new Rule.DateLiteral(LocalDate.of(2023, 12, 31)), false),
                RuleParser.parse("signup_date BETWEEN '2023-01-01' AND '2023-12-31'", EVENTS));
        // A quoted subject takes the kind of what it is compared with.
        assertEquals(new Rule.Compare(new Rule.DateTimeLiteral(june), ">", timestamp),
                RuleParser.parse("'2023-06-15 14:30:45' > event_timestamp", EVENTS));
        assertEquals(new Rule.In(new Rule.DateLiteral(LocalDate.of(2023, 1, 1)),
                        List.of(c("signup_date", Kind.DATE), new Rule.DateLiteral(LocalDate.of(2023, 1, 2))), false),
                RuleParser.parse("'2023-01-01' IN (signup_date, '2023-01-02')", EVENTS));
    }

    @Test
    void namesTheProblemOfAConditionAndItsPosition() {
        failsOverColumns("total_spent > 5", "unknown column 'total_spent' (columns: customer_id, price,"
                + " event_timestamp, signup_date) at position 1");
        failsOverColumns("event_timestamp < '2023-13-01 00:00:00'", "not a valid DateTime '2023-13-01 00:00:00':"
                + " Invalid value for MonthOfYear (valid values 1 - 12): 13 at position 19");
        failsOverColumns("event_timestamp < 'yesterday'", "expected a DateTime as 'YYYY-MM-DD HH:MM:SS' (UTC) or"
                + " ISO-8601 such as '2023-06-15T14:30:45Z', got 'yesterday' at position 19");
        failsOverColumns("event_timestamp < 20230101", "expected a DateTime in quotes, such as"
                + " '2023-06-15 14:30:45' after '<', got '20230101' at position 19");
        failsOverColumns("signup_date = '2023-01-01 10:00:00'", "expected a Date as 'YYYY-MM-DD', got"
                + " '2023-01-01 10:00:00' at position 15");
        failsOverColumns("signup_date = event_timestamp", "expected a Date in quotes, such as '2023-06-15' after"
                + " '=', got 'event_timestamp' at position 15");
        failsOverColumns("'x' = price", "expected a string after '=', got 'price' at position 7");
        failsOverColumns("'2023-01-01' < signup_date AND '2023' > event_timestamp", "expected a DateTime as"
                + " 'YYYY-MM-DD HH:MM:SS' (UTC) or ISO-8601 such as '2023-06-15T14:30:45Z', got '2023' at position 32");
        failsOverColumns("price >", "expected a number after '>', got the end of the rule at position 8");
        failsOverColumns("AND", "expected a column, a number or a string, got 'AND' at position 1");
    }
}
