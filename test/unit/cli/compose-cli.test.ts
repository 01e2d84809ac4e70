// The CLI's pure pieces behind compose's flags: finding the verb after global flags, --since/--until
// times, Go templates, ps columns, the session framing and -e entries.
import { describe, expect, it } from 'vitest';
import { verbOf } from '../../../src/cli/command-modules.js';
import { parseLogTime } from '../../../src/cli/log-time.js';
import { envEntries, wantsTty } from '../../../src/cli/process-flags.js';
import { renderTemplate } from '../../../src/cli/render/go-template.js';
import { formatPorts, humanDuration, quotedCommand } from '../../../src/cli/render/ps.js';
import { shouldAttach } from '../../../src/cli/up-attach.js';
import { encodeFrame, FrameReader, FrameType } from '../../../src/protocol/session.js';

describe('verbOf: the verb after compose\'s global flags', () => {
  it.each([
    [['up', '-d'], 'up'],
    [['-f', 'a.yaml', '-p', 'demo', 'ps'], 'ps'],
    [['--profile', 'x', '--env-file', '.env', '--project-directory', 'd', 'logs', '-f'], 'logs'],
    [['--ansi', 'never', '--progress', 'plain', 'exec', 'web', 'sh'], 'exec'],
    [['--help'], undefined],
    [[], undefined],
  ])('%j -> %s', (args, verb) => expect(verbOf(args)).toBe(verb));
});

describe('parseLogTime', () => {
  const now = Date.parse('2026-01-02T03:04:05Z');
  it.each([
    ['1700000000', 1_700_000_000],
    ['1700000000.5', 1_700_000_000.5],
    ['42m', now / 1000 - 42 * 60],
    ['1h30m', now / 1000 - 5400],
    ['500ms', now / 1000 - 0.5],
    ['2024-01-02T13:23:37Z', Date.parse('2024-01-02T13:23:37Z') / 1000],
    ['2024-01-02T13:23:37+02:00', Date.parse('2024-01-02T11:23:37Z') / 1000],
  ])('%s', (text, seconds) => expect(parseLogTime(text, '--since', now)).toBeCloseTo(seconds, 6));
  it('names the flag when it cannot read the time', () => {
    expect(() => parseLogTime('yesterday', '--until', now)).toThrow('--until: "yesterday" is neither a duration');
  });
});

describe('Go templates for --format', () => {
  const rows = [{ Name: 'a-web-1', ExitCode: 0, Publishers: [{ URL: '', TargetPort: 80 }] }, { Name: 'a-db-1', ExitCode: 3, Publishers: [] }];
  it('fills fields, json, table headers', () => {
    expect(renderTemplate('{{.Name}}: {{.ExitCode}}', rows)).toBe('a-web-1: 0\na-db-1: 3\n');
    expect(renderTemplate('{{json .Publishers}}', rows.slice(1))).toBe('[]\n');
    expect(renderTemplate('table {{.Name}}\\t{{.ExitCode}}', rows)).toBe('NAME      EXIT CODE\na-web-1   0\na-db-1    3\n');
  });
  it('names an unknown field and refuses what it does not understand', () => {
    expect(() => renderTemplate('{{.Nope}}', rows)).toThrow('--format: no field Nope');
    expect(() => renderTemplate('{{range .Publishers}}{{end}}', rows)).toThrow('only {{.Field}} and {{json .Field}}');
  });
});

describe('ps columns', () => {
  it('ports, commands and ages as compose prints them', () => {
    expect(formatPorts([{ URL: '127.0.0.1', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' }, { URL: '', TargetPort: 443, PublishedPort: 0, Protocol: 'tcp' }])).toBe('127.0.0.1:8080->80/tcp, 443/tcp');
    expect(quotedCommand('sleep 5')).toBe('"sleep 5"');
    expect(quotedCommand("sh -c 'trap exit TERM; sleep'")).toBe('"sh -c \'trap exit TE…"');
    expect([0.2, 1, 30, 60, 600, 3600, 7200, 86400 * 3].map(humanDuration)).toEqual(['Less than a second', '1 second', '30 seconds', 'About a minute', '10 minutes', 'About an hour', '2 hours', '3 days']);
  });
});

describe('exec/run sessions', () => {
  it('frames survive being cut anywhere', () => {
    const bytes = Buffer.concat([encodeFrame(FrameType.stdout, 'hello'), encodeFrame(FrameType.exit, '{"exitCode":3}')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new FrameReader();
      const frames = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      expect(frames.map((f) => [f.type, f.payload.toString()])).toEqual([[FrameType.stdout, 'hello'], [FrameType.exit, '{"exitCode":3}']]);
    }
  });
  it('-e KEY takes the shell\'s value, KEY=VALUE is kept, =VALUE is refused', () => {
    expect(envEntries(['A=1', 'HOME_X', 'MISSING'], { HOME_X: '/h' })).toEqual(['A=1', 'HOME_X=/h']);
    expect(() => envEntries(['=1'], {})).toThrow('-e: "=1" has no variable name');
  });
  it('a TTY only when stdin is one and -T is not given', () => {
    expect([wantsTty(undefined, true), wantsTty(false, true), wantsTty(undefined, false)]).toEqual([true, false, false]);
  });
});

describe('up without -d', () => {
  it('attaches only on a terminal outside CI', () => {
    expect(shouldAttach(true, true, {})).toEqual({ attach: true });
    expect(shouldAttach(true, true, { CI: 'true' })).toEqual({ attach: false, why: 'CI is set' });
    expect(shouldAttach(true, false, {})).toEqual({ attach: false, why: 'stdout is not a terminal' });
  });
});
