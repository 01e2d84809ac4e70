// Shell-style variable substitution as compose does it: $VAR, ${VAR}, ${VAR:-d}, ${VAR-d},
// ${VAR:?msg}, ${VAR?msg}, ${VAR:+alt}, ${VAR+alt}, nesting inside the branches, and $$ for "$".
// Branches are evaluated lazily: an unused default never reports its own unset variables.

export type Lookup = (name: string) => string | undefined;

export type TemplateResult =
  | { ok: true; value: string; /** Variables used without a value or default, for warnings. */ unset: string[] }
  | { ok: false; error: string };

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;

export function substitute(template: string, lookup: Lookup): TemplateResult {
  const unset: string[] = [];
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < template.length && NAME_CHAR.test(template[j]!)) j++;
      const name = template.slice(i + 1, j);
      const value = lookup(name);
      if (value === undefined) unset.push(name);
      out += value ?? '';
      i = j;
    } else if (next === '{') {
      const end = closingBrace(template, i + 2);
      if (end < 0) return invalid(template);
      const expanded = expandBraced(template.slice(i + 2, end), lookup);
      if (expanded === undefined) return invalid(template);
      if (!expanded.ok) return expanded;
      out += expanded.value;
      unset.push(...expanded.unset);
      i = end + 1;
    } else {
      // A lone "$" (end of string, before a space, "}", ...) is kept as written.
      out += '$';
      i++;
    }
  }
  return { ok: true, value: out, unset };
}

function invalid(template: string): TemplateResult {
  return { ok: false, error: `invalid interpolation format in ${JSON.stringify(template)}: you may need to escape any $ with another $` };
}

/** Index of the `}` closing a `${` whose body starts at `from`; braces inside defaults must balance. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** undefined means the body is not a valid `NAME[op[word]]`. */
function expandBraced(body: string, lookup: Lookup): TemplateResult | undefined {
  const m = BRACED.exec(body);
  if (!m) return undefined;
  const name = m[1]!;
  const op = m[2];
  const word = m[3] ?? '';
  const value = lookup(name);
  const isSet = value !== undefined;
  const nonEmpty = isSet && value !== '';
  const use = (branch: string): TemplateResult => substitute(branch, lookup);
  switch (op) {
    case undefined:
      return { ok: true, value: value ?? '', unset: isSet ? [] : [name] };
    case ':-':
      return nonEmpty ? ok(value) : use(word);
    case '-':
      return isSet ? ok(value) : use(word);
    case ':+':
      return nonEmpty ? use(word) : ok('');
    case '+':
      return isSet ? use(word) : ok('');
    case ':?':
    case '?': {
      if (op === ':?' ? nonEmpty : isSet) return ok(value ?? '');
      const message = use(word);
      if (!message.ok) return message;
      const reason = message.value === '' ? '' : `: ${message.value}`;
      return { ok: false, error: `required variable ${name} is missing a value${reason}` };
    }
    default:
      return undefined;
  }
}

function ok(value: string): TemplateResult {
  return { ok: true, value, unset: [] };
}
