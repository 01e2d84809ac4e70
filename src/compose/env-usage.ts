// Which variables of the caller's environment a load looked at. The CLI sends the daemon only
// those, and the daemon keeps only those: the rest of a shell (tokens, keys, HOME, PATH) is none of
// its business. Every read of the environment in the loader is an index or `in`, so a Proxy that
// notes the names read sees exactly what the files reference (interpolation, `environment:` names
// passed through, env_file interpolation, HOME for `~`, the COMPOSE_* the loader reads).

export class EnvUsage {
  private readonly read = new Set<string>();

  constructor(private readonly env: Record<string, string>) {}

  /** The environment over `under` (the .env file): reads note the caller's names they touch. */
  view(under: Record<string, string> = {}): Record<string, string> {
    return layeredEnv(this.env, under, (name) => this.read.add(name));
  }

  /** The caller's variables that were read, with their values, sorted by name. */
  referenced(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of [...this.read].sort()) if (Object.hasOwn(this.env, name)) out[name] = this.env[name]!;
    return out;
  }
}

/**
 * `over` wins over `under`, read name by name without copying `over` (a copy would read every
 * variable). Enumerating it (only `config` prints a whole environment) counts as reading them all.
 */
export function layeredEnv(over: Record<string, string>, under: Record<string, string>, noteRead: (name: string) => void = () => {}): Record<string, string> {
  const value = (name: string): string | undefined => {
    noteRead(name);
    return Object.hasOwn(over, name) ? over[name] : Object.hasOwn(under, name) ? under[name] : undefined;
  };
  return new Proxy(Object.create(null) as Record<string, string>, {
    get: (_target, key) => (typeof key === 'string' ? value(key) : undefined),
    has: (_target, key) => typeof key === 'string' && value(key) !== undefined,
    ownKeys: () => {
      const names = [...new Set([...Object.keys(under), ...Object.keys(over)])];
      for (const name of Object.keys(over)) noteRead(name);
      return names;
    },
    getOwnPropertyDescriptor: (_target, key) => {
      const v = typeof key === 'string' ? value(key) : undefined;
      return v === undefined ? undefined : { value: v, enumerable: true, configurable: true, writable: false };
    },
  });
}
