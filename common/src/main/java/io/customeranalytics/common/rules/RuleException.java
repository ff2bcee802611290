package io.customeranalytics.common.rules;

/**
 * A rule that cannot be read: what is wrong and the 1-based character position where it was found; the message
 * ends with {@code at position N}.
 */
public class RuleException extends RuntimeException {

    private final String problem;
    private final int position;

    public RuleException(String problem, int position) {
        super(problem + " at position " + position, null, false, false);
        this.problem = problem;
        this.position = position;
    }

    public String problem() {
        return problem;
    }

    public int position() {
        return position;
    }
}
