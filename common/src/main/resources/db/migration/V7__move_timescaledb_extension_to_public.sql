-- =====================================================================================================
-- The timescaledb extension belongs in `public`, where TimescaleDB's docs install it, not in our `analytics`
-- schema. V2 ran `CREATE EXTENSION IF NOT EXISTS timescaledb` with Flyway's search_path (`analytics`), so on a
-- server where nobody had installed the extension beforehand it landed in `analytics`: its functions lived
-- next to our tables, and `DROP SCHEMA analytics CASCADE` would have dropped the extension and every
-- hypertable of the database with it. V2 itself cannot change (Flyway checks applied migrations' checksums),
-- so this migration moves the extension on every database where it is in `analytics`, fresh or long migrated.
--
-- PostgreSQL cannot do it with ALTER EXTENSION ... SET SCHEMA: timescaledb is not relocatable once installed
-- (its control file: it spans several schemas). Its objects in the installation schema are only routines
-- (functions, procedures, aggregates: time_bucket, create_hypertable, first, ...); its catalog, internal and
-- information schemas have fixed names. So the move is:
--   1. ALTER FUNCTION/PROCEDURE/AGGREGATE ... SET SCHEMA public for each of its routines in `analytics`
--      (views, caggs and triggers refer to routines by OID, so they keep working);
--   2. the places that name the schema as text, which CREATE EXTENSION wrote from @extschema@:
--      pg_extension.extnamespace with its pg_depend entry (what pg_dump and ALTER EXTENSION UPDATE use as
--      @extschema@); the bodies of the extension's own routines that call others schema-qualified
--      (`analytics.show_chunks(...)`) or set `search_path TO analytics`; and the bucket function that
--      TimescaleDB stores, schema-qualified, for each continuous aggregate.
--   3. a check that no routine of the extension still names `analytics`; if one does, everything is rolled back.
-- Step 2 writes system catalogs, so it needs a superuser. Without one (a managed service, which normally
-- installs the extension in `public` itself, so this does nothing) the migration leaves the extension where
-- it is and says so in a WARNING with the way out: dump, pre-create the extension in public, restore.
-- Anything of the extension found in `analytics` other than routines stops the migration (nothing moved).
-- Plain PostgreSQL, or the extension already elsewhere: nothing to do.
-- =====================================================================================================
DO $$
DECLARE
    ext_oid    oid;
    ours       oid := 'analytics'::regnamespace;
    target     oid;
    routine    record;
    moved      int := 0;
BEGIN
    SELECT oid INTO ext_oid FROM pg_extension WHERE extname = 'timescaledb' AND extnamespace = ours;
    IF ext_oid IS NULL THEN
        RETURN;
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE WARNING 'the timescaledb extension is installed in schema analytics and only a superuser can move it '
                      'to public; it stays there. To move it: pg_dump the database, create a new one, run '
                      '"CREATE EXTENSION timescaledb SCHEMA public" in it, then restore the dump';
        RETURN;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_depend d
               WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext_oid AND d.deptype = 'e'
                 AND d.classid <> 'pg_proc'::regclass
                 AND ours = CASE d.classid
                                WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.objid)
                                WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.objid)
                            END) THEN
        RAISE EXCEPTION 'the timescaledb extension has objects other than routines in schema analytics; '
                        'this migration cannot move them: move the extension by dump and restore';
    END IF;

    CREATE SCHEMA IF NOT EXISTS public;
    target := 'public'::regnamespace;

    -- Schema-qualified text of every routine, whatever the search_path.
    PERFORM set_config('search_path', 'pg_catalog', true);

    -- The bucket functions of continuous aggregates, remembered by OID before their schema changes.
    CREATE TEMPORARY TABLE cagg_bucket_functions ON COMMIT DROP AS
    SELECT mat_hypertable_id, to_regprocedure(bucket_func)::oid AS func
    FROM _timescaledb_catalog.continuous_aggs_bucket_function;

    FOR routine IN
        SELECT p.oid::regprocedure AS signature, p.prokind
        FROM pg_proc p
        JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext_oid AND d.deptype = 'e'
        WHERE p.pronamespace = ours
    LOOP
        EXECUTE format('ALTER %s %s SET SCHEMA public',
                       CASE routine.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                       routine.signature);
        moved := moved + 1;
    END LOOP;

    UPDATE pg_extension SET extnamespace = target WHERE oid = ext_oid;
    UPDATE pg_depend SET refobjid = target
    WHERE classid = 'pg_extension'::regclass AND objid = ext_oid
      AND refclassid = 'pg_namespace'::regclass AND refobjid = ours AND deptype = 'n';

    UPDATE pg_proc p
    SET prosrc = regexp_replace(regexp_replace(p.prosrc, '\manalytics\.', 'public.', 'g'),
                                '(search_path\s+TO\s+)analytics\M', '\1public', 'gi')
    FROM pg_depend d
    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
      AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext_oid AND d.deptype = 'e'
      AND p.prosrc ~ '\manalytics\M';

    UPDATE _timescaledb_catalog.continuous_aggs_bucket_function f
    SET bucket_func = b.func::regprocedure::text
    FROM cagg_bucket_functions b
    WHERE b.mat_hypertable_id = f.mat_hypertable_id;

    IF EXISTS (SELECT 1 FROM pg_proc p
               JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                               AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext_oid AND d.deptype = 'e'
               WHERE p.prosrc ~ '\manalytics\M' OR array_to_string(p.proconfig, ',') ~ '\manalytics\M')
       OR EXISTS (SELECT 1 FROM _timescaledb_catalog.continuous_aggs_bucket_function
                  WHERE bucket_func ~ '^analytics\.') THEN
        RAISE EXCEPTION 'moving the timescaledb extension to public left a reference to schema analytics; '
                        'nothing was changed: move the extension by dump and restore';
    END IF;

    RAISE NOTICE 'moved the timescaledb extension (% routines) from schema analytics to public', moved;
END
$$;
