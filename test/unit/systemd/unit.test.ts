import { describe, expect, it } from 'vitest';
import { renderUnit, type UnitOptions } from '../../../src/cli/systemd/unit.js';

const DEFAULTS: UnitOptions = {
  nodePath: '/usr/bin/node',
  cliPath: '/opt/composed/dist/cli/main.js',
  socket: '/run/composed/composed.sock',
  stateDir: '/var/lib/composed',
};

/** `[Section] Key` -> values, in order (a key may repeat). */
function parseUnit(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!;
    const assignment = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (assignment) {
      const key = `[${section}] ${assignment[1]}`;
      entries.set(key, [...(entries.get(key) ?? []), assignment[2]!]);
    }
  }
  return entries;
}

describe('the systemd unit', () => {
  it('runs the installed daemon as a notify service that survives its own restarts, for the default paths', () => {
    expect(renderUnit(DEFAULTS)).toBe(
      [
        '[Unit]',
        'Description=composed: docker compose supervisor',
        'After=docker.service',
        'Wants=docker.service',
        'StartLimitIntervalSec=0',
        '',
        '[Service]',
        'Type=notify',
        'NotifyAccess=main',
        'ExecStart=/usr/bin/node /opt/composed/dist/cli/main.js daemon --socket /run/composed/composed.sock --state-dir /var/lib/composed',
        'Restart=always',
        'RestartSec=2s',
        'TimeoutStartSec=5min',
        'WatchdogSec=60',
        'KillMode=process',
        'RuntimeDirectory=composed',
        'RuntimeDirectoryMode=0755',
        'StateDirectory=composed',
        'StateDirectoryMode=0700',
        'NoNewPrivileges=yes',
        'ProtectSystem=full',
        'ProtectHome=read-only',
        'ProtectKernelTunables=yes',
        'ProtectKernelModules=yes',
        'ProtectControlGroups=yes',
        'ProtectHostname=yes',
        'RestrictSUIDSGID=yes',
        'RestrictRealtime=yes',
        'LockPersonality=yes',
        'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
        'SystemCallArchitectures=native',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
  });

  it('keeps home directories readable, because compose files and bind mounts live in users\' repos', () => {
    const unit = parseUnit(renderUnit(DEFAULTS));
    expect(unit.get('[Service] ProtectHome')).toEqual(['read-only']);
    expect(unit.get('[Service] PrivateTmp')).toBeUndefined();
  });

  it('makes directories outside /run and /var/lib writable instead of letting systemd manage them', () => {
    const unit = parseUnit(renderUnit({ ...DEFAULTS, socket: '/srv/composed/control.sock', stateDir: '/home/ops/composed-state' }));
    expect(unit.get('[Service] RuntimeDirectory')).toBeUndefined();
    expect(unit.get('[Service] StateDirectory')).toBeUndefined();
    expect(unit.get('[Service] ReadWritePaths')).toEqual(['-/srv/composed', '-/home/ops/composed-state']);
    expect(unit.get('[Service] ExecStart')).toEqual([
      '/usr/bin/node /opt/composed/dist/cli/main.js daemon --socket /srv/composed/control.sock --state-dir /home/ops/composed-state',
    ]);
  });

  it('uses nested directories under /run and /var/lib as RuntimeDirectory= and StateDirectory=', () => {
    const unit = parseUnit(renderUnit({ ...DEFAULTS, socket: '/run/composed/prod/api.sock', stateDir: '/var/lib/composed/prod' }));
    expect(unit.get('[Service] RuntimeDirectory')).toEqual(['composed/prod']);
    expect(unit.get('[Service] StateDirectory')).toEqual(['composed/prod']);
    expect(unit.get('[Service] ReadWritePaths')).toBeUndefined();
  });

  it('writes Environment= lines sorted and quoted, with systemd specifiers escaped', () => {
    const unit = parseUnit(renderUnit({ ...DEFAULTS, environment: { DOCKER_HOST: 'unix:///var/run/docker.sock', COMPOSED_LOG_LEVEL: 'debug', NOTE: 'say "100%" \\o/' } }));
    expect(unit.get('[Service] Environment')).toEqual([
      '"COMPOSED_LOG_LEVEL=debug"',
      '"DOCKER_HOST=unix:///var/run/docker.sock"',
      '"NOTE=say \\"100%%\\" \\\\o/"',
    ]);
  });

  it('escapes % and $ in ExecStart so systemd passes the paths through unchanged', () => {
    const unit = parseUnit(renderUnit({ ...DEFAULTS, cliPath: '/opt/100%/$HOME/dist/cli/main.js' }));
    expect(unit.get('[Service] ExecStart')?.[0]).toMatch(/^\/usr\/bin\/node \/opt\/100%%\/\$\$HOME\/dist\/cli\/main\.js daemon /);
  });

  it('takes the watchdog period from the options', () => {
    expect(parseUnit(renderUnit({ ...DEFAULTS, watchdogSec: 15 })).get('[Service] WatchdogSec')).toEqual(['15']);
  });

  it('refuses what systemd would misread: relative paths, spaces, bad variable names, multi-line values', () => {
    expect(() => renderUnit({ ...DEFAULTS, stateDir: 'state' })).toThrow(/absolute paths/);
    expect(() => renderUnit({ ...DEFAULTS, socket: '/run/my composed/c.sock' })).toThrow(/without spaces/);
    expect(() => renderUnit({ ...DEFAULTS, environment: { 'NOT-A-NAME': 'x' } })).toThrow(/invalid environment variable name/);
    expect(() => renderUnit({ ...DEFAULTS, environment: { A: 'one\ntwo' } })).toThrow(/single line/);
  });
});
