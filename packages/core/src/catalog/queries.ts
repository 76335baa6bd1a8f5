// pg_catalog queries behind `readCatalog`. Each takes the schema names as $1 (text[]).
// They read pg_catalog directly (not information_schema): it shows every table regardless of
// privileges on its columns and gives partitions, identity and generated columns exactly.

export const SCHEMAS_SQL = `
select nspname as name from pg_namespace where nspname = any($1::text[])`;

export const TABLES_SQL = `
select c.oid::int8::text as oid, n.nspname as schema, c.relname as name, c.relkind as kind,
  c.relispartition as is_partition, c.relhassubclass as has_children,
  case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end as partition_bound,
  case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
  (select pn.nspname || '.' || pc.relname from pg_inherits i join pg_class pc on pc.oid = i.inhparent
     join pg_namespace pn on pn.oid = pc.relnamespace where i.inhrelid = c.oid order by i.inhseqno limit 1) as parent,
  case when c.reltuples < 0 then null else c.reltuples::int8 end as row_estimate,
  obj_description(c.oid, 'pg_class') as comment, c.relrowsecurity as row_security, c.relforcerowsecurity as force_row_security
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'f')
order by n.nspname, c.relname`;

export const COLUMNS_SQL = `
select n.nspname as schema, c.relname as table, a.attname as name,
  row_number() over (partition by c.oid order by a.attnum)::int as position,
  format_type(a.atttypid, a.atttypmod) as data_type,
  tn.nspname as type_schema, t.typname as type_name, t.typtype as typtype, t.typcategory as typcategory,
  case when t.typcategory = 'A' then format_type(t.typelem, null) end as element_type,
  not a.attnotnull as nullable,
  case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end as default,
  case when a.attgenerated <> '' then pg_get_expr(d.adbin, d.adrelid) end as generated,
  a.attidentity as identity, a.atttypmod as typmod,
  coalesce(bt.typname, t.typname) as base_type_name,
  case when t.typtype = 'd' then t.typtypmod else a.atttypmod end as base_typmod,
  coalesce(
    (select sn.nspname || '.' || s.relname from pg_depend dep join pg_class s on s.oid = dep.objid and s.relkind = 'S'
       join pg_namespace sn on sn.oid = s.relnamespace
     where dep.refobjid = c.oid and dep.refobjsubid = a.attnum and dep.classid = 'pg_class'::regclass
       and dep.deptype in ('a', 'i') limit 1),
    -- Not owned: the sequence the default depends on (nextval('…'::regclass)). Read from pg_depend,
    -- not from the default's text, which names the sequence relative to the session's search_path.
    (select sn.nspname || '.' || s.relname from pg_depend dep join pg_class s on s.oid = dep.refobjid and s.relkind = 'S'
       join pg_namespace sn on sn.oid = s.relnamespace
     where dep.classid = 'pg_attrdef'::regclass and dep.objid = d.oid and dep.refclassid = 'pg_class'::regclass
     order by s.oid limit 1)) as owned_sequence,
  col_description(c.oid, a.attnum) as comment
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_type t on t.oid = a.atttypid
join pg_namespace tn on tn.oid = t.typnamespace
left join pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'f') and a.attnum > 0 and not a.attisdropped
order by n.nspname, c.relname, a.attnum`;

// A foreign key with conparentid <> 0 is a clone made for a partition (of the referencing or the
// referenced table): the parent's row already describes it.
export const CONSTRAINTS_SQL = `
select n.nspname as schema, c.relname as table, k.conname as name, k.contype as type,
  array(select a.attname from unnest(k.conkey) with ordinality x(attnum, i)
        join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.attnum order by x.i)::text[] as columns,
  fn.nspname as ref_schema, fc.relname as ref_table,
  array(select a.attname from unnest(k.confkey) with ordinality x(attnum, i)
        join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.attnum order by x.i)::text[] as ref_columns,
  k.confupdtype as on_update, k.confdeltype as on_delete, k.confmatchtype as match_type,
  k.condeferrable as deferrable, k.condeferred as deferred, k.convalidated as validated,
  k.conislocal as is_local, k.connoinherit as no_inherit,
  case when k.contype = 'c' then pg_get_expr(k.conbin, k.conrelid) end as check_expression,
  pg_get_constraintdef(k.oid) as definition,
  coalesce((select i.indnullsnotdistinct from pg_index i where i.indexrelid = k.conindid), false) as nulls_not_distinct
from pg_constraint k
join pg_class c on c.oid = k.conrelid
join pg_namespace n on n.oid = c.relnamespace
left join pg_class fc on fc.oid = k.confrelid
left join pg_namespace fn on fn.oid = fc.relnamespace
where n.nspname = any($1::text[]) and k.contype in ('p', 'u', 'f', 'c', 'x') and (k.contype <> 'f' or k.conparentid = 0)
order by n.nspname, c.relname, k.conname`;

