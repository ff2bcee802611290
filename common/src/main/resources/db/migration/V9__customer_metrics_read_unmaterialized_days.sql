-- customer_metrics (V6) again, with the same columns, now exact at once in TimescaleDB mode: the days that
-- unmaterialized_days (V8) reports for an aggregate are left out of it and taken from its *_unmaterialized
-- function (the same rows, from the raw events) instead, as customer_behavioral_analysis and the suggestions
-- do. In plain PostgreSQL mode there are no such days and the view gives what V6's did.
CREATE OR REPLACE VIEW customer_metrics AS
WITH daily AS (
    SELECT a.customer_id, a.event_type, a.event_count, a.revenue, a.last_event_at
    FROM customer_daily_activity a
    WHERE NOT a.day <@ (SELECT coalesce(range_agg(tstzrange(range_start, range_end)), '{}')
                        FROM unmaterialized_days('customer_daily_activity'))
    UNION ALL
    SELECT u.customer_id, u.event_type, u.event_count, u.revenue, u.last_event_at
    FROM customer_daily_activity_unmaterialized(NULL, NULL) u
),
activity AS (
    SELECT customer_id,
           sum(revenue) AS total_spent,
           sum(event_count) FILTER (WHERE event_type = 'purchase') AS purchase_count,
           sum(event_count) AS event_count,
           sum(event_count) FILTER (WHERE event_type = 'page_view') AS page_view_count,
           max(last_event_at) AS last_event_at,
           max(last_event_at) FILTER (WHERE event_type = 'purchase') AS last_purchase_at
    FROM daily
    GROUP BY customer_id
),
sessions AS (
    SELECT customer_id, count(DISTINCT session_id) AS session_count
    FROM (SELECT s.customer_id, s.session_id
          FROM customer_daily_sessions s
          WHERE NOT s.day <@ (SELECT coalesce(range_agg(tstzrange(range_start, range_end)), '{}')
                              FROM unmaterialized_days('customer_daily_sessions'))
          UNION ALL
          SELECT u.customer_id, u.session_id
          FROM customer_daily_sessions_unmaterialized(NULL, NULL) u
         ) AS all_sessions
    GROUP BY customer_id
)
SELECT coalesce(a.customer_id, p.customer_id) AS customer_id,
       coalesce(a.total_spent, 0)::double precision AS total_spent,
       coalesce(a.purchase_count, 0)::bigint AS purchase_count,
       coalesce(a.event_count, 0)::bigint AS event_count,
       coalesce(s.session_count, 0)::bigint AS session_count,
       coalesce(a.page_view_count, 0)::bigint AS page_view_count,
       CASE WHEN coalesce(a.purchase_count, 0) > 0 THEN a.total_spent / a.purchase_count ELSE 0 END
           ::double precision AS avg_order_value,
       floor(extract(epoch FROM now() - a.last_event_at) / 86400)::bigint AS days_since_last_event,
       floor(extract(epoch FROM now() - a.last_purchase_at) / 86400)::bigint AS days_since_last_purchase,
       p.lifetime_value,
       p.age,
       p.country,
       p.city,
       p.gender,
       p.customer_segment,
       ((now() AT TIME ZONE 'UTC')::date - p.signup_date)::bigint AS days_since_signup,
       a.last_event_at,
       a.last_purchase_at
FROM activity a
FULL JOIN customer_profiles p ON p.customer_id = a.customer_id
LEFT JOIN sessions s ON s.customer_id = coalesce(a.customer_id, p.customer_id);
