// Where the installed daemon lives, for the unit's ExecStart=. Resolved from this module's own
// location so it is right whether composed runs from dist/ or from the sources (tests).
import { fileURLToPath } from 'node:url';

export interface DaemonEntryPoint {
  /** The node binary running us now: the unit keeps using this exact version. */
  nodePath: string;
  /** The built CLI, <package>/dist/cli/main.js. */
  cliPath: string;
}

export function daemonEntryPoint(): DaemonEntryPoint {
  // This file is <package>/{src,dist}/cli/systemd/entry-point.{ts,js}.
  return { nodePath: process.execPath, cliPath: fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url)) };
}
