/**
 * The MeTTa reader: S-expressions, `;` comments, strings with escapes, variables `$x`,
 * 64-bit integers, floats, `True`/`False`, and words resolved through a tokenizer (grounded
 * operations, `&self`, tokens registered by `bind!`). `!` is an ordinary word, so `!(x)`
 * and `! (x)` read as `!` followed by `(x)` while `!foo` is one symbol, as in hyperon.
 *
 * The reader is incremental (one top-level atom per `next()` call) because `bind!` changes
 * the tokenizer between atoms, and iterative, so deeply nested input cannot overflow the stack.
 */
import { type Atom, Expr, Var, float, int, str, sym, TRUE, FALSE } from './atom.ts';

export class ParseError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'ParseError';
  }
}

const INT_RE = /^[-+]?\d+$/;
const FLOAT_RE = /^[-+]?\d+\.\d+$/;
const EXP_RE = /^[-+]?\d+(\.\d+)?[eE][-+]?\d+$/;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

/** Maps words to atoms: exact tokens (later registrations win) before numbers and booleans. */
export class Tokenizer {
  private exact = new Map<string, () => Atom>();

  register(word: string, make: () => Atom): void {
    this.exact.set(word, make);
  }

  has(word: string): boolean {
    return this.exact.has(word);
  }

  clone(): Tokenizer {
    const t = new Tokenizer();
    t.exact = new Map(this.exact);
    return t;
  }

  /** The atom for a bare word; throws ParseError for malformed numbers. */
  resolve(word: string, offset: number): Atom {
    const make = this.exact.get(word);
    if (make !== undefined) return make();
    const c = word.charCodeAt(0);
    const numeric = (c >= 48 && c <= 57) || ((c === 45 || c === 43) && word.length > 1);
    if (numeric) {
      if (INT_RE.test(word)) {
        const v = BigInt(word);
        if (v > I64_MAX || v < I64_MIN) {
          throw new ParseError(`Could not parse integer: '${word}', number too large to fit in target type`, offset);
        }
        return int(v);
      }
      if (FLOAT_RE.test(word) || EXP_RE.test(word)) return float(Number(word));
    }
    if (word === 'True') return TRUE;
    if (word === 'False') return FALSE;
    return sym(word);
  }
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff;

/**
 * Reads top-level atoms one at a time.
 * @example
 * const p = new Parser('(a $x) "s"', new Tokenizer()); p.next(); p.next(); p.next() // undefined at end
 */
export class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly tokenizer: Tokenizer,
  ) {}

  get offset(): number {
    return this.pos;
  }

  /** The next top-level atom, or undefined at end of input. */
  next(): Atom | undefined {
    const text = this.text;
    const stack: { items: Atom[]; start: number }[] = [];
    for (;;) {
      // Skip whitespace and comments.
      while (this.pos < text.length) {
        const c = text.charCodeAt(this.pos);
        if (c === 59 /* ; */) {
          while (this.pos < text.length && text.charCodeAt(this.pos) !== 10) this.pos++;
        } else if (isSpace(c)) this.pos++;
        else break;
      }
      if (this.pos >= text.length) {
        if (stack.length > 0) throw new ParseError('Unexpected end of expression', stack[stack.length - 1].start);
        return undefined;
      }
      const start = this.pos;
      const c = text.charCodeAt(this.pos);
      let atom: Atom | undefined;
      if (c === 40 /* ( */) {
        this.pos++;
        stack.push({ items: [], start });
        continue;
      } else if (c === 41 /* ) */) {
        this.pos++;
        const top = stack.pop();
        if (top === undefined) throw new ParseError('Unexpected right bracket', start);
        atom = new Expr(top.items);
      } else if (c === 34 /* " */) {
        atom = str(this.readString());
      } else if (c === 36 /* $ */) {
        this.pos++;
        const name = this.readWord();
        if (name.length === 0) throw new ParseError('Variable name is expected after $', start);
        atom = new Var(name);
      } else {
        atom = this.tokenizer.resolve(this.readWord(), start);
      }
      if (stack.length === 0) return atom;
      stack[stack.length - 1].items.push(atom);
    }
  }

  private readWord(): string {
    const text = this.text;
    const start = this.pos;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (isSpace(c) || c === 40 || c === 41) break;
      this.pos++;
    }
    return text.slice(start, this.pos);
  }

  private readString(): string {
    const text = this.text;
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    let chunk = this.pos;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 34) {
        out += text.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c === 92 /* \ */) {
        out += text.slice(chunk, this.pos);
        const e = text[this.pos + 1];
        if (e === undefined) break;
        this.pos += 2;
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case '0': out += '\0'; break;
          case '"': out += '"'; break;
          case "'": out += "'"; break;
          case '\\': out += '\\'; break;
          case 'x': {
            const hex = text.slice(this.pos, this.pos + 2);
            if (!/^[0-7][0-9a-fA-F]$/.test(hex)) throw new ParseError(`Invalid escape sequence \\x${hex}`, this.pos - 2);
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 2;
            break;
          }
          case 'u': {
            const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(text.slice(this.pos, this.pos + 8));
            const cp = m ? parseInt(m[1], 16) : NaN;
            if (!m || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new ParseError('Invalid escape sequence \\u', this.pos - 2);
            out += String.fromCodePoint(cp);
            this.pos += m[0].length;
            break;
          }
          default:
            throw new ParseError(`Invalid escape sequence \\${e}`, this.pos - 2);
        }
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
    throw new ParseError('Unclosed String Literal', start);
  }
}

/** Parses every top-level atom of `text` (no `bind!` tokens). */
export function parseAll(text: string, tokenizer = new Tokenizer()): Atom[] {
  const p = new Parser(text, tokenizer);
  const out: Atom[] = [];
  for (let a = p.next(); a !== undefined; a = p.next()) out.push(a);
  return out;
}
