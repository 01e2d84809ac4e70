// .env and env_file syntax, following compose-go's dotenv parser: `KEY=value`, `KEY: value`,
// `export KEY=value`, bare `KEY` (inherited from the lookup), comments, single quotes (literal),
// double quotes (escapes, multi-line, interpolation), interpolation in unquoted values.
import { substitute, type Lookup } from './template.js';

export type DotenvResult =
  | { ok: true; values: Record<string, string> }
  | { ok: false; line: number; error: string };

class DotenvError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** `lookup` resolves inherited keys and wins over the file's own values inside `${...}`. */
export function parseDotenv(text: string, lookup: Lookup = () => undefined): DotenvResult {
  const values: Record<string, string> = {};
  try {
    new DotenvParser(lookup, values).parse(text.replace(/^\uFEFF/, ''));
    return { ok: true, values };
  } catch (e) {
    if (e instanceof DotenvError) return { ok: false, line: e.line, error: e.message };
    throw e;
  }
}

/**
 * A .env or env_file file: the syntax above, minus keys that start with a digit, which compose
 * drops when it reads a file (they cannot be environment variable names).
 */
export function readDotenvFile(text: string, lookup: Lookup = () => undefined): DotenvResult {
  const r = parseDotenv(text, lookup);
  if (!r.ok) return r;
  return { ok: true, values: Object.fromEntries(Object.entries(r.values).filter(([k]) => !/^\s*\d/.test(k))) };
}

const isSpace = (c: string): boolean => c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === ' ' || c === '\u0085' || c === '\u00a0';
const isKeyChar = (c: string): boolean => /[\p{L}\p{N}_.\-[\]]/u.test(c);
const ESCAPES = /\\(?:[abcfnrtv$"\\]|0\d{0,3})/g;
const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', c: '\\c', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

class DotenvParser {
  private line = 1;

  constructor(private readonly lookup: Lookup, private readonly out: Record<string, string>) {}

  parse(src: string): void {
    let rest = src;
    for (;;) {
      rest = this.statementStart(rest);
      if (rest === '') return;
      rest = this.statement(rest);
    }
  }

  /** Skips blank space and comment lines, counting lines. */
  private statementStart(src: string): string {
    let s = src;
    for (;;) {
      let i = 0;
      while (i < s.length && /\s/.test(s[i]!)) {
        if (s[i] === '\n') this.line++;
        i++;
      }
      s = s.slice(i);
      if (s === '' || s[0] !== '#') return s;
      const nl = s.indexOf('\n');
      if (nl < 0) return '';
      s = s.slice(nl);
    }
  }

  private statement(src: string): string {
    let s = src;
    if (/^export\s/.test(s)) s = trimLeftSpace(s.slice('export'.length));
    let end = -1;
    let terminator = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (isSpace(c)) continue;
      if (c === '=' || c === ':' || c === '\n') {
        end = i;
        terminator = c;
        break;
      }
      if (!isKeyChar(c)) {
        throw new DotenvError(this.line, `unexpected character ${JSON.stringify(c)} in variable name ${JSON.stringify(s.split('\n')[0])}`);
      }
    }
    // A key running to the end of the text is an inherited key without a newline.
    const rawKey = end < 0 ? s : s.slice(0, end);
    const key = rawKey.trimEnd();
    if (key.includes(' ')) throw new DotenvError(this.line, 'key cannot contain a space');
    if (end < 0 || terminator === '\n') {
      const value = this.lookup(key);
      if (value !== undefined) this.out[key] = value;
      if (end < 0) return '';
      this.line++;
      return s.slice(end + 1);
    }
    const [value, rest] = this.value(trimLeftSpace(s.slice(end + 1)));
    this.out[key] = value;
    return rest;
  }

  private value(src: string): [string, string] {
    const quote = src[0];
    if (quote !== '"' && quote !== "'") {
      const nl = src.indexOf('\n');
      let value = nl < 0 ? src : src.slice(0, nl);
      const rest = nl < 0 ? '' : src.slice(nl + 1);
      const comment = value.indexOf(' #');
      if (comment >= 0) value = value.slice(0, comment);
      const expanded = this.expand(value.trimEnd(), this.line);
      this.line++;
      return [expanded, rest];
    }
    const startLine = this.line;
    let chars = '';
    let escaped = false;
    for (let i = 1; i < src.length; i++) {
      const c = src[i]!;
      if (c === '\n') this.line++;
      if (escaped) {
        escaped = false;
        // An escaped quote drops its backslash; any other escape is kept for the next step.
        chars += c === quote ? c : `\\${c}`;
        continue;
      }
      if (c === '\\') escaped = true;
      else if (c === quote) {
        const value = quote === '"' ? this.expand(expandEscapes(chars), startLine) : chars;
        return [value, src.slice(i + 1)];
      } else chars += c;
    }
    const firstLine = src.split('\n')[0];
    throw new DotenvError(startLine, `unterminated quoted value ${firstLine}`);
  }

  private expand(value: string, line: number): string {
    const r = substitute(value, (name) => this.lookup(name) ?? this.out[name]);
    if (!r.ok) throw new DotenvError(line, r.error);
    return r.value;
  }
}

function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  return s.slice(i);
}

function expandEscapes(s: string): string {
  return s.replace(ESCAPES, (match) => {
    const c = match.slice(1);
    // `\$` becomes `$$`, which interpolation then turns into a literal `$`.
    if (c === '$') return '$$';
    if (c.startsWith('0')) {
      const octal = c.slice(1);
      if (/^[0-7]{3}$/.test(octal) && parseInt(octal, 8) <= 0o377) return String.fromCharCode(parseInt(octal, 8));
      return `\\${octal}`;
    }
    return SIMPLE_ESCAPES[c] ?? match;
  });
}
