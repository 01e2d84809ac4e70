import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseNotifyTarget, type NotifyTarget } from '../../../src/compose/notify-target.js';
import type { Notification } from '../../../src/daemon/core/notify-decision.js';
import { EventLog } from '../../../src/daemon/events/event-log.js';
import type { Post } from '../../../src/daemon/notify/http-post.js';
import { Notifier, type ProjectNotify } from '../../../src/daemon/notify/notifier.js';
import type { WorldSnapshot } from '../../../src/daemon/core/notify-conditions.js';
import { FakeClock } from '../../support/fake-clock.js';
import { project as loadProject } from '../compose/helpers.js';
import { project, replica, service, world } from './world.js';

function setup(daemonTargets: string[], files: Record<string, string>) {
  const clock = new FakeClock();
  const events = new EventLog(() => clock.now());
  const received: Array<{ url: string; n: Notification }> = [];
  const post: Post = async (url, payload) => {
    received.push({ url, n: JSON.parse(payload.body) as Notification });
    return { ok: true, status: 200 };
  };
  const projects: ProjectNotify[] = Object.entries(files).map(([name, yaml]) => ({ name, project: loadProject(yaml, { projectName: name }) }));
  let now: WorldSnapshot = world(projects.map((p) => project(p.name, [service('web')])));
  const notifier = new Notifier({ clock, logger: pino({ level: 'silent' }), events, projects: () => projects, world: () => now, daemonTargets: daemonTargets.map((t) => parseNotifyTarget(t) as NotifyTarget), post });
  return { clock, events, received, notifier, set: (w: WorldSnapshot) => (now = w) };
}

const file = (notify: string[]) => `x-composed:\n  notify: [${notify.join(', ')}]\nservices:\n  web:\n    image: x\n    environment: { TOKEN: tok-123456 }\n`;
const failed = service('web', { phase: 'failed', message: 'gave up: TOKEN tok-123456 rejected', replicas: [replica(1, { phase: 'failed', lastExit: { cause: 'exit', exitCode: 2, oomKilled: false, at: new Date(0).toISOString(), logTail: ['auth tok-123456'] } })] });

describe('the notifier', () => {
  it("sends a project's problem to the daemon's receivers and that project's own, redacted, and the engine's to everyone", async () => {
    const { clock, events, received, notifier, set } = setup(['https://ops.example/all'], { shop: file(['https://shop.example/hook']), blog: file(['https://blog.example/hook']) });
    notifier.start();
    set(world([project('blog', [service('web')]), project('shop', [failed])]));
    // An event makes it look within a second, without waiting for the 5 s interval.
    events.emit({ project: 'shop', service: 'web', type: 'gave-up', message: 'gave up' });
    await clock.advance(1_000);
    expect(received.map((r) => `${r.url} ${r.n.type} ${r.n.project}`).sort()).toEqual(['https://ops.example/all failed shop', 'https://shop.example/hook failed shop']);
    expect(JSON.stringify(received)).not.toContain('tok-123456');
    received.length = 0;
    set(world([project('blog', [service('web')]), project('shop', [service('web')])], false));
    await clock.advance(15_000);
    expect(received.map((r) => `${r.url} ${r.n.type}`).sort()).toEqual([
      'https://blog.example/hook engine-unreachable',
      'https://ops.example/all engine-unreachable',
      'https://ops.example/all recovered',
      'https://shop.example/hook engine-unreachable',
      'https://shop.example/hook recovered',
    ]);
    // Status names receivers by scheme and host only.
    expect(notifier.deliveriesFor('shop')).toEqual([
      { endpoint: 'https://ops.example', scope: 'daemon', sent: 3, failed: 0, dropped: 0, queued: 0, lastSentAt: expect.any(String) },
      { endpoint: 'https://shop.example', scope: 'project', sent: 3, failed: 0, dropped: 0, queued: 0, lastSentAt: expect.any(String) },
    ]);
    notifier.stop();
  });

  it('without any receiver reads nothing at all', async () => {
    const { clock, notifier } = setup([], { shop: 'services:\n  web:\n    image: x\n' });
    let reads = 0;
    const quiet = new Notifier({ clock, logger: pino({ level: 'silent' }), events: new EventLog(() => 0), projects: () => [], world: () => (reads++, world([])), daemonTargets: [] });
    quiet.start();
    await clock.advance(60_000);
    expect(reads).toBe(0);
    quiet.stop();
    notifier.stop();
  });
});
