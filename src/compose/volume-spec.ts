// Volume short syntax "SOURCE:TARGET[:OPTIONS]", split the way compose-go's ParseVolume does
// (colons inside ${...} are not separators). Linux forms only: Windows drive letters are not read.

export interface ShortVolume {
  /** Empty for an anonymous volume. */
  source: string;
  target: string;
  /** bind when the source is a path (".", "/", "~" prefix), else volume. */
  type: 'bind' | 'volume';
  readOnly: boolean;
  nocopy: boolean;
  propagation?: string;
  selinux?: 'z' | 'Z';
  /** Options compose ignores silently; we warn about them. */
  unknownOptions: string[];
}

export type VolumeParse = { ok: true; volume: ShortVolume } | { ok: false; error: string };

export const PROPAGATIONS = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

export function parseVolumeSpec(spec: string): VolumeParse {
  const fail = (detail: string): VolumeParse => ({
    ok: false,
    error: `${JSON.stringify(spec)} is not a volume (expected [SOURCE:]TARGET[:MODE]): ${detail}`,
  });
  if (spec === '') return fail('empty volume spec');
  const sections: string[] = [];
  let buffer = '';
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '$' && spec[i + 1] === '{') depth++;
    if (c === '}' && depth > 0) depth--;
    if (c === ':' && depth === 0) {
      sections.push(buffer);
      buffer = '';
    } else buffer += c;
  }
  sections.push(buffer);
  if (sections.some((s) => s === '')) return fail('empty section between colons');
  if (sections.length > 3) return fail('too many colons');
  const volume: ShortVolume = {
    source: sections.length === 1 ? '' : sections[0]!,
    target: sections.length === 1 ? sections[0]! : sections[1]!,
    type: 'volume',
    readOnly: false,
    nocopy: false,
    unknownOptions: [],
  };
  for (const option of sections.length === 3 ? sections[2]!.split(',') : []) {
    if (option === 'ro') volume.readOnly = true;
    else if (option === 'rw') volume.readOnly = false;
    else if (option === 'nocopy') volume.nocopy = true;
    else if (option === 'z' || option === 'Z') volume.selinux = option;
    else if (PROPAGATIONS.includes(option)) volume.propagation = option;
    else volume.unknownOptions.push(option);
  }
  if (isHostPath(volume.source)) volume.type = 'bind';
  return { ok: true, volume };
}

function isHostPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}
