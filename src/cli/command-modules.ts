// Which module registers which verb, loaded on demand, and how to find the verb on a command line
// that may start with compose's global flags (`-f a.yaml -p demo --profile x up`).
import type { Command } from 'commander';

type Register = (program: Command) => void;
type Loader = () => Promise<Register>;

const up: Loader = async () => (await import('./commands/up.js')).registerUp;
const serviceActions: Loader = async () => (await import('./commands/service-actions.js')).registerServiceActions;
const containerActions: Loader = async () => (await import('./commands/container-actions.js')).registerContainerActions;
const inspectCommands: Loader = async () => (await import('./commands/inspect-commands.js')).registerInspectCommands;
const projectCommands: Loader = async () => (await import('./commands/project-commands.js')).registerProjectCommands;
const imageCommands: Loader = async () => (await import('./commands/image-commands.js')).registerImageCommands;
const status: Loader = async () => (await import('./commands/status.js')).registerStatus;
const configHistory: Loader = async () => (await import('./commands/history.js')).registerHistory;

export const COMMAND_MODULES: Record<string, Loader> = {
  config: async () => (await import('./commands/config.js')).registerConfig,
  daemon: async () => (await import('./commands/daemon.js')).registerDaemon,
  dashboard: async () => (await import('./commands/dashboard.js')).registerDashboard,
  down: async () => (await import('./commands/down.js')).registerDown,
  exec: async () => (await import('./commands/exec.js')).registerExec,
  run: async () => (await import('./commands/run.js')).registerRun,
  events: async () => (await import('./commands/events.js')).registerEvents,
  export: async () => (await import('./commands/export.js')).registerExport,
  logs: async () => (await import('./commands/logs.js')).registerLogs,
  systemd: async () => (await import('./commands/systemd.js')).registerSystemd,
  up,
  status,
  ps: async () => (await import('./commands/ps.js')).registerPs,
  scale: serviceActions,
  restart: serviceActions,
  stop: serviceActions,
  start: serviceActions,
  kill: containerActions,
  pause: containerActions,
  unpause: containerActions,
  top: inspectCommands,
  stats: inspectCommands,
  port: inspectCommands,
  images: inspectCommands,
  ls: projectCommands,
  version: projectCommands,
  wait: projectCommands,
  rm: projectCommands,
  pull: imageCommands,
  build: imageCommands,
  create: imageCommands,
  update: async () => (await import('./commands/update.js')).registerUpdate,
  why: async () => (await import('./commands/why.js')).registerWhy,
  diff: async () => (await import('./commands/preview.js')).registerDiff,
  history: configHistory,
  rollback: configHistory,
  watch: async () => (await import('./commands/watch.js')).registerWatch,
};

/** Global flags that take a value: the word after them is not the verb. */
const VALUE_FLAGS = new Set(['-f', '--file', '-p', '--project-name', '--project-directory', '--profile', '--env-file', '--ansi', '--progress']);

export function verbOf(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return args[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (VALUE_FLAGS.has(arg)) i++;
  }
  return undefined;
}
