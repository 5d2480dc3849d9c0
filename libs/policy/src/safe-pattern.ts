/**
 * Patterns from policy documents, matched in linear time.
 *
 * Policies are data written by users (and uploaded through the API), so a pattern must never be able
 * to hang an evaluation. Instead of handing the text to the backtracking `RegExp` engine, patterns are
 * parsed here (a JavaScript-syntax subset: literals, `.`, classes, `\d \w \s` and their negations,
 * `^ $ \b \B`, groups, `|`, `* + ? {n,m}`) and run as a Thompson NFA: time is O(pattern × subject)
 * whatever the pattern. On top of that, compilation refuses:
 * - patterns longer than {@link MAX_PATTERN_LENGTH};
 * - non-regular features (backreferences, lookahead/lookbehind) and unsupported syntax;
 * - bounded repeats above {@link MAX_REPEAT} and programs above {@link MAX_PROGRAM_SIZE} states
 *   (`(a{100}){100}` would otherwise blow up at compile time);
 * - nested unbounded quantifiers such as `(a+)+` or `(.*)*`: harmless here, but the classic ReDoS shape
 *   in every backtracking engine the same pattern may later be pasted into (report UIs, SIEM rules).
 * Subjects longer than {@link MAX_SUBJECT_LENGTH} are matched on their first that-many characters.
 */

export const MAX_PATTERN_LENGTH = 256;
const MAX_REPEAT = 100;
const MAX_PROGRAM_SIZE = 2000;
const MAX_SUBJECT_LENGTH = 4096;

export class UnsafePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePatternError';
  }
}

export interface SafePattern {
  readonly source: string;
  readonly ignoreCase: boolean;
  /** Whether the pattern matches anywhere in `subject` (like `RegExp.prototype.test`). */
  test(subject: string): boolean;
}

type CharPred = (c: number) => boolean;
type Assertion = 'start' | 'end' | 'word' | 'not-word';

type Node =
  | { k: 'char'; pred: CharPred }
  | { k: 'assert'; a: Assertion }
  | { k: 'seq'; items: Node[] }
  | { k: 'alt'; alts: Node[] }
  | { k: 'rep'; node: Node; min: number; max: number };

const code = (s: string): number => s.charCodeAt(0);
const isDigit: CharPred = (c) => c >= 48 && c <= 57;
const isWord: CharPred = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const WHITESPACE = new Set(
  [9, 10, 11, 12, 13, 32, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff].concat(
    Array.from({ length: 11 }, (_, i) => 0x2000 + i),
  ),
);
const isSpace: CharPred = (c) => WHITESPACE.has(c);
const isLineTerminator = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
const not =
  (p: CharPred): CharPred =>
  (c) =>
    !p(c);

