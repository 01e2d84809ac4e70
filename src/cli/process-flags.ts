// Flags exec and run share: -e KEY[=VALUE] (a bare KEY takes this shell's value, as compose does),
// and whether to give the process a terminal.
import { UsageError } from './common.js';

export function envEntries(entries: string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  return (entries ?? []).flatMap((entry) => {
    if (entry.includes('=')) {
      if (entry.startsWith('=')) throw new UsageError(`-e: ${JSON.stringify(entry)} has no variable name (expected KEY=VALUE or KEY)`);
      return [entry];
    }
    const value = env[entry];
    return value === undefined ? [] : [`${entry}=${value}`];
  });
}

/** A TTY unless -T, and only when stdin is one (compose's rule: `exec web cmd | less` needs no -T). */
export function wantsTty(noTtyFlag: boolean | undefined, stdinIsTty: boolean | undefined): boolean {
  return noTtyFlag !== false && stdinIsTty === true;
}
