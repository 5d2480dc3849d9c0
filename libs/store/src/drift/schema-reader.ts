import type { DbShape, TableShape } from './db-shape.js';

/**
 * Reads the subset of schema.prisma this project uses (models, enums, @id/@unique/@default/@map/@db/
 * @updatedAt/@relation, @@id/@@unique/@@index/@@map) into the database shape Prisma would create on
 * PostgreSQL. Anything outside the subset throws, so a new construct cannot slip past the drift test.
 */
export function readPrismaSchema(source: string): DbShape {
  const blocks = parseBlocks(stripComments(source));
  const enums = new Map<string, { dbName: string; values: string[] }>();
  for (const b of blocks.filter((b) => b.kind === 'enum')) enums.set(b.name, readEnum(b));
  const models = blocks.filter((b) => b.kind === 'model').map((b) => readModel(b));
  const tableOf = new Map(models.map((m) => [m.name, m]));
  const shape: DbShape = { tables: {}, enums: {} };
  for (const e of enums.values()) shape.enums[e.dbName] = e.values;
  for (const m of models) shape.tables[m.dbName] = toTable(m, tableOf, enums);
  return shape;
}

interface Block {
  kind: string;
  name: string;
  lines: string[];
}

interface Field {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  attrs: Attr[];
}

interface Attr {
  name: string;
  args: string;
}

interface Model {
  name: string;
  dbName: string;
  fields: Field[];
  blockAttrs: Attr[];
}

function stripComments(source: string): string {
  return source
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trimEnd())
    .join('\n');
}

function parseBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  const re = /^(\w+)\s+(\w+)\s*\{([\s\S]*?)^\}/gm;
  for (const m of source.matchAll(re)) {
    blocks.push({
      kind: m[1]!,
      name: m[2]!,
      lines: m[3]!
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    });
  }
  return blocks;
}

/** `@name(args) @other` → attributes, respecting nested parentheses and strings. */
function parseAttrs(text: string): Attr[] {
  const attrs: Attr[] = [];
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('@', i);
    if (at < 0) break;
    const nameMatch = /^@@?[\w.]+/.exec(text.slice(at))!;
    const name = nameMatch[0];
    i = at + name.length;
    let args = '';
    if (text[i] === '(') {
      let depth = 0;
      let inString = false;
      const start = i;
      for (; i < text.length; i++) {
        const c = text[i];
        if (c === '"' && text[i - 1] !== '\\') inString = !inString;
        if (inString) continue;
        if (c === '(') depth++;
        if (c === ')' && --depth === 0) break;
      }
      args = text.slice(start + 1, i);
      i++;
    }
    attrs.push({ name, args });
  }
  return attrs;
}

function readEnum(b: Block): { dbName: string; values: string[] } {
  let dbName = b.name;
  const values: string[] = [];
  for (const line of b.lines) {
    if (line.startsWith('@@map')) dbName = stringArg(parseAttrs(line)[0]!.args);
    else if (line.startsWith('@@')) throw new Error(`enum ${b.name}: unsupported ${line}`);
    else {
      const [value, ...rest] = line.split(/\s+/);
      const map = parseAttrs(rest.join(' ')).find((a) => a.name === '@map');
      values.push(map ? stringArg(map.args) : value!);
    }
  }
  return { dbName, values };
}

