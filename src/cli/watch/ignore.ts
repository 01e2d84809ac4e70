// develop.watch `ignore` patterns, as .dockerignore writes them, relative to the rule's path:
// `*` within a name, `**` across directories, `?` one character, a trailing `/` (or a directory
// name alone) also covers everything below. `.git` is never synced, as compose watch skips it.

const ALWAYS = ['.git'];

export function ignoreMatcher(patterns: readonly string[]): (relative: string) => boolean {
  const compiled = [...ALWAYS, ...patterns].map(compile);
  return (relative) => relative !== '' && compiled.some((re) => re.test(relative));
}

function compile(pattern: string): RegExp {
  const trimmed = pattern.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  let source = '';
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed[i] as string;
    if (ch === '*' && trimmed[i + 1] === '*') {
      source += '.*';
      i++;
      if (trimmed[i + 1] === '/') i++;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A match covers the path itself and everything under it.
  return new RegExp(`^${source}(/.*)?$`);
}
