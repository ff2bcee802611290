package io.customeranalytics.pipes;

import io.customeranalytics.common.error.ApiException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Answers in flight share one byte budget: over it a request is a 503; given back, the room is free again. */
class AnswerBudgetTest {

    private static AnswerBudget budget(long capacity) {
        return new AnswerBudget(new PipesConfig() {
            @Override
            public long maxAnswerBytes() {
                return capacity;
            }

            @Override
            public long maxAnswerBytesInFlight() {
                return capacity;
            }

            @Override
            public Duration statementTimeout() {
                return Duration.ofSeconds(30);
            }

            @Override
            public Map<String, Duration> statementTimeouts() {
                return Map.of();
            }
        });
    }

    @Test
    void sharesOverTheBudgetAreRefusedUntilOthersAreGivenBack() {
        AnswerBudget budget = budget(100);
        AnswerBudget.Share first = budget.share();
        AnswerBudget.Share second = budget.share();
        first.growTo(60);
        first.growTo(40);
        assertEquals(60, budget.held(), "a share never shrinks before it is released");
        ApiException refused = assertThrows(ApiException.class, () -> second.growTo(41));
        assertEquals(503, refused.status());
        assertEquals(1, refused.retryAfterSeconds());
        second.growTo(40);
        assertEquals(100, budget.held());
        first.release();
        first.release();
        assertEquals(40, budget.held(), "release is idempotent");
        second.growTo(100);
        second.release();
        assertEquals(0, budget.held());
    }

    @Test
    void anAnswerLargerThanTheBudgetIsServedWhenItIsAlone() {
        AnswerBudget budget = budget(100);
        AnswerBudget.Share alone = budget.share();
        alone.growTo(250);
        assertThrows(ApiException.class, () -> budget.share().growTo(1));
        alone.release();
        assertEquals(0, budget.held());
    }
}
