// A one-file ustar archive, enough for the engine's putArchive (it creates missing parent directories).

export function singleFileTar(path: string, content: Buffer, mode: number, uid: number, gid: number, nowMs: number): Buffer {
  const name = path.replace(/^\/+/, '');
  if (Buffer.byteLength(name) > 100) throw new Error(`path too long for a tar header: ${path}`);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(mode & 0o7777, 8), 100);
  header.write(octal(uid, 8), 108);
  header.write(octal(gid, 8), 116);
  header.write(octal(content.length, 12), 124);
  header.write(octal(Math.floor(nowMs / 1000), 12), 136);
  header.write('        ', 148); // checksum is computed with its own field as spaces
  header.write('0', 156); // regular file
  header.write('ustar\u000000', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`;
}