function readModel(b: Block): Model {
  const fields: Field[] = [];
  const blockAttrs: Attr[] = [];
  for (const line of b.lines) {
    if (line.startsWith('@@')) {
      blockAttrs.push(...parseAttrs(line));
      continue;
    }
    const m = /^(\w+)\s+(\w+(?:\("[^"]*"\))?)(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!m) throw new Error(`model ${b.name}: cannot read "${line}"`);
    const attrs = parseAttrs(m[5]!);
    const map = attrs.find((a) => a.name === '@map');
    fields.push({
      name: m[1]!,
      column: map ? stringArg(map.args) : m[1]!,
      type: m[2]!,
      list: Boolean(m[3]),
      optional: Boolean(m[4]),
      attrs,
    });
  }
  const map = blockAttrs.find((a) => a.name === '@@map');
  return { name: b.name, dbName: map ? stringArg(map.args) : b.name, fields, blockAttrs };
}

const SCALARS: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** Native type attributes this schema uses, as format_type prints them. */
function nativeType(attr: Attr): string {
  const type = attr.name.slice('@db.'.length);
  const arg = attr.args.trim();
  switch (type) {
    case 'Uuid':
      return 'uuid';
    case 'Text':
      return 'text';
    case 'VarChar':
      return arg ? `character varying(${arg})` : 'character varying';
    case 'Timestamptz':
      return `timestamp(${arg || '6'}) with time zone`;
    case 'Timestamp':
      return `timestamp(${arg || '6'}) without time zone`;
    case 'Inet':
      return 'inet';
    case 'SmallInt':
      return 'smallint';
    default:
      throw new Error(`unsupported native type @db.${type}; teach drift/schema-reader.ts`);
  }
}

const CLIENT_SIDE_DEFAULTS = /^(uuid|cuid|nanoid|ulid)\(/;

function toTable(
  m: Model,
  models: Map<string, Model>,
  enums: Map<string, { dbName: string; values: string[] }>,
): TableShape {
  const table: TableShape = { columns: {}, primaryKey: '', uniques: [], indexes: [], foreignKeys: [] };
  const columnOf = (model: Model, field: string) => {
    const f = model.fields.find((x) => x.name === field);
    if (!f) throw new Error(`model ${model.name} has no field ${field}`);
    return f.column;
  };
  const cols = (model: Model, list: string) => fieldList(list).map((f) => columnOf(model, f));
  for (const f of m.fields) {
    const relation = f.attrs.find((a) => a.name === '@relation');
    if (models.has(f.type)) {
      if (relation && /fields:/.test(relation.args))
        table.foreignKeys.push(foreignKey(m, f, relation, models, cols));
      continue;
    }
    const native = f.attrs.find((a) => a.name.startsWith('@db.'));
    const enumDef = enums.get(f.type);
    const unsupported = /^Unsupported\("([^"]*)"\)$/.exec(f.type)?.[1];
    const base = unsupported ?? (native ? nativeType(native) : enumDef ? enumDef.dbName : SCALARS[f.type]);
    if (!base) throw new Error(`model ${m.name}.${f.name}: unknown type ${f.type}`);
    const dflt = f.attrs.find((a) => a.name === '@default');
    table.columns[f.column] = {
      type: f.list ? `${base}[]` : base,
      // Prisma creates scalar lists without NOT NULL.
      nullable: f.optional || f.list,
      hasDefault: Boolean(dflt && !CLIENT_SIDE_DEFAULTS.test(dflt.args.trim())),
    };
    if (f.attrs.some((a) => a.name === '@id')) table.primaryKey = `${m.dbName}_pkey(${f.column})`;
    if (f.attrs.some((a) => a.name === '@unique'))
      table.uniques.push(`${m.dbName}_${f.column}_key(${f.column})`);
  }
  for (const a of m.blockAttrs) {
    if (a.name === '@@map') continue;
    const list = /\[([^\]]*)\]/.exec(a.args)?.[1] ?? '';
    const c = cols(m, list);
    if (a.name === '@@id') table.primaryKey = `${m.dbName}_pkey(${c.join(',')})`;
    else if (a.name === '@@unique') table.uniques.push(`${m.dbName}_${c.join('_')}_key(${c.join(',')})`);
    else if (a.name === '@@index') {
      const method = (/type:\s*(\w+)/.exec(a.args)?.[1] ?? 'BTree').toLowerCase();
      table.indexes.push(`${m.dbName}_${c.join('_')}_idx ${method}(${c.join(',')})`);
    } else throw new Error(`model ${m.name}: unsupported ${a.name}`);
  }
  table.uniques.sort();
  table.indexes.sort();
  table.foreignKeys.sort();
  return table;
}

function foreignKey(
  m: Model,
  f: Field,
  relation: Attr,
  models: Map<string, Model>,
  cols: (model: Model, list: string) => string[],
): string {
  const target = models.get(f.type)!;
  const from = cols(m, /fields:\s*\[([^\]]*)\]/.exec(relation.args)![1]!);
  const to = cols(target, /references:\s*\[([^\]]*)\]/.exec(relation.args)![1]!);
  // Prisma's defaults: SetNull for optional relations, Restrict for required ones; updates cascade.
  const onDelete = /onDelete:\s*(\w+)/.exec(relation.args)?.[1] ?? (f.optional ? 'SetNull' : 'Restrict');
  const onUpdate = /onUpdate:\s*(\w+)/.exec(relation.args)?.[1] ?? 'Cascade';
  return `${m.dbName}_${from.join('_')}_fkey(${from.join(',')}) -> ${target.dbName}(${to.join(',')}) on delete ${action(onDelete)} on update ${action(onUpdate)}`;
}

function action(prisma: string): string {
  const map: Record<string, string> = {
    Cascade: 'cascade',
    Restrict: 'restrict',
    NoAction: 'no action',
    SetNull: 'set null',
    SetDefault: 'set default',
  };
  const a = map[prisma];
  if (!a) throw new Error(`unknown referential action ${prisma}`);
  return a;
}

function fieldList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim().replace(/\(.*\)$/, ''))
    .filter(Boolean);
}

function stringArg(args: string): string {
  const m = /"([^"]*)"/.exec(args);
  if (!m) throw new Error(`expected a string argument in (${args})`);
  return m[1]!;
}
