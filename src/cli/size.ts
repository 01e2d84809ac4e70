import { parseBytes } from '../compose/units.js';
import { UsageError } from './common.js';

/** Flag sizes like `16MiB`, `512k`, `1g`; a bare number is bytes. */
export function parseSize(text: string, flag: string): number {
  const bytes = parseBytes(text);
  if (bytes === undefined || bytes <= 0) throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a size (e.g. 16MiB, 512k, 1g)`);
  return bytes;
}
