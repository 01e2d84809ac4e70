// Whether to colour output, one rule for every command.
/**
 * Colour on a terminal only, NO_COLOR wins, FORCE_COLOR forces. (picocolors alone also colours
 * whenever CI is set, even into a pipe; status piped to a file or grep must stay plain.)
 */
export function colourWanted(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean {
  if ('NO_COLOR' in env) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

