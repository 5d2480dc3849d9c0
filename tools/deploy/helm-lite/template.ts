/**
 * helm-lite: a faithful renderer for the small subset of Go text/template + Sprig that helm/fleetqry uses,
 * so the chart can be rendered and checked on machines without a Helm binary.
 *
 * Supported (with Go/Helm semantics):
 *   text, {{/* comments *\/}}, trim markers `{{- ` and ` -}}`
 *   {{ pipeline }}, {{ if }} / {{ else if }} / {{ else }} / {{ end }}, {{ range pipeline }} ({{ else }}),
 *   {{ define "name" }} … {{ end }} at the top level of a file
 *   operands: `.`, `.A.B`, `$`, `$.A.B`, "strings", integers, true/false, ( pipeline )
 *   functions: include, quote, default, required, b64enc, toYaml, nindent, indent, not, and, or, eq, gt,
 *              fail, join
 * Everything else (with, template, block, variables other than `$`, := / =, printf, tpl, lookup, .Files,
 * .Capabilities, .Template, other functions, raw strings, method calls with arguments, printing a map or a
 * list directly) is an error, so a chart change that leaves the subset fails loudly instead of rendering
 * something Helm would not.
 *
 * Values follow Helm's model: numbers are float64 (printed with Go's %v, so 1000000 prints as 1e+06),
 * a missing map key or nil prints as "" (Helm strips "<no value>"), a field of nil is an error.
 */
import { Document, parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

// ------------------------------------------------------------------------------------------ values

/** Objects whose unknown fields are errors (Go structs: .Release, .Chart, the top-level context). */
const STRICT = new WeakSet<object>();
export function strictObject<T extends object>(o: T): T {
  STRICT.add(o);
  return o;
}

type Value = unknown;

function isMap(v: Value): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: Value): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  return typeof v;
}

