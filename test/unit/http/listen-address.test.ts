import { mkdtemp, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHttpToken } from '../../../src/daemon/http/http-token.js';
import { browserOrigin, parseListenAddress } from '../../../src/daemon/http/listen-address.js';

describe('--http HOST:PORT', () => {
  it.each([
    ['127.0.0.1:8765', '127.0.0.1', true],
    [':8765', '127.0.0.1', true],
    ['localhost:8765', 'localhost', true],
    ['127.0.0.2:8765', '127.0.0.2', true],
    ['[::1]:8765', '::1', true],
    ['0.0.0.0:8765', '0.0.0.0', false],
    ['[::]:8765', '::', false],
    ['192.0.2.10:8765', '192.0.2.10', false],
  ])('%s listens on %s (loopback: %s)', (addr, host, loopback) => {
    expect(parseListenAddress(addr)).toEqual({ host, port: 8765, loopback });
  });

  it.each(['8765', 'example.com:80', '127.0.0.1:0', '127.0.0.1:70000', '127.0.0.1'])('refuses %s, naming the flag', (addr) => {
    expect(() => parseListenAddress(addr)).toThrow(/^--http: .* is not HOST:PORT/);
  });

  it('links a browser on this host to an unspecified address through loopback', () => {
    expect(browserOrigin(parseListenAddress('0.0.0.0:1234'))).toBe('http://127.0.0.1:1234');
    expect(browserOrigin(parseListenAddress('[::1]:1234'))).toBe('http://[::1]:1234');
  });
});

describe('the TCP listener token', () => {
  const loopback = parseListenAddress('127.0.0.1:8765');
  const open = parseListenAddress('0.0.0.0:8765');

  it('is generated into the state dir with mode 0600 on loopback, and the same one is kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'composed-token-'));
    const first = await resolveHttpToken(loopback, { generate: false }, dir);
    expect(first.file).toBe(join(dir, 'http-token'));
    expect(first.value.length).toBeGreaterThanOrEqual(40);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(await resolveHttpToken(loopback, { generate: false }, dir)).toEqual(first);
  });

  it('is never generated unasked for an address other hosts reach', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'composed-token-'));
    await expect(resolveHttpToken(open, { generate: false }, dir)).rejects.toThrow(/reachable from other hosts.*--http-token-file FILE.*--http-token-generate/);
    expect((await resolveHttpToken(open, { generate: true }, dir)).file).toBe(join(dir, 'http-token'));
  });

  it('is read from --http-token-file, refused when short, missing or readable by others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'composed-token-'));
    const file = join(dir, 'token');
    await expect(resolveHttpToken(open, { file, generate: false }, dir)).rejects.toThrow(/^--http-token-file: cannot read/);
    await writeFile(file, 'short\n', { mode: 0o600 });
    await expect(resolveHttpToken(open, { file, generate: false }, dir)).rejects.toThrow(/at least 16 characters/);
    await writeFile(file, 'long-enough-token-value-123\n');
    await chmod(file, 0o640);
    await expect(resolveHttpToken(open, { file, generate: false }, dir)).rejects.toThrow(/readable by others \(mode 640\)/);
    await chmod(file, 0o600);
    expect(await resolveHttpToken(open, { file, generate: false }, dir)).toEqual({ value: 'long-enough-token-value-123', file });
  });
});
