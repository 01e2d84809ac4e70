import { describe, expect, it } from 'vitest';
import { parseNotifyTarget, splitNotifyList } from '../../../src/compose/notify-target.js';
import { loadText, project } from './helpers.js';

describe('notification targets', () => {
  it('a plain URL is generic JSON; a prefix picks Slack, Discord or ntfy; labels keep only scheme and host', () => {
    expect(parseNotifyTarget('https://alerts.example.com/hook?token=s3cret')).toEqual({ format: 'json', url: 'https://alerts.example.com/hook?token=s3cret', label: 'https://alerts.example.com' });
    expect(parseNotifyTarget('slack+https://hooks.slack.com/services/T0/B0/XXXX')).toEqual({ format: 'slack', url: 'https://hooks.slack.com/services/T0/B0/XXXX', label: 'slack+https://hooks.slack.com' });
    expect(parseNotifyTarget('ntfy+http://user:pw@127.0.0.1:8080/my-topic')).toMatchObject({ format: 'ntfy', label: 'ntfy+http://127.0.0.1:8080' });
    expect(parseNotifyTarget('Discord+https://discord.com/api/webhooks/1/abc')).toMatchObject({ format: 'discord' });
  });

  it('refuses what is not an http(s) URL, without repeating it', () => {
    expect(parseNotifyTarget('ftp://files.example.com/drop')).toEqual({ error: 'must be an http or https URL, not ftp' });
    expect(parseNotifyTarget('teams+https://x.example.com/a')).toEqual({ error: 'unknown notification format "teams" (use one of json, slack, discord, ntfy, as in slack+https://...)' });
    expect(parseNotifyTarget('hooks.slack.com/services/T0/B0/SECRET')).toMatchObject({ error: expect.not.stringContaining('SECRET') });
  });

  it('COMPOSED_NOTIFY splits on commas and spaces', () => {
    expect(splitNotifyList(' https://a.example/x, slack+https://b.example/y  https://c.example ')).toEqual(['https://a.example/x', 'slack+https://b.example/y', 'https://c.example']);
  });
});

describe('x-composed.notify at the top level', () => {
  it('is read into the project, interpolated, and left out when absent', () => {
    const p = project('x-composed:\n  notify:\n    - ${HOOK}\n    - ntfy+https://ntfy.sh/shop\nservices:\n  web:\n    image: x\n', { env: { HOOK: 'slack+https://hooks.slack.com/services/T/B/X' } });
    expect(p.notify).toEqual(['slack+https://hooks.slack.com/services/T/B/X', 'ntfy+https://ntfy.sh/shop']);
    expect(project('services:\n  web:\n    image: x\n').notify).toBeUndefined();
  });

  it('names file, line and key of a bad value', () => {
    const out = loadText('services:\n  web:\n    image: x\nx-composed:\n  notify:\n    - https://ok.example/hook\n    - mailto:ops@example.com\n  notfy: []\n');
    expect(out.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.path}: ${d.message}`)).toEqual([
      'compose.yaml:7:7 x-composed.notify[1]: must be an http or https URL, not mailto',
      'compose.yaml:8:3 x-composed.notfy: unknown key "notfy", did you mean "notify"?',
    ]);
    expect(loadText('services: {web: {image: x}}\nx-composed: {notify: https://one.example}\n').diagnostics[0]).toMatchObject({ path: 'x-composed.notify', message: 'must be a list, not the string "https://one.example"' });
  });
});
