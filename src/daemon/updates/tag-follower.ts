// Following image tags (`x-composed.update`): a tick looks at every followed service; when its
// check is due it asks the registry where the tag points (a HEAD, no pull). A new digest under
// `auto` is pulled and handed to the lifecycle, which reloads the project as an edit would: the
// image id changes the config hash, so the service rolls out start-first, drained by the balancer,
// under update_config, and a failed roll-out returns to the previous config pinned by digest. The
// next look sees how the roll-out ended: complete (old images pruned) or rolled back (that digest is
// never tried again). `notify` only says so. What was learnt lives in the project's record.
import type { Logger } from 'pino';
import type { Service } from '../../compose/model.js';
import type { UpdateResult } from '../../protocol/api.js';
import { isDigestPinned, parseImageReference, pinnedReference, repoDigestPrefix, type ImageReference } from '../core/image-reference.js';
import { effectiveUpdatePolicy, freshFollowState, judgeCheck, nextCheckAt, shortDigest, type TagFollowState } from '../core/tag-follow.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { ImageStore } from '../ports/image-store.js';
import type { ContainerSummary, SupervisionRuntime } from '../ports/runtime.js';
import { LABEL_SERVICE } from '../core/labels.js';
import type { ProjectRegistry } from '../state/project-registry.js';
import type { ProjectView } from '../state/state-store.js';
import { credentialsFor } from '../docker/docker-credentials.js';
import { RegistryCheckError, tagDigest } from './registry-client.js';

/** How often due checks and running updates are looked at; a check itself waits for its interval. */
const TICK_MS = 1_000;

export interface TagFollowerDeps {
  registry: ProjectRegistry;
  runtime: Pick<SupervisionRuntime, 'ensureImage' | 'imageId'>;
  images: ImageStore;
  lifecycle: { followTag(project: string, service: string, previousImage: string): Promise<void> };
  /** The project's containers as last listed (the controller's, no engine call). */
  listing(project: string): ContainerSummary[];
  emit(event: { type: 'image'; project: string; service: string; message: string }): void;
  clock: Clock;
  logger: Logger;
  /** Where the tag points now; the registry's HEAD unless a test gives another. */
  checkTag?: (ref: ImageReference, now: number) => Promise<string>;
}

export class TagFollower {
  private timer: Timer | undefined;
  /** Services being looked at: one look per service at a time. */
  private readonly busy = new Set<string>();
  private readonly checkTag: (ref: ImageReference, now: number) => Promise<string>;

  constructor(private readonly deps: TagFollowerDeps) {
    this.checkTag = deps.checkTag ?? (async (ref, now) => tagDigest(ref, await credentialsFor(ref.registry), now));
  }

  start(): void {
    this.timer = this.deps.clock.setRepeating(TICK_MS, () => void this.tick());
  }

  stop(): void {
    this.timer?.cancel();
  }

  /** `composed update [--check]`: every named service (or every followed one) checked now. */
  async checkNow(projectName: string, services: string[], check: boolean): Promise<UpdateResult[]> {
    const record = this.deps.registry.get(projectName);
    if (!record) return [];
    const names = services.length > 0 ? services : Object.keys(record.project.services).filter((s) => this.policyOf(record, s));
    const results: UpdateResult[] = [];
    for (const name of names.sort()) results.push(await this.exclusive(projectName, name, () => this.look(projectName, name, { now: true, apply: !check, explicit: services.length > 0 })));
    return results;
  }

  private async tick(): Promise<void> {
    for (const record of this.deps.registry.all()) {
      for (const name of Object.keys(record.project.services)) {
        if (!this.policyOf(record, name) || this.busy.has(`${record.name}/${name}`)) continue;
        void this.exclusive(record.name, name, () => this.look(record.name, name, { now: false, apply: true, explicit: false })).catch((error: unknown) =>
          this.deps.logger.error({ err: error, project: record.name, service: name }, 'following the image tag failed'),
        );
      }
    }
  }

  private async exclusive(project: string, service: string, run: () => Promise<UpdateResult>): Promise<UpdateResult> {
    const id = `${project}/${service}`;
    while (this.busy.has(id)) await this.deps.clock.sleep(50);
    this.busy.add(id);
    try {
      return await run();
    } finally {
      this.busy.delete(id);
    }
  }

  private policyOf(record: ProjectView, name: string) {
    const service = record.project.services[name];
    return service ? effectiveUpdatePolicy(service.composed.update, record.project.update) : undefined;
  }