/** Go template truth: false, 0, nil, "" and empty collections are false. */
export function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64) as used by fmt's %v for float64. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mant, expText] = Math.abs(n).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  const sign = n < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const frac = digits.slice(1);
    const e = Math.abs(exp);
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}${fracPart ? `.${fracPart}` : ''}`;
}

/** fmt's %v for the scalar values a chart prints; collections are refused (Go would print map[…]). */
function printValue(v: Value, where: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new TemplateError(`${where}: printing a ${typeName(v)} directly is not supported (use toYaml)`);
}

/** Go's %q for a string: JSON escaping agrees with it for everything a chart holds. */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f]/g, '\\x7f');
}

function sprigEmpty(v: Value): boolean {
  return !truthy(v);
}

/** sigs.k8s.io/yaml Marshal (sorted keys, block style, YAML 1.1 quoting) with Helm's trailing-newline trim. */
export function toYaml(v: Value): string {
  if (v === undefined) v = null;
  const doc = new Document(v, { version: '1.1', sortMapEntries: true });
  const text = doc.toString({ indentSeq: false, lineWidth: 0, nullStr: 'null' });
  return text.replace(/\n$/, '');
}

function indent(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return pad + s.replace(/\n/g, `\n${pad}`);
}

// ------------------------------------------------------------------------------------------ lexing

type Tok =
  | { t: 'dot' }
  | { t: 'field'; root: '.' | '$'; path: string[] }
  | { t: 'ident'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'pipe' }
  | { t: 'lp' }
  | { t: 'rp' };

function lexAction(src: string, where: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '|') {
      toks.push({ t: 'pipe' });
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      toks.push({ t: c === '(' ? 'lp' : 'rp' });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= src.length) throw new TemplateError(`${where}: unterminated string`);
        const d = src[j]!;
        if (d === '"') break;
        if (d === '\\') {
          const e = src[j + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\' };
          if (e === undefined || !(e in map))
            throw new TemplateError(`${where}: unsupported string escape \\${e ?? ''}`);
          out += map[e];
          j += 2;
          continue;
        }
        out += d;
        j++;
      }
      toks.push({ t: 'str', v: out });
      i = j + 1;
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const m = /-?[0-9]+(?![0-9A-Za-z_.])/y;
      m.lastIndex = i;
      const r = m.exec(src);
      if (!r)
        throw new TemplateError(
          `${where}: unsupported number syntax near ${JSON.stringify(src.slice(i, i + 12))}`,
        );
      toks.push({ t: 'num', v: Number(r[0]) });
      i += r[0].length;
      continue;
    }
    if (c === '.' || c === '$') {
      let j = i + 1;
      const path: string[] = [];
      if (c === '$') {
        ident.lastIndex = j;
        if (ident.exec(src)) throw new TemplateError(`${where}: variables other than $ are not supported`);
      }
      if (c === '.' && (j >= src.length || !/[A-Za-z_]/.test(src[j]!))) {
        if (j < src.length && !/[\s|)]/.test(src[j]!)) {
          throw new TemplateError(
            `${where}: unsupported syntax near ${JSON.stringify(src.slice(i, i + 12))}`,
          );
        }
        toks.push({ t: 'dot' });
        i = j;
        continue;
      }
      if (c === '$' && src[j] !== '.') {
        if (j < src.length && !/[\s|)]/.test(src[j]!)) {
          throw new TemplateError(
            `${where}: unsupported syntax near ${JSON.stringify(src.slice(i, i + 12))}`,
          );
        }
        toks.push({ t: 'field', root: '$', path });
        i = j;
        continue;
      }
      if (c === '$') j++; // the dot after $
      for (;;) {
        ident.lastIndex = j;
        const r = ident.exec(src);
        if (!r)
          throw new TemplateError(`${where}: bad field name near ${JSON.stringify(src.slice(i, i + 16))}`);
        path.push(r[0]);
        j += r[0].length;
        if (src[j] === '.') {
          j++;
          continue;
        }
        break;
      }
      if (j < src.length && !/[\s|)]/.test(src[j]!)) {
        throw new TemplateError(`${where}: unsupported syntax near ${JSON.stringify(src.slice(i, j + 4))}`);
      }
      toks.push({ t: 'field', root: c, path });
      i = j;
      continue;
    }
    ident.lastIndex = i;
    const r = ident.exec(src);
    if (r) {
      const after = src[i + r[0].length];
      if (after !== undefined && !/[\s|()]/.test(after)) {
        throw new TemplateError(
          `${where}: unsupported syntax near ${JSON.stringify(src.slice(i, i + r[0].length + 4))}`,
        );
      }
      if (r[0] === 'true' || r[0] === 'false') toks.push({ t: 'bool', v: r[0] === 'true' });
      else toks.push({ t: 'ident', v: r[0] });
      i += r[0].length;
      continue;
    }
    throw new TemplateError(`${where}: unsupported syntax near ${JSON.stringify(src.slice(i, i + 12))}`);
  }
  return toks;
}

// ------------------------------------------------------------------------------------------ parsing

type Operand =
  | { k: 'dot' }
  | { k: 'field'; root: '.' | '$'; path: string[] }
  | { k: 'lit'; v: Value }
  | { k: 'sub'; p: Pipeline };
interface Command {
  fn?: string;
  args: Operand[];
}
type Pipeline = { cmds: Command[]; where: string };

type Node =
  | { n: 'text'; v: string }
  | { n: 'out'; p: Pipeline }
  | { n: 'if'; branches: { cond: Pipeline; body: Node[] }[]; otherwise: Node[] }
  | { n: 'range'; p: Pipeline; body: Node[]; otherwise: Node[] };

const FUNCTIONS = new Set([
  'include',
  'quote',
  'default',
  'required',
  'b64enc',
  'toYaml',
  'nindent',
  'indent',
  'not',
  'and',
  'or',
  'eq',
  'gt',
  'fail',
  'join',
]);
const UNSUPPORTED_KEYWORDS = new Set(['with', 'template', 'block', 'break', 'continue', 'nil']);

function parsePipeline(toks: Tok[], where: string): Pipeline {
  let pos = 0;
  const pipeline = (): Pipeline => {
    const cmds: Command[] = [];
    for (;;) {
      const args: Operand[] = [];
      let fn: string | undefined;
      while (pos < toks.length && toks[pos]!.t !== 'pipe' && toks[pos]!.t !== 'rp') {
        const tk = toks[pos++]!;
        switch (tk.t) {
          case 'dot':
            args.push({ k: 'dot' });
            break;
          case 'field':
            args.push({ k: 'field', root: tk.root, path: tk.path });
            break;
          case 'str':
          case 'num':
          case 'bool':
            args.push({ k: 'lit', v: tk.v });
            break;
          case 'lp': {
            const p = pipeline();
            if (toks[pos]?.t !== 'rp') throw new TemplateError(`${where}: unclosed (`);
            pos++;
            args.push({ k: 'sub', p });
            break;
          }
          case 'ident':
            if (args.length > 0 || fn !== undefined) {
              throw new TemplateError(`${where}: function ${tk.v} must start a command (use parentheses)`);
            }
            if (UNSUPPORTED_KEYWORDS.has(tk.v))
              throw new TemplateError(`${where}: "${tk.v}" is not supported`);
            if (!FUNCTIONS.has(tk.v))
              throw new TemplateError(`${where}: function "${tk.v}" is not supported`);
            fn = tk.v;
            break;
          default:
            throw new TemplateError(`${where}: unexpected token`);
        }
      }
      if (fn === undefined && args.length === 0) throw new TemplateError(`${where}: empty command`);
      if (fn === undefined && args.length > 1) {
        throw new TemplateError(`${where}: a value followed by arguments (method call) is not supported`);
      }
      if (fn === undefined && cmds.length > 0) {
        throw new TemplateError(`${where}: a non-function after | is not supported`);
      }
      cmds.push(fn === undefined ? { args } : { fn, args });
      if (pos < toks.length && toks[pos]!.t === 'pipe') {
        pos++;
        continue;
      }
      return { cmds, where };
    }
  };
  const p = pipeline();
  if (pos !== toks.length) throw new TemplateError(`${where}: unexpected )`);
  return p;
}

interface RawPiece {
  kind: 'text' | 'action';
  v: string;
  line: number;
}

function splitPieces(src: string, file: string): RawPiece[] {
  const pieces: RawPiece[] = [];
  let i = 0;
  let line = 1;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open === -1 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open === -1) {
      pieces.push({ kind: 'text', v: text, line });
      break;
    }
    let inner = src.slice(open + 2);
    let leftTrim = false;
    if (/^-[ \t\r\n]/.test(inner)) {
      leftTrim = true;
      inner = inner.slice(1);
    } else if (inner.startsWith('-')) {
      throw new TemplateError(`${file}:${line}: "{{-" must be followed by a space`);
    }
    if (leftTrim) text = text.replace(/[ \t\r\n]+$/, '');
    pieces.push({ kind: 'text', v: text, line });
    line += (src.slice(i, open).match(/\n/g) ?? []).length;
    const actionStart = open + 2 + (leftTrim ? 1 : 0);
    let close: number;
    const trimmedStart = src.slice(actionStart).replace(/^\s+/, '');
    if (trimmedStart.startsWith('/*')) {
      const endComment = src.indexOf('*/', actionStart);
      if (endComment === -1) throw new TemplateError(`${file}:${line}: unterminated comment`);
      close = src.indexOf('}}', endComment);
      const between = src.slice(endComment + 2, close);
      if (!/^\s*-?\s*$/.test(between)) throw new TemplateError(`${file}:${line}: text after a comment`);
    } else {
      close = src.indexOf('}}', actionStart);
      // a "}}" inside a string literal is not supported (Go allows it; the chart does not need it)
    }
    if (close === -1) throw new TemplateError(`${file}:${line}: unclosed action`);
    let body = src.slice(actionStart, close);
    trimNext = false;
    if (/[ \t\r\n]-$/.test(body)) {
      trimNext = true;
      body = body.slice(0, -1);
    } else if (body.endsWith('-') && !/^\s*\/\*/.test(body)) {
      throw new TemplateError(`${file}:${line}: "-}}" must be preceded by a space`);
    }
    pieces.push({ kind: 'action', v: body.trim(), line });
    line += (src.slice(open, close).match(/\n/g) ?? []).length;
    i = close + 2;
  }
  return pieces;
}

export interface ParsedFile {
  body: Node[];
  defines: Map<string, Node[]>;
}

export function parseTemplate(src: string, file: string): ParsedFile {
  const pieces = splitPieces(src, file);
  const defines = new Map<string, Node[]>();
  let pos = 0;
  type Stop = { word: 'end' | 'else'; rest: string; where: string } | null;

  const parseList = (inBlock: boolean): { nodes: Node[]; stop: Stop } => {
    const nodes: Node[] = [];
    while (pos < pieces.length) {
      const p = pieces[pos++]!;
      const where = `${file}:${p.line}`;
      if (p.kind === 'text') {
        if (p.v) nodes.push({ n: 'text', v: p.v });
        continue;
      }
      const a = p.v;
      if (a.startsWith('/*')) continue;
      const kw = /^([a-z]+)\b\s*([\s\S]*)$/.exec(a);
      const word = kw?.[1];
      const rest = kw?.[2] ?? '';
      if (word === 'end' || word === 'else') {
        if (!inBlock) throw new TemplateError(`${where}: unexpected {{${word}}}`);
        if (word === 'end' && rest) throw new TemplateError(`${where}: unexpected text after end`);
        return { nodes, stop: { word, rest, where } };
      }
      if (word === 'if') {
        const branches: { cond: Pipeline; body: Node[] }[] = [];
        let cond = parsePipeline(lexAction(rest, where), where);
        let otherwise: Node[] = [];
        for (;;) {
          const { nodes: body, stop } = parseList(true);
          if (!stop) throw new TemplateError(`${where}: if without end`);
          branches.push({ cond, body });
          if (stop.word === 'end') break;
          const elseIf = /^if\b\s*([\s\S]*)$/.exec(stop.rest);
          if (elseIf) {
            cond = parsePipeline(lexAction(elseIf[1]!, stop.where), stop.where);
            continue;
          }
          if (stop.rest) throw new TemplateError(`${stop.where}: unsupported else form "else ${stop.rest}"`);
          const last = parseList(true);
          if (!last.stop || last.stop.word !== 'end')
            throw new TemplateError(`${where}: if/else without end`);
          otherwise = last.nodes;
          break;
        }
        nodes.push({ n: 'if', branches, otherwise });
        continue;
      }
      if (word === 'range') {
        if (/:=|=/.test(rest)) throw new TemplateError(`${where}: range variables are not supported`);
        const pl = parsePipeline(lexAction(rest, where), where);
        const first = parseList(true);
        if (!first.stop) throw new TemplateError(`${where}: range without end`);
        let otherwise: Node[] = [];
        if (first.stop.word === 'else') {
          if (first.stop.rest) throw new TemplateError(`${first.stop.where}: unsupported else form`);
          const last = parseList(true);
          if (!last.stop || last.stop.word !== 'end')
            throw new TemplateError(`${where}: range/else without end`);
          otherwise = last.nodes;
        }
        nodes.push({ n: 'range', p: pl, body: first.nodes, otherwise });
        continue;
      }
      if (word === 'define') {
        if (inBlock) throw new TemplateError(`${where}: define must be at the top level`);
        const m = /^"([^"\\]+)"$/.exec(rest.trim());
        if (!m) throw new TemplateError(`${where}: define needs one string name`);
        const { nodes: body, stop } = parseList(true);
        if (!stop || stop.word !== 'end') throw new TemplateError(`${where}: define without end`);
        if (defines.has(m[1]!)) throw new TemplateError(`${where}: template "${m[1]}" defined twice`);
        defines.set(m[1]!, body);
        continue;
      }
      if (/:=|(^|\s)=(\s|$)/.test(a))
        throw new TemplateError(`${where}: variable assignment is not supported`);
      if (word && UNSUPPORTED_KEYWORDS.has(word))
        throw new TemplateError(`${where}: "${word}" is not supported`);
      nodes.push({ n: 'out', p: parsePipeline(lexAction(a, where), where) });
    }
    return { nodes, stop: null };
  };
  const { nodes, stop } = parseList(false);
  if (stop) throw new TemplateError(`${file}: unexpected {{${stop.word}}}`);
  return { body: nodes, defines };
}

// ------------------------------------------------------------------------------------------ execution

interface Scope {
  dot: Value;
  root: Value;
  defines: Map<string, Node[]>;
  depth: number;
}

function field(base: Value, path: string[], label: string, where: string): Value {
  let v = base;
  let at = label;
  for (const name of path) {
    if (v === null || v === undefined) {
      throw new TemplateError(`${where}: nil pointer evaluating interface {}.${name} (${at} is nil)`);
    }
    if (!isMap(v))
      throw new TemplateError(`${where}: can't evaluate field ${name} in type ${typeName(v)} (${at})`);
    if (STRICT.has(v) && !(name in v)) {
      throw new TemplateError(`${where}: ${at}.${name} is not supported by helm-lite (or not a field)`);
    }
    v = v[name];
    at = `${at}.${name}`;
  }
  return v;
}

