// The status table says when notifications do not get through: a receiver failing now, or
// notifications dropped from a full backlog; a receiver that works says nothing.
import { describe, expect, it } from 'vitest';
import type { NotificationDelivery, ProjectStatus } from '../../../src/protocol/api.js';
import { renderStatus } from '../../../src/cli/render/status.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();

function status(notifications: NotificationDelivery[]): ProjectStatus {
  return { name: 'shop', workingDir: '/srv/shop', configFiles: ['/srv/shop/compose.yaml'], engine: 'reachable', configErrors: [], warnings: [], services: [], notifications } as ProjectStatus;
}

const delivery = (over: Partial<NotificationDelivery>): NotificationDelivery => ({ endpoint: 'slack https://hooks.slack.com', scope: 'daemon', sent: 3, failed: 0, dropped: 0, queued: 0, ...over });

describe('status: notification delivery', () => {
  it('names a receiver that fails now, with its counts and last error', () => {
    const text = renderStatus(status([delivery({ failed: 2, queued: 1, lastError: 'connect ECONNREFUSED 127.0.0.1:9', lastErrorAt: at(30), lastSentAt: at(600) })]), NOW);
    expect(text).toContain('notifications to slack https://hooks.slack.com: 2 failed, 0 dropped, 1 waiting; last error 30s ago: connect ECONNREFUSED 127.0.0.1:9');
  });

  it('says nothing of a receiver that delivered since its last error', () => {
    const text = renderStatus(status([delivery({ failed: 1, lastError: 'timeout', lastErrorAt: at(600), lastSentAt: at(30) })]), NOW);
    expect(text).not.toContain('notifications to');
  });

  it('says so when notifications were dropped, even if the receiver works again', () => {
    const text = renderStatus(status([delivery({ dropped: 4, lastSentAt: at(5) })]), NOW);
    expect(text).toContain('notifications to slack https://hooks.slack.com: 0 failed, 4 dropped, 0 waiting');
  });
});
