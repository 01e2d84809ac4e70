import { describe, expect, it } from 'vitest';
import { errors, project } from './helpers.js';

const base = `services:
  web:
    image: web:1
    command: ["serve", "--port", "80"]
    environment: [A=1, B=1]
    labels: {team: a, tier: front}
    ports: ["8080:80", "9000:9000"]
    volumes: [data:/data, ./conf:/conf]
    dns: [1.1.1.1]
    depends_on: [db]
    networks: [front]
    healthcheck: {test: ["CMD", "a"], interval: 5s}
    logging: {driver: json-file, options: {max-size: 1m}}
    build: ./web
  db:
    image: db
volumes:
  data:
networks:
  front:
`;

describe('merging -f files in order', () => {
  const override = `services:
  web:
    image: web:2
    command: serve --port 8080
    environment: {B: "2", C: "3"}
    labels: [tier=back]
    ports: ["8080:80", {target: 9000, published: "9001"}]
    volumes: [/host/conf:/conf]
    dns: [8.8.8.8, 1.1.1.1]
    depends_on: {cache: {condition: service_healthy}}
    networks: {back: {aliases: [w]}}
    healthcheck: {test: ["CMD", "b"]}
    logging: {options: {max-file: "3"}}
    build: {target: dev}
  cache:
    image: redis
networks:
  back:
`;
  const p = project([base, override]);
  const web = p.services.web!;

  it('replaces scalars and shell commands', () => {
    expect(web.image).toBe('web:2');
    expect(web.command).toEqual(['serve', '--port', '8080']);
    expect(web.healthcheck).toEqual({ test: ['CMD', 'b'], intervalMs: 5000 });
  });

  it('merges environment and labels by key, across list and map forms', () => {
    expect(web.environment).toEqual({ A: '1', B: '2', C: '3' });
    expect(web.labels).toEqual({ team: 'a', tier: 'back' });
  });

  it('merges ports by mapping and volumes by target', () => {
    expect(web.ports.map((x) => `${x.published}:${x.target}`)).toEqual(['8080:80', '9000:9000', '9001:9000']);
    expect(web.volumes.map((v) => `${v.type === 'tmpfs' ? '' : v.source}:${v.target}`)).toEqual(['data:/data', '/host/conf:/conf']);
  });

  it('appends other lists without repeating items', () => {
    expect(web.dns).toEqual(['1.1.1.1', '8.8.8.8']);
  });

  it('merges depends_on and networks across list and map forms', () => {
    expect(Object.keys(web.dependsOn)).toEqual(['cache', 'db']);
    expect(web.dependsOn.cache!.condition).toBe('service_healthy');
    expect(web.networks).toEqual({ back: { aliases: ['w'], priority: 0 }, front: { aliases: [], priority: 0 } });
  });

  it('merges logging options for the same driver and build string with build map', () => {
    expect(web.logging).toEqual({ driver: 'json-file', options: { 'max-file': '3', 'max-size': '1m' } });
    expect(web.build).toMatchObject({ context: '/proj/web', target: 'dev' });
  });

  it('adds services and top-level resources', () => {
    expect(Object.keys(p.services)).toEqual(['cache', 'db', 'web']);
    expect(Object.keys(p.networks)).toEqual(['back', 'default', 'front']);
    expect(p.configFiles).toEqual(['/proj/compose.yaml', '/proj/override.yaml']);
  });

  it('replaces logging when the driver changes', () => {
    const q = project([base, 'services:\n  web:\n    logging: {driver: local}\n']);
    expect(q.services.web!.logging).toEqual({ driver: 'local', options: {} });
  });

  it('removes with !reset and replaces with !override', () => {
    const q = project([base, 'services:\n  web:\n    ports: !override ["7000:70"]\n    environment:\n      A: !reset\n    dns: !reset []\n    build: !reset\n']);
    expect(q.services.web!.ports.map((x) => x.published)).toEqual(['7000']);
    expect(q.services.web!.environment).toEqual({ B: '1' });
    expect(q.services.web!.dns).toEqual([]);
    expect(q.services.web!.build).toBeUndefined();
  });

  it('points errors at the file that contributed the bad value', () => {
    expect(errors([base, 'services:\n  web:\n    ports: ["80:80:80"]\n    restart: sometimes\n'])).toEqual([
      'override.yaml:3:13 services.web.ports[2]: "80:80:80" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL])',
      'override.yaml:4:14 services.web.restart: "sometimes" is not a restart policy (expected "no", always, on-failure[:N] or unless-stopped)',
    ]);
  });

  it('lets an override file complete a service the first file only started', () => {
    expect(project(['services:\n  a:\n    environment: [X=1]\n', 'services:\n  a:\n    image: x\n']).services.a!.image).toBe('x');
  });
});

describe('extends', () => {
  it('merges the base service under the local one', () => {
    const p = project(`services:
  common:
    image: busybox
    environment: {TZ: utc, PORT: "80"}
    command: ["base"]
  cli:
    extends: {service: common}
    environment: {PORT: "8080"}
  short:
    extends: cli
    command: ["own"]
`);
    expect(p.services.cli).toMatchObject({ image: 'busybox', environment: { TZ: 'utc', PORT: '8080' }, command: ['base'] });
    expect(p.services.short).toMatchObject({ image: 'busybox', environment: { TZ: 'utc', PORT: '8080' }, command: ['own'] });
  });

  it('reads a base from another file', () => {
    const p = project('services:\n  web:\n    extends: {file: common.yaml, service: base}\n    ports: ["80"]\n', { files: { '/proj/common.yaml': 'services:\n  base:\n    image: nginx\n    restart: always\n' } });
    expect(p.services.web).toMatchObject({ image: 'nginx', restart: { condition: 'any' } });
  });

  it('rejects cycles and unknown bases', () => {
    expect(errors('services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n  c: {image: x, extends: {service: nope}}\n')).toEqual([
      'compose.yaml:2:26 services.a.extends: extends cycle: service "a" extends itself through "b"',
      'compose.yaml:4:26 services.c.extends: extends refers to undefined service "nope"',
    ]);
  });
});
