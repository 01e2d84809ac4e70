// A shell session as docker compose's getting-started guide has a user type it (up -d, ps, logs -f,
// exec, run --rm, config, down), with `composed` in place of `docker compose`, run by bash.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CLI, useDaemon } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';

const SESSION = `
set -e
cd "$PROJECT_DIR"
composed up -d
composed ps
timeout 3 composed logs -f web || true
composed exec web sh -c 'echo "in web: $GREETING"'
composed exec web sh -c 'exit 3' || echo "exec exit code: $?"
composed run --rm web echo "one-off says hello"
composed config --services
composed config | grep -q "image: ${TEST_IMAGE}"
composed down
composed ps -a -q | wc -l
`;

describeWithEngine('a docker compose docs session, typed with composed', () => {
  const project = uniqueProjectName('session');
  const daemon = useDaemon(project);

  it('runs end to end with compose\'s output shapes and exit codes', () => {
    const root = mkdtempSync(join(tmpdir(), 'composed-session-'));
    const dir = join(root, project);
    mkdirSync(dir);
    // The project is named after its directory, as compose names it.
    writeFileSync(join(dir, 'compose.yaml'), `
services:
  web:
    image: ${TEST_IMAGE}
    environment: { GREETING: "hello from compose.yaml" }
    command: ["sh", "-c", "echo web is up; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
  redis:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
`);
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'composed'), `#!/bin/sh\nexec "${process.execPath}" -- "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'composed'), 0o755);
    const r = spawnSync('bash', ['-c', SESSION], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PROJECT_DIR: dir, TEST_IMAGE, COMPOSED_SOCKET: daemon.socket },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(new RegExp(`^NAME\\s+IMAGE\\s+COMMAND\\s+SERVICE\\s+CREATED\\s+STATUS\\s+PORTS$`, 'm'));
    expect(out).toMatch(new RegExp(`^${project}-web-1\\s+${TEST_IMAGE.replace('.', '\\.')}\\s+.*\\s+web\\s+.* ago\\s+Up `, 'm'));
    expect(out).toMatch(/^web-1 \| web is up$/m);
    expect(out).toContain('in web: hello from compose.yaml\n');
    expect(out).toContain('exec exit code: 3\n');
    expect(out).toContain('one-off says hello\n');
    expect(out).toContain('redis\nweb\n');
    expect(out).toContain(`project ${project} is down\n`);
    expect(out.trim().split('\n').at(-1)?.trim()).toBe('0');
  });
});
