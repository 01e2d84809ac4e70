// Kubernetes names and labels. Compose allows `_`, `.` and capitals in names; Kubernetes object
// names are DNS labels (RFC 1123; Services also RFC 1035: a letter first). Every compose name is
// mapped to one valid, unique name, and a rename is a warning because the name is also the
// address other services use.
import type { Warnings } from './warnings.js';

export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Services are capped at 52 characters: a StatefulSet adds an 11-character revision hash to its
 * name in a 63-character label.
 */
export const SERVICE_NAME_MAX = 52;
const NAME_MAX = 63;

/** The closest DNS label to `raw`: lower case, runs of other characters as "-", a letter first. */
export function dnsLabel(raw: string, max = NAME_MAX): string {
  let name = raw.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `c-${name}`;
  return name.slice(0, max).replace(/-+$/, '');
}

/** Assigns each compose name of one kind a unique Kubernetes name, warning when it differs. */
export class NameTable {
  private readonly byCompose = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(
    private readonly section: string,
    private readonly max = NAME_MAX,
  ) {}

  /**
   * Call in sorted order, so that which name gets a suffix does not depend on the file's order.
   * With `warnings`, a name that differs from the compose name is reported (for names that are
   * addresses other services use).
   */
  assign(composeName: string, warnings?: Warnings): string {
    const known = this.byCompose.get(composeName);
    if (known) return known;
    const name = this.unique(dnsLabel(composeName, this.max));
    this.byCompose.set(composeName, name);
    if (warnings && name !== composeName) {
      warnings.add(`${this.section}.${composeName}`, `named ${name} in Kubernetes (names allow only a-z, 0-9 and "-"); other services reach it as ${name}`);
    }
    return name;
  }

  get(composeName: string): string {
    const name = this.byCompose.get(composeName);
    if (name === undefined) throw new Error(`no Kubernetes name assigned to ${this.section}.${composeName}`);
    return name;
  }

  /** A free name built from `base` (used for objects derived from a service, e.g. `web-public`). */
  unique(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name); n++) {
      const suffix = `-${n}`;
      name = `${base.slice(0, this.max - suffix.length).replace(/-+$/, '')}${suffix}`;
    }
    this.taken.add(name);
    return name;
  }
}

export function isLabelValue(value: string): boolean {
  return value.length <= NAME_MAX && LABEL_VALUE.test(value);
}

/** `[prefix/]name`, where prefix is a DNS subdomain of at most 253 and name at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= NAME_MAX && LABEL_NAME.test(name);
}

/** A label value close to `raw` (project names may hold "_", which labels allow). */
export function labelValue(raw: string): string {
  return raw.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, NAME_MAX).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
