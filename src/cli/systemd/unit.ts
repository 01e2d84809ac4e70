// The systemd unit `composed systemd` prints or installs. Pure: every path comes in as an
// argument, so the text is testable and `systemd-analyze verify` can check it.
import { dirname, isAbsolute, posix } from 'node:path';

export interface UnitOptions {
  /** Absolute path of the node binary (process.execPath). */
  nodePath: string;
  /** Absolute path of the installed CLI entry, dist/cli/main.js. */
  cliPath: string;
  /** Control socket path passed to `composed daemon --socket`. */
  socket: string;
  /** State directory passed to `composed daemon --state-dir`. */
  stateDir: string;
  /** Extra `Environment=` lines (e.g. DOCKER_HOST, COMPOSED_LOG_LEVEL), written sorted by name. */
  environment?: Record<string, string>;
  /** systemd restarts the daemon when no WATCHDOG=1 arrives for this long. */
  watchdogSec?: number;
}

export const DEFAULT_WATCHDOG_SEC = 60;

export function renderUnit(options: UnitOptions): string {
  for (const path of [options.nodePath, options.cliPath, options.socket, options.stateDir]) {
    // systemd starts the daemon in /, and RuntimeDirectory=/ReadWritePaths= are space-separated lists.
    if (!isAbsolute(path) || /\s/.test(path)) throw new Error(`the unit needs absolute paths without spaces: ${JSON.stringify(path)}`);
  }
  const socketDir = dirname(options.socket);
  const runtimeDirectory = managedDirectory(socketDir, '/run');
  const stateDirectory = managedDirectory(options.stateDir, '/var/lib');
  const execStart = [options.nodePath, options.cliPath, 'daemon', '--socket', options.socket, '--state-dir', options.stateDir].map(quoteExecArg).join(' ');
  const environment = Object.entries(options.environment ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `Environment=${quoteEnvironment(name, value)}`);
  // Directories systemd does not create for us must be writable despite ProtectSystem/ProtectHome;
  // "-" because the daemon creates them itself on first start.
  const readWritePaths = [runtimeDirectory === undefined ? socketDir : undefined, stateDirectory === undefined ? options.stateDir : undefined]
    .filter((p): p is string => p !== undefined)
    .map((p) => `ReadWritePaths=-${escapeSpecifiers(p)}`);

  return [
    '[Unit]',
    'Description=composed: docker compose supervisor',
    // The daemon needs the engine to adopt containers; Wants (not Requires) so that a docker restart
    // does not stop us: the daemon reconnects to the event stream by itself.
    'After=docker.service',
    'Wants=docker.service',
    // A supervisor that gives up leaves the apps unsupervised: keep retrying every RestartSec.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    // READY=1 comes once existing containers are adopted, so `systemctl start` returns when the
    // daemon really supervises.
    'Type=notify',
    // Only the daemon itself may report readiness and watchdog pings, not a helper it spawns.
    'NotifyAccess=main',
    `ExecStart=${execStart}`,
    ...environment,
    'Restart=always',
    'RestartSec=2s',
    // Adopting containers waits for the engine, which may itself still be starting after boot.
    'TimeoutStartSec=5min',
    `WatchdogSec=${options.watchdogSec ?? DEFAULT_WATCHDOG_SEC}`,
    // Stopping or restarting the daemon must never take the apps down. Containers are children of
    // containerd-shim in docker's cgroups, not ours, so systemd would not kill them anyway; but
    // KillMode=process also spares anything else in our cgroup (a `docker` helper mid-operation,
    // a build), and signals only the daemon, which finishes operations in flight and exits.
    'KillMode=process',
    ...(runtimeDirectory === undefined ? [] : [`RuntimeDirectory=${runtimeDirectory}`, 'RuntimeDirectoryMode=0755']),
    ...(stateDirectory === undefined ? [] : [`StateDirectory=${stateDirectory}`, 'StateDirectoryMode=0700']),
    // Hardening that keeps what the daemon needs: it runs as root to reach /var/run/docker.sock
    // (connecting to a socket is not a write to the file system, so read-only mounts don't block it),
    // and it must READ compose files, .env files and build contexts wherever users keep them:
    // under /home, /root, /srv, /opt or /tmp. Hence ProtectHome=read-only (not yes), and no
    // PrivateTmp: a private /tmp would hide projects kept in /tmp from the daemon.
    'NoNewPrivileges=yes',
    'ProtectSystem=full',
    'ProtectHome=read-only',
    // Everything below is about the kernel and the host, which the daemon never changes itself:
    // containers get their cgroups, mounts and sysctls from the engine, not from us.
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    'ProtectHostname=yes',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'LockPersonality=yes',
    // unix for the engine and control sockets, inet for the balancer and --metrics-addr, netlink
    // for node's interface listing. (No MemoryDenyWriteExecute: V8's JIT needs W+X pages.)
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'SystemCallArchitectures=native',
    ...readWritePaths,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * The name for RuntimeDirectory=/StateDirectory= when `dir` sits below `root` (systemd then creates
 * it with the right owner and mode); undefined when the user chose a directory elsewhere.
 */
function managedDirectory(dir: string, root: string): string | undefined {
  const relative = posix.relative(root, posix.normalize(dir));
  if (relative === '' || relative.startsWith('..') || posix.isAbsolute(relative)) return undefined;
  return escapeSpecifiers(relative);
}

/** systemd expands %-specifiers in most settings; a literal % is written %%. */
function escapeSpecifiers(text: string): string {
  return text.replaceAll('%', '%%');
}

/** One ExecStart= word: specifiers and $ escaped, quoted when it holds quotes or backslashes. */
function quoteExecArg(arg: string): string {
  const escaped = escapeSpecifiers(arg).replaceAll('$', '$$$$');
  if (!/["'\\]/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function quoteEnvironment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
  if (/[\n\r]/.test(value)) throw new Error(`environment variable ${name} must be a single line`);
  const assignment = escapeSpecifiers(`${name}=${value}`);
  return `"${assignment.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