function evalOperand(o: Operand, s: Scope, where: string): Value {
  switch (o.k) {
    case 'dot':
      return s.dot;
    case 'lit':
      return o.v;
    case 'field':
      return field(o.root === '$' ? s.root : s.dot, o.path, o.root === '$' ? '$' : '.', where);
    case 'sub':
      return evalPipeline(o.p, s);
  }
}

function num(v: Value, fn: string, where: string): number {
  if (typeof v !== 'number') throw new TemplateError(`${where}: ${fn} expects a number, got ${typeName(v)}`);
  return v;
}

function scalar(v: Value, fn: string, where: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') throw new TemplateError(`${where}: ${fn} of a ${typeName(v)} is not supported`);
  return printValue(v, where);
}

function basicEq(a: Value, b: Value, where: string): boolean {
  for (const x of [a, b]) {
    if (typeof x === 'object' && x !== null)
      throw new TemplateError(`${where}: eq: non-comparable ${typeName(x)}`);
  }
  const ta = a === undefined ? null : a;
  const tb = b === undefined ? null : b;
  if (ta !== null && tb !== null && typeof ta !== typeof tb) {
    throw new TemplateError(
      `${where}: eq: incompatible types for comparison (${typeName(a)}, ${typeName(b)})`,
    );
  }
  return ta === tb;
}

