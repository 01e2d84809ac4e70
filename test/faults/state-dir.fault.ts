// The state dir fails under the daemon: the disk fills up (a 64 KiB tmpfs mounted as the state
// dir, then filled), or it turns read-only. Expected: a clear error (log and event), the daemon keeps
// supervising from memory, and no running container is touched. Then a state file that is
// truncated, empty, garbage or the wrong shape when the daemon starts: it starts anyway, reports the
// file, rebuilds the project from its containers' labels and supervises the same containers again
// without `up` (a killed replica is replaced), and keeps the bad file aside.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DaemonEvent } from '../../src/protocol/api.js';
import { DaemonHandle, newDaemon, writeProject } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { checkReplicas, docker } from './support/engine.js';
import { journalOnDisk, journalProblems } from './support/journal.js';
import { Tally } from './support/results.js';

const run = promisify(execFile);
const SERVICE = 'app';

function compose(project: string): string {
  return `
name: ${project}
services:
  ${SERVICE}:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.5; done"]
    stop_grace_period: 1s
    deploy: { replicas: 3, restart_policy: { delay: 0s } }
`;
}

async function events(daemon: DaemonHandle): Promise<DaemonEvent[]> {
  const out: DaemonEvent[] = [];
  for await (const e of daemon.client.lines<DaemonEvent>('/v1/events?since=0')) out.push(e);
  return out;
}

/** The events of the full spell reach the journal once there is room, and a daemon killed then reads every one back. */
async function journalAfterFullDisk(daemon: DaemonHandle): Promise<string[]> {
  const reached = eventually(async () => expect((await journalOnDisk(daemon.stateDir)).events.some((e) => /state not saved/.test(e.message))).toBe(true), { timeoutMs: 15_000 });
  if (!(await reached.then(() => true, () => false))) return ['the events of the full spell never reached the journal once there was room'];
  const before = (await journalOnDisk(daemon.stateDir)).events;
  await daemon.kill9();
  await daemon.start();
  return journalProblems(daemon, before);
}

async function runningIds(project: string): Promise<Set<string>> {
  return new Set((await checkReplicas(project, SERVICE, 0)).replicas.filter((r) => r.state === 'running').map((r) => r.id));
}

