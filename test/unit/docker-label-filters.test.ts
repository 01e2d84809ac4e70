// The adapter against an engine whose list filters return everything (Podman 4.3.1 ORs label
// filters on the volume list; this goes further and ignores them all): composed must still remove
// and mount only its own objects, deciding on each object's labels.
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  LABEL_ANON_NUMBER,
  LABEL_ANON_TARGET,
  LABEL_MANAGED,
  LABEL_NETWORK,
  LABEL_NUMBER,
  LABEL_PROJECT,
  LABEL_SERVICE,
  LABEL_VOLUME,
  projectSelector,
} from '../../src/daemon/core/labels.js';
import { DockerRuntime } from '../../src/daemon/docker/runtime.js';
import { labelsMatch } from '../../src/daemon/docker/label-match.js';
import { networkFixture, projectFixture, serviceFixture, volumeFixture } from '../support/fixtures.js';

interface StoredVolume {
  Name: string;
  Labels: Record<string, string>;
  CreatedAt: string;
}

/** Just enough of the engine API for volumes, networks and container create/list; every filter is ignored. */
class FilterIgnoringEngine {
  readonly volumes = new Map<string, StoredVolume>();
  readonly networks = new Map<string, { Name: string; Labels: Record<string, string> }>();
  readonly containers: Array<{ Id: string; Names: string[]; Labels: Record<string, string>; State: string; Status: string; ImageID: string; Created: number }> = [];
  readonly created: Docker.ContainerCreateOptions[] = [];
  readonly removedVolumes: string[] = [];
  readonly removedNetworks: string[] = [];
  private serial = 0;

  addVolume(name: string, labels: Record<string, string>): void {
    this.volumes.set(name, { Name: name, Labels: labels, CreatedAt: `2026-01-01T00:00:${String(this.serial++).padStart(2, '0')}Z` });
  }

  async listVolumes(): Promise<{ Volumes: StoredVolume[] }> {
    return { Volumes: [...this.volumes.values()] };
  }

  async listContainers(): Promise<unknown[]> {
    return this.containers;
  }

  async createVolume(opts: { Name?: string; Labels?: Record<string, string> }): Promise<{ name: string }> {
    const name = opts.Name ?? `anon${this.serial}`;
    this.addVolume(name, opts.Labels ?? {});
    return { name };
  }

  getVolume(name: string) {
    return {
      inspect: async () => {
        const volume = this.volumes.get(name);
        if (!volume) throw Object.assign(new Error('no such volume'), { statusCode: 404 });
        return volume;
      },
      remove: async () => {
        this.volumes.delete(name);
        this.removedVolumes.push(name);
      },
    };
  }

  getNetwork(name: string) {
    return {
      inspect: async () => {
        const network = this.networks.get(name);
        if (!network) throw Object.assign(new Error('no such network'), { statusCode: 404 });
        return network;
      },
      remove: async () => {
        this.networks.delete(name);
        this.removedNetworks.push(name);
      },
    };
  }

  getContainer(id: string) {
    return { inspect: async () => ({ Id: id, Config: { Labels: {} }, State: { Running: true } }) };
  }

  getImage() {
    return { inspect: async () => ({ Config: { Volumes: {} } }) };
  }

  async createContainer(opts: { _body: Docker.ContainerCreateOptions }) {
    this.created.push(opts._body);
    return { id: `c${this.created.length}`, putArchive: async () => undefined, remove: async () => undefined };
  }

  asDocker(): Docker {
    return this as unknown as Docker;
  }
}

const anonLabels = (project: string, service: string, number: number, target: string) => ({
  [LABEL_PROJECT]: project,
  [LABEL_SERVICE]: service,
  [LABEL_ANON_NUMBER]: String(number),
  [LABEL_ANON_TARGET]: target,
  [LABEL_MANAGED]: 'true',
});

function engineWithOtherProjects(): FilterIgnoringEngine {
  const engine = new FilterIgnoringEngine();
  engine.addVolume('pta_dbdata', { [LABEL_PROJECT]: 'pta', [LABEL_VOLUME]: 'dbdata', [LABEL_MANAGED]: 'true' });
  engine.addVolume('other-anon', anonLabels('pta', 'web', 1, '/anon'));
  engine.addVolume('same-project-other-replica', anonLabels('mine', 'web', 2, '/anon'));
  engine.addVolume('same-project-other-target', anonLabels('mine', 'web', 1, '/anon2'));
  engine.addVolume('mine_data', { [LABEL_PROJECT]: 'mine', [LABEL_VOLUME]: 'data', [LABEL_MANAGED]: 'true' });
  engine.addVolume('handmade', {});
  return engine;
}

