import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/daemon/core/notify-decision.js';
import { renderPayload } from '../../../src/daemon/notify/payload.js';
import { redact, secretsOf } from '../../../src/daemon/notify/redact.js';
import { project } from '../compose/helpers.js';

const failed: Notification = {
  type: 'failed',
  project: 'shop',
  service: 'web',
  replica: 2,
  reason: 'gave up after 3 restarts (exited 1)',
  exitCode: 1,
  at: '2026-12-01T10:00:00.000Z',
  logTail: ['listening on :8080', 'panic: cannot reach db'],
};

describe('notification bodies', () => {
  it('generic JSON: every field, absent ones null, so receivers see one shape', () => {
    const payload = renderPayload('json', { ...failed, project: null, service: null, replica: null, exitCode: null, type: 'engine-unreachable', logTail: [] });
    expect(payload.contentType).toBe('application/json');
    expect(JSON.parse(payload.body)).toEqual({ type: 'engine-unreachable', project: null, service: null, replica: null, reason: failed.reason, exitCode: null, at: failed.at, logTail: [] });
    expect(JSON.parse(renderPayload('json', failed).body)).toEqual(failed);
  });

  it('Slack {text} and Discord {content}, the log in a code block', () => {
    const expected = 'composed: shop/web#2 gave up*\ngave up after 3 restarts (exited 1)\nexit code 1\n```\nlistening on :8080\npanic: cannot reach db\n```';
    expect(JSON.parse(renderPayload('slack', failed).body)).toEqual({ text: `*${expected}` });
    expect(JSON.parse(renderPayload('discord', failed).body)).toEqual({ content: `**${expected.replace('gave up*', 'gave up**')}` });
  });

  it('Discord stays within its 2,000 characters, keeping the last log lines', () => {
    const long = { ...failed, logTail: Array.from({ length: 20 }, (_, i) => `line ${i} ${'x'.repeat(280)}`) };
    const content = (JSON.parse(renderPayload('discord', long).body) as { content: string }).content;
    expect(content.length).toBeLessThanOrEqual(2_000);
    expect(content).toContain('line 19');
    expect(content.endsWith('```')).toBe(true);
  });

  it('ntfy: plain text with Title, Tags and Priority headers', () => {
    expect(renderPayload('ntfy', failed)).toEqual({
      contentType: 'text/plain; charset=utf-8',
      headers: { Title: 'composed: shop/web#2 gave up', Tags: 'rotating_light,composed,failed', Priority: 'high' },
      body: 'gave up after 3 restarts (exited 1)\nexit code 1\nlistening on :8080\npanic: cannot reach db',
    });
    const recovered = renderPayload('ntfy', { ...failed, type: 'recovered', replica: null, exitCode: null, logTail: [], reason: 'recovered from failed: running again, 1/1 ready', recovers: ['failed'] });
    expect(recovered.headers).toEqual({ Title: 'composed: shop/web recovered', Tags: 'white_check_mark,composed,recovered', Priority: 'default' });
  });
});

describe('environment values', () => {
  it('never appear in a payload, whichever field carries them', () => {
    const p = project('services:\n  web:\n    image: x\n    environment:\n      DB_PASSWORD: hunter2-very-secret\n      MODE: on\n      DB_USER: shopkeeper\n');
    const secrets = secretsOf(p);
    expect(secrets).toEqual(['hunter2-very-secret', 'shopkeeper']);
    const leaky = { ...failed, reason: 'login failed for shopkeeper', logTail: ['DB_PASSWORD=hunter2-very-secret', 'mode on'] };
    const clean = redact(leaky, secrets);
    expect(clean.reason).toBe('login failed for [redacted]');
    expect(clean.logTail).toEqual(['DB_PASSWORD=[redacted]', 'mode on']);
    for (const format of ['json', 'slack', 'discord', 'ntfy'] as const) expect(renderPayload(format, clean).body).not.toMatch(/hunter2|shopkeeper/);
  });
});