describeWithEngine('fault: the state dir fills up or turns read-only', () => {
  const project = uniqueProjectName('statefull');
  const tally = new Tally('state dir full / read-only (64 KiB tmpfs)');
  let daemon: DaemonHandle;
  let mounted = false;

  beforeAll(async () => {
    daemon = await newDaemon();
    await mkdir(daemon.stateDir, { recursive: true });
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', daemon.stateDir]);
    mounted = true;
    await daemon.start();
    const { dir } = await writeProject(compose(project));
    const up = await daemon.cli(['up', '--wait'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  afterAll(async () => {
    tally.record();
    await daemon.stop();
    await cleanupProject(project);
    if (mounted) await run('umount', ['-l', daemon.stateDir]).catch(() => undefined);
  });

  for (const mode of ['full', 'read-only'] as const) {
    it(`${mode}: a clear error, supervision continues from memory, running containers untouched`, async () => {
      const stateFile = join(daemon.stateDir, 'projects', `${project}.json`);
      const savedBefore = await readFile(stateFile, 'utf8');
      const before = await runningIds(project);
      const filler = join(daemon.stateDir, 'filler');
      if (mode === 'full') await run('sh', ['-c', `dd if=/dev/zero of=${filler} bs=1k 2>/dev/null || true`]);
      else await run('mount', ['-o', 'remount,ro', daemon.stateDir]);
      tally.trials++;
      tally.faults++;
      const problems: string[] = [];
      try {
        // Saves now fail: a scale (saved first) and a replacement (saved around the plan).
        const scaled = await daemon.cli(['scale', '-p', project, `${SERVICE}=4`]);
        if (scaled.code !== 0) problems.push(`scale failed: ${scaled.stderr.trim()}`);
        await docker('kill', `${project}-${SERVICE}-2`);
        await eventually(async () => expect((await checkReplicas(project, SERVICE, 4)).problems).toEqual([]), { timeoutMs: 60_000 }).catch((e: unknown) => problems.push(`not supervised from memory: ${String(e)}`));
        const after = await runningIds(project);
        const stopped = [...before].filter((id) => !after.has(id));
        // Replica 2 was killed on purpose; anything else gone is a container the fault touched.
        const unexpected = stopped.length - 1;
        if (unexpected > 0) {
          problems.push(`${unexpected} running containers were stopped`);
          tally.dataLost += unexpected;
        }
        const notSaved = (await events(daemon)).filter((e) => e.type === 'engine' && /state not saved/.test(e.message));
        if (notSaved.length === 0) problems.push('no "state not saved" event');
        if (!/could not write the state file/.test(daemon.log())) problems.push('no error in the log');
        const reason = mode === 'full' ? /ENOSPC/ : /EROFS/;
        if (!notSaved.some((e) => reason.test(e.message))) problems.push(`the event does not name the cause (${reason.source}): ${notSaved[0]?.message ?? ''}`);
        // The file on disk is still the last good one: old or new, never torn.
        const onDisk = await readFile(stateFile, 'utf8');
        if (onDisk !== savedBefore) JSON.parse(onDisk);
        tally.note(`${mode}: event "${notSaved.at(-1)?.message.slice(0, 140) ?? 'none'}"`);
      } finally {
        if (mode === 'full') await rm(filler, { force: true });
        else await run('mount', ['-o', 'remount,rw', daemon.stateDir]);
      }
      // Space is back: the next change is saved, and no temporary file is left behind.
      const scaled = await daemon.cli(['scale', '-p', project, `${SERVICE}=3`]);
      if (scaled.code !== 0) problems.push(`scale after recovery failed: ${scaled.stderr.trim()}`);
      await eventually(async () => expect((JSON.parse(await readFile(stateFile, 'utf8')) as { scale: Record<string, number> }).scale[SERVICE]).toBe(3), { timeoutMs: 10_000 }).catch(() => problems.push('state not saved after the space came back'));
      const leftovers = (await readdir(join(daemon.stateDir, 'projects'))).filter((f) => f.endsWith('.tmp'));
      if (leftovers.length > 0) tally.note(`${mode}: temporary files left in the state dir after failed saves: ${leftovers.join(', ')} (they keep taking the space)`);
      await eventually(async () => expect((await checkReplicas(project, SERVICE, 3)).problems).toEqual([]), { timeoutMs: 60_000 });
      if (mode === 'full') {
        problems.push(...(await journalAfterFullDisk(daemon)));
        tally.note(`full: journal read back after kill -9 with ${(await journalOnDisk(daemon.stateDir)).torn} torn lines skipped`);
      }
      if (problems.length === 0) tally.survived++;
      else for (const p of problems) tally.note(`${mode}: ${p}`);
      expect(problems).toEqual([]);
    });
  }
});

describeWithEngine('fault: a corrupt state file at start', () => {
  const project = uniqueProjectName('statebad');
  const tally = new Tally('corrupt state file at start');
  let daemon: DaemonHandle;

  beforeAll(async () => {
    daemon = await newDaemon();
    await daemon.start();
    const { dir } = await writeProject(compose(project));
    const up = await daemon.cli(['up', '--wait'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  afterAll(async () => {
    tally.record();
    await daemon.stop();
    await cleanupProject(project);
  });

  const corruptions: Record<string, (file: string, text: string) => Promise<void>> = {
    truncated: (file, text) => truncate(file, Math.floor(text.length / 2)),
    empty: (file) => truncate(file, 0),
    garbage: (file) => writeFile(file, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x7b, 0x22])),
    'wrong shape': (file) => writeFile(file, JSON.stringify({ version: 1, name: project, project: {}, load: 5 })),
    'wrong types': (file, text) => writeFile(file, JSON.stringify({ ...(JSON.parse(text) as object), scale: 'many', replicas: [1, 2], stopped: {} })),
  };

  for (const [kind, corrupt] of Object.entries(corruptions)) {
    it(`${kind}: the daemon starts, reports the file, and supervises the same containers again by itself`, async () => {
      const stateFile = join(daemon.stateDir, 'projects', `${project}.json`);
      const text = await readFile(stateFile, 'utf8');
      const before = await runningIds(project);
      await daemon.stop();
      await corrupt(stateFile, text);
      tally.trials++;
      tally.faults++;
      const problems: string[] = [];
      try {
        await daemon.start();
      } catch (error) {
        problems.push(`the daemon did not start: ${String(error).slice(0, 300)}`);
      }
      if (problems.length === 0) {
        const all = await events(daemon);
        const reported = all.some((e) => /state file .* unreadable/.test(e.message)) || /state file unreadable/.test(daemon.log());
        if (!reported) problems.push('the corrupt file was not reported');
        const recovered = all.find((e) => e.project === project && /recovered from container labels/.test(e.message));
        if (!recovered) problems.push(`not recovered from container labels: ${all.filter((e) => e.project === project).map((e) => e.message).join(' | ').slice(0, 400)}`);
        const projects = await daemon.client.json<Array<{ name: string }>>('/v1/projects');
        if (!projects.some((p) => p.name === project)) problems.push('status does not show the project');
        const aside = (await readdir(join(daemon.stateDir, 'projects'))).filter((f) => f.startsWith(`${project}.json.corrupt-`));
        if (aside.length === 0) problems.push('the corrupt file was not kept aside');
        await readFile(stateFile, 'utf8').then((t) => JSON.parse(t) as unknown).catch((e: unknown) => problems.push(`no good state file written: ${String(e)}`));
      }
      const check = await checkReplicas(project, SERVICE, 3);
      tally.duplicates += check.duplicates;
      problems.push(...check.problems);
      const stopped = [...before].filter((id) => !check.replicas.some((r) => r.id === id && r.state === 'running'));
      if (stopped.length > 0) {
        problems.push(`${stopped.length} replicas were stopped or recreated instead of adopted`);
        tally.dataLost += stopped.length;
      }
      if (problems.length === 0) {
        // Supervised again, not just listed: a killed replica is replaced.
        const victim = check.replicas.find((r) => r.number === 2);
        await docker('kill', `${project}-${SERVICE}-2`);
        await eventually(
          async () => {
            const after = await checkReplicas(project, SERVICE, 3);
            expect(after.problems).toEqual([]);
            expect(after.replicas.find((r) => r.number === 2)?.id).not.toBe(victim?.id);
          },
          { timeoutMs: 30_000 },
        ).catch((e: unknown) => problems.push(`a killed replica was not replaced: ${String(e).slice(0, 300)}`));
      }
      if (daemon.process?.exitCode !== null) problems.push(`the daemon exited: ${daemon.log().split('\n').slice(-5).join(' ')}`);
      if (problems.length === 0) tally.survived++;
      else for (const p of problems) tally.note(`${kind}: ${p}`);
      expect(problems).toEqual([]);
    });
  }
});
