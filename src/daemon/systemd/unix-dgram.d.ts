// Types for the part of unix-dgram (no published types) that the notify transport uses.
declare module 'unix-dgram' {
  import type { EventEmitter } from 'node:events';

  export interface UnixDgramSocket extends EventEmitter {
    bind(path: string): void;
    /** The callback runs synchronously, with an error whose `errno` is a negative errno value. */
    send(buf: Buffer, offset: number, length: number, path: string, callback: (error?: Error & { errno?: number }) => void): void;
    close(): void;
  }

  export function createSocket(type: 'unix_dgram', listener?: (message: Buffer) => void): UnixDgramSocket;
}
