// The token every TCP request must carry. Read from --http-token-file, or generated once into the
// state dir (mode 0600) and kept across restarts so links and scripts keep working. A listener
// reachable beyond this host gets no token it was not asked for: the operator names one of the two.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListenAddress } from './listen-address.js';

/** Shorter tokens are refused: a guessable token is no protection on a reachable port. */
const MIN_TOKEN_LENGTH = 16;

export interface TokenChoice {
  /** --http-token-file FILE */
  file?: string;
  /** --http-token-generate: a token generated into the state dir, also for a non-loopback address. */
  generate: boolean;
}

export interface HttpToken {
  value: string;
  /** Where it is kept, for `composed dashboard` to point scripts at. */
  file: string;
}

export function generatedTokenPath(stateDir: string): string {
  return join(stateDir, 'http-token');
}

export async function resolveHttpToken(address: ListenAddress, choice: TokenChoice, stateDir: string): Promise<HttpToken> {
  if (choice.file !== undefined) return { value: await readTokenFile(choice.file), file: choice.file };
  if (!address.loopback && !choice.generate) {
    throw new Error(
      `--http ${address.host}:${address.port} is reachable from other hosts, and every request there needs a token: ` +
        `give --http-token-file FILE, or --http-token-generate to keep one in ${generatedTokenPath(stateDir)} (mode 0600)`,
    );
  }
  const file = generatedTokenPath(stateDir);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && existing.trim().length >= MIN_TOKEN_LENGTH) {
    await chmod(file, 0o600);
    return { value: existing.trim(), file };
  }
  const value = randomBytes(32).toString('base64url');
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  return { value, file };
}

async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`--http-token-file: cannot read ${file}: ${(error as Error).message}`);
  }
  const value = text.trim();
  if (value.length < MIN_TOKEN_LENGTH || /\s/.test(value)) {
    throw new Error(`--http-token-file: ${file} must hold one token of at least ${MIN_TOKEN_LENGTH} characters without spaces`);
  }
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) {
    throw new Error(`--http-token-file: ${file} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  return value;
}
