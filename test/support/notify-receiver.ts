// A receiver for sd_notify datagrams, independent of the code under test: python3 binds the
// address NOTIFY_SOCKET names and prints one JSON line per datagram, with the sender's pid from the
// kernel's credentials (what systemd checks for NotifyAccess=main).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Binds the address (a path, or @name for an abstract socket); prints one JSON line per datagram. */
const RECEIVER = `
import json, socket, struct, sys
address = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(b'\\0' + address[1:].encode() if address.startswith('@') else address)
print(json.dumps({'bound': True}), flush=True)
while True:
    data, ancillary, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pids = [struct.unpack('iII', d[:12])[0] for (level, kind, d) in ancillary if kind == socket.SCM_CREDENTIALS]
    print(json.dumps({'message': data.decode(), 'pid': pids[0] if pids else None}), flush=True)
`;

export interface Datagram {
  fields: Record<string, string>;
  pid: number | null;
}

export class Receiver {
  readonly datagrams: Datagram[] = [];
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  static async bind(address: string): Promise<Receiver> {
    const child = spawn('python3', ['-c', RECEIVER, address]);
    const receiver = new Receiver(child);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`receiver exited ${code}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const parsed = JSON.parse(line) as { bound?: true; message?: string; pid?: number | null };
        if (parsed.bound) return resolve();
        const fields = Object.fromEntries(parsed.message!.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
        receiver.datagrams.push({ fields, pid: parsed.pid ?? null });
      });
    });
    return receiver;
  }

  close(): void {
    this.child.kill();
  }
}
