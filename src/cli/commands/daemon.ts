// `composed daemon`: the long-running supervisor. The daemon's code is loaded only here, so the
// other commands stay a thin client.
import { Command, Option } from 'commander';
import { defaultStateDir } from '../../protocol/api.js';
import { action, socketOption } from '../common.js';
import { parseDuration } from '../duration.js';
import { readVersion } from '../version.js';

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run the supervisor in the foreground (systemd runs this)')
    .addOption(socketOption())
    .addOption(new Option('--state-dir <dir>', 'where desired projects and restart history are kept').env('COMPOSED_STATE_DIR').default(defaultStateDir({ ...process.env, COMPOSED_STATE_DIR: undefined })))
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error']).env('COMPOSED_LOG_LEVEL').default('info'))
    .addOption(new Option('--log-format <format>', 'json for journald and tools, pretty for humans').choices(['json', 'pretty']).env('COMPOSED_LOG_FORMAT').default('json'))
    .addOption(new Option('--socket-group <group>', 'group owning the control socket (name or gid); its members may use composed').env('COMPOSED_SOCKET_GROUP'))
    .addOption(new Option('--resync-interval <duration>', 'full resync period').env('COMPOSED_RESYNC_INTERVAL').default('30s'))
    .addOption(new Option('--metrics-addr <host:port>', 'also serve /metrics over TCP (e.g. 127.0.0.1:9464)').env('COMPOSED_METRICS_ADDR'))
    .addOption(new Option('--http <host:port>', 'also serve the dashboard and the control API over TCP, every request needing a token (e.g. 127.0.0.1:8765)').env('COMPOSED_HTTP'))
    .addOption(new Option('--http-token-file <file>', 'the token TCP requests must carry (mode 0600); default: one generated into the state dir').env('COMPOSED_HTTP_TOKEN_FILE'))
    .addOption(new Option('--http-token-generate', 'generate the token into the state dir also for a --http address other hosts can reach'))
    .addHelpText('after', '\nExamples:\n  composed daemon --log-format pretty\n  composed daemon --socket /run/composed/composed.sock --metrics-addr 127.0.0.1:9464\n  composed daemon --http 127.0.0.1:8765     # then `composed dashboard` prints a login link')
    .action(
      action(async (_args, opts: { socket: string; stateDir: string; logLevel: string; logFormat: 'json' | 'pretty'; socketGroup?: string; resyncInterval: string; metricsAddr?: string; http?: string; httpTokenFile?: string; httpTokenGenerate?: boolean }) => {
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
          socketGroup: opts.socketGroup === undefined ? undefined : resolveSocketGroup(opts.socketGroup),
          resyncIntervalMs: parseDuration(opts.resyncInterval, '--resync-interval'),
          metricsAddr: opts.metricsAddr,
          http,
          version: readVersion(),
        }).catch(failed);
      }),
    );
}
