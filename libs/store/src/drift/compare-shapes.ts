import type { DbShape } from './db-shape.js';

/**
 * Every difference between what schema.prisma declares and what the database has, one line each;
 * empty means they agree.
 */
export function compareShapes(expected: DbShape, actual: DbShape): string[] {
  const diffs: string[] = [];
  setDiff('table', Object.keys(expected.tables), Object.keys(actual.tables), diffs);
  for (const [name, want] of Object.entries(expected.tables)) {
    const have = actual.tables[name];
    if (!have) continue;
    setDiff(`column ${name}.`, Object.keys(want.columns), Object.keys(have.columns), diffs, '');
    for (const [col, w] of Object.entries(want.columns)) {
      const h = have.columns[col];
      if (!h) continue;
      if (w.type !== h.type)
        diffs.push(`column ${name}.${col}: type ${w.type} in schema.prisma, ${h.type} in the database`);
      if (w.nullable !== h.nullable) {
        diffs.push(
          `column ${name}.${col}: ${w.nullable ? 'nullable' : 'NOT NULL'} in schema.prisma, ${h.nullable ? 'nullable' : 'NOT NULL'} in the database`,
        );
      }
      if (w.hasDefault !== h.hasDefault) {
        diffs.push(
          `column ${name}.${col}: ${w.hasDefault ? 'has' : 'no'} default in schema.prisma, ${h.hasDefault ? 'has' : 'no'} default in the database`,
        );
      }
    }
    if (want.primaryKey !== have.primaryKey)
      diffs.push(
        `table ${name}: primary key ${want.primaryKey} in schema.prisma, ${have.primaryKey || 'none'} in the database`,
      );
    setDiff(`unique on ${name}:`, want.uniques, have.uniques, diffs);
    setDiff(`index on ${name}:`, want.indexes, have.indexes, diffs);
    setDiff(`foreign key on ${name}:`, want.foreignKeys, have.foreignKeys, diffs);
  }
  setDiff('enum', Object.keys(expected.enums), Object.keys(actual.enums), diffs);
  for (const [name, values] of Object.entries(expected.enums)) {
    const have = actual.enums[name];
    if (have && have.join(',') !== values.join(',')) {
      diffs.push(
        `enum ${name}: (${values.join(', ')}) in schema.prisma, (${have.join(', ')}) in the database`,
      );
    }
  }
  return diffs;
}

function setDiff(what: string, want: string[], have: string[], diffs: string[], sep = ' '): void {
  for (const w of want)
    if (!have.includes(w)) diffs.push(`${what}${sep}${w}: in schema.prisma, missing in the database`);
  for (const h of have)
    if (!want.includes(h)) diffs.push(`${what}${sep}${h}: in the database, not in schema.prisma`);
}
