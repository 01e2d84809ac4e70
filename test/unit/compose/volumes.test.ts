import { describe, expect, it } from 'vitest';
import { parseVolumeSpec } from '../../../src/compose/volume-spec.js';
import { errors, service, warnings } from './helpers.js';

const top = 'volumes:\n  data:\n';

describe('volume short syntax', () => {
  it('splits source, target and options', () => {
    expect(parseVolumeSpec('/src:/dst:ro,z,rshared')).toEqual({
      ok: true,
      volume: { source: '/src', target: '/dst', type: 'bind', readOnly: true, nocopy: false, selinux: 'z', propagation: 'rshared', unknownOptions: [] },
    });
    expect(parseVolumeSpec('data:/x:nocopy')).toMatchObject({ ok: true, volume: { type: 'volume', source: 'data', nocopy: true } });
    expect(parseVolumeSpec('/tmp:/tmp/${VAR:-12:30}/p')).toMatchObject({ ok: true, volume: { source: '/tmp', target: '/tmp/${VAR:-12:30}/p' } });
  });

  it.each([
    ['', 'empty volume spec'],
    ['/foo::ro', 'empty section between colons'],
    ['/a:/b:ro:x', 'too many colons'],
  ])('%j is rejected', (spec, detail) => {
    expect(parseVolumeSpec(spec)).toEqual({ ok: false, error: `${JSON.stringify(spec)} is not a volume (expected [SOURCE:]TARGET[:MODE]): ${detail}` });
  });
});

describe('volumes in a service', () => {
  it('normalizes every short form', () => {
    const s = service('image: x\nvolumes:\n  - data:/data\n  - ./rel:/rel:ro\n  - /abs:/abs\n  - ~/home:/home\n  - /anon\n', { top, env: { HOME: '/root' } });
    expect(s.volumes).toEqual([
      { type: 'volume', source: 'data', target: '/data', readOnly: false, nocopy: false },
      { type: 'bind', source: '/proj/rel', target: '/rel', readOnly: true, createHostPath: true },
      { type: 'bind', source: '/abs', target: '/abs', readOnly: false, createHostPath: true },
      { type: 'bind', source: '/root/home', target: '/home', readOnly: false, createHostPath: true },
      { type: 'volume', target: '/anon', readOnly: false, nocopy: false },
    ]);
  });

  it('normalizes the long forms', () => {
    const s = service(`image: x
volumes:
  - {type: volume, source: data, target: /data, read_only: true, volume: {nocopy: true, subpath: sub}}
  - {type: bind, source: ./conf, target: /conf, bind: {create_host_path: true, propagation: rslave, selinux: Z}}
  - {type: tmpfs, target: /cache, tmpfs: {size: 64m, mode: 01777}}
  - {type: volume, target: /anon}
`, { top });
    expect(s.volumes).toEqual([
      { type: 'volume', source: 'data', target: '/data', readOnly: true, nocopy: true, subpath: 'sub' },
      { type: 'bind', source: '/proj/conf', target: '/conf', readOnly: false, createHostPath: true, propagation: 'rslave', selinux: 'Z' },
      { type: 'tmpfs', target: '/cache', sizeBytes: 67_108_864, mode: 0o1777 },
      { type: 'volume', target: '/anon', readOnly: false, nocopy: false },
    ]);
  });

  it('keeps one mount per target, the later one winning', () => {
    expect(service('image: x\nvolumes: ["data:/x", "/host:/x"]', { top }).volumes).toEqual([
      { type: 'bind', source: '/host', target: '/x', readOnly: false, createHostPath: true },
    ]);
  });

  it('reads tmpfs as a string or a list', () => {
    expect(service('image: x\ntmpfs: /run').tmpfs).toEqual(['/run']);
    expect(service('image: x\ntmpfs: [/run, /tmp]').tmpfs).toEqual(['/run', '/tmp']);
  });

  it('rejects an undefined named volume and a relative target', () => {
    expect(errors('services:\n  s:\n    image: x\n    volumes: [cache:/c, /a:rel]\n')).toEqual([
      'compose.yaml:4:15 services.s.volumes[0]: volume "cache" is not defined in the top-level volumes (add `volumes: {cache: {}}`)',
      'compose.yaml:4:25 services.s.volumes[1]: mount target "rel" must be an absolute path in the container',
    ]);
  });

  it('warns about unknown short options, as compose ignores them', () => {
    expect(warnings(`services:\n  s:\n    image: x\n    volumes: ["/a:/b:bogus"]\n`)).toEqual([
      'warning: compose.yaml:4:15 services.s.volumes[0]: ignored unknown volume option "bogus"',
    ]);
  });
});