  /** One look at one service: finish a running update, then check the tag when due (or asked). */
  private async look(projectName: string, name: string, how: { now: boolean; apply: boolean; explicit: boolean }): Promise<UpdateResult> {
    const record = this.deps.registry.get(projectName);
    const service = record?.project.services[name];
    if (!record || !service) return { service: name, outcome: 'not-followed', message: 'no such service' };
    const policy = this.policyOf(record, name) ?? (how.explicit ? { policy: 'auto' as const, intervalMs: 3_600_000 } : undefined);
    const before = record.tagFollow?.[name];
    const tag = followedTag(service, before);
    if (!policy || !tag) return { service: name, outcome: 'not-followed', message: tag ? 'x-composed.update is off' : 'the image is pinned by digest or built here: no tag to follow' };
    let state: TagFollowState = before && before.image === tag ? before : freshFollowState(tag);
    const ref = parseImageReference(tag);
    state = await this.settleUpdate(record, name, ref, state);
    const now = this.deps.clock.now();
    if (state.last?.state === 'rolling-out') return { service: name, outcome: 'updating', message: state.last.message, ...digests(state) };
    if (!how.now && state.nextCheckAt !== undefined && now < state.nextCheckAt) {
      if (state !== before) await this.deps.registry.setTagFollow(record, name, state);
      return { service: name, outcome: 'current', message: 'not due', ...digests(state) };
    }

    const running = await this.runningDigest(projectName, name, service.image, ref);
    let latest: string;
    try {
      latest = await this.checkTag(ref, now);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failures = state.failures + 1;
      const retryAfterMs = error instanceof RegistryCheckError ? error.retryAfterMs : undefined;
      // Said once per outage: a registry that stays away for a day is not 24 news items.
      if (state.failures === 0) this.deps.emit({ type: 'image', project: projectName, service: name, message: `checking ${tag} failed, the service keeps running: ${message}` });
      await this.deps.registry.setTagFollow(record, name, { ...state, runningDigest: running, checkedAt: now, checkError: message, failures, nextCheckAt: nextCheckAt(policy, now, failures, retryAfterMs) });
      return { service: name, outcome: 'failed', message, ...digests({ ...state, runningDigest: running }) };
    }
    // A --check leaves the schedule alone: an auto service still updates at its next check.
    this.deps.logger.debug({ project: projectName, service: name, tag, running, latest }, 'checked the image tag');
    state = { ...state, runningDigest: running, latestDigest: latest, checkedAt: now, failures: 0, nextCheckAt: how.apply ? nextCheckAt(policy, now, 0) : state.nextCheckAt };
    delete state.checkError;
    // `composed update` rolls out whatever the policy; --check and `notify` only tell.
    const verdict = judgeCheck(!how.apply ? 'notify' : how.now ? 'auto' : policy.policy, state, latest, running);
    switch (verdict.kind) {
      case 'current':
        if (state.last?.state === 'available') delete state.last;
        await this.deps.registry.setTagFollow(record, name, state);
        return { service: name, outcome: 'current', message: `${tag} is at ${shortDigest(latest)}, which runs`, ...digests(state) };
      case 'rejected':
        await this.deps.registry.setTagFollow(record, name, state);
        return { service: name, outcome: 'rejected', message: `${tag} points at ${shortDigest(latest)}, which failed and was rolled back: not retried`, ...digests(state) };
      case 'notify': {
        const message = `update available: ${tag} moved from ${shortDigest(running)} to ${shortDigest(latest)}`;
        if (state.last?.to !== latest) {
          state.last = { state: 'available', from: running, to: latest, at: now, message };
          this.deps.emit({ type: 'image', project: projectName, service: name, message });
        }
        await this.deps.registry.setTagFollow(record, name, state);
        return { service: name, outcome: 'available', message, ...digests(state) };
      }
      case 'update':
        return this.update(record, service, name, tag, state, running, latest, now);
    }
  }

  /** Pull the new digest and roll it out; the previous image pinned so a rollback finds it. */
  private async update(record: ProjectView, service: Service, name: string, tag: string, state: TagFollowState, running: string | undefined, latest: string, now: number): Promise<UpdateResult> {
    const ref = parseImageReference(tag);
    const previousImage = running ? pinnedReference(ref, running) : await this.deps.runtime.imageId(service.image);
    try {
      await this.deps.runtime.ensureImage(record.project, { ...service, image: tag, pullPolicy: 'always' }, () => undefined);
    } catch (error) {
      const message = `pulling ${tag} failed, the service keeps running: ${error instanceof Error ? error.message : String(error)}`;
      const failures = state.failures + 1;
      this.deps.emit({ type: 'image', project: record.name, service: name, message });
      const policy = this.policyOf(record, name) ?? { policy: 'auto' as const, intervalMs: 3_600_000 };
      await this.deps.registry.setTagFollow(record, name, { ...state, checkError: message, failures, nextCheckAt: nextCheckAt(policy, now, failures) });
      return { service: name, outcome: 'failed', message, ...digests(state) };
    }
    const message = `${tag} moved from ${shortDigest(running)} to ${shortDigest(latest)}: pulled, rolling out`;
    const next: TagFollowState = { ...state, last: { state: 'rolling-out', ...(running ? { from: running } : {}), to: latest, at: now, message } };
    await this.deps.registry.setTagFollow(record, name, next);
    this.deps.emit({ type: 'image', project: record.name, service: name, message });
    if (previousImage) await this.deps.lifecycle.followTag(record.name, name, previousImage);
    return { service: name, outcome: 'updating', message, ...digests(next) };
  }

