// A project whose state file could not be read at start (damaged on disk, edited by hand, written
// by another version) would otherwise run unsupervised until someone typed `composed up` again. Its
// record is rebuilt here, before the first sync, from what outlives the file: the labels on the
// project's containers (compose files, working dir, replica numbers, config hashes) and the compose
// files themselves. The daemon's start then carries on as with a good file (reload, adopt by label).
//
// What only the file knew is lost, and the event says so: the CLI's environment at `up`
// (interpolation sees only .env and defaults), `composed stop`, restart history and backoffs.
// Whatever would make the rebuilt project remove or recreate a running container (files gone or
// invalid, a service with containers missing from the files, a config that differs from the one the
// replicas run) leaves the project unsupervised and its containers untouched, with the reason.
import { ComposeError, formatDiagnostic, type Diagnostic } from '../../compose/errors.js';
import { loadProject, type LoadResult } from '../../compose/load.js';
import type { Project } from '../../compose/model.js';
import type { DaemonEventType, LoadRequest } from '../../protocol/api.js';
import { LABEL_CONFIG_FILES, LABEL_CONFIG_HASH, LABEL_NUMBER, LABEL_SERVICE, LABEL_WORKING_DIR, projectSelector, replicaName } from '../core/labels.js';
import { parseLabelledHash } from '../core/rolling-restart.js';
import type { SupervisorParts } from '../supervisor/parts.js';
import { projectConfigHashes } from './project-lifecycle.js';
import { projectNameOf, STATE_VERSION, type ProjectRecord, type UnreadableState } from '../state/state-store.js';

type Rebuilt = { record: ProjectRecord; notes: string[] } | { failure: string; type: DaemonEventType; diagnostics?: Diagnostic[] };

/** Rebuilds and supervises each project whose state file was unreadable, where its containers allow. */
export async function recoverFromLabels(parts: SupervisorParts, unreadable: UnreadableState[]): Promise<void> {
  for (const state of unreadable) await recoverProject(parts, state);
}

async function recoverProject(parts: SupervisorParts, { file, error }: UnreadableState): Promise<void> {
  const { controller, registry, clock } = parts;
  const name = projectNameOf(file);
  const log = parts.logger.child({ project: name, stateFile: file });
  log.error({ error }, 'state file unreadable; recovering its project from container labels');
  controller.emit({ type: 'engine', message: `state file ${file} unreadable: ${error}` });
  let rebuilt: Rebuilt;
  try {
    rebuilt = await rebuildRecord(parts, name);
  } catch (cause) {
    rebuilt = { failure: cause instanceof Error ? cause.message : String(cause), type: 'engine' };
  }
  if ('failure' in rebuilt) {
    log.error({ reason: rebuilt.failure, diagnostics: rebuilt.diagnostics }, 'project not recovered from container labels; its containers are left as they are');
    const message = `state file ${file} unreadable (${error}) and the project not recovered from container labels: ${rebuilt.failure}; its containers are left as they are until \`composed up\``;
    controller.emit({ project: name, type: rebuilt.type, message });
    return;
  }
  const { record, notes } = rebuilt;
  let kept: string;
  try {
    kept = await registry.adoptRecovered(record, clock.now());
  } catch (cause) {
    kept = `not saved (${String(cause)}): supervised from memory`;
    log.error({ err: cause }, 'could not write the recovered state file');
  }
  const summary = `recovered from container labels: ${Object.keys(record.project.services).length} services from ${record.project.configFiles.join(', ')}`;
  log.warn({ notes }, summary);
  controller.emit({ project: name, type: 'project-up', message: `${summary} (state file ${file} was unreadable: ${error}; ${kept}); ${notes.join('; ')}` });
}

