/**
 * The part of a database's shape that schema.prisma determines, in one comparable form. Both sides
 * (schema.prisma read by schema-reader.ts, a live database read by introspect.ts) produce it.
 */
interface ColumnShape {
  /** As pg's format_type prints it, e.g. `timestamp(3) with time zone`, `text[]`, `run_status`. */
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  /** `name(col,...)` */
  primaryKey: string;
  /** `name(col,...)`, sorted */
  uniques: string[];
  /** `name method(col,...)`, sorted */
  indexes: string[];
  /** `name(col,...) -> table(col,...) on delete X on update Y`, sorted */
  foreignKeys: string[];
}

export interface DbShape {
  tables: Record<string, TableShape>;
  /** enum type name → labels in declaration order */
  enums: Record<string, string[]>;
}
