// A lifecycle hook run through exec, as docker compose runs it (pkg/compose/hook.go): the hook's
// user, privileged flag, working dir and environment, stdout and stderr collected, the exit code
// read once the output ended. The engine API cannot kill an exec'd process: when the caller stops
// waiting (the signal), the connection is closed and the command runs on until it ends by itself.
import type Docker from 'dockerode';
import type { ServiceHook } from '../../compose/model.js';
import type { Clock } from '../ports/clock.js';
import type { HookResult } from '../ports/runtime.js';
import { execSession } from './sessions.js';

/** Output kept per hook: enough to see what it said, small enough for an event. */
const MAX_OUTPUT_BYTES = 16 * 1024;

export async function runHook(docker: Docker, containerId: string, hook: ServiceHook, signal: AbortSignal, clock: Clock): Promise<HookResult> {
  const session = await execSession(
    docker,
    containerId,
    {
      cmd: hook.command,
      tty: false,
      interactive: false,
      env: Object.entries(hook.environment).map(([k, v]) => `${k}=${v}`),
      privileged: hook.privileged,
      ...(hook.user !== undefined ? { user: hook.user } : {}),
      ...(hook.workingDir !== undefined ? { workdir: hook.workingDir } : {}),
    },
    clock,
  );
  const onAbort = () => session.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    let output = Buffer.alloc(0);
    for await (const { data } of session.output) {
      output = Buffer.concat([output, data]);
      if (output.length > MAX_OUTPUT_BYTES) output = output.subarray(output.length - MAX_OUTPUT_BYTES);
    }
    if (signal.aborted) throw new Error('stopped waiting for the hook');
    return { exitCode: await session.exitCode(), output: output.toString() };
  } finally {
    signal.removeEventListener('abort', onAbort);
    session.close();
  }
}
