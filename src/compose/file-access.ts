// Whose permissions the loader reads files with. The daemon runs as root, but loads a project for
// a caller: it reads a compose file, .env, env_file, included or extended file, secret or config
// only when the caller could read it, and otherwise stops with the file's name and never a byte
// of its content (a parse error of /etc/shadow would echo its lines).

export interface FileAccess {
  /** Why the caller may not read this absolute path, or undefined when they may. */
  refusal(absolutePath: string): string | undefined;
}

export class FileAccessError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'FileAccessError';
  }
}

export function checkRead(access: FileAccess | undefined, absolutePath: string): void {
  const refusal = access?.refusal(absolutePath);
  if (refusal !== undefined) throw new FileAccessError(absolutePath, refusal);
}
