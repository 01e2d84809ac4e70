// The registry the image tests push to and pull from: Debian's docker-registry (distribution 2.8),
// started by scripts/setup-registry.sh on 127.0.0.1. Without it those tests are skipped, saying so.
import { execFileSync } from 'node:child_process';
import { describeWithEngine } from './engine.js';

export const REGISTRY = process.env['COMPOSED_TEST_REGISTRY'] ?? '127.0.0.1:5055';
export const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

async function registryAnswers(): Promise<boolean> {
  return fetch(`http://${REGISTRY}/v2/`, { signal: AbortSignal.timeout(3_000) }).then((r) => r.ok, () => false);
}
const registryUp = await registryAnswers();
if (!registryUp) console.warn(`registry tests skipped: no registry answers on ${REGISTRY}; run scripts/setup-registry.sh`);
export const describeWithRegistry = registryUp ? describeWithEngine : (describeWithEngine.skip as typeof describeWithEngine);

/** What a pushed image runs unless told otherwise: its /www over HTTP on port 80. */
export const SERVE = `["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 80 -h /www & wait"]`;

/**
 * Makes an image serving `version` and pushes it as `tag`; returns its digest. Imported from
 * Debian's static busybox, as scripts/lib/engine-setup.sh makes the test image: `docker import`
 * needs no builder (the legacy one stalled for minutes on this shared engine). `healthy: false`
 * leaves out /healthy, which the service's healthcheck looks for.
 */
export function pushImage(tag: string, version: string, { cmd = SERVE, healthy = true } = {}): string {
  const script = `set -e
root=$(mktemp -d)
mkdir -p "$root/bin" "$root/www" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"; done
echo "$VERSION" > "$root/www/index.html"
if [ "$HEALTHY" = yes ]; then touch "$root/healthy"; fi
tar -C "$root" -c . | docker import -c "CMD $CMD" -c 'ENV PATH=/bin' - "$TAG" >/dev/null
rm -rf "$root"`;
  execFileSync('sh', ['-c', script], { env: { ...process.env, VERSION: version, HEALTHY: healthy ? 'yes' : 'no', CMD: cmd, TAG: tag }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pushed = docker('push', tag);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
  if (!digest) throw new Error(`no digest in the push output:\n${pushed}`);
  return digest;
}
