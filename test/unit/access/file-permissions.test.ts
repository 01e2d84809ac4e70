// File permissions as another uid would get them, computed from modes and owners (the test runs
// as root, so fs.access would say yes to everything).
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roleOf } from '../../../src/daemon/access/caller.js';
import { permissionRefusal } from '../../../src/daemon/access/file-permissions.js';
import { supplementaryGroups } from '../../../src/daemon/access/peer-credentials.js';
import { bindRefusal } from '../../../src/daemon/access/project-access.js';

const isRoot = process.getuid?.() === 0;
const alice = { uid: 4101, groups: [4101, 4200] };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'composed-perm-'));
  chmodSync(dir, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, mode: number, uid = 0, gid = 0): string {
  const path = join(dir, name);
  writeFileSync(path, 'x');
  chownSync(path, uid, gid);
  chmodSync(path, mode);
  return path;
}

describe.runIf(isRoot)('permissions for another uid', () => {
  it('owner, group and other bits, as the kernel picks them', () => {
    expect(permissionRefusal(alice, file('mine', 0o600, 4101, 0), 'read')).toBeUndefined();
    expect(permissionRefusal(alice, file('group', 0o640, 0, 4200), 'read')).toBeUndefined();
    expect(permissionRefusal(alice, file('group-ro', 0o640, 0, 4200), 'write')).toMatch(/uid 4101 may not write it \(owner 0, group 4200, mode 0640\)/);
    expect(permissionRefusal(alice, file('secret', 0o600), 'read')).toMatch(/may not read it/);
    // Owner bits decide for the owner even when "other" would allow more.
    expect(permissionRefusal(alice, file('owner-none', 0o004, 4101, 0), 'read')).toMatch(/may not read/);
    expect(permissionRefusal({ uid: 0, groups: [] }, file('root', 0o000), 'read')).toBeUndefined();
  });

  it('every directory above must be open; a symbolic link is checked where it points too', () => {
    const closed = join(dir, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    writeFileSync(join(closed, 'f'), 'x');
    chmodSync(join(closed, 'f'), 0o644);
    expect(permissionRefusal(alice, join(closed, 'f'), 'read')).toMatch(/directory .*closed is not open to uid 4101/);
    const link = join(dir, 'link');
    symlinkSync(file('target', 0o600), link);
    

    expect(permissionRefusal(alice, link, 'read')).toMatch(/may not read it/);
    expect(permissionRefusal(alice, join(dir, 'missing'), 'read')).toBe('no such file or directory');
  });

  it('a bind mount: what the caller owns or may write, never a socket or what is not there', () => {
    const own = join(dir, 'own');
    mkdirSync(own);
    chownSync(own, 4101, 4101);
    expect(bindRefusal(alice, own)).toBeUndefined();
    expect(bindRefusal(alice, '/')).toMatch(/it is not yours and you may not write it/);
    expect(bindRefusal(alice, join(dir, 'nothing'))).toMatch(/does not exist/);
  });
});

describe('who a caller is', () => {
  it('root and the daemon\'s uid, then the socket group, then the restricted group, else no one', () => {
    const groups = { socketGroup: 10, restrictedGroup: 20 };
    expect(roleOf({ uid: 0, groups: [] }, groups, 0)).toBe('root');
    expect(roleOf({ uid: 1000, groups: [1000] }, groups, 1000)).toBe('root');
    expect(roleOf({ uid: 1001, groups: [1001, 10, 20] }, groups, 0)).toBe('full');
    expect(roleOf({ uid: 1001, groups: [1001, 20] }, groups, 0)).toBe('restricted');
    expect(roleOf({ uid: 1001, groups: [1001] }, groups, 0)).toBe('none');
    expect(roleOf({ uid: 1001, groups: [0] }, {}, 0)).toBe('none');
  });

  it('supplementary groups come from /proc/<pid>/status, only while that pid is still the caller\'s uid', () => {
    const proc = mkdtempSync(join(tmpdir(), 'composed-proc-'));
    mkdirSync(join(proc, '42'));
    writeFileSync(join(proc, '42', 'status'), 'Name:\tcomposed\nUid:\t1001\t1001\t1001\t1001\nGroups:\t27 100 4200 \n');
    expect(supplementaryGroups(42, 1001, proc)).toEqual([27, 100, 4200]);
    expect(supplementaryGroups(42, 1002, proc)).toEqual([]);
    expect(supplementaryGroups(43, 1001, proc)).toEqual([]);
    rmSync(proc, { recursive: true, force: true });
  });
});