async function rebuildRecord({ runtime }: SupervisorParts, name: string): Promise<Rebuilt> {
  const containers = await runtime.listContainers(projectSelector(name));
  // Every container of an `up` carries the same files; after an `up -f` with other files the
  // newest container has the latest.
  const newest = [...containers].sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!newest) return { failure: `no container is labelled with project ${name}`, type: 'engine' };
  const files = (newest.labels[LABEL_CONFIG_FILES] ?? '').split(',').filter((f) => f !== '');
  const workingDir = newest.labels[LABEL_WORKING_DIR] ?? '';
  if (files.length === 0 || workingDir === '') return { failure: `container ${newest.name} has no ${LABEL_CONFIG_FILES} or ${LABEL_WORKING_DIR} label`, type: 'engine' };

  const present = new Set(containers.map((c) => c.labels[LABEL_SERVICE] ?? ''));
  const request: LoadRequest = { files, projectName: name, cwd: workingDir, env: {}, profiles: [] };
  const notes = [`the CLI's environment at \`up\` is lost (interpolation used only ${workingDir}/.env and defaults), and so are services stopped with \`composed stop\` and restart history`];
  let loaded = await load(request);
  if ('failure' in loaded) return loaded;
  const active = loaded.project.services;
  if ([...present].some((s) => !active[s])) {
    // The profiles `up` ran with are lost too; the services that have containers tell which were on.
    const everything = await load({ ...request, profiles: ['*'] });
    if ('failure' in everything) return everything;
    request.profiles = inferProfiles(everything.project, present);
    loaded = await load(request);
    if ('failure' in loaded) return loaded;
    notes.push(`profiles ${request.profiles.join(', ')} inferred from the services that have containers`);
  }
  const { project, warnings } = loaded;
  const missing = [...present].filter((s) => !project.services[s]).sort();
  if (missing.length > 0) return { failure: `services ${missing.join(', ')} have containers but are not in ${files.join(', ')}`, type: 'config-error' };

  const configHashes = await projectConfigHashes(runtime, project);
  const scale: Record<string, number> = {};
  const restartGenerations: Record<string, number> = {};
  for (const [service, model] of Object.entries(project.services)) {
    const replicas = containers.filter((c) => c.labels[LABEL_SERVICE] === service && c.name === replicaName(name, service, Number(c.labels[LABEL_NUMBER])));
    const labelled = replicas.map((c) => ({ container: c, ...parseLabelledHash(c.labels[LABEL_CONFIG_HASH] ?? '') }));
    // After `restart --rolling` the label carries the generation too; the newest one is kept (any older replica rolls).
    const generation = Math.max(0, ...labelled.map((l) => l.generation));
    if (generation > 0) restartGenerations[service] = generation;
    const differing = labelled.filter((l) => l.container.state === 'running' && l.hash !== configHashes[service]).map((l) => l.container);
    if (differing.length > 0) {
      return { failure: `${differing.map((c) => c.name).join(', ')} run a config other than the one ${files.join(', ')} gives now (the CLI's environment or the files changed); supervising would roll them out`, type: 'config-error' };
    }
    // Reconcile removes every replica numbered above the count, so a service that was scaled up
    // keeps its highest running number. One with fewer replicas than the file gets the file's
    // count: a missing replica cannot be told from one removed by hand, and creating it loses nothing.
    const highest = Math.max(0, ...replicas.map((c) => Number(c.labels[LABEL_NUMBER])));
    if (highest > model.replicas) {
      scale[service] = highest;
      notes.push(`${service} kept at ${highest} replicas (the file says ${model.replicas})`);
    }
  }
  const record: ProjectRecord = {
    version: STATE_VERSION,
    name,
    load: request,
    project,
    configHashes,
    scale,
    stopped: [],
    restartRequestedAt: {},
    replicas: {},
    rollouts: {},
    warnings,
    stuck: {},
    ...(Object.keys(restartGenerations).length > 0 ? { restartGenerations } : {}),
  };
  return { record, notes };
}

async function load(request: LoadRequest): Promise<LoadResult | { failure: string; type: DaemonEventType; diagnostics: Diagnostic[] }> {
  try {
    return await loadProject(request);
  } catch (error) {
    if (!(error instanceof ComposeError)) throw error;
    const errors = error.diagnostics.filter((d) => d.severity === 'error');
    return { failure: `${request.files.join(', ')} (in ${request.cwd}): ${errors.map(formatDiagnostic).join('; ')}`, type: 'config-error', diagnostics: errors };
  }
}

/**
 * The fewest profiles under which every service that has containers is active: for each such
 * service not active yet, the one of its profiles that would also start the fewest services that
 * have none (ties by name).
 */
function inferProfiles(all: Project, present: ReadonlySet<string>): string[] {
  const chosen = new Set<string>();
  const idle = (profile: string) => Object.values(all.services).filter((s) => s.profiles.includes(profile) && !present.has(s.name)).length;
  for (const service of [...present].sort()) {
    const profiles = all.services[service]?.profiles ?? [];
    if (profiles.length === 0 || profiles.some((p) => chosen.has(p))) continue;
    const best = [...profiles].sort((a, b) => idle(a) - idle(b) || a.localeCompare(b))[0];
    if (best !== undefined) chosen.add(best);
  }
  return [...chosen].sort();
}