function callFunction(
  fn: string,
  args: Operand[],
  piped: Value[] | undefined,
  s: Scope,
  where: string,
): Value {
  // and/or evaluate lazily (Go 1.18+), returning the deciding argument.
  if (fn === 'and' || fn === 'or') {
    const thunks: (() => Value)[] = args.map((a) => () => evalOperand(a, s, where));
    if (piped) thunks.push(() => piped[0]);
    if (thunks.length < 1) throw new TemplateError(`${where}: ${fn} needs arguments`);
    let v: Value;
    for (const t of thunks) {
      v = t();
      if (fn === 'and' ? !truthy(v) : truthy(v)) return v;
    }
    return v;
  }
  const a = args.map((o) => evalOperand(o, s, where));
  if (piped) a.push(piped[0]);
  const arity = (n: number) => {
    if (a.length !== n) throw new TemplateError(`${where}: ${fn} takes ${n} argument(s), got ${a.length}`);
  };
  switch (fn) {
    case 'include': {
      arity(2);
      if (typeof a[0] !== 'string') throw new TemplateError(`${where}: include needs a template name`);
      const body = s.defines.get(a[0]);
      if (!body) throw new TemplateError(`${where}: no template "${a[0]}" associated with template`);
      if (s.depth > 50) throw new TemplateError(`${where}: include nested too deeply`);
      return execNodes(body, { dot: a[1], root: a[1], defines: s.defines, depth: s.depth + 1 });
    }
    case 'quote':
      // Sprig: nil arguments are dropped, the others are %q of their string value, joined by spaces.
      return a
        .filter((x) => x !== null && x !== undefined)
        .map((x) => goQuote(scalar(x, 'quote', where)))
        .join(' ');
    case 'default':
      if (a.length !== 2) throw new TemplateError(`${where}: default takes 2 arguments, got ${a.length}`);
      return sprigEmpty(a[1]) ? a[0] : a[1];
    case 'required':
      arity(2);
      if (a[1] === null || a[1] === undefined || a[1] === '')
        throw new TemplateError(`${where}: ${String(a[0])}`);
      return a[1];
    case 'fail':
      arity(1);
      throw new TemplateError(`${where}: ${String(a[0])}`);
    case 'b64enc':
      arity(1);
      return Buffer.from(scalar(a[0], 'b64enc', where), 'utf8').toString('base64');
    case 'toYaml':
      arity(1);
      return toYaml(a[0]);
    case 'nindent':
    case 'indent': {
      arity(2);
      const n = num(a[0], fn, where);
      if (!Number.isInteger(n) || n < 0)
        throw new TemplateError(`${where}: ${fn} needs a non-negative integer`);
      const text = scalar(a[1], fn, where);
      return (fn === 'nindent' ? '\n' : '') + indent(n, text);
    }
    case 'not':
      arity(1);
      return !truthy(a[0]);
    case 'eq': {
      if (a.length < 2) throw new TemplateError(`${where}: eq needs at least 2 arguments`);
      return a.slice(1).some((b) => basicEq(a[0], b, where));
    }
    case 'gt': {
      arity(2);
      const [x, y] = a;
      if (typeof x === 'number' && typeof y === 'number') return x > y;
      if (typeof x === 'string' && typeof y === 'string') return x > y;
      throw new TemplateError(
        `${where}: gt: incompatible types for comparison (${typeName(x)}, ${typeName(y)})`,
      );
    }
    case 'join': {
      arity(2);
      const list = a[1];
      if (list === null || list === undefined) return '';
      if (!Array.isArray(list)) throw new TemplateError(`${where}: join needs a list, got ${typeName(list)}`);
      return list.map((x) => scalar(x, 'join', where)).join(scalar(a[0], 'join', where));
    }
  }
  throw new TemplateError(`${where}: function "${fn}" is not supported`);
}

