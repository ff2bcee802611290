package io.customeranalytics.pipes;

import io.customeranalytics.common.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The bytes of values that the answers in flight of this service instance may hold together
 * ({@link PipesConfig#maxAnswerBytesInFlight()}): one large answer at a time is served, many at once would not
 * fit the heap. A request takes its share once its size is known (before its rows are fetched when the endpoint
 * can tell, see {@link PipeQuery#ANSWER_BYTES}) and gives it back once its answer is rendered.
 */
@ApplicationScoped
public class AnswerBudget {

    private final long capacity;
    private long held;

    public AnswerBudget(PipesConfig config) {
        this.capacity = config.maxAnswerBytesInFlight();
    }

    /** A new, empty share of one request. */
    public Share share() {
        return new Share();
    }

    private synchronized boolean take(long bytes) {
        // An answer larger than the whole budget is still served when it is the only one.
        if (held > 0 && held + bytes > capacity) {
            return false;
        }
        held += bytes;
        return true;
    }

    private synchronized void give(long bytes) {
        held -= bytes;
    }

    synchronized long held() {
        return held;
    }

    /** What one request holds of the budget. */
    public final class Share {

        private long bytes;

        private Share() {
        }

        /** Grows this share to {@code total} bytes, or fails with a 503 when the budget has no room for it. */
        public synchronized void growTo(long total) {
            if (total <= bytes) {
                return;
            }
            if (!take(total - bytes)) {
                throw new ApiException(503, "too many large answers are being served at once; retry shortly",
                        ApiException.DOC_ERRORS, 1, null, null);
            }
            bytes = total;
        }

        /** Gives the whole share back; idempotent. */
        public synchronized void release() {
            give(bytes);
            bytes = 0;
        }
    }
}
