// depends_on -> init containers that wait for a dependency's Service.
import { describe, expect, it } from 'vitest';
import type { DependsOn, Healthcheck, Service } from '../../../src/compose/model.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run } from './support.js';

const on = (condition: DependsOn['condition'], over: Partial<DependsOn> = {}): DependsOn => ({ condition, restart: false, required: true, ...over });
const healthy: Healthcheck = { test: ['CMD', 'pg_isready'] };

function initContainers(deps: Record<string, DependsOn>, others: Service[]) {
  const r = run(projectOf([serviceFixture('web', { dependsOn: deps }), ...others]));
  return { init: find(r, 'Deployment', 'web').spec!.template.spec!.initContainers, warnings: r.warningLines };
}

describe('depends_on', () => {
  it('service_healthy waits until the dependency Service takes a TCP connection (it routes to ready pods only)', () => {
    const { init } = initContainers({ db: on('service_healthy') }, [serviceFixture('db', { healthcheck: healthy, expose: ['5432'] })]);
    expect(init).toEqual([
      {
        name: 'wait-for-db',
        image: 'busybox:1.36',
        command: ['sh', '-c', 'until nc -z -w 2 db 5432; do echo waiting for db:5432; sleep 2; done'],
      },
    ]);
  });

  it('one init container per healthy dependency, in name order, on the first TCP port', () => {
    const { init } = initContainers({ db: on('service_healthy'), cache: on('service_healthy') }, [
      serviceFixture('db', { healthcheck: healthy, expose: ['5432'] }),
      serviceFixture('cache', { healthcheck: healthy, expose: ['6379/udp', '6380'] }),
    ]);
    expect(init?.map((c) => c.name)).toEqual(['wait-for-cache', 'wait-for-db']);
    expect(init?.[0]?.command?.[2]).toContain('nc -z -w 2 cache 6380');
  });

  it('waits for the Kubernetes name of a renamed dependency', () => {
    const { init } = initContainers({ my_db: on('service_healthy') }, [serviceFixture('my_db', { healthcheck: healthy, expose: ['5432'] })]);
    expect(init?.[0]?.command?.[2]).toContain('nc -z -w 2 my-db 5432');
  });

  it('service_started adds nothing: Kubernetes starts pods in no order', () => {
    const { init, warnings } = initContainers({ db: on('service_started') }, [serviceFixture('db', { expose: ['5432'] })]);
    expect(init).toBeUndefined();
    expect(warnings.filter((w) => w.includes('depends_on'))).toEqual([]);
  });

  it('service_completed_successfully is a warning', () => {
    const { init, warnings } = initContainers({ migrate: on('service_completed_successfully') }, [serviceFixture('migrate')]);
    expect(init).toBeUndefined();
    expect(warnings).toContain(
      "services.web.depends_on.migrate: not carried over: web does not wait for migrate to complete (an init container cannot see a Job's outcome without API access)",
    );
  });

  it('a healthy dependency with no TCP port to wait on is a warning', () => {
    const { init, warnings } = initContainers({ db: on('service_healthy') }, [serviceFixture('db', { healthcheck: healthy })]);
    expect(init).toBeUndefined();
    expect(warnings).toContain('services.web.depends_on.db: not carried over: db declares no TCP port to wait on (list the port it serves under its expose)');
  });

  it('restart: true is a warning; a dependency outside the project is skipped', () => {
    const { init, warnings } = initContainers({ db: on('service_started', { restart: true }), gone: on('service_healthy', { required: false }) }, [serviceFixture('db')]);
    expect(init).toBeUndefined();
    expect(warnings).toContain('services.web.depends_on.db.restart: not carried over: web is not restarted when db is replaced');
  });
});
