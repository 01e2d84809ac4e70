import { describe, expect, it } from 'vitest';
import type { ProjectStatus, ServiceStatus } from '../../../src/protocol/api.js';
import { overviewView } from '../../../src/daemon/dashboard/overview-view.js';
import { projectView } from '../../../src/daemon/dashboard/project-view.js';
import { eventItem } from '../../../src/daemon/dashboard/timeline-view.js';

function service(name: string, phase: ServiceStatus['phase'], over: Partial<ServiceStatus> = {}): ServiceStatus {
  return { name, image: 'busybox', phase, desired: 1, running: 1, ready: phase === 'running' ? 1 : 0, restarts: 0, replicas: [], ...over };
}

function project(name: string, services: ServiceStatus[], over: Partial<ProjectStatus> = {}): ProjectStatus {
  return { name, workingDir: '/w', configFiles: ['/w/compose.yaml'], engine: 'reachable', configErrors: [], warnings: [], services, ...over };
}

describe('dashboard views', () => {
  it('the overview lists projects and services needing a person first, ready over desired', () => {
    const html = overviewView([
      project('alpha', [service('web', 'running'), service('db', 'running')]),
      project('beta', [service('api', 'running'), service('job', 'failed')]),
    ]);
    expect(html.indexOf('data-project="beta"')).toBeLessThan(html.indexOf('data-project="alpha"'));
    expect(html.indexOf('>job<')).toBeLessThan(html.indexOf('>api<'));
    expect(html).toContain('1/2 ready');
    // The phase is a word and a symbol, not a colour alone.
    expect(html).toMatch(/<span aria-hidden="true">✖<\/span> failed/);
  });

  it('a project shows config errors, probe output and the last exit with its log tail, all escaped', () => {
    const html = projectView(
      project(
        'p',
        [
          service('web', 'backoff', {
            message: 'restart <2> due',
            replicas: [
              {
                number: 1,
                name: 'p-web-1',
                phase: 'backoff',
                health: 'unhealthy',
                healthOutput: 'GET / -> 500 <html>',
                ready: false,
                restarts: 2,
                restartTimes: [],
                nextRetryAt: '2026-01-01T00:00:05.000Z',
                lastExit: { cause: 'exit', exitCode: 3, oomKilled: false, at: '2026-01-01T00:00:00.000Z', logTail: ['<script>alert(1)</script>'] },
              },
            ],
          }),
        ],
        { configErrors: [{ severity: 'error', file: '/w/compose.yaml', line: 3, column: 5, message: 'must be a string', path: 'services.web.image' }] },
      ),
    );
    expect(html).toContain('Config errors');
    expect(html).toContain('must be a string');
    expect(html).toContain('restart &#60;2&#62; due');
    expect(html).toContain('GET / -&#62; 500 &#60;html&#62;');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('exit 3');
    expect(html).toContain('data-action="restart" data-project="p" data-service="web"');
  });

  it('an event is escaped and marked by a symbol when something went wrong', () => {
    const item = eventItem({ time: '2026-01-01T00:00:00.000Z', project: 'p', service: 'web', replica: 1, type: 'gave-up', message: 'exited <1>' });
    expect(item).toContain('✖ gave-up');
    expect(item).toContain('exited &#60;1&#62;');
  });
});
