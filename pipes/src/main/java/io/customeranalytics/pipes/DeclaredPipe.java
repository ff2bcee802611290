package io.customeranalytics.pipes;

import java.util.List;

/**
 * The declaration every pipe endpoint shares: name, description, parameters and columns given once to the
 * constructor. A concrete endpoint adds its SQL in {@link #query(PipeParams)}; declare it {@code @Singleton}
 * (stateless, and no client proxy is needed).
 */
public abstract class DeclaredPipe implements PipeEndpoint {

    private final String name;
    private final String description;
    private final List<PipeParam> params;
    private final List<PipeColumn> columns;

    protected DeclaredPipe(String name, String description, List<PipeParam> params, List<PipeColumn> columns) {
        this.name = name;
        this.description = description;
        this.params = List.copyOf(params);
        this.columns = List.copyOf(columns);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final List<PipeParam> params() {
        return params;
    }

    @Override
    public final List<PipeColumn> columns() {
        return columns;
    }
}
