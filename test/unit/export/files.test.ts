// Top-level configs and secrets -> ConfigMaps and Secrets mounted at the same paths.
import { describe, expect, it } from 'vitest';
import type { FileObject, FileReference, Project } from '../../../src/compose/model.js';
import { serviceFixture } from '../../support/fixtures.js';
import { exportKubernetes } from '../../../src/export/kubernetes/export.js';
import { find, projectOf, run, validateManifest, type RunOptions } from './support.js';

const file = (name: string, path: string): FileObject => ({ name, external: false, file: path });

function exported(refs: { configs?: FileReference[]; secrets?: FileReference[] }, project: Partial<Project>, opts: RunOptions = {}) {
  const r = run(projectOf([serviceFixture('web', refs)], project), opts);
  const spec = find(r, 'Deployment', 'web').spec!.template.spec!;
  return { r, spec, mounts: spec.containers[0]!.volumeMounts, warnings: r.warningLines };
}

describe('configs', () => {
  it('a file-based config is a ConfigMap mounted as one file at the target', () => {
    const { r, spec, mounts } = exported(
      { configs: [{ source: 'nginx_conf', target: '/etc/nginx/nginx.conf' }] },
      { configs: { nginx_conf: file('proj_nginx_conf', '/proj/nginx.conf') } },
      { files: { '/proj/nginx.conf': 'events {}\n' } },
    );
    expect(find(r, 'ConfigMap', 'nginx-conf').data).toEqual({ nginx_conf: 'events {}\n' });
    expect(spec.volumes).toEqual([{ name: 'config-nginx-conf', configMap: { name: 'nginx-conf', items: [{ key: 'nginx_conf', path: 'nginx_conf', mode: 0o444 }] } }]);
    expect(mounts).toEqual([{ name: 'config-nginx-conf', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx_conf', readOnly: true }]);
  });

  it('inline content and environment-sourced configs carry their text', () => {
    const { r } = exported(
      { configs: [{ source: 'a', target: '/a' }, { source: 'b', target: '/b' }] },
      { configs: { a: { name: 'proj_a', external: false, content: 'hello' }, b: { name: 'proj_b', external: false, environment: 'B_CONF' } } },
      { env: { B_CONF: 'from env' } },
    );
    expect(find(r, 'ConfigMap', 'a').data).toEqual({ a: 'hello' });
    expect(find(r, 'ConfigMap', 'b').data).toEqual({ b: 'from env' });
  });

  it('a binary file goes into binaryData', () => {
    const project = projectOf([serviceFixture('web', { configs: [{ source: 'logo', target: '/logo.png' }] })], { configs: { logo: file('proj_logo', '/proj/logo.png') } });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]);
    const r = exportKubernetes({ project, options: { allowHostPath: false }, readFile: () => bytes, env: {} });
    r.manifests.forEach(validateManifest);
    expect(find(r, 'ConfigMap', 'logo').binaryData).toEqual({ logo: bytes.toString('base64') });
  });

  it('an unreadable file is a warning and an empty object; an external one must exist', () => {
    const { r, warnings, spec } = exported(
      { configs: [{ source: 'gone', target: '/gone' }, { source: 'shared', target: '/shared' }] },
      { configs: { gone: file('proj_gone', '/proj/gone.conf'), shared: { name: 'team-shared', external: true } } },
    );
    expect(find(r, 'ConfigMap', 'gone').data).toEqual({ gone: '' });
    expect(warnings).toContain('configs.gone.file: ./gone.conf could not be read; the object is empty');
    expect(r.manifests.some((m) => m.metadata?.name === 'team-shared')).toBe(false);
    expect(warnings).toContain('configs.shared: external: a ConfigMap named team-shared must exist in the namespace');
    expect(spec.volumes).toContainEqual({ name: 'config-shared', configMap: { name: 'team-shared', items: [{ key: 'shared', path: 'shared', mode: 0o444 }] } });
  });
});

describe('secrets', () => {
  it('a file-based secret is a Secret mounted at /run/secrets/<name>, with a warning about its content', () => {
    const { r, spec, mounts, warnings } = exported(
      { secrets: [{ source: 'db_password', target: '/run/secrets/db_password' }] },
      { secrets: { db_password: file('proj_db_password', '/proj/pw.txt') } },
      { files: { '/proj/pw.txt': 's3cret' } },
    );
    const secret = find(r, 'Secret', 'db-password');
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({ db_password: Buffer.from('s3cret').toString('base64') });
    expect(spec.volumes).toEqual([{ name: 'secret-db-password', secret: { secretName: 'db-password', items: [{ key: 'db_password', path: 'db_password', mode: 0o444 }] } }]);
    expect(mounts).toEqual([{ name: 'secret-db-password', mountPath: '/run/secrets/db_password', subPath: 'db_password', readOnly: true }]);
    expect(warnings).toContain('secrets.db_password: its content is written into the Secret manifest (base64, not encrypted); keep the output out of version control');
  });

  it('mode carries over; uid and gid are warnings', () => {
    const { spec, warnings } = exported(
      { secrets: [{ source: 'key', target: '/etc/ssl/key.pem', mode: 0o400, uid: '1000', gid: '1000' }] },
      { secrets: { key: { name: 'proj_key', external: false, environment: 'TLS_KEY' } } },
      { env: { TLS_KEY: 'pem' } },
    );
    expect(spec.volumes?.[0]?.secret?.items).toEqual([{ key: 'key', path: 'key', mode: 0o400 }]);
    expect(warnings).toContain('services.web.secrets.key.uid: not carried over: projected files belong to root unless the pod sets fsGroup');
    expect(warnings).toContain('services.web.secrets.key.gid: not carried over: projected files belong to root unless the pod sets fsGroup');
  });

  it('an unset environment source is a warning and an empty Secret', () => {
    const { r, warnings } = exported({ secrets: [{ source: 'tok', target: '/run/secrets/tok' }] }, { secrets: { tok: { name: 'proj_tok', external: false, environment: 'TOKEN' } } });
    expect(find(r, 'Secret', 'tok').data).toEqual({ tok: '' });
    expect(warnings).toContain('secrets.tok.environment: TOKEN is not set; the object is empty');
  });

  it('only referenced configs and secrets are exported', () => {
    const r = run(projectOf([serviceFixture('web')], { secrets: { unused: { name: 'proj_unused', external: false, content: 'x' } } }));
    expect(r.manifests.some((m) => m.kind === 'Secret')).toBe(false);
  });
});
