// The fast backend as an image, made offline: this machine's `node` binary, the shared libraries
// `ldd` names for it and fast-backend.mjs, in a tar given to `docker import`. No registry is
// reachable here, and busybox httpd forks per request (it caps any proxy in front at ~1.8k req/s).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const NODE_IMAGE = 'composed-bench/node-http:1';
export const BACKEND_PORT = 8080;

/** Builds the image unless the engine has it already; returns its tag. */
export function ensureNodeImage(here) {
  try {
    execFileSync('docker', ['image', 'inspect', NODE_IMAGE], { stdio: 'ignore' });
    return NODE_IMAGE;
  } catch {
    // not built yet
  }
  const root = mkdtempSync(join(tmpdir(), 'bench-node-image-'));
  try {
    const node = execFileSync('readlink', ['-f', process.execPath], { encoding: 'utf8' }).trim();
    const libraries = execFileSync('ldd', [node], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
      .filter(Boolean);
    for (const file of [node, ...libraries]) {
      const target = join(root, file === node ? '/bin/node' : file);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(execFileSync('readlink', ['-f', file], { encoding: 'utf8' }).trim(), target);
    }
    copyFileSync(join(here, 'fast-backend.mjs'), join(root, 'fast-backend.mjs'));
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 30 });
    execFileSync('docker', ['import', '-c', `CMD ["/bin/node", "/fast-backend.mjs", "${BACKEND_PORT}", "0.0.0.0"]`, '-', NODE_IMAGE], { input: tar, stdio: ['pipe', 'ignore', 'inherit'] });
    return NODE_IMAGE;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