class Parser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Node {
    const node = this.alt();
    if (this.pos < this.src.length) this.fail(`unmatched ")"`);
    return node;
  }

  private fail(message: string): never {
    throw new UnsafePatternError(`${message} (at offset ${this.pos})`);
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private alt(): Node {
    const alts = [this.seq()];
    while (this.peek() === '|') {
      this.pos++;
      alts.push(this.seq());
    }
    return alts.length === 1 ? alts[0]! : { k: 'alt', alts };
  }

  private seq(): Node {
    const items: Node[] = [];
    for (let ch = this.peek(); ch !== undefined && ch !== '|' && ch !== ')'; ch = this.peek()) {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? items[0]! : { k: 'seq', items };
  }

  private quantified(atom: Node): Node {
    const q = this.quantifier();
    if (!q) return atom;
    if (atom.k === 'assert') this.fail('a quantifier cannot follow an assertion');
    if (this.peek() === '?') this.pos++; // lazy: irrelevant for a yes/no match
    if (this.quantifier()) this.fail('nothing to repeat');
    if (q.max === Infinity && containsUnbounded(atom)) {
      this.fail(
        'nested unbounded quantifiers (e.g. "(a+)+") are refused; rewrite as one repeat, e.g. "[\\d.]+"',
      );
    }
    return { k: 'rep', node: atom, min: q.min, max: q.max };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const ch = this.peek();
    if (ch === '*' || ch === '+' || ch === '?') {
      this.pos++;
      return { min: ch === '+' ? 1 : 0, max: ch === '?' ? 1 : Infinity };
    }
    if (ch !== '{') return undefined;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
    if (!m) this.fail('"{" must start a repeat {n}, {n,} or {n,m}; write "\\{" for a literal brace');
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT))
      this.fail(`repeat counts are limited to ${MAX_REPEAT}`);
    if (max < min) this.fail('repeat {n,m} needs n <= m');
    this.pos += m[0].length;
    return { min, max };
  }

  private atom(): Node {
    const ch = this.peek()!;
    switch (ch) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        this.pos++;
        return { k: 'char', pred: (c) => !isLineTerminator(c) };
      case '^':
        this.pos++;
        return { k: 'assert', a: 'start' };
      case '$':
        this.pos++;
        return { k: 'assert', a: 'end' };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case '{':
        return this.fail('nothing to repeat');
      default:
        this.pos++;
        return this.literal(code(ch));
    }
  }

  private group(): Node {
    this.pos++; // (
    if (this.peek() === '?') {
      const rest = this.src.slice(this.pos);
      if (rest.startsWith('?:')) this.pos += 2;
      else if (/^\?<[A-Za-z_$][\w$]*>/.test(rest)) this.pos = this.src.indexOf('>', this.pos) + 1;
      else if (/^\?(=|!|<=|<!)/.test(rest)) this.fail('lookahead/lookbehind is not supported');
      else this.fail('unsupported group syntax');
    }
    const inner = this.alt();
    if (this.peek() !== ')') this.fail('unterminated group');
    this.pos++;
    return inner;
  }

  private literal(c: number): Node {
    return { k: 'char', pred: this.fold((x) => x === c) };
  }

  private fold(pred: CharPred): CharPred {
    if (!this.ignoreCase) return pred;
    return (c) => {
      if (pred(c)) return true;
      const s = String.fromCharCode(c);
      return pred(code(s.toLowerCase())) || pred(code(s.toUpperCase()));
    };
  }

  /** An escape outside a class: a class escape, an assertion or one character. */
  private escape(): Node {
    const e = this.classOrCharEscape(false);
    if (typeof e === 'string') return { k: 'assert', a: e };
    if (typeof e === 'number') return this.literal(e);
    return { k: 'char', pred: e };
  }

  /**
   * Reads `\…` at pos. Returns a code unit, a predicate (\d \w \s …), or (outside classes) an
   * assertion name for \b \B.
   */
  private classOrCharEscape(inClass: boolean): number | CharPred | Assertion {
    this.pos++; // backslash
    const ch = this.peek();
    if (ch === undefined) this.fail('pattern ends with "\\"');
    this.pos++;
    switch (ch) {
      case 'd':
        return isDigit;
      case 'D':
        return not(isDigit);
      case 'w':
        return isWord;
      case 'W':
        return not(isWord);
      case 's':
        return isSpace;
      case 'S':
        return not(isSpace);
      case 'b':
        return inClass ? 8 : 'word';
      case 'B':
        if (inClass) break;
        return 'not-word';
      case 't':
        return 9;
      case 'n':
        return 10;
      case 'v':
        return 11;
      case 'f':
        return 12;
      case 'r':
        return 13;
      case '0':
        if (isDigit(code(this.peek() ?? 'x'))) break;
        return 0;
      case 'x':
      case 'u': {
        const len = ch === 'x' ? 2 : 4;
        const hex = this.src.slice(this.pos, this.pos + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) this.fail(`"\\${ch}" needs ${len} hex digits`);
        this.pos += len;
        return parseInt(hex, 16);
      }
      default:
        if (/[1-9]/.test(ch)) this.fail('backreferences are not supported');
        if (/[A-Za-z0-9]/.test(ch)) break;
        return code(ch); // escaped punctuation: \. \/ \( …
    }
    this.pos--;
    return this.fail(`unsupported escape "\\${ch}"`);
  }

  private charClass(): Node {
    this.pos++; // [
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.pos++;
    }
    const preds: CharPred[] = [];
    const ranges: Array<[number, number]> = [];
    while (this.peek() !== ']') {
      if (this.peek() === undefined) this.fail('unterminated character class');
      const first = this.classAtom();
      if (this.peek() === '-' && this.src[this.pos + 1] !== ']' && this.src[this.pos + 1] !== undefined) {
        const save = this.pos;
        this.pos++;
        const last = this.classAtom();
        if (typeof first === 'number' && typeof last === 'number') {
          if (last < first) this.fail('character class range out of order');
          ranges.push([first, last]);
          continue;
        }
        this.pos = save; // `[\d-x]`: the hyphen is literal, as in non-unicode JavaScript
      }
      if (typeof first === 'number') ranges.push([first, first]);
      else preds.push(first);
    }
    this.pos++; // ]
    const inSet = this.fold((c) => ranges.some(([a, b]) => c >= a && c <= b) || preds.some((p) => p(c)));
    return { k: 'char', pred: negate ? not(inSet) : inSet };
  }

  private classAtom(): number | CharPred {
    const ch = this.peek()!;
    if (ch !== '\\') {
      this.pos++;
      return code(ch);
    }
    const e = this.classOrCharEscape(true);
    if (typeof e === 'string') return this.fail('assertions are not allowed in a class');
    return e;
  }
}

