package io.customeranalytics.segmentation.rfm;

import java.util.List;

/** The suggested segments of the RFM definition (docs/api.md, "Segmentation endpoints"), in rule order. */
public final class RfmSegments {

    /** Names, first matching rule first; Browsers and Inactive are for customers without a purchase. */
    public static final List<String> NAMES = List.of("Champions", "Loyal", "New Customers", "Potential Loyalists",
            "Need Attention", "Can't Lose Them", "At Risk", "Hibernating", "Lost", "Browsers", "Inactive");

    /**
     * The rules as SQL over r, f, m (1..5) of a customer with a purchase: fixed text, the same order as
     * {@link #NAMES}.
     */
    static final String CASE_OF_SCORES = """
            CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'Champions'
                 WHEN f >= 4 AND r >= 3 THEN 'Loyal'
                 WHEN r >= 4 AND f = 1 THEN 'New Customers'
                 WHEN r >= 4 THEN 'Potential Loyalists'
                 WHEN r = 3 THEN 'Need Attention'
                 WHEN f >= 4 THEN 'Can''t Lose Them'
                 WHEN f >= 2 AND m >= 3 THEN 'At Risk'
                 WHEN r = 2 THEN 'Hibernating'
                 ELSE 'Lost' END""";

    private RfmSegments() {
    }
}
