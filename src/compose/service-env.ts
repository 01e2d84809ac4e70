// A service's final environment: env_file contents (in order), then `environment` on top. A name
// without a value takes the value from the interpolation environment, as compose does.
import { resolveHostPath, type NormalizeContext } from './context.js';
import { readDotenvFile } from './dotenv.js';
import { bool, fieldsOf, listOrDict, str, type Field } from './read.js';
import { joinPath, kindName } from './tree.js';

export function normalizeEnvironment(ctx: NormalizeContext, envFile: Field | undefined, environment: Field | undefined): Record<string, string | null> {
  const out = new Map<string, string | null>();
  if (envFile) for (const [k, v] of readEnvFiles(ctx, envFile)) out.set(k, v);
  if (environment) {
    const dict = listOrDict(environment, ctx.d);
    for (const [key, { value, field }] of dict ?? []) {
      if (key !== key.trimEnd()) {
        ctx.d.error(field.node.pos, field.path, `environment variable ${JSON.stringify(key)} is declared with a trailing space`);
        continue;
      }
      out.set(key, value ?? ctx.env[key] ?? null);
    }
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function readEnvFiles(ctx: NormalizeContext, f: Field): Map<string, string> {
  const out = new Map<string, string>();
  const entries: Field[] = f.node.kind === 'seq' ? f.node.items.map((node, i) => ({ node, path: joinPath(f.path, i), keyPos: node.pos })) : [f];
  for (const entry of entries) {
    let path: string | undefined;
    let required = true;
    if (entry.node.kind === 'map') {
      const fields = fieldsOf(entry, ctx.d, ['format', 'path', 'required']);
      if (!fields) continue;
      if (!fields.path) {
        ctx.d.error(entry.node.pos, entry.path, 'an env_file entry needs a path');
        continue;
      }
      path = str(fields.path, ctx.d);
      if (fields.required) required = bool(fields.required, ctx.d) ?? true;
      if (fields.format) {
        const format = str(fields.format, ctx.d);
        if (format !== undefined && format !== 'raw' && format !== '') ctx.d.error(fields.format.node.pos, fields.format.path, `env_file format ${JSON.stringify(format)} is not supported (only the default and "raw")`);
        if (format === 'raw') {
          readRaw(ctx, entry, path, required, out);
          continue;
        }
      }
    } else if (entry.node.kind === 'scalar' && typeof entry.node.value === 'string') {
      path = entry.node.value;
    } else {
      ctx.d.error(entry.node.pos, entry.path, `must be a path or a mapping with path and required, not ${kindName(entry.node)}`);
      continue;
    }
    if (path === undefined) continue;
    const abs = resolveHostPath(ctx, path);
    const text = ctx.reader.read(abs);
    if (text === undefined) {
      if (required) ctx.d.error(entry.node.pos, entry.path, `env file ${abs} not found`);
      continue;
    }
    ctx.dependencyFiles.add(abs);
    // Like compose: the environment first, then what earlier env files set.
    const parsed = readDotenvFile(text, (name) => ctx.env[name] ?? out.get(name));
    if (!parsed.ok) {
      ctx.d.error(entry.node.pos, entry.path, `env file ${abs} line ${parsed.line}: ${parsed.error}`);
      continue;
    }
    for (const [k, v] of Object.entries(parsed.values)) out.set(k, v);
  }
  return out;
}

/** `format: raw`: every line is KEY=VALUE taken literally (no quotes, no interpolation). */
function readRaw(ctx: NormalizeContext, entry: Field, path: string | undefined, required: boolean, out: Map<string, string>): void {
  if (path === undefined) return;
  const abs = resolveHostPath(ctx, path);
  const text = ctx.reader.read(abs);
  if (text === undefined) {
    if (required) ctx.d.error(entry.node.pos, entry.path, `env file ${abs} not found`);
    return;
  }
  ctx.dependencyFiles.add(abs);
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (line.trim() === '' || line.trimStart().startsWith('#') || at <= 0) continue;
    out.set(line.slice(0, at), line.slice(at + 1).replace(/\r$/, ''));
  }
}