const indexesSql = (relkinds: string) => `
select n.nspname as schema, c.relname as table, ic.relname as name, i.indisunique as unique, i.indisprimary as primary,
  am.amname as method, pg_get_indexdef(i.indexrelid) as definition,
  array(select case when x.attnum = 0 then pg_get_indexdef(i.indexrelid, x.i::int, true) else a.attname end
        from unnest(i.indkey::int2[]) with ordinality x(attnum, i)
        left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = x.attnum
        where x.i <= i.indnkeyatts order by x.i)::text[] as columns,
  (select k.conname from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = i.indrelid
     and k.contype in ('p', 'u', 'x') limit 1) as constraint
from pg_index i
join pg_class c on c.oid = i.indrelid
join pg_class ic on ic.oid = i.indexrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_am am on am.oid = ic.relam
where n.nspname = any($1::text[]) and c.relkind in (${relkinds})
order by n.nspname, c.relname, ic.relname`;

export const INDEXES_SQL = indexesSql(`'r', 'p'`);

/** The indexes of materialized views. */
export const MATVIEW_INDEXES_SQL = indexesSql(`'m'`);

// Types used by the tables' columns, wherever they live (an enum in another schema still matters).
export const ENUMS_SQL = `
select n.nspname as schema, t.typname as name, array_agg(e.enumlabel order by e.enumsortorder)::text[] as labels
from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
where n.nspname = any($1::text[]) or t.oid in (
  select coalesce(nullif(ty.typelem, 0), ty.oid) from pg_attribute a join pg_class c on c.oid = a.attrelid
  join pg_namespace cn on cn.oid = c.relnamespace join pg_type ty on ty.oid = a.atttypid
  where cn.nspname = any($1::text[]) and a.attnum > 0)
group by n.nspname, t.typname order by 1, 2`;

export const DOMAINS_SQL = `
select n.nspname as schema, t.typname as name, format_type(t.typbasetype, t.typtypmod) as base_type,
  not t.typnotnull as nullable, t.typdefault as default,
  coalesce((select json_agg(json_build_object('name', k.conname, 'expression', pg_get_expr(k.conbin, 0)) order by k.conname)
            from pg_constraint k where k.contypid = t.oid and k.contype = 'c'), '[]'::json) as checks
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where t.typtype = 'd' and (n.nspname = any($1::text[]) or t.oid in (
  select coalesce(nullif(ty.typelem, 0), ty.oid) from pg_attribute a join pg_class c on c.oid = a.attrelid
  join pg_namespace cn on cn.oid = c.relnamespace join pg_type ty on ty.oid = a.atttypid
  where cn.nspname = any($1::text[]) and a.attnum > 0))
order by 1, 2`;

export const SEQUENCES_SQL = `
select n.nspname as schema, c.relname as name, format_type(s.seqtypid, null) as data_type,
  s.seqstart::text as start, s.seqincrement::text as increment, s.seqmin::text as min, s.seqmax::text as max,
  s.seqcycle as cycle,
  (select tn.nspname || '.' || tc.relname || '.' || a.attname from pg_depend d
     join pg_class tc on tc.oid = d.refobjid join pg_namespace tn on tn.oid = tc.relnamespace
     join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
   where d.objid = c.oid and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
     and d.deptype in ('a', 'i') limit 1) as owned_by,
  case when has_sequence_privilege(c.oid, 'SELECT') then pg_sequence_last_value(c.oid)::text end as last_value
from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[])
order by 1, 2`;

export const EXTENSIONS_SQL = `
select e.extname as name, n.nspname as schema, e.extversion as version
from pg_extension e join pg_namespace n on n.oid = e.extnamespace
where e.extname <> 'plpgsql'
order by e.extname`;
