// exec and attach over the engine's hijacked connection (POST .../start or .../attach upgraded to
// a raw stream). Closing our write side is how the process sees end of file on stdin; the exit code
// is read afterwards (exec inspect, or container wait).
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { InteractiveSession, ProcessOptions, TerminalSize } from '../ports/interactive.js';
import { killContainer } from './container-controls.js';
import { classify, isNotFound } from './errors.js';
import { demultiplexed } from './multiplexed.js';
import type { Clock } from '../ports/clock.js';

/** The engine keeps an exec "running" for a moment after its output ended. */
const EXEC_SETTLE_MS = 5_000;

export async function execSession(docker: Docker, containerId: string, opts: ProcessOptions, clock: Clock): Promise<InteractiveSession> {
  const exec = await createExec(docker, containerId, opts, true);
  let stream: Duplex;
  try {
    stream = await exec.start({ hijack: true, stdin: opts.interactive, Tty: opts.tty });
    // Engines before API 1.42 ignore ConsoleSize: size the terminal as soon as the process runs.
    if (opts.tty && opts.size) await exec.resize({ h: opts.size.rows, w: opts.size.cols }).catch(() => undefined);
  } catch (error) {
    throw classify(error, `start exec in ${containerId}`);
  }
  return sessionOver(stream, opts.tty, {
    resize: async (size) => void (await exec.resize({ h: size.rows, w: size.cols })),
    exitCode: async () => {
      const deadline = clock.now() + EXEC_SETTLE_MS;
      for (;;) {
        const info = await exec.inspect();
        if (!info.Running || clock.now() > deadline) return info.ExitCode ?? 0;
        await clock.sleep(20);
      }
    },
  });
}

export async function execDetached(docker: Docker, containerId: string, opts: ProcessOptions): Promise<void> {
  const exec = await createExec(docker, containerId, { ...opts, interactive: false }, false);
  try {
    // The engine has started the command once it answers; the (empty) answer stream would
    // otherwise stay open and keep the daemon from exiting.
    const answer = (await exec.start({ Detach: true, Tty: opts.tty })) as Duplex | undefined;
    answer?.destroy();
  } catch (error) {
    throw classify(error, `start exec in ${containerId}`);
  }
}

/** Attaches first (so no early output is lost), then starts the container. */
export async function startAttached(docker: Docker, containerId: string, opts: { interactive: boolean; tty: boolean; removeAfter: boolean; size?: TerminalSize }): Promise<InteractiveSession> {
  const container = docker.getContainer(containerId);
  let stream: Duplex;
  try {
    stream = (await container.attach({ stream: true, stdin: opts.interactive, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
    await container.start();
    if (opts.tty && opts.size) await container.resize({ h: opts.size.rows, w: opts.size.cols }).catch(() => undefined);
  } catch (error) {
    if (opts.removeAfter) await container.remove({ force: true, v: true }).catch(() => undefined);
    throw classify(error, `start one-off container ${containerId}`);
  }
  const session = sessionOver(stream, opts.tty, {
    resize: async (size) => void (await container.resize({ h: size.rows, w: size.cols })),
    exitCode: async () => {
      try {
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        return StatusCode;
      } finally {
        if (opts.removeAfter) await container.remove({ force: true, v: true }).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
      }
    },
  });
  // As `docker run` proxies signals: the one-off's pid 1 gets what the user's CLI got.
  return { ...session, signal: (name) => killContainer(docker, containerId, name) };
}

async function createExec(docker: Docker, containerId: string, opts: ProcessOptions, attach: boolean): Promise<Docker.Exec> {
  try {
    return await docker.getContainer(containerId).exec({
      Cmd: opts.cmd,
      AttachStdin: attach && opts.interactive,
      AttachStdout: attach,
      AttachStderr: attach,
      Tty: opts.tty,
      Env: opts.env,
      Privileged: opts.privileged,
      ...(opts.user !== undefined ? { User: opts.user } : {}),
      ...(opts.workdir !== undefined ? { WorkingDir: opts.workdir } : {}),
      ...(opts.tty && opts.size ? { ConsoleSize: [opts.size.rows, opts.size.cols] as [number, number] } : {}),
    });
  } catch (error) {
    throw classify(error, `exec in ${containerId}`);
  }
}

function sessionOver(
  stream: Duplex,
  tty: boolean,
  ops: { resize: (size: TerminalSize) => Promise<void>; exitCode: () => Promise<number> },
): InteractiveSession {
  return {
    output: demultiplexed(stream, tty),
    write: (data) => void stream.write(data),
    endInput: () => void stream.end(),
    resize: async (size) => {
      try {
        await ops.resize(size);
      } catch (error) {
        throw classify(error, 'resize the terminal');
      }
    },
    exitCode: ops.exitCode,
    close: () => stream.destroy(),
  };
}
