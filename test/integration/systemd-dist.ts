// The systemd tests run what systemd would run: the built dist/. Build it when it is missing or
// older than the sources these tests exercise (CI builds before testing; this is for local runs).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function packagePath(relative: string): string {
  return `${ROOT}${relative}`;
}

/** `sources` are paths under src/ without extension, e.g. "daemon/systemd/notify". */
export function ensureBuilt(sources: string[]): void {
  const stale = sources.some((source) => {
    const built = packagePath(`dist/${source}.js`);
    return !existsSync(built) || statSync(built).mtimeMs < statSync(packagePath(`src/${source}.ts`)).mtimeMs;
  });
  if (stale) execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