  /** An update under way: how its roll-out ended, read from the project's roll-out record. */
  private async settleUpdate(record: ProjectView, name: string, ref: ImageReference, state: TagFollowState): Promise<TagFollowState> {
    const last = state.last;
    if (last?.state !== 'rolling-out') return state;
    const rollout = record.rollouts[name];
    const started = rollout && rollout.at >= last.at;
    if (started && rollout.state === 'rolling-out') return state;
    const now = this.deps.clock.now();
    let next: TagFollowState;
    if (started && (rollout.state === 'rolled-back' || rollout.state === 'paused')) {
      const message = `${shortDigest(last.to)} ${rollout.state === 'paused' ? 'paused its roll-out' : 'was rolled back'} and is not tried again: ${rollout.message}`;
      next = { ...state, rejected: [...new Set([...state.rejected, last.to])].sort(), last: { ...last, state: 'rolled-back', at: now, message } };
      this.deps.emit({ type: 'image', project: record.name, service: name, message });
    } else {
      // Complete, or nothing to roll out (the new digest holds the image the service already runs).
      const message = `updated to ${shortDigest(last.to)}${last.from ? ` from ${shortDigest(last.from)}` : ''}`;
      next = { ...state, runningDigest: last.to, ...(last.from ? { rollbackDigest: last.from } : {}), last: { ...last, state: 'updated', at: now, message } };
      this.deps.emit({ type: 'image', project: record.name, service: name, message });
      await this.pruneOld(record, name, ref, state.rollbackDigest, next);
    }
    await this.deps.registry.setTagFollow(record, name, next);
    return next;
  }

  /** The image the rollback before this one needed: no longer needed, removed unless a container uses it. */
  private async pruneOld(record: ProjectView, name: string, ref: ImageReference, old: string | undefined, next: TagFollowState): Promise<void> {
    if (!old || old === next.runningDigest || old === next.rollbackDigest) return;
    const reference = pinnedReference(ref, old);
    const outcome = await this.deps.images.removeReference(reference).catch((error: unknown) => `not removed: ${error instanceof Error ? error.message : String(error)}`);
    if (outcome === 'removed') this.deps.emit({ type: 'image', project: record.name, service: name, message: `removed the old image ${reference}` });
    else this.deps.logger.info({ project: record.name, service: name, reference, outcome }, 'old image kept');
  }

  /**
   * The digest the service's containers run, by the image id they were created from: the tag may
   * have moved locally meanwhile (a `docker pull` or build by someone else), and what matters is
   * what runs. No container yet: the image the service's reference names.
   */
  private async runningDigest(project: string, name: string, image: string, ref: ImageReference): Promise<string | undefined> {
    const ids = new Set(this.deps.listing(project).filter((c) => c.labels[LABEL_SERVICE] === name && c.state === 'running').map((c) => c.imageId));
    const prefix = repoDigestPrefix(ref);
    const found = (await this.deps.images.repoDigests(ids.size === 1 ? [...ids][0]! : image).catch(() => undefined))?.find((d) => d.startsWith(prefix));
    return found?.slice(prefix.length);
  }
}

/**
 * The tag a service follows: its image, unless pinned by digest. A pin the follower's own rollback
 * put there (the previous digest of the followed repository) still follows the tag it came from;
 * a digest in the file is never followed.
 */
export function followedTag(service: Service, state: TagFollowState | undefined): string | undefined {
  if (service.build) return undefined;
  if (!isDigestPinned(service.image)) return service.image;
  // Rolling out: the rollback may already have put the pin back before the follower saw how it ended.
  if (!state || (state.last?.state !== 'rolled-back' && state.last?.state !== 'rolling-out')) return undefined;
  const pinned = parseImageReference(service.image);
  const followed = parseImageReference(state.image);
  return pinned.registry === followed.registry && pinned.repository === followed.repository && pinned.digest === state.last.from ? state.image : undefined;
}

function digests(state: TagFollowState): { runningDigest?: string; latestDigest?: string } {
  return { ...(state.runningDigest ? { runningDigest: state.runningDigest } : {}), ...(state.latestDigest ? { latestDigest: state.latestDigest } : {}) };
}
