// post_start / pre_stop hooks and develop.watch: read into the model, bad input named by file,
// line and key, and a service without them keeps the hash it had before they existed.
import { describe, expect, it } from 'vitest';
import { serviceConfigHash } from '../../../src/compose/hash.js';
import { errors, service, warnings } from './helpers.js';

describe('lifecycle hooks', () => {
  it('reads the compose 2.30 syntax: command as a string or a list, user, privileged, working_dir, environment', () => {
    const s = service(`
image: app
post_start:
  - command: chown -R 1001 /data
    user: root
    privileged: true
    working_dir: /data
    environment: [MODE=setup, FROM_HOST]
pre_stop:
  - command: ["sh", "-c", "echo bye"]`, { env: { FROM_HOST: 'yes' } });
    expect(s.postStart).toEqual([{ command: ['chown', '-R', '1001', '/data'], user: 'root', privileged: true, workingDir: '/data', environment: { FROM_HOST: 'yes', MODE: 'setup' } }]);
    expect(s.preStop).toEqual([{ command: ['sh', '-c', 'echo bye'], privileged: false, environment: {} }]);
    expect(warnings('services:\n  s:\n    image: app\n    post_start: [{ command: "true" }]\n')).toEqual([]);
  });

  it('names file, line and key of a bad hook', () => {
    expect(errors('services:\n  s:\n    image: app\n    post_start:\n      - user: root\n')).toEqual([
      expect.stringMatching(/^compose\.yaml:5:\d+ services\.s\.post_start\[0\]: a hook needs a command/),
    ]);
    expect(errors('services:\n  s:\n    image: app\n    pre_stop:\n      - command: "true"\n        when: later\n')).toEqual([
      expect.stringMatching(/^compose\.yaml:6:\d+ services\.s\.pre_stop\[0\]\.when: unknown key/),
    ]);
    expect(errors('services:\n  s:\n    image: app\n    pre_stop: { command: "true" }\n')).toEqual([expect.stringMatching(/^compose\.yaml:4:\d+ services\.s\.pre_stop: must be a list/)]);
    expect(errors('services:\n  s:\n    image: app\n    post_start: [{ command: "x", working_dir: rel }]\n')).toEqual([expect.stringMatching(/working_dir: "rel" must be an absolute path/)]);
  });

  it('a hook is part of the config hash; no hooks leaves the hash as it was', () => {
    const plain = service('image: app');
    const hooked = service('image: app\npost_start: [{ command: "true" }]');
    expect(plain.postStart).toBeUndefined();
    expect(serviceConfigHash(hooked)).not.toBe(serviceConfigHash(plain));
    expect(serviceConfigHash(service('image: app\npost_start: []'))).toBe(serviceConfigHash(plain));
  });
});

describe('develop.watch', () => {
  it('reads path (against the project dir), action, target and ignore', () => {
    const s = service(`
image: app
develop:
  watch:
    - { path: ./src, action: sync, target: /app/src/, ignore: [node_modules/] }
    - { path: package.json, action: rebuild }
    - { path: ./conf, action: sync+restart, target: /etc/app }`);
    expect(s.develop?.watch).toEqual([
      { path: '/proj/src', action: 'sync', target: '/app/src', ignore: ['node_modules/'] },
      { path: '/proj/package.json', action: 'rebuild', ignore: [] },
      { path: '/proj/conf', action: 'sync+restart', target: '/etc/app', ignore: [] },
    ]);
  });

  it('names file, line and key of a bad rule', () => {
    const bad = (rule: string) => errors(`services:\n  s:\n    image: app\n    develop:\n      watch:\n        - ${rule}\n`);
    expect(bad('{ path: ./src, action: copy }')).toEqual([expect.stringMatching(/^compose\.yaml:6:\d+ services\.s\.develop\.watch\[0\]\.action: .*sync.*rebuild/)]);
    expect(bad('{ path: ./src, action: sync }')).toEqual([expect.stringMatching(/^compose\.yaml:6:\d+ services\.s\.develop\.watch\[0\]: action sync needs a target/)]);
    expect(bad('{ action: rebuild }')).toEqual([expect.stringMatching(/develop\.watch\[0\]: a watch rule needs a path/)]);
    expect(bad('{ path: ./src, action: sync+exec, target: /x }')).toEqual([expect.stringMatching(/action: action sync\+exec is not supported/)]);
  });
});
