package io.customeranalytics.common.rules;

import io.customeranalytics.common.schema.TimeFormats;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a rule (docs/api.md, "Segment rules") into a {@link Rule}: a hand-written lexer and recursive-descent parser.
 * The names it reads values by come from a {@link Vocabulary}: the customer metrics of a segment rule, or the columns
 * of a datasource in a delete condition.
 *
 * <pre>
 * rule      := or
 * or        := and (OR and)*
 * and       := not (AND not)*
 * not       := NOT not | '(' rule ')' | predicate
 * predicate := operand ( op operand | [NOT] IN '(' operand (',' operand)* ')'
 *                      | [NOT] BETWEEN operand AND operand | IS [NOT] NULL )
 * operand   := name | number | 'string'          (number: -12, 3.5, 1e6, 2.5E-3)
 * op        := = | != | <> | < | <= | > | >=
 * </pre>
 * Keywords and names are case-insensitive. Both sides of a comparison, the values of IN and the bounds of
 * BETWEEN must be of the subject's {@link Kind}; a string compared with a DateTime or a Date column is read as
 * one, in the API's time formats. Limits: 2,000 characters, nesting depth 32 (each
 * parenthesis and each NOT is one level). Every error names the problem and its 1-based character position.
 */
public final class RuleParser {

    public static final int MAX_LENGTH = 2000;
    public static final int MAX_DEPTH = 32;

    private static final Set<String> KEYWORDS = Set.of("AND", "OR", "NOT", "IN", "BETWEEN", "IS", "NULL");

    private static final BigDecimal MAX_LITERAL = new BigDecimal("1e300");
    private static final BigDecimal MIN_LITERAL = new BigDecimal("1e-300");

    private enum Type { WORD, NUMBER, STRING, OPERATOR, OPEN, CLOSE, COMMA, END }

    private record Token(Type type, String text, int position) {
        boolean isKeyword(String keyword) {
            return type == Type.WORD && text.equalsIgnoreCase(keyword);
        }

        String shown() {
            return type == Type.END ? "the end of the rule" : "'" + text + "'";
        }
    }

    private final List<Token> tokens;
    private final Vocabulary vocabulary;
    private int next;
    private int depth;

    private RuleParser(List<Token> tokens, Vocabulary vocabulary) {
        this.tokens = tokens;
        this.vocabulary = vocabulary;
    }

    /**
     * Reads a segment rule, over the customer metrics.
     *
     * @throws RuleException with the problem and its position when {@code text} is not a valid rule
     */
    public static Rule parse(String text) {
        return parse(text, Vocabulary.METRICS);
    }

    /**
     * Reads a rule over the names of {@code vocabulary}.
     *
     * @throws RuleException with the problem and its position when {@code text} is not a valid rule
     */
    public static Rule parse(String text, Vocabulary vocabulary) {
        int length = text.codePointCount(0, text.length());
        if (length > MAX_LENGTH) {
            throw new RuleException("rule is longer than " + MAX_LENGTH + " characters (" + length + ")",
                    MAX_LENGTH + 1);
        }
        RuleParser parser = new RuleParser(lex(text), vocabulary);
        if (parser.peek().type() == Type.END) {
            throw new RuleException("empty rule", 1);
        }
        Rule rule = parser.or();
        Token end = parser.peek();
        if (end.type() != Type.END) {
            throw new RuleException("expected AND, OR or the end of the rule, got " + end.shown(), end.position());
        }
        return rule;
    }

    // ---------------------------------------------------------------------------------------------- parser

    private Rule or() {
        Rule left = and();
        while (peek().isKeyword("OR")) {
            next++;
            left = new Rule.Or(left, and());
        }
        return left;
    }

    private Rule and() {
        Rule left = not();
        while (peek().isKeyword("AND")) {
            next++;
            left = new Rule.And(left, not());
        }
        return left;
    }

    private Rule not() {
        Token token = peek();
        if (token.isKeyword("NOT")) {
            next++;
            enter(token);
            Rule operand = not();
            depth--;
            return new Rule.Not(operand);
        }
        if (token.type() == Type.OPEN) {
            next++;
            enter(token);
            Rule inner = or();
            depth--;
            Token close = peek();
            if (close.type() != Type.CLOSE) {
                throw new RuleException("expected ')' to close the '(' at position " + token.position() + ", got "
                        + close.shown(), close.position());
            }
            next++;
            return inner;
        }
        return predicate();
    }

    private void enter(Token token) {
        if (++depth > MAX_DEPTH) {
            throw new RuleException("nesting deeper than " + MAX_DEPTH, token.position());
        }
    }

