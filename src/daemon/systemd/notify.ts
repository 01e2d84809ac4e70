// sd_notify for the daemon: READY=1, STATUS=, STOPPING=1 and WATCHDOG=1 to the service manager.
// Without NOTIFY_SOCKET (not started by systemd with Type=notify) every call does nothing.
// Failures are logged, never thrown: losing a status line must not take the supervisor down.
import type { Logger } from 'pino';
import { createNotifyTransport, parseNotifySocket, type NotifyAddress, type NotifyTransport } from './notify-socket.js';

export interface NotifierOptions {
  /** Where NOTIFY_SOCKET is read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Our pid, sent along for abstract sockets; default process.pid. */
  pid?: number;
  logger?: Logger;
  /** How datagrams are delivered; tests replace it. */
  transport?: NotifyTransport;
}

export class SystemdNotifier {
  private readonly address: NotifyAddress | undefined;
  private readonly transport: NotifyTransport;
  private readonly logger: Logger | undefined;

  constructor(options: NotifierOptions = {}) {
    const env = options.env ?? process.env;
    this.logger = options.logger;
    this.transport = options.transport ?? createNotifyTransport({ pid: options.pid ?? process.pid, env });
    this.address = this.readAddress(env.NOTIFY_SOCKET);
  }

  /** True when there is a service manager to talk to. */
  get enabled(): boolean {
    return this.address !== undefined;
  }

  /** Startup is complete: existing containers adopted and resynced. */
  ready(status?: string): Promise<void> {
    return this.send([['READY', '1'], ...statusField(status)]);
  }

  /** A one-line summary shown by `systemctl status`. */
  status(text: string): Promise<void> {
    return this.send(statusField(text));
  }

  /** Shutdown has begun (SIGTERM); containers keep running. */
  stopping(status?: string): Promise<void> {
    return this.send([['STOPPING', '1'], ...statusField(status)]);
  }

  /** Keep-alive for WatchdogSec=; see watchdog.ts for when to send it. */
  watchdog(): Promise<void> {
    return this.send([['WATCHDOG', '1']]);
  }

  private async send(fields: Array<[string, string]>): Promise<void> {
    if (this.address === undefined || fields.length === 0) return;
    const message = fields.map(([name, value]) => `${name}=${value}`).join('\n');
    try {
      await this.transport(this.address, message);
    } catch (error) {
      this.logger?.warn({ err: error, notification: message }, 'could not notify systemd');
    }
  }

  private readAddress(value: string | undefined): NotifyAddress | undefined {
    try {
      return parseNotifySocket(value);
    } catch (error) {
      this.logger?.warn({ err: error }, 'ignoring NOTIFY_SOCKET');
      return undefined;
    }
  }
}

/** The protocol is one assignment per line, so a status keeps to one line. */
function statusField(text: string | undefined): Array<[string, string]> {
  return text === undefined ? [] : [['STATUS', text.replace(/[\r\n]+/g, ' ').trim()]];
}
