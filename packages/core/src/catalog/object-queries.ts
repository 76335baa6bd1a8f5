// pg_catalog queries for the schema objects beyond tables, read by `readSchemaObjects`: composite
// and range types, routines, views, triggers, rules, policies, comments and the dependencies
// between them. Each takes the schema names as $1 (text[]). Objects that belong to an extension
// are left out: CREATE EXTENSION brings them. Definitions come from PostgreSQL's own pg_get_*def
// functions, read with search_path = pg_catalog so every name they print is schema-qualified.

/** `"name"` with embedded quotes doubled, as quoteIdent writes it in TypeScript. */
const q = (expr: string) => `('"' || replace(${expr}, '"', '""') || '"')`;
const notExtension = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_depend e where e.classid = '${catalog}'::regclass and e.objid = ${oid} and e.deptype = 'e')`;

export const COMPOSITES_SQL = `
select n.nspname as schema, t.typname as name,
  coalesce(json_agg(json_build_object('name', a.attname, 'dataType', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
    filter (where a.attnum is not null), '[]'::json) as attributes
from pg_type t join pg_namespace n on n.oid = t.typnamespace
join pg_class c on c.oid = t.typrelid and c.relkind = 'c'
left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = any($1::text[]) and ${notExtension('pg_type', 't.oid')}
group by n.nspname, t.typname order by 1, 2`;

export const RANGES_SQL = `
select n.nspname as schema, t.typname as name, format_type(r.rngsubtype, null) as subtype,
  case when not oc.opcdefault then ${q('ocn.nspname')} || '.' || ${q('oc.opcname')} end as subtype_opclass,
  (select ${q('cn.nspname')} || '.' || ${q('co.collname')} from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace
    where co.oid = r.rngcollation and r.rngcollation <> (select st.typcollation from pg_type st where st.oid = r.rngsubtype)) as collation,
  nullif(r.rngcanonical::oid, 0)::regproc::text as canonical,
  nullif(r.rngsubdiff::oid, 0)::regproc::text as subtype_diff,
  (select ${q('mn.nspname')} || '.' || ${q('mt.typname')} from pg_type mt join pg_namespace mn on mn.oid = mt.typnamespace
    where mt.oid = r.rngmultitypid) as multirange_name
from pg_range r join pg_type t on t.oid = r.rngtypid join pg_namespace n on n.oid = t.typnamespace
join pg_opclass oc on oc.oid = r.rngsubopc join pg_namespace ocn on ocn.oid = oc.opcnamespace
where n.nspname = any($1::text[]) and ${notExtension('pg_type', 't.oid')}
order by 1, 2`;

const AGGREGATE_DEF = `'CREATE AGGREGATE ' || ${q('n.nspname')} || '.' || ${q('p.proname')} || '(' || pg_get_function_arguments(p.oid) || ') (SFUNC = '
  || ag.aggtransfn::regproc::text || ', STYPE = ' || format_type(ag.aggtranstype, null)
  || coalesce(', SSPACE = ' || nullif(ag.aggtransspace, 0)::text, '')
  || coalesce(', FINALFUNC = ' || nullif(ag.aggfinalfn::oid, 0)::regproc::text, '')
  || case when ag.aggfinalextra then ', FINALFUNC_EXTRA' else '' end
  || coalesce(', COMBINEFUNC = ' || nullif(ag.aggcombinefn::oid, 0)::regproc::text, '')
  || coalesce(', SERIALFUNC = ' || nullif(ag.aggserialfn::oid, 0)::regproc::text, '')
  || coalesce(', DESERIALFUNC = ' || nullif(ag.aggdeserialfn::oid, 0)::regproc::text, '')
  || coalesce(', INITCOND = ' || quote_literal(ag.agginitval), '')
  || coalesce(', MSFUNC = ' || nullif(ag.aggmtransfn::oid, 0)::regproc::text, '')
  || coalesce(', MINVFUNC = ' || nullif(ag.aggminvtransfn::oid, 0)::regproc::text, '')
  || coalesce(', MSTYPE = ' || format_type(nullif(ag.aggmtranstype, 0), null), '')
  || coalesce(', MFINALFUNC = ' || nullif(ag.aggmfinalfn::oid, 0)::regproc::text, '')
  || coalesce(', MINITCOND = ' || quote_literal(ag.aggminitval), '')
  || coalesce(', SORTOP = OPERATOR(' || nullif(ag.aggsortop, 0)::regoperator::text || ')', '')
  || case when ag.aggkind = 'h' then ', HYPOTHETICAL' else '' end
  || case p.proparallel when 's' then ', PARALLEL = SAFE' when 'r' then ', PARALLEL = RESTRICTED' else '' end || ')'`;

export const ROUTINES_SQL = `
select n.nspname as schema, p.proname as name, p.prokind as kind,
  pg_get_function_identity_arguments(p.oid) as identity_arguments,
  case when p.prokind = 'a' then ${AGGREGATE_DEF} else pg_get_functiondef(p.oid) end as definition
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
left join pg_aggregate ag on ag.aggfnoid = p.oid
where n.nspname = any($1::text[]) and ${notExtension('pg_proc', 'p.oid')}
  -- Made by another object (a range type's constructors): CREATE TYPE brings them.
  and not exists (select 1 from pg_depend i where i.classid = 'pg_proc'::regclass and i.objid = p.oid and i.deptype = 'i')
order by 1, 2, 4`;

export const VIEWS_SQL = `
select n.nspname as schema, c.relname as name, c.relkind = 'm' as materialized, pg_get_viewdef(c.oid) as query,
  coalesce(c.reloptions, '{}')::text[] as options, c.relispopulated as populated
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and c.relkind in ('v', 'm') and ${notExtension('pg_class', 'c.oid')}
order by 1, 2`;

// Clones on partitions (tgparentid <> 0) come with their parent's trigger; internal triggers with their constraint.
export const TRIGGERS_SQL = `
select n.nspname as schema, c.relname as table, t.tgname as name, pg_get_triggerdef(t.oid) as definition, t.tgenabled::text as enabled
from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and not t.tgisinternal and t.tgparentid = 0 and ${notExtension('pg_trigger', 't.oid')}
order by 1, 2, 3`;

export const RULES_SQL = `
select n.nspname as schema, c.relname as table, r.rulename as name, pg_get_ruledef(r.oid) as definition
from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and r.rulename <> '_RETURN' and ${notExtension('pg_rewrite', 'r.oid')}
order by 1, 2, 3`;

export const POLICIES_SQL = `
select n.nspname as schema, c.relname as table, p.polname as name, p.polpermissive as permissive,
  case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE' else 'ALL' end as command,
  array(select case when r.oid = 0 then 'PUBLIC' else pg_get_userbyid(r.oid) end from unnest(p.polroles) as r(oid) order by 1)::text[] as roles,
  pg_get_expr(p.polqual, p.polrelid) as using, pg_get_expr(p.polwithcheck, p.polrelid) as with_check
from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[])
order by 1, 2, 3`;

const relKind = `case c.relkind when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW' when 'S' then 'SEQUENCE' when 'i' then 'INDEX' when 'f' then 'FOREIGN TABLE' else 'TABLE' end`;

// Tables' and table columns' comments are read with the tables (TableDef.comment, ColumnDef.comment).
export const COMMENTS_SQL = `
select object, text from (
  select case when t.typtype = 'd' then 'DOMAIN ' else 'TYPE ' end || ${q('n.nspname')} || '.' || ${q('t.typname')} as object, d.description as text
  from pg_description d join pg_type t on t.oid = d.objoid and d.classoid = 'pg_type'::regclass join pg_namespace n on n.oid = t.typnamespace
  where n.nspname = any($1::text[]) and ${notExtension('pg_type', 't.oid')}
  union all
  select case p.prokind when 'p' then 'PROCEDURE ' when 'a' then 'AGGREGATE ' else 'FUNCTION ' end || ${q('n.nspname')} || '.' || ${q('p.proname')}
    || '(' || pg_get_function_identity_arguments(p.oid) || ')', d.description
  from pg_description d join pg_proc p on p.oid = d.objoid and d.classoid = 'pg_proc'::regclass join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = any($1::text[]) and ${notExtension('pg_proc', 'p.oid')}
  union all
  select case when d.objsubid = 0 then ${relKind} || ' ' || ${q('n.nspname')} || '.' || ${q('c.relname')}
    else 'COLUMN ' || ${q('n.nspname')} || '.' || ${q('c.relname')} || '.' || ${q('a.attname')} end, d.description
  from pg_description d join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass join pg_namespace n on n.oid = c.relnamespace
  left join pg_attribute a on a.attrelid = c.oid and a.attnum = d.objsubid
  where n.nspname = any($1::text[]) and c.relkind in ('v', 'm', 'S', 'i') and ${notExtension('pg_class', 'c.oid')}
  union all
  select 'CONSTRAINT ' || ${q('k.conname')} || ' ON ' || case when k.contypid <> 0 then 'DOMAIN ' || ${q('tn.nspname')} || '.' || ${q('t.typname')}
    else ${q('n.nspname')} || '.' || ${q('c.relname')} end, d.description
  from pg_description d join pg_constraint k on k.oid = d.objoid and d.classoid = 'pg_constraint'::regclass
  left join pg_class c on c.oid = k.conrelid left join pg_namespace n on n.oid = c.relnamespace
  left join pg_type t on t.oid = k.contypid left join pg_namespace tn on tn.oid = t.typnamespace
  where coalesce(n.nspname, tn.nspname) = any($1::text[])
  union all
  select 'TRIGGER ' || ${q('g.tgname')} || ' ON ' || ${q('n.nspname')} || '.' || ${q('c.relname')}, d.description
  from pg_description d join pg_trigger g on g.oid = d.objoid and d.classoid = 'pg_trigger'::regclass
  join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1::text[]) and g.tgparentid = 0
  union all
  select 'POLICY ' || ${q('p.polname')} || ' ON ' || ${q('n.nspname')} || '.' || ${q('c.relname')}, d.description
  from pg_description d join pg_policy p on p.oid = d.objoid and d.classoid = 'pg_policy'::regclass
  join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1::text[])
  union all
  select 'RULE ' || ${q('r.rulename')} || ' ON ' || ${q('n.nspname')} || '.' || ${q('c.relname')}, d.description
  from pg_description d join pg_rewrite r on r.oid = d.objoid and d.classoid = 'pg_rewrite'::regclass
  join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1::text[]) and r.rulename <> '_RETURN'
  union all
  select 'SCHEMA ' || ${q('n.nspname')}, d.description
  from pg_description d join pg_namespace n on n.oid = d.objoid and d.classoid = 'pg_namespace'::regclass
  where n.nspname = any($1::text[]) and n.nspname <> 'public'
) x order by 1`;

// Every object that exists before the load, and the rules, triggers and policies added after it,
// named as COMMENT ON names them; a row type, an array type, a column default and a constraint
// stand for the object they belong to. Foreign keys are left out: they are added after the load,
// and their cycles must not order the tables.
export const DEPENDENCIES_SQL = `
with owners as (
  select 'pg_class'::regclass::oid as classid, c.oid as objid,
    case when c.relkind = 'c' then 'TYPE ' || ${q('n.nspname')} || '.' || ${q('rt.typname')} else ${relKind} || ' ' || ${q('n.nspname')} || '.' || ${q('c.relname')} end as key
  from pg_class c join pg_namespace n on n.oid = c.relnamespace left join pg_type rt on rt.oid = c.reltype
  where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'c')
  union all
  select 'pg_type'::regclass::oid, c.reltype,
    case when c.relkind = 'c' then 'TYPE ' || ${q('n.nspname')} || '.' || ${q('rt.typname')} else ${relKind} || ' ' || ${q('n.nspname')} || '.' || ${q('c.relname')} end
  from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_type rt on rt.oid = c.reltype
  where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'c')
  union all
  select 'pg_type'::regclass::oid, t.oid, case when t.typtype = 'd' then 'DOMAIN ' else 'TYPE ' end || ${q('n.nspname')} || '.' || ${q('t.typname')}
  from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = any($1::text[]) and t.typtype in ('e', 'd', 'r')
  union all
  select 'pg_type'::regclass::oid, r.rngmultitypid, 'TYPE ' || ${q('n.nspname')} || '.' || ${q('t.typname')}
  from pg_range r join pg_type t on t.oid = r.rngtypid join pg_namespace n on n.oid = t.typnamespace where n.nspname = any($1::text[])
  union all
  select 'pg_proc'::regclass::oid, p.oid, case p.prokind when 'p' then 'PROCEDURE ' when 'a' then 'AGGREGATE ' else 'FUNCTION ' end
    || ${q('n.nspname')} || '.' || ${q('p.proname')} || '(' || pg_get_function_identity_arguments(p.oid) || ')'
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1::text[])
  union all
  select 'pg_attrdef'::regclass::oid, d.oid, 'TABLE ' || ${q('n.nspname')} || '.' || ${q('c.relname')}
  from pg_attrdef d join pg_class c on c.oid = d.adrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1::text[])
  union all
  select 'pg_constraint'::regclass::oid, k.oid, 'TABLE ' || ${q('n.nspname')} || '.' || ${q('c.relname')}
  from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1::text[]) and k.contype <> 'f'
  union all
  select 'pg_constraint'::regclass::oid, k.oid, 'DOMAIN ' || ${q('n.nspname')} || '.' || ${q('t.typname')}
  from pg_constraint k join pg_type t on t.oid = k.contypid join pg_namespace n on n.oid = t.typnamespace where n.nspname = any($1::text[])
  union all
  select 'pg_rewrite'::regclass::oid, r.oid, ${relKind} || ' ' || ${q('n.nspname')} || '.' || ${q('c.relname')}
  from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1::text[]) and r.rulename = '_RETURN'
  union all
  -- After the load, but their functions and tables decide whether they can be created at all.
  select 'pg_rewrite'::regclass::oid, r.oid, 'RULE ' || ${q('r.rulename')} || ' ON ' || ${q('n.nspname')} || '.' || ${q('c.relname')}
  from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1::text[]) and r.rulename <> '_RETURN'
  union all
  select 'pg_trigger'::regclass::oid, g.oid, 'TRIGGER ' || ${q('g.tgname')} || ' ON ' || ${q('n.nspname')} || '.' || ${q('c.relname')}
  from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1::text[]) and not g.tgisinternal and g.tgparentid = 0
  union all
  select 'pg_policy'::regclass::oid, p.oid, 'POLICY ' || ${q('p.polname')} || ' ON ' || ${q('n.nspname')} || '.' || ${q('c.relname')}
  from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1::text[])
),
with_arrays as (
  select classid, objid, key from owners
  union all
  select 'pg_type'::regclass::oid, e.typarray, o.key from owners o join pg_type e on e.oid = o.objid
  where o.classid = 'pg_type'::regclass::oid and e.typarray <> 0
)
select o.key as object, array_agg(distinct r.key order by r.key)::text[] as depends_on
from pg_depend d
join with_arrays o on o.classid = d.classid and o.objid = d.objid
join with_arrays r on r.classid = d.refclassid and r.objid = d.refobjid
where d.deptype in ('n', 'a') and o.key <> r.key
group by o.key order by 1`;