function evalPipeline(p: Pipeline, s: Scope): Value {
  let piped: Value[] | undefined;
  for (const c of p.cmds) {
    const v =
      c.fn === undefined
        ? evalOperand(c.args[0]!, s, p.where)
        : callFunction(c.fn, c.args, piped, s, p.where);
    piped = [v];
  }
  return piped![0];
}

function execNodes(nodes: Node[], s: Scope): string {
  let out = '';
  for (const node of nodes) {
    switch (node.n) {
      case 'text':
        out += node.v;
        break;
      case 'out':
        out += printValue(evalPipeline(node.p, s), node.p.where);
        break;
      case 'if': {
        let done = false;
        for (const b of node.branches) {
          if (truthy(evalPipeline(b.cond, s))) {
            out += execNodes(b.body, s);
            done = true;
            break;
          }
        }
        if (!done) out += execNodes(node.otherwise, s);
        break;
      }
      case 'range': {
        const v = evalPipeline(node.p, s);
        let items: Value[];
        if (v === null || v === undefined) items = [];
        else if (Array.isArray(v)) items = v;
        else if (isMap(v))
          items = Object.keys(v)
            .sort()
            .map((k) => v[k]);
        else throw new TemplateError(`${node.p.where}: range can't iterate over ${typeName(v)}`);
        if (items.length === 0) out += execNodes(node.otherwise, s);
        for (const item of items) out += execNodes(node.body, { ...s, dot: item });
        break;
      }
    }
  }
  return out;
}

/** Renders one parsed file with the given context; `defines` holds every file's defines (Helm shares them). */
export function execute(file: ParsedFile, context: Value, defines: Map<string, Node[]>): string {
  return execNodes(file.body, { dot: context, root: context, defines, depth: 0 });
}

/** Renders a single template string (tests and small uses). */
export function renderString(src: string, context: Value, name = 'inline'): string {
  const parsed = parseTemplate(src, name);
  return execute(parsed, context, parsed.defines);
}

/** YAML 1.1, as Kubernetes and Helm read it (yes/no/on/off are booleans). */
export function parseYaml11(text: string): unknown {
  return parseYaml(text, { version: '1.1' });
}

export { stringifyYaml };