function containsUnbounded(node: Node): boolean {
  switch (node.k) {
    case 'rep':
      return node.max === Infinity || containsUnbounded(node.node);
    case 'seq':
      return node.items.some(containsUnbounded);
    case 'alt':
      return node.alts.some(containsUnbounded);
    default:
      return false;
  }
}

type Inst =
  | { op: 'char'; pred: CharPred }
  | { op: 'assert'; a: Assertion }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'match' };

class Compiler {
  readonly prog: Inst[] = [];

  private emit(inst: Inst): number {
    if (this.prog.length >= MAX_PROGRAM_SIZE) {
      throw new UnsafePatternError(`pattern expands to more than ${MAX_PROGRAM_SIZE} states`);
    }
    this.prog.push(inst);
    return this.prog.length - 1;
  }

  private patch(at: number, inst: Inst): void {
    this.prog[at] = inst;
  }

  compile(node: Node): void {
    switch (node.k) {
      case 'char':
        this.emit({ op: 'char', pred: node.pred });
        return;
      case 'assert':
        this.emit({ op: 'assert', a: node.a });
        return;
      case 'seq':
        for (const item of node.items) this.compile(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.alts.forEach((alt, i) => {
          if (i === node.alts.length - 1) {
            this.compile(alt);
            return;
          }
          const split = this.emit({ op: 'jmp', x: -1 });
          this.compile(alt);
          jumps.push(this.emit({ op: 'jmp', x: -1 }));
          this.patch(split, { op: 'split', x: split + 1, y: this.prog.length });
        });
        for (const j of jumps) this.patch(j, { op: 'jmp', x: this.prog.length });
        return;
      }
      case 'rep': {
        const { min, max } = node;
        for (let i = 0; i < min; i++) this.compile(node.node);
        if (max === Infinity) {
          const loop = this.emit({ op: 'jmp', x: -1 });
          this.compile(node.node);
          this.emit({ op: 'jmp', x: loop });
          this.patch(loop, { op: 'split', x: loop + 1, y: this.prog.length });
          return;
        }
        const splits: number[] = [];
        for (let i = min; i < max; i++) {
          splits.push(this.emit({ op: 'jmp', x: -1 }));
          this.compile(node.node);
        }
        for (const s of splits) this.patch(s, { op: 'split', x: s + 1, y: this.prog.length });
        return;
      }
    }
  }
}

function holds(a: Assertion, s: string, i: number): boolean {
  switch (a) {
    case 'start':
      return i === 0;
    case 'end':
      return i === s.length;
    case 'word':
    case 'not-word': {
      const before = i > 0 && isWord(s.charCodeAt(i - 1));
      const after = i < s.length && isWord(s.charCodeAt(i));
      return (before !== after) === (a === 'word');
    }
  }
}

function run(prog: readonly Inst[], subject: string): boolean {
  const s = subject.length > MAX_SUBJECT_LENGTH ? subject.slice(0, MAX_SUBJECT_LENGTH) : subject;
  const mark = new Int32Array(prog.length).fill(-1);
  let gen = 0;
  let clist: number[] = [];
  const stack: number[] = [];

  // Follows jumps/splits/assertions from pc at position i; char states land in `list`.
  const addClosure = (list: number[], start: number, i: number): boolean => {
    stack.push(start);
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc]!;
      switch (inst.op) {
        case 'match':
          stack.length = 0;
          return true;
        case 'char':
          list.push(pc);
          break;
        case 'jmp':
          stack.push(inst.x);
          break;
        case 'split':
          stack.push(inst.y, inst.x);
          break;
        case 'assert':
          if (holds(inst.a, s, i)) stack.push(pc + 1);
          break;
      }
    }
    return false;
  };

  for (let i = 0; ; i++) {
    if (addClosure(clist, 0, i)) return true; // unanchored: a new attempt starts at every position
    if (i === s.length) return false;
    const c = s.charCodeAt(i);
    gen++;
    const nlist: number[] = [];
    for (const pc of clist) {
      const inst = prog[pc] as { op: 'char'; pred: CharPred };
      if (inst.pred(c) && addClosure(nlist, pc + 1, i + 1)) return true;
    }
    clist = nlist;
  }
}

/** Compile a policy pattern; throws {@link UnsafePatternError} naming the problem. */
export function compileSafePattern(source: string, options: { ignoreCase?: boolean } = {}): SafePattern {
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new UnsafePatternError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  const ignoreCase = options.ignoreCase ?? false;
  const ast = new Parser(source, ignoreCase).parse();
  const compiler = new Compiler();
  compiler.compile(ast);
  compiler.prog.push({ op: 'match' });
  const prog = compiler.prog;
  return { source, ignoreCase, test: (subject) => run(prog, subject) };
}
