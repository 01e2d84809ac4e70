// `composed daemon`: the long-running supervisor. The daemon's code is loaded only here, so the
// other commands stay a thin client.
import { Command, Option } from 'commander';
import { parseNotifyTarget, splitNotifyList, type NotifyTarget } from '../../compose/notify-target.js';
import { defaultStateDir } from '../../protocol/api.js';
import { action, socketOption, UsageError } from '../common.js';
import { parseDuration } from '../duration.js';
import { parseSize } from '../size.js';
import { readVersion } from '../version.js';

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run the supervisor in the foreground (systemd runs this)')
    .addOption(socketOption())
    .addOption(new Option('--state-dir <dir>', 'where desired projects and restart history are kept').env('COMPOSED_STATE_DIR').default(defaultStateDir({ ...process.env, COMPOSED_STATE_DIR: undefined })))
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error']).env('COMPOSED_LOG_LEVEL').default('info'))
    .addOption(new Option('--log-format <format>', 'json for journald and tools, pretty for humans').choices(['json', 'pretty']).env('COMPOSED_LOG_FORMAT').default('json'))
    .addOption(new Option('--socket-group <group>', 'group (name or gid) whose members may do anything through the socket: root-equivalent, like the docker group').env('COMPOSED_SOCKET_GROUP'))
    .addOption(new Option('--restricted-group <group>', 'group (name or gid) whose members manage only their own projects, under a policy: their own files, no privileged/host namespaces/devices/capabilities, bind mounts only of their own paths, ports above 1024').env('COMPOSED_RESTRICTED_GROUP'))
    .addOption(new Option('--resync-interval <duration>', 'full resync period').env('COMPOSED_RESYNC_INTERVAL').default('30s'))
    .addOption(new Option('--events-max-size <size>', 'disk the event journal in the state dir may take (e.g. 16MiB)').env('COMPOSED_EVENTS_MAX_SIZE').default('16MiB'))
    .addOption(new Option('--events-max-age <duration>', 'how long events are kept in the journal').env('COMPOSED_EVENTS_MAX_AGE').default('7d'))
    .addOption(new Option('--metrics-addr <host:port>', 'also serve /metrics over TCP (e.g. 127.0.0.1:9464)').env('COMPOSED_METRICS_ADDR'))
    .addOption(new Option('--http <host:port>', 'also serve the dashboard and the control API over TCP, every request needing a token (e.g. 127.0.0.1:8765)').env('COMPOSED_HTTP'))
    .addOption(new Option('--http-token-file <file>', 'the token TCP requests must carry (mode 0600); default: one generated into the state dir').env('COMPOSED_HTTP_TOKEN_FILE'))
    .addOption(new Option('--http-token-generate', 'generate the token into the state dir also for a --http address other hosts can reach'))
    .addOption(
      new Option('--notify <url>', 'POST a notification there when a service fails and recovers (repeatable; slack+, discord+, ntfy+ prefixes pick the format; env COMPOSED_NOTIFY, comma or space separated)')
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  composed daemon --log-format pretty\n  composed daemon --socket /run/composed/composed.sock --metrics-addr 127.0.0.1:9464\n  composed daemon --notify https://alerts.example.com/hook --notify slack+https://hooks.slack.com/services/T000/B000/XXXX\n  composed daemon --http 127.0.0.1:8765     # then `composed dashboard` prints a login link\n  composed daemon --restricted-group composed-users   # members manage only their own projects, under a policy\n\nThe socket is root\'s door: root and --socket-group members may start privileged containers and\nbind-mount /, so that group is as good as root. --restricted-group members may not (see README, Security).',
    )
    .action(
      action(async (_args, opts: { socket: string; stateDir: string; logLevel: string; logFormat: 'json' | 'pretty'; socketGroup?: string; restrictedGroup?: string; resyncInterval: string; eventsMaxSize: string; eventsMaxAge: string; metricsAddr?: string; notify?: string[]; http?: string; httpTokenFile?: string; httpTokenGenerate?: boolean }) => {
        const notify = notifyTargets(opts.notify, process.env['COMPOSED_NOTIFY']);
        const { runDaemon } = await import('../../daemon/main.js');
        const { resolveSocketGroup } = await import('../../daemon/api/socket-group.js');
        const { parseListenAddress } = await import('../../daemon/http/listen-address.js');
        // A daemon that failed to start (socket refused, state dir unusable) must exit: the engine
        // event stream and timers it started would otherwise keep a process alive that never listens.
        const failed = (error: unknown): never => {
          process.stderr.write(`composed: the daemon could not start: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        };
        if (opts.http === undefined && (opts.httpTokenFile !== undefined || opts.httpTokenGenerate)) {
          failed(new Error('--http-token-file and --http-token-generate need --http HOST:PORT'));
        }
        let http: { address: ReturnType<typeof parseListenAddress>; token: { file?: string; generate: boolean } } | undefined;
        try {
          http = opts.http === undefined ? undefined : { address: parseListenAddress(opts.http), token: { file: opts.httpTokenFile, generate: opts.httpTokenGenerate ?? false } };
        } catch (error) {
          failed(error);
        }
        await runDaemon({
          socket: opts.socket,
          stateDir: opts.stateDir,
          logLevel: opts.logLevel,
          logFormat: opts.logFormat,
          socketGroup: opts.socketGroup === undefined ? undefined : resolveSocketGroup(opts.socketGroup, '--socket-group'),
          restrictedGroup: opts.restrictedGroup === undefined ? undefined : resolveSocketGroup(opts.restrictedGroup, '--restricted-group'),
          resyncIntervalMs: parseDuration(opts.resyncInterval, '--resync-interval'),
          journalLimits: { maxBytes: parseSize(opts.eventsMaxSize, '--events-max-size'), maxAgeMs: parseDuration(opts.eventsMaxAge, '--events-max-age') },
          metricsAddr: opts.metricsAddr,
          notify,
          http,
          version: readVersion(),
        }).catch(failed);
      }),
    );
}

/** `--notify` flags, else COMPOSED_NOTIFY (as commander's env fallback works), each checked before the daemon starts. */
function notifyTargets(flags: string[] | undefined, env: string | undefined): NotifyTarget[] {
  const [source, texts] = flags && flags.length > 0 ? ['--notify', flags] : ['COMPOSED_NOTIFY', splitNotifyList(env ?? '')];
  return texts.map((text, i) => {
    const target = parseNotifyTarget(text);
    if ('error' in target) throw new UsageError(`${source}${texts.length > 1 ? ` (value ${i + 1})` : ''}: ${target.error}`);
    return target;
  });
}
