import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errors, loadText, warnings } from './helpers.js';
import { formatDiagnostic } from '../../../src/compose/errors.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/compose/${name}`, import.meta.url), 'utf8');

describe('a file with many mistakes', () => {
  it('reports every one of them at once, each with its exact position', () => {
    const expected = [
      'compose.yaml:3:1 nmae: unknown key "nmae", did you mean "name"?',
      'compose.yaml:5:3 services.web: service "web" has neither an image nor a build context',
      'compose.yaml:6:5 services.web.imgae: unknown key "imgae", did you mean "image"?',
      'compose.yaml:8:9 services.web.ports[0]: "80:80:80" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL])',
      'compose.yaml:9:9 services.web.ports[1]: "8080:80/tcpx" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]): unknown protocol "tcpx"',
      'compose.yaml:10:17 services.web.ports[2].target: 99999 is not a port number (0-65535)',
      'compose.yaml:12:9 services.web.volumes[0]: volume "undefined_vol" is not defined in the top-level volumes (add `volumes: {undefined_vol: {}}`)',
      'compose.yaml:13:9 services.web.volumes[1]: "/src::ro" is not a volume (expected [SOURCE:]TARGET[:MODE]): empty section between colons',
      'compose.yaml:14:9 services.web.volumes[2]: mount target "relative/target" must be an absolute path in the container',
      'compose.yaml:15:14 services.web.restart: "sometimes" is not a restart policy (expected "no", always, on-failure[:N] or unless-stopped)',
      'compose.yaml:16:24 services.web.stop_grace_period: the string "10 seconds" is not a duration (expected e.g. 10s, 1m30s, 500ms, 2h)',
      'compose.yaml:17:16 services.web.mem_limit: the string "12q" is not a size (expected bytes or a number with a unit: 512m, 1.5g, 640k)',
      'compose.yaml:18:11 services.web.cpus: the string "lots" is not a CPU count (expected a number such as 0.5 or "2")',
      'compose.yaml:19:18 services.web.depends_on[0]: dependency cycle detected: api -> web -> api',
      'compose.yaml:19:23 services.web.depends_on[1]: service "web" depends on undefined service "ghost"',
      'compose.yaml:20:16 services.web.networks[0]: network "nowhere" is not defined in the top-level networks',
      'compose.yaml:21:15 services.web.secrets[0]: secret "nosecret" is not defined in the top-level secrets',
      'compose.yaml:23:13 services.web.healthcheck.test: a healthcheck test list must start with "CMD", "CMD-SHELL" or "NONE", not "CURL"',
      'compose.yaml:24:16 services.web.healthcheck.retries: must be an integer, not the string "many"',
      'compose.yaml:27:12 services.web.environment.BAD: must be a string, number, boolean or null, not a list',
      'compose.yaml:28:16 services.web.read_only: must be a boolean (true or false), not the string "maybe"',
      'compose.yaml:29:13 services.web.labels: must be a mapping or a list of "KEY=VALUE" strings, not the string "just a string"',
      'compose.yaml:31:12 services.api.image: required variable REGISTRY is missing a value: REGISTRY must be set',
      'compose.yaml:33:24 services.api.depends_on.web.condition: "service_ready" is not one of service_started, service_healthy, service_completed_successfully',
      'compose.yaml:37:26 services.api.deploy.resources.limits.memory: the string "1gigabyte" is not a size (expected bytes or a number with a unit: 512m, 1.5g, 640k)',
      'compose.yaml:38:30 services.api.deploy.update_config.order: "random" is not one of start-first, stop-first',
      'compose.yaml:39:12 services.api.scale: scale (3) and deploy.replicas (2) disagree; set one of them',
      'compose.yaml:42:5 services.cache.ports: host port 6379/udp is fixed but autoscale.max is 4; replicas cannot share a host port (the built-in balancer forwards TCP only, not UDP; publish a range like "8000-8009:6379", or only the container port)',
      'compose.yaml:49:14 services.queue.x-composed.autoscale.min: must be greater than or equal to 0, not -1',
      'compose.yaml:51:43 services.queue.x-composed.autoscale.cpu.scale_up_above: scale_up_above (40) must be above the target (50)',
      'compose.yaml:52:21 services.queue.x-composed.on_unhealthy: "restart" is not one of replace, ignore',
      'compose.yaml:54:25 services.worker.build.dockerfil: unknown key "dockerfil", did you mean "dockerfile"?',
      'compose.yaml:55:14 services.worker.command: cannot split "echo \\"unterminated" into words: unterminated double quote',
      'compose.yaml:56:23 services.worker.ulimits.nofile: a ulimit mapping needs both soft and hard',
      'compose.yaml:58:5 services.worker.networks: service "worker" declares both network_mode and networks; they are mutually exclusive',
      'compose.yaml:59:3 services.bad name!: service name "bad name!" may only contain letters, digits, ".", "_" and "-"',
      'compose.yaml:62:26 volumes.data: conflicting parameters "external" and "driver" specified',
      'compose.yaml:64:10 networks.front: must be a mapping, not a list',
      'compose.yaml:66:17 secrets.token.file: secret file /proj/missing-token.txt not found',
    ];
    expect(expected.length).toBeGreaterThanOrEqual(30);
    expect(errors(fixture('thirty-mistakes.yaml'))).toEqual(expected);
  });

  it('reports the obsolete version as a warning only', () => {
    const out = loadText(fixture('thirty-mistakes.yaml'));
    expect(out.project).toBeUndefined();
    expect(out.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(['2:1 the top-level version is obsolete and ignored']);
  });
});

describe('each class of error, with its position', () => {
  it.each([
    ['invalid YAML', 'services:\n  web:\n    image: x\n   bad: [\n', 'compose.yaml:4:1: invalid YAML: All mapping items must start at the same column'],
    ['a tab as indentation', 'services:\n\tweb: {}\n', 'compose.yaml:2:1: invalid YAML: Tabs are not allowed as indentation'],
    ['a duplicate key', 'services:\n  web: {image: x}\n  web: {image: y}\n', 'compose.yaml:3:3: invalid YAML: Map keys must be unique'],
    ['a non-mapping document', '- a\n- b\n', 'compose.yaml:1:1: top-level object must be a mapping, not a list'],
    ['an empty file', '', 'compose.yaml: empty compose file'],
    ['a non-string key', 'services:\n  web:\n    image: x\n    environment:\n      1: FOO\n', 'compose.yaml:5:7 services.web.environment: non-string key in services.web.environment: 1'],
    ['a wrong type', 'services:\n  web:\n    image: [busybox, latest]\n', 'compose.yaml:3:12 services.web.image: must be a string, not a list'],
    ['services not a mapping', 'services: [web]\n', 'compose.yaml:1:11 services: services must be a mapping, not a list'],
    ['a merge key on a scalar', 'x-s: &s not-a-map\nservices:\n  web:\n    <<: *s\n    image: x\n', 'compose.yaml:1:9 services.web: map merge requires map'],
    ['an unknown alias', 'services:\n  web:\n    image: *nope\n', 'compose.yaml:3:12 services.web.image: unknown alias *nope'],
    ['a bad interpolation', 'services:\n  web:\n    image: "x:${"\n', 'compose.yaml:3:12 services.web.image: invalid interpolation format in "x:${"'],
    ['an undefined depends_on', 'services:\n  web:\n    image: x\n    depends_on: {db: {condition: service_healthy}}\n', 'compose.yaml:4:18 services.web.depends_on.db: service "web" depends on undefined service "db"'],
    ['a self dependency', 'services:\n  web:\n    image: x\n    depends_on: [web]\n', 'compose.yaml:4:18 services.web.depends_on[0]: dependency cycle detected: web -> web'],
    ['replicas of a fixed port without the balancer', 'services:\n  web:\n    image: x\n    scale: 2\n    ports: ["80:80"]\n    x-composed: {balance: false}\n', 'compose.yaml:5:5 services.web.ports: host port 80/tcp is fixed but it runs 2 replicas'],
    ['replicas of a fixed UDP port', 'services:\n  dns:\n    image: x\n    scale: 2\n    ports: ["53:53/udp"]\n', 'compose.yaml:5:5 services.dns.ports: host port 53/udp is fixed but it runs 2 replicas'],
    ['replicas outside autoscale bounds', 'services:\n  web:\n    image: x\n    deploy: {replicas: 9}\n    x-composed: {autoscale: {min: 1, max: 3, cpu: {target: 50}}}\n', 'compose.yaml:4:24 services.web.deploy.replicas: 9 replicas is outside the autoscale bounds [1, 3]'],
    ['autoscale max below min', 'services:\n  web:\n    image: x\n    x-composed: {autoscale: {min: 4, max: 3, cpu: {target: 50}}}\n', 'compose.yaml:4:43 services.web.x-composed.autoscale.max: autoscale max (3) is below min (4)'],
    ['scale_down_below above target', 'services:\n  web:\n    image: x\n    x-composed: {autoscale: {max: 3, cpu: {target: 50, scale_down_below: 60}}}\n', 'compose.yaml:4:74 services.web.x-composed.autoscale.cpu.scale_down_below: scale_down_below (60) must be between 0 and the target (50)'],
    ['autoscale without a metric', 'services:\n  web:\n    image: x\n    x-composed: {autoscale: {max: 3}}\n', 'compose.yaml:4:29 services.web.x-composed.autoscale: autoscale needs a metric: cpu, memory, connections or requests'],
    ['autoscale memory without a limit', 'services:\n  web:\n    image: x\n    x-composed: {autoscale: {max: 3, memory: {target: 70}}}\n', 'compose.yaml:4:17 services.web.x-composed.autoscale: autoscale.memory is a percent of the memory limit: set deploy.resources.limits.memory (or mem_limit)'],
    ['autoscale connections without a balanced port', 'services:\n  web:\n    image: x\n    x-composed: {autoscale: {min: 0, max: 3, connections: {target: 2}}}\n', 'compose.yaml:4:17 services.web.x-composed.autoscale: autoscale connections, min 0 needs the built-in balancer: publish a fixed TCP host port (like "8080:80") and keep x-composed.balance on'],
    ['a zero connections target', 'services:\n  web:\n    image: x\n    ports: ["8080:80"]\n    x-composed: {autoscale: {max: 3, connections: {target: 0}}}\n', 'compose.yaml:5:60 services.web.x-composed.autoscale.connections.target: connections target must be more than 0, not 0'],
    ['an unknown x-composed key', 'services:\n  web:\n    image: x\n    x-composed: {autoscaling: {}}\n', 'compose.yaml:4:18 services.web.x-composed.autoscaling: unknown key "autoscaling", did you mean "autoscale"?'],
    ['a container name with replicas', 'services:\n  web:\n    image: x\n    container_name: web\n    scale: 2\n', 'compose.yaml:4:21 services.web.container_name: container_name "web" cannot be used by more than one replica'],
    ['a duplicate container name', 'services:\n  a: {image: x, container_name: c}\n  b: {image: x, container_name: c}\n', 'compose.yaml:3:33 services.b.container_name: container name "c" is already in use by service "a"'],
    ['network_mode of an undefined service', 'services:\n  a:\n    image: x\n    network_mode: "service:b"\n', 'compose.yaml:4:19 services.a.network_mode: network_mode refers to undefined service "b"'],
    ['an external volume with labels', 'services:\n  a: {image: x}\nvolumes:\n  v: {external: true, labels: [a=b]}\n', 'compose.yaml:4:23 volumes.v: conflicting parameters "external" and "labels" specified'],
    ['external.name and name', 'services:\n  a: {image: x}\nnetworks:\n  n: {name: a, external: {name: b}}\n', 'compose.yaml:4:7 networks.n: name and external.name conflict; only use name'],
    ['a negative scale', 'services:\n  a: {image: x, scale: -1}\n', 'compose.yaml:2:24 services.a.scale: must be greater than or equal to 0, not -1'],
    ['a bind mount without source', 'services:\n  a:\n    image: x\n    volumes: [{type: bind, target: /x}]\n', 'compose.yaml:4:15 services.a.volumes[0]: a bind mount needs a source (the host path)'],
    ['an unknown tmpfs key', 'services:\n  a:\n    image: x\n    volumes: [{type: tmpfs, target: /x, tmpfs: {size: 1m, foo: 1}}]\n', 'compose.yaml:4:59 services.a.volumes[0].tmpfs.foo: unknown key "foo"'],
    ['an environment key with a trailing space', 'services:\n  a:\n    image: x\n    environment: ["DEBUG =1"]\n', 'compose.yaml:4:19 services.a.environment[0]: environment variable "DEBUG " is declared with a trailing space'],
    ['an invalid explicit project name', 'services:\n  a: {image: x}\n', 'compose.yaml: project name "Bad" is invalid'],
  ])('%s', (_, text, expected) => {
    const opts = expected.includes('"Bad"') ? { projectName: 'Bad' } : {};
    const list = errors(text, opts);
    expect(list.some((e) => e.startsWith(expected)), `${expected}\nnot in\n${list.join('\n')}`).toBe(true);
  });

  it('warns about a project without services', () => {
    expect(warnings('name: x\n')).toEqual(['warning: compose.yaml:1:1: no services defined']);
  });

  it('rejects an alias bomb instead of expanding it', () => {
    const bomb = ['name: test', 'x-a: &a {k: v}', ...'bcdefghi'.split('').map((c, i) => `x-${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`), 'services:', '  svc: {image: alpine}'].join('\n');
    expect(errors(bomb).join('\n')).toMatch(/excessive aliasing/);
  });
});

describe('formatDiagnostic', () => {
  it('names file, line, column and key when it has them, and nothing empty when it has none', () => {
    const base = { severity: 'error' as const, message: 'bad', path: '' };
    expect(formatDiagnostic({ ...base, file: 'compose.yaml', line: 3, column: 5, path: 'services.web.image' })).toBe('compose.yaml:3:5 services.web.image: bad');
    expect(formatDiagnostic({ ...base, file: 'compose.yaml', line: 0, column: 0 })).toBe('compose.yaml: bad');
    expect(formatDiagnostic({ ...base, file: '', line: 0, column: 0, message: 'no compose file found in /srv' })).toBe('no compose file found in /srv');
  });
});