    private Rule predicate() {
        Token first = peek();
        Rule.Operand subject = operand(null, "a " + vocabulary.noun() + ", a number or a string", null);
        Token token = peek();
        if (token.type() == Type.OPERATOR) {
            next++;
            String op = token.text().equals("<>") ? "!=" : token.text();
            Rule.Operand right = second(subject, "'" + token.text() + "'");
            return new Rule.Compare(agreed(subject, first, right), op, right);
        }
        boolean negated = false;
        if (token.isKeyword("NOT")) {
            negated = true;
            next++;
            token = peek();
            if (!token.isKeyword("IN") && !token.isKeyword("BETWEEN")) {
                throw new RuleException("expected IN or BETWEEN after NOT, got " + token.shown(), token.position());
            }
        }
        if (token.isKeyword("IN")) {
            next++;
            Token open = peek();
            if (open.type() != Type.OPEN) {
                throw new RuleException("expected '(' after IN, got " + open.shown(), open.position());
            }
            next++;
            List<Rule.Operand> values = new ArrayList<>();
            values.add(second(subject, "IN ("));
            subject = agreed(subject, first, values.get(0));
            while (peek().type() == Type.COMMA) {
                next++;
                values.add(operand(subject.kind(), subject.kind().withArticle(), "','"));
            }
            Token close = peek();
            if (close.type() != Type.CLOSE) {
                throw new RuleException("expected ',' or ')' in the IN list, got " + close.shown(), close.position());
            }
            next++;
            return new Rule.In(subject, values, negated);
        }
        if (token.isKeyword("BETWEEN")) {
            next++;
            Rule.Operand low = second(subject, "BETWEEN");
            subject = agreed(subject, first, low);
            Token and = peek();
            if (!and.isKeyword("AND")) {
                throw new RuleException("expected AND after the lower bound of BETWEEN, got " + and.shown(),
                        and.position());
            }
            next++;
            Rule.Operand high = operand(subject.kind(), subject.kind().withArticle(), "BETWEEN ... AND");
            return new Rule.Between(subject, low, high, negated);
        }
        if (token.isKeyword("IS")) {
            next++;
            boolean not = false;
            if (peek().isKeyword("NOT")) {
                not = true;
                next++;
            }
            Token nullToken = peek();
            if (!nullToken.isKeyword("NULL")) {
                throw new RuleException("expected NULL after IS" + (not ? " NOT" : "") + ", got " + nullToken.shown(),
                        nullToken.position());
            }
            next++;
            return new Rule.IsNull(subject, not);
        }
        throw new RuleException("expected an operator (=, !=, <>, <, <=, >, >=, IN, NOT IN, BETWEEN, IS) after "
                + (first == token ? "the operand" : "'" + first.text() + "'") + ", got " + token.shown(),
                token.position());
    }

    /**
     * The first operand after the subject: of the subject's kind, or of any kind when the subject is a string
     * literal, which {@link #agreed} then reads as a DateTime or a Date if that operand is one.
     */
    private Rule.Operand second(Rule.Operand subject, String after) {
        if (!(subject instanceof Rule.StringLiteral)) {
            return operand(subject.kind(), subject.kind().withArticle(), after);
        }
        Token token = peek();
        Rule.Operand operand = operand(null, subject.kind().withArticle(), after);
        if (operand.kind() != Kind.STRING && !operand.kind().isTime()) {
            throw expected(subject.kind().withArticle(), after, token);
        }
        return operand;
    }

    /** The subject, read again as a DateTime or a Date when it is a string literal compared with one. */
    private static Rule.Operand agreed(Rule.Operand subject, Token subjectToken, Rule.Operand other) {
        return subject instanceof Rule.StringLiteral literal && other.kind().isTime()
                ? time(literal.value(), other.kind(), subjectToken)
                : subject;
    }

    /** A quoted DateTime or Date. */
    private static Rule.Operand time(String text, Kind kind, Token token) {
        try {
            return kind == Kind.DATE_TIME
                    ? new Rule.DateTimeLiteral(TimeFormats.parseDateTime(text))
                    : new Rule.DateLiteral(TimeFormats.parseDate(text));
        } catch (DateTimeException e) {
            throw new RuleException(e.getMessage(), token.position());
        }
    }

    /**
     * A number literal, which is compared with metrics of type double precision: one that double precision cannot
     * hold (1e400 overflows, 1e-400 underflows) would fail every evaluation of the rule, so it is refused here.
     */
    private static BigDecimal number(Token token) {
        BigDecimal value = new BigDecimal(token.text());
        BigDecimal magnitude = value.abs();
        if (magnitude.compareTo(MAX_LITERAL) > 0 || value.signum() != 0 && magnitude.compareTo(MIN_LITERAL) < 0) {
            throw new RuleException("number " + token.text() + " is out of range: a number must be 0 or between 1e-300"
                    + " and 1e300 in absolute value", token.position());
        }
        return value;
    }