describe('an engine whose list filters return everything', () => {
  it('down -v removes only the project own named and anonymous volumes', async () => {
    const engine = engineWithOtherProjects();
    engine.addVolume('mine-anon', anonLabels('mine', 'web', 1, '/anon'));
    const quirks: string[] = [];
    const runtime = new DockerRuntime(engine.asDocker(), (kind) => quirks.push(kind));
    const project = projectFixture('mine', [serviceFixture('web')], { volumes: { data: volumeFixture('mine_data') } });

    await runtime.removeProjectVolumes(project);

    expect(engine.removedVolumes.sort()).toEqual(['mine-anon', 'mine_data', 'same-project-other-replica', 'same-project-other-target']);
    expect([...engine.volumes.keys()].sort()).toEqual(['handmade', 'other-anon', 'pta_dbdata']);
    expect(quirks).toEqual(['label filter on the volume list']);
  });

  it('down -v of a project with no volumes removes nothing at all', async () => {
    const engine = engineWithOtherProjects();
    const runtime = new DockerRuntime(engine.asDocker());
    await runtime.removeProjectVolumes(projectFixture('empty', [serviceFixture('web')]));
    expect(engine.removedVolumes).toEqual([]);
  });

  it('leaves a named volume of the right name that composed did not make for this project', async () => {
    const engine = new FilterIgnoringEngine();
    engine.addVolume('mine_data', { [LABEL_PROJECT]: 'someone-else' });
    const quirks: string[] = [];
    const runtime = new DockerRuntime(engine.asDocker(), (kind) => quirks.push(kind));
    await runtime.removeProjectVolumes(projectFixture('mine', [], { volumes: { data: volumeFixture('mine_data') } }));
    expect(engine.removedVolumes).toEqual([]);
    expect(quirks).toContain('volume mine_data left in place');
  });

  it("mounts each anonymous volume from the replica's own labelled volume, never another one", async () => {
    const engine = engineWithOtherProjects();
    engine.addVolume('mine-web-1-anon', anonLabels('mine', 'web', 1, '/anon'));
    const web = serviceFixture('web', {
      volumes: [
        { type: 'volume', target: '/anon', readOnly: false, nocopy: false },
        { type: 'volume', target: '/anon2b', readOnly: false, nocopy: false },
        { type: 'volume', source: 'data', target: '/data', readOnly: false, nocopy: false },
      ],
    });
    const project = projectFixture('mine', [web], { volumes: { data: volumeFixture('mine_data') } });
    const runtime = new DockerRuntime(engine.asDocker());

    await runtime.createReplica({ project, service: web, number: 1, name: 'mine-web-1', configHash: 'h' });

    const mounts = engine.created[0]?.HostConfig?.Mounts ?? [];
    const source = (target: string) => mounts.find((m) => m.Target === target)?.Source ?? '';
    expect(source('/anon')).toBe('mine-web-1-anon');
    expect(source('/data')).toBe('mine_data');
    // No volume carried /anon2b's labels, so a fresh one was made with them.
    const fresh = engine.volumes.get(source('/anon2b'));
    expect(fresh && labelsMatch(fresh.Labels, anonLabels('mine', 'web', 1, '/anon2b'))).toBe(true);
  });

  it("lists only the project's containers and removes only its own networks", async () => {
    const engine = new FilterIgnoringEngine();
    const container = (id: string, labels: Record<string, string>) => ({
      Id: id, Names: [`/${id}`], Labels: labels, State: 'running', Status: 'Up 1 second', ImageID: 'sha256:x', Created: 1,
    });
    engine.containers.push(
      container('mine-web-1', { ...projectSelector('mine'), [LABEL_SERVICE]: 'web', [LABEL_NUMBER]: '1' }),
      container('pta-web-1', { ...projectSelector('pta'), [LABEL_SERVICE]: 'web', [LABEL_NUMBER]: '1' }),
      container('unmanaged', { [LABEL_PROJECT]: 'mine' }),
    );
    engine.networks.set('mine_default', { Name: 'mine_default', Labels: { [LABEL_PROJECT]: 'mine', [LABEL_NETWORK]: 'default', [LABEL_MANAGED]: 'true' } });
    engine.networks.set('mine_back', { Name: 'mine_back', Labels: { [LABEL_PROJECT]: 'pta', [LABEL_NETWORK]: 'back', [LABEL_MANAGED]: 'true' } });
    const runtime = new DockerRuntime(engine.asDocker());
    const project = projectFixture('mine', [serviceFixture('web')]);

    expect((await runtime.listContainers(projectSelector('mine'))).map((c) => c.name)).toEqual(['mine-web-1']);
    expect(await runtime.removeNetwork(project, 'default', networkFixture('mine_default'))).toBeUndefined();
    expect(await runtime.removeNetwork(project, 'back', networkFixture('mine_back'))).toMatch(/not created by composed for project mine/);
    expect(engine.removedNetworks).toEqual(['mine_default']);
  });
});
