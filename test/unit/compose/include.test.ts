import { describe, expect, it } from 'vitest';
import { errors, project } from './helpers.js';

const files = {
  '/libs/db/compose.yaml': 'services:\n  db:\n    image: "postgres:${PG_VERSION}"\n    env_file: db.env\n    volumes: [./init:/docker-entrypoint-initdb.d, data:/var/lib/postgresql/data]\n    build: {context: ./image}\nvolumes:\n  data:\nsecrets:\n  pw: {file: ./pw.txt}\n',
  '/libs/db/.env': 'PG_VERSION=15\n',
  '/libs/db/db.env': 'POSTGRES_DB=app\n',
  '/libs/db/pw.txt': 'secret',
  '/libs/cache.yaml': 'services:\n  cache: {image: redis}\n',
  '/libs/loop.yaml': 'include: [loop.yaml]\nservices:\n  x: {image: x}\n',
};

describe('include', () => {
  it('copies the included resources, with paths resolved against their own directory', () => {
    const p = project('include:\n  - ../libs/db/compose.yaml\n  - path: ../libs/cache.yaml\nservices:\n  web:\n    image: web\n    depends_on: [db, cache]\n', { files });
    expect(Object.keys(p.services)).toEqual(['cache', 'db', 'web']);
    expect(p.services.db).toMatchObject({
      image: 'postgres:15',
      environment: { POSTGRES_DB: 'app' },
      build: { context: '/libs/db/image' },
      volumes: [
        { type: 'bind', source: '/libs/db/init', target: '/docker-entrypoint-initdb.d' },
        { type: 'volume', source: 'data', target: '/var/lib/postgresql/data' },
      ],
    });
    expect(p.volumes.data!.name).toBe('proj_data');
    expect(p.secrets.pw!.file).toBe('/libs/db/pw.txt');
    expect(p.dependencyFiles).toEqual(['/libs/cache.yaml', '/libs/db/.env', '/libs/db/compose.yaml', '/libs/db/db.env', '/libs/db/pw.txt']);
  });

  it('lets the project environment override the included .env', () => {
    expect(project('include: [../libs/db/compose.yaml]\n', { files, env: { PG_VERSION: '16' } }).services.db!.image).toBe('postgres:16');
  });

  it('names a file inside the working directory as compose prints it: relative to that directory, however deep the include', () => {
    const nested = {
      '/proj/other/compose.yaml': 'include: [deeper/compose.yaml]\nservices:\n  a: {image: busybox, bogus: 1}\n',
      '/proj/other/deeper/compose.yaml': 'services:\n  b: {image: busybox, bogus: 2}\n',
    };
    expect(errors('include: [other/compose.yaml]\n', { files: nested })).toEqual([
      'other/compose.yaml:3:23 services.a.bogus: unknown key "bogus"',
      'other/deeper/compose.yaml:2:23 services.b.bogus: unknown key "bogus"',
    ]);
  });

  it('rejects a name defined on both sides, a missing file and a cycle', () => {
    expect(errors('include: [../libs/cache.yaml, ../libs/nope.yaml, ../libs/loop.yaml]\nservices:\n  cache: {image: other}\n', { files })).toEqual([
      'compose.yaml:1:31 include[1]: included file /libs/nope.yaml not found',
      'compose.yaml:3:3 services.cache: service "cache" is also defined by the included /libs/cache.yaml; included resources are not merged',
      '/libs/loop.yaml:1:11 include[0]: include cycle detected: /proj/compose.yaml -> /libs/loop.yaml -> /libs/loop.yaml',
    ]);
  });
});

describe('extends from another directory', () => {
  it('resolves the base service paths against its own file', () => {
    const p = project('services:\n  web:\n    extends: {file: ../shared/base.yaml, service: base}\n', {
      files: { '/shared/base.yaml': 'services:\n  base:\n    build: ./app\n    env_file: [base.env]\n', '/shared/base.env': 'A=1\n' },
    });
    expect(p.services.web).toMatchObject({ build: { context: '/shared/app' }, environment: { A: '1' } });
  });
});