    /**
     * One operand.
     *
     * @param kind     the kind it must have, or null for any
     * @param expected what was expected, for the message
     * @param after    what it follows, for the message, or null
     */
    private Rule.Operand operand(Kind kind, String expected, String after) {
        Token token = peek();
        Rule.Operand operand;
        switch (token.type()) {
            case NUMBER -> operand = new Rule.NumberLiteral(number(token));
            case STRING -> operand = kind != null && kind.isTime()
                    ? time(token.text(), kind, token)
                    : new Rule.StringLiteral(token.text());
            case WORD -> {
                if (KEYWORDS.contains(token.text().toUpperCase(Locale.ROOT))) {
                    throw expected(expected, after, token);
                }
                operand = vocabulary.reference(token.text())
                        .orElseThrow(() -> new RuleException(vocabulary.unknown(token.text()), token.position()));
            }
            default -> throw expected(expected, after, token);
        }
        if (kind != null && operand.kind() != kind) {
            throw expected(expected, after, token);
        }
        next++;
        return operand;
    }

    private static RuleException expected(String expected, String after, Token token) {
        return new RuleException("expected " + expected + (after == null ? "" : " after " + after) + ", got "
                + token.shown(), token.position());
    }

    private Token peek() {
        return tokens.get(next);
    }

    // ----------------------------------------------------------------------------------------------- lexer

    private static List<Token> lex(String text) {
        int[] cps = text.codePoints().toArray();
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < cps.length) {
            int c = cps[i];
            int position = i + 1;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
            } else if (isWordStart(c)) {
                int start = i;
                while (i < cps.length && isWordPart(cps[i])) {
                    i++;
                }
                tokens.add(new Token(Type.WORD, new String(cps, start, i - start), position));
            } else if (isDigit(c) || (c == '-' || c == '.') && i + 1 < cps.length && isDigit(cps[i + 1])
                    || c == '-' && i + 2 < cps.length && cps[i + 1] == '.' && isDigit(cps[i + 2])) {
                int start = i;
                if (c == '-') {
                    i++;
                }
                while (i < cps.length && isDigit(cps[i])) {
                    i++;
                }
                if (i < cps.length && cps[i] == '.') {
                    i++;
                    if (i >= cps.length || !isDigit(cps[i])) {
                        throw new RuleException("expected a digit after the decimal point", i + 1);
                    }
                    while (i < cps.length && isDigit(cps[i])) {
                        i++;
                    }
                }
                if (i < cps.length && (cps[i] == 'e' || cps[i] == 'E')) {
                    int exponent = i + 1;
                    if (exponent < cps.length && (cps[exponent] == '+' || cps[exponent] == '-')) {
                        exponent++;
                    }
                    if (exponent < cps.length && isDigit(cps[exponent])) {
                        i = exponent;
                        while (i < cps.length && isDigit(cps[i])) {
                            i++;
                        }
                    }
                }
                if (i < cps.length && (isWordStart(cps[i]) || cps[i] == '.')) {
                    throw new RuleException("malformed number", position);
                }
                tokens.add(new Token(Type.NUMBER, new String(cps, start, i - start), position));
            } else if (c == '\'') {
                StringBuilder value = new StringBuilder();
                i++;
                while (true) {
                    if (i >= cps.length) {
                        throw new RuleException("unterminated string", position);
                    }
                    if (cps[i] == '\'') {
                        if (i + 1 < cps.length && cps[i + 1] == '\'') {
                            value.append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (cps[i] == 0) {
                        throw new RuleException("NUL character in a string", i + 1);
                    }
                    value.appendCodePoint(cps[i]);
                    i++;
                }
                tokens.add(new Token(Type.STRING, value.toString(), position));
            } else if (c == '(') {
                tokens.add(new Token(Type.OPEN, "(", position));
                i++;
            } else if (c == ')') {
                tokens.add(new Token(Type.CLOSE, ")", position));
                i++;
            } else if (c == ',') {
                tokens.add(new Token(Type.COMMA, ",", position));
                i++;
            } else if (c == '=' ) {
                tokens.add(new Token(Type.OPERATOR, "=", position));
                i++;
            } else if (c == '!' && i + 1 < cps.length && cps[i + 1] == '=') {
                tokens.add(new Token(Type.OPERATOR, "!=", position));
                i += 2;
            } else if (c == '<' || c == '>') {
                String op = Character.toString(c);
                if (i + 1 < cps.length && cps[i + 1] == '=') {
                    op += "=";
                } else if (c == '<' && i + 1 < cps.length && cps[i + 1] == '>') {
                    op = "<>";
                }
                tokens.add(new Token(Type.OPERATOR, op, position));
                i += op.length();
            } else {
                throw new RuleException("unexpected character '" + new String(Character.toChars(c)) + "'", position);
            }
        }
        tokens.add(new Token(Type.END, "", cps.length + 1));
        return tokens;
    }

    private static boolean isWordStart(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isWordPart(int c) {
        return isWordStart(c) || isDigit(c);
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }
}
