// GET /v1/projects/{p}/log-entries: the replicas' log lines with the engine's timestamps, as NDJSON.
// Without follow, every container's lines merged in time order; with follow, each container's
// lines as they come, attaching to replacements and new replicas as they appear (the engine ends a
// container's log stream when it stops).
import type { ServerResponse } from 'node:http';
import { LABEL_NUMBER, LABEL_SERVICE } from '../core/labels.js';
import { replicaContainers } from '../status/log-follower.js';
import type { ContainerSummary } from '../ports/runtime.js';
import type { ProjectView } from '../state/state-store.js';
import type { LogLine } from '../../protocol/compose-containers.js';
import { HttpError, startStream, writeLine } from './http.js';
import type { ApiContext } from './context.js';
import { flag } from './validate.js';

const LOOK_AGAIN_MS = 300;

interface LogSelection {
  services: string[];
  index?: number;
  tail?: number;
  since?: number;
  until?: number;
  follow: boolean;
}

export async function streamLogLines(ctx: ApiContext, record: ProjectView, query: URLSearchParams, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const selection = logSelection(query);
  for (const s of selection.services) {
    if (!record.project.services[s]) throw new HttpError(404, `project ${record.name} has no service ${JSON.stringify(s)}`, 'service');
  }
  const runtime = ctx.runtime;
  const containers = async (): Promise<ContainerSummary[]> => {
    const listing = await ctx.controller.listProject(record.name).catch(() => [] as ContainerSummary[]);
    return replicaContainers(record.name, listing).filter(
      (c) => (selection.services.length === 0 || selection.services.includes(c.labels[LABEL_SERVICE] ?? '')) && (selection.index === undefined || Number(c.labels[LABEL_NUMBER]) === selection.index),
    );
  };
  const lineOf = (c: ContainerSummary, e: { time: string; stream: 'stdout' | 'stderr'; text: string }): LogLine => ({
    container: c.name,
    service: c.labels[LABEL_SERVICE] ?? '',
    number: Number(c.labels[LABEL_NUMBER] ?? 0),
    ...e,
  });
  const engineQuery = (tail: number | undefined, follow: boolean) => ({
    ...(tail !== undefined ? { tail } : {}),
    ...(selection.since !== undefined ? { since: selection.since } : {}),
    ...(selection.until !== undefined ? { until: selection.until } : {}),
    follow,
    signal,
  });
  const first = await containers();
  startStream(res);
  if (!selection.follow) {
    const all: LogLine[] = [];
    await Promise.all(first.map(async (c) => {
      for await (const e of runtime.logEntries(c.id, engineQuery(selection.tail, false))) all.push(lineOf(c, e));
    }));
    // A stable sort: lines of one container with the same timestamp keep their order.
    all.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    for (const line of all) writeLine(res, line);
    res.end();
    return;
  }
  const followed = new Set<string>();
  const streams = new Set<Promise<void>>();
  let batch = first;
  let initial = true;
  while (!signal.aborted) {
    for (const c of batch) {
      if (followed.has(c.id)) continue;
      followed.add(c.id);
      // History only for what already ran; a successor is shown from its first line.
      const stream = (async () => {
        for await (const e of runtime.logEntries(c.id, engineQuery(initial ? selection.tail : undefined, true))) writeLine(res, lineOf(c, e));
      })()
        .catch(() => {
          followed.delete(c.id); // broken off (engine restart): attach again next look
        })
        .finally(() => streams.delete(stream));
      streams.add(stream);
    }
    initial = false;
    await ctx.clock.sleep(LOOK_AGAIN_MS, signal).catch(() => undefined);
    batch = await containers();
  }
  await Promise.allSettled([...streams]);
  res.end();
}

function logSelection(query: URLSearchParams): LogSelection {
  const number = (name: string, min: number): number | undefined => {
    const raw = query.get(name);
    if (raw === null || raw === 'all') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new HttpError(400, `must be a number from ${min} (or all)`, name);
    return n;
  };
  const tail = number('tail', 0);
  if (tail !== undefined && !Number.isInteger(tail)) throw new HttpError(400, 'must be a whole number of lines (or all)', 'tail');
  const index = number('index', 1);
  return {
    services: query.getAll('service'),
    ...(index !== undefined ? { index } : {}),
    ...(tail !== undefined ? { tail } : {}),
    ...(number('since', 0) !== undefined ? { since: number('since', 0) } : {}),
    ...(number('until', 0) !== undefined ? { until: number('until', 0) } : {}),
    follow: flag(query, 'follow'),
  };
}
