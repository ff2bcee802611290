package io.customeranalytics.clienttests;

import io.customeranalytics.localstack.LocalStack;
import io.customeranalytics.testsupport.TestDatabase;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;

/**
 * The three built services and the one-base-URL gateway, started once for all test classes of this module
 * against the test database ({@code ANALYTICS_TEST_DB_URL} or an embedded PostgreSQL 17), stopped when JUnit
 * finishes. Test classes that use it are annotated {@code @ExtendWith(RunningStack.class)} and call {@link #get()}.
 */
public final class RunningStack implements BeforeAllCallback {

    private static LocalStack stack;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (RunningStack.class) {
            if (stack == null) {
                Path root = Path.of("..").toAbsolutePath().normalize();
                stack = LocalStack.start(root, LocalStack.Ports.free(), TestDatabase.get(), LocalStack.newToken(),
                        Path.of("target/stack-logs"));
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                        .put(RunningStack.class, (ExtensionContext.Store.CloseableResource) RunningStack::stop);
            }
        }
    }

    static LocalStack get() {
        return stack;
    }

    private static synchronized void stop() {
        if (stack != null) {
            stack.close();
            stack = null;
        }
    }
}
