import type { SqlConnection } from '../client/sql-connection.js';
import type { DbShape, TableShape } from './db-shape.js';

const ACTIONS: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

/** The migrated database's shape from pg_catalog (same queries on Postgres and PGlite). */
export async function introspectDatabase(conn: SqlConnection, schema = 'public'): Promise<DbShape> {
  const shape: DbShape = { tables: {}, enums: {} };
  const table = (name: string): TableShape =>
    (shape.tables[name] ??= { columns: {}, primaryKey: '', uniques: [], indexes: [], foreignKeys: [] });

  const columns = await conn.query<{
    tbl: string;
    col: string;
    type: string;
    notnull: boolean;
    hasdef: boolean;
  }>(
    `SELECT c.relname AS tbl, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, a.atthasdef AS hasdef
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations' AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  for (const c of columns.rows) {
    table(c.tbl).columns[c.col] = {
      type: c.type.replace(/"/g, ''),
      nullable: !c.notnull,
      hasDefault: c.hasdef,
    };
  }

  const indexes = await conn.query<{
    tbl: string;
    idx: string;
    uniq: boolean;
    pk: boolean;
    method: string;
    cols: string[];
  }>(
    `SELECT t.relname AS tbl, i.relname AS idx, ix.indisunique AS uniq, ix.indisprimary AS pk, am.amname AS method,
            (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname <> '_prisma_migrations' AND NOT t.relispartition`,
    [schema],
  );
  for (const ix of indexes.rows) {
    const t = table(ix.tbl);
    const cols = ix.cols.join(',');
    if (ix.pk) t.primaryKey = `${ix.idx}(${cols})`;
    else if (ix.uniq) t.uniques.push(`${ix.idx}(${cols})`);
    else t.indexes.push(`${ix.idx} ${ix.method}(${cols})`);
  }

  const fks = await conn.query<{
    tbl: string;
    name: string;
    ref: string;
    del: string;
    upd: string;
    cols: string[];
    refcols: string[];
  }>(
    `SELECT t.relname AS tbl, con.conname AS name, r.relname AS ref, con.confdeltype AS del, con.confupdtype AS upd,
            (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols,
            (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum) AS refcols
       FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND con.contype = 'f' AND NOT t.relispartition`,
    [schema],
  );
  for (const fk of fks.rows) {
    table(fk.tbl).foreignKeys.push(
      `${fk.name}(${fk.cols.join(',')}) -> ${fk.ref}(${fk.refcols.join(',')}) on delete ${ACTIONS[fk.del]} on update ${ACTIONS[fk.upd]}`,
    );
  }

  const enums = await conn.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, json_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 GROUP BY t.typname`,
    [schema],
  );
  for (const e of enums.rows) shape.enums[e.name] = e.labels;

  for (const t of Object.values(shape.tables)) {
    t.uniques.sort();
    t.indexes.sort();
    t.foreignKeys.sort();
  }
  return shape;
}
