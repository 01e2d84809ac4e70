import { describe, expect, it } from 'vitest';
import { errors, project, service, warnings } from './helpers.js';

describe('image and build', () => {
  it('gives a build-only service the image name <project>-<service>', () => {
    const s = service('build: ./app');
    expect(s.image).toBe('proj-s');
    expect(s.build).toEqual({ context: '/proj/app', dockerfile: 'Dockerfile', args: {}, labels: {} });
  });

  it('reads the long build form; an arg without a value comes from the environment', () => {
    const s = service('image: me/app\nbuild:\n  context: .\n  dockerfile: docker/Dockerfile.dev\n  target: dev\n  args: [VERSION=1.2, FROM_ENV, MISSING]\n  labels: {a: b}', { env: { FROM_ENV: 'e' } });
    expect(s.image).toBe('me/app');
    expect(s.build).toEqual({ context: '/proj', dockerfile: 'docker/Dockerfile.dev', target: 'dev', args: { FROM_ENV: 'e', VERSION: '1.2' }, labels: { a: 'b' } });
  });

  it('keeps a git context as written and warns about build keys it ignores', () => {
    expect(service('build: https://github.com/me/app.git#main').build!.context).toBe('https://github.com/me/app.git#main');
    expect(warnings('services:\n  s:\n    build: {context: ., cache_from: [x]}\n')).toEqual([
      'warning: compose.yaml:3:25 services.s.build.cache_from: ignored: composed builds with context, dockerfile, args, target, labels and no_cache only',
    ]);
  });

  it('reads pull_policy', () => {
    expect(service('image: x').pullPolicy).toBe('missing');
    expect(service('image: x\npull_policy: always').pullPolicy).toBe('always');
    expect(service('image: x\npull_policy: if_not_present').pullPolicy).toBe('missing');
  });
});

describe('command and entrypoint', () => {
  it('splits a string like a shell and keeps a list', () => {
    const s = service(`image: x\ncommand: sh -c 'echo "a b"' "c d" e\\ f\nentrypoint: ["/bin/tini", "--"]`);
    expect(s.command).toEqual(['sh', '-c', 'echo "a b"', 'c d', 'e f']);
    expect(s.entrypoint).toEqual(['/bin/tini', '--']);
  });

  it('leaves them undefined when absent or null, and [] when empty', () => {
    expect(service('image: x').command).toBeUndefined();
    expect(service('image: x\ncommand: null').command).toBeUndefined();
    expect(service('image: x\nentrypoint: []').entrypoint).toEqual([]);
  });
});

describe('environment and env_file', () => {
  const files = { '/proj/.web.env': 'A=from-file\nB=from-file\n# comment\nexport C="quoted ${HOST_VAR}"\n', '/proj/second.env': 'B=second\n' };

  it('reads a list and a map; a bare name comes from the environment or is null', () => {
    expect(service('image: x\nenvironment: [A=1, B=, HOST_VAR, NOWHERE]', { env: { HOST_VAR: 'h' } }).environment).toEqual({ A: '1', B: '', HOST_VAR: 'h', NOWHERE: null });
    expect(service('image: x\nenvironment: {A: 1, B: true, C: null, D: "x y"}').environment).toEqual({ A: '1', B: 'true', C: null, D: 'x y' });
  });

  it('reads env files in order under environment', () => {
    const s = service('image: x\nenv_file: [.web.env, second.env]\nenvironment: {A: from-environment}', { files, env: { HOST_VAR: 'h' } });
    expect(s.environment).toEqual({ A: 'from-environment', B: 'second', C: 'quoted h' });
  });

  it('reads the string and long forms, and skips an optional missing file', () => {
    expect(service('image: x\nenv_file: second.env', { files }).environment).toEqual({ B: 'second' });
    expect(service('image: x\nenv_file: [{path: missing.env, required: false}, {path: second.env}]', { files }).environment).toEqual({ B: 'second' });
  });

  it('lists env files as dependency files', () => {
    const p = project('services:\n  s:\n    image: x\n    env_file: second.env\n', { files });
    expect(p.dependencyFiles).toEqual(['/proj/second.env']);
  });

  it('reports a missing required env file and a bad line in one', () => {
    expect(errors('services:\n  s:\n    image: x\n    env_file: [nope.env, bad.env]\n', { files: { '/proj/bad.env': 'OK=1\nBAD="open\n' } })).toEqual([
      'compose.yaml:4:16 services.s.env_file[0]: env file /proj/nope.env not found',
      'compose.yaml:4:26 services.s.env_file[1]: env file /proj/bad.env line 2: unterminated quoted value "open',
    ]);
  });
});

describe('networks', () => {
  const top = 'networks:\n  front:\n  back:\n';

  it('defaults to the project default network', () => {
    const p = project('services:\n  s:\n    image: x\n');
    expect(p.services.s!.networks).toEqual({ default: { aliases: [], priority: 0 } });
    expect(p.networks.default).toMatchObject({ name: 'proj_default', external: false });
  });

  it('reads the list and the map with aliases', () => {
    expect(service('image: x\nnetworks: [front, back]', { top }).networks).toEqual({ back: { aliases: [], priority: 0 }, front: { aliases: [], priority: 0 } });
    expect(service('image: x\nnetworks:\n  front:\n    aliases: [web]\n    ipv4_address: 10.0.0.2\n    priority: 10\n  back:\n', { top }).networks).toEqual({
      back: { aliases: [], priority: 0 },
      front: { aliases: ['web'], ipv4Address: '10.0.0.2', priority: 10 },
    });
  });

  it('has no networks with network_mode, and no default network is created', () => {
    const p = project('services:\n  s:\n    image: x\n    network_mode: host\n');
    expect(p.services.s!.networks).toEqual({});
    expect(p.services.s!.networkMode).toBe('host');
    expect(p.networks).toEqual({});
  });

  it('names top-level networks and volumes after the project unless named or external', () => {
    const p = project('services:\n  s: {image: x, networks: [a, b, c], volumes: [v:/v, w:/w]}\nnetworks:\n  a:\n  b: {name: custom}\n  c: {external: true}\nvolumes:\n  v:\n  w: {external: true, name: outside}\n');
    expect([p.networks.a!.name, p.networks.b!.name, p.networks.c!.name]).toEqual(['proj_a', 'custom', 'c']);
    expect([p.volumes.v!.name, p.volumes.w!.name, p.volumes.w!.external]).toEqual(['proj_v', 'outside', true]);
  });
});

describe('depends_on', () => {
  it('reads the list and the map', () => {
    const p = project('services:\n  web:\n    image: x\n    depends_on:\n      db: {condition: service_healthy, restart: true}\n      init: {condition: service_completed_successfully, required: false}\n  db: {image: x}\n  init: {image: x}\n  api: {image: x, depends_on: [db]}\n');
    expect(p.services.web!.dependsOn).toEqual({
      db: { condition: 'service_healthy', restart: true, required: true },
      init: { condition: 'service_completed_successfully', restart: false, required: false },
    });
    expect(p.services.api!.dependsOn).toEqual({ db: { condition: 'service_started', restart: false, required: true } });
  });
});

describe('healthcheck', () => {
  it.each([
    ['test: curl -f http://x', ['CMD-SHELL', 'curl -f http://x']],
    ['test: ["CMD", "curl", "-f", "http://x"]', ['CMD', 'curl', '-f', 'http://x']],
    ['test: ["CMD-SHELL", "pg_isready"]', ['CMD-SHELL', 'pg_isready']],
    ['test: ["NONE"]', ['NONE']],
    ['disable: true', ['NONE']],
    ['interval: 5s', []],
  ])('%s', (line, test) => {
    expect(service(`image: x\nhealthcheck:\n  ${line}`).healthcheck!.test).toEqual(test);
  });

  it('reads the timings', () => {
    expect(service('image: x\nhealthcheck: {test: "true", interval: 1m30s, timeout: 500ms, retries: 3, start_period: 2h, start_interval: 1s}').healthcheck).toEqual({
      test: ['CMD-SHELL', 'true'], intervalMs: 90_000, timeoutMs: 500, retries: 3, startPeriodMs: 7_200_000, startIntervalMs: 1000,
    });
  });
});

describe('restart policy', () => {
  const base = { unlessStopped: false, delayMs: 100, windowMs: 10_000, maxDelayMs: 60_000 };
  it.each([
    ['', { condition: 'none' }],
    ['restart: "no"', { condition: 'none' }],
    ['restart: no', { condition: 'none' }],
    ['restart: always', { condition: 'any' }],
    ['restart: on-failure', { condition: 'on-failure' }],
    ['restart: on-failure:3', { condition: 'on-failure', maxAttempts: 3 }],
    ['restart: unless-stopped', { condition: 'any', unlessStopped: true }],
    ['deploy: {restart_policy: {condition: on-failure, delay: 5s, max_attempts: 4, window: 2m}}', { condition: 'on-failure', delayMs: 5000, maxAttempts: 4, windowMs: 120_000 }],
    ['deploy: {restart_policy: {}}', { condition: 'any' }],
    ['restart: always\nx-composed: {restart_backoff: {max: 5m}}', { condition: 'any', maxDelayMs: 300_000 }],
  ])('%s', (lines, expected) => {
    expect(service(`image: x\n${lines}`).restart).toEqual({ ...base, ...expected });
  });

  it('lets deploy.restart_policy win over restart, with a warning', () => {
    const body = 'services:\n  s:\n    image: x\n    restart: always\n    deploy: {restart_policy: {condition: none}}\n';
    expect(project(body).services.s!.restart.condition).toBe('none');
    expect(warnings(body)).toEqual(['warning: compose.yaml:4:5 services.s.restart: restart is overridden by deploy.restart_policy']);
  });
});

describe('deploy, scale and resources', () => {
  it('reads replicas from deploy or scale, default 1', () => {
    expect(service('image: x').replicas).toBe(1);
    expect(service('image: x\nscale: 3').replicas).toBe(3);
    expect(service('image: x\ndeploy: {replicas: 2}\nscale: 2').replicas).toBe(2);
    expect(service('image: x\ndeploy: {replicas: 0}').replicas).toBe(0);
  });

  it('reads limits and reservations, and the service-level shorthands', () => {
    expect(service('image: x\ndeploy:\n  resources:\n    limits: {cpus: "0.5", memory: 512m, pids: 100}\n    reservations: {cpus: 0.25, memory: 1.5g}').resources).toEqual({
      limits: { cpus: 0.5, memoryBytes: 536_870_912, pids: 100 },
      reservations: { cpus: 0.25, memoryBytes: 1_610_612_736 },
    });
    expect(service('image: x\ncpus: 2\nmem_limit: 1g\nmem_reservation: 64m\npids_limit: 50').resources).toEqual({
      limits: { cpus: 2, memoryBytes: 1_073_741_824, pids: 50 },
      reservations: { memoryBytes: 67_108_864 },
    });
  });

  it('reads update_config with defaults', () => {
    expect(service('image: x').updateConfig).toEqual({ parallelism: 1, delayMs: 0, failureAction: 'rollback', monitorMs: 5000 });
    expect(service('image: x\ndeploy: {update_config: {parallelism: 2, delay: 10s, order: start-first, failure_action: pause, monitor: 1m, max_failure_ratio: 0}}').updateConfig).toEqual({
      parallelism: 2, delayMs: 10_000, order: 'start-first', failureAction: 'pause', monitorMs: 60_000,
    });
  });

  it('says that a max_failure_ratio above 0 is not supported, naming the key', () => {
    expect(warnings('services:\n  s:\n    image: x\n    deploy: {update_config: {max_failure_ratio: 0.5}}\n')).toEqual([
      'warning: compose.yaml:4:30 services.s.deploy.update_config.max_failure_ratio: not supported: the first new container that fails applies failure_action, as with max_failure_ratio 0',
    ]);
  });
});

describe('x-composed', () => {
  it('has defaults', () => {
    expect(service('image: x\nrestart: always').composed).toEqual({ onUnhealthy: 'replace', balance: true });
    expect(service('image: x').composed).toEqual({ onUnhealthy: 'ignore', balance: true });
  });

  it('reads autoscale with its defaults; replicas start at min', () => {
    const s = service('image: x\nx-composed:\n  autoscale: {min: 2, max: 8, cpu: {target: 60, scale_up_above: 80, scale_down_below: 30}}\n  on_unhealthy: ignore\n  balance: false');
    expect(s.replicas).toBe(2);
    expect(s.composed).toEqual({
      autoscale: { min: 2, max: 8, cpu: { target: 60, scaleUpAbove: 80, scaleDownBelow: 30 }, intervalMs: 5000, scaleUpStabilizationMs: 0, scaleDownStabilizationMs: 60_000 },
      onUnhealthy: 'ignore',
      balance: false,
    });
  });

  it('keeps other x-* keys of a service verbatim', () => {
    expect(service('image: x\nx-team: {owner: ops}').extensions).toEqual({ 'x-team': { owner: 'ops' } });
  });
});

describe('the other service keys', () => {
  it('normalizes them', () => {
    const s = service(`image: x
labels: [com.example.a=1, com.example.b]
stop_signal: SIGINT
stop_grace_period: 1m30s
init: true
user: "1000:1000"
working_dir: /app
hostname: web
domainname: example.com
container_name: web-1
cap_add: [NET_ADMIN]
cap_drop: [ALL]
read_only: true
privileged: true
tty: true
stdin_open: true
ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}
extra_hosts: ["somehost:162.242.195.82", "other=50.31.209.229"]
dns: 8.8.8.8
dns_search: [example.com]
dns_opt: [use-vc]
sysctls: {net.core.somaxconn: 1024}
security_opt: [no-new-privileges:true]
devices: ["/dev/ttyUSB0:/dev/ttyUSB0", {source: /dev/sda, target: /dev/xvda, permissions: r}]
group_add: [mail, 42]
shm_size: 64m
pid: host
ipc: shareable
platform: linux/amd64
runtime: runc
logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}
profiles: [debug]
`, { profiles: ['debug'] });
    expect(s).toMatchObject({
      labels: { 'com.example.a': '1', 'com.example.b': '' },
      stopSignal: 'SIGINT', stopGracePeriodMs: 90_000, init: true, user: '1000:1000', workingDir: '/app', hostname: 'web',
      domainname: 'example.com', containerName: 'web-1', capAdd: ['NET_ADMIN'], capDrop: ['ALL'], readOnly: true, privileged: true,
      tty: true, stdinOpen: true, ulimits: { nofile: { soft: 20000, hard: 40000 }, nproc: { soft: 65535, hard: 65535 } },
      extraHosts: ['somehost:162.242.195.82', 'other:50.31.209.229'], dns: ['8.8.8.8'], dnsSearch: ['example.com'], dnsOpt: ['use-vc'],
      sysctls: { 'net.core.somaxconn': '1024' }, securityOpt: ['no-new-privileges:true'],
      devices: ['/dev/ttyUSB0:/dev/ttyUSB0', '/dev/sda:/dev/xvda:r'], groupAdd: ['mail', '42'], shmSizeBytes: 67_108_864,
      pid: 'host', ipc: 'shareable', platform: 'linux/amd64', runtime: 'runc',
      logging: { driver: 'json-file', options: { 'max-file': '3', 'max-size': '10m' } }, profiles: ['debug'],
    });
  });

  it('defaults the stop grace period to 10s', () => {
    expect(service('image: x').stopGracePeriodMs).toBe(10_000);
  });

  it('warns about compose keys it ignores, naming them', () => {
    expect(warnings('services:\n  s:\n    image: x\n    cpu_shares: 512\n    links: [db]\n')).toEqual([
      'warning: compose.yaml:4:5 services.s.cpu_shares: ignored: CPU shares are not applied; use cpus',
      'warning: compose.yaml:5:5 services.s.links: ignored: links are not created (services reach each other by name on shared networks)',
    ]);
  });
});

describe('secrets and configs', () => {
  const files = { '/proj/db/password.txt': 'secret', '/proj/app.conf': 'conf' };
  const top = 'secrets:\n  db_password: {file: ./db/password.txt}\n  token: {environment: TOKEN}\nconfigs:\n  app: {file: app.conf}\n  inline: {content: "hello"}\n';

  it('resolves files to absolute paths and references to long form', () => {
    const p = project(`services:\n  s:\n    image: x\n    secrets: [db_password, {source: token, target: tok, uid: "1000", mode: 0400}]\n    configs: [app, {source: inline, target: /etc/inline.conf}]\n${top}`, { files, env: { TOKEN: 't' } });
    expect(p.secrets).toEqual({
      db_password: { name: 'proj_db_password', external: false, file: '/proj/db/password.txt' },
      token: { name: 'proj_token', external: false, environment: 'TOKEN' },
    });
    expect(p.configs.inline).toEqual({ name: 'proj_inline', external: false, content: 'hello' });
    expect(p.services.s!.secrets).toEqual([
      { source: 'db_password', target: '/run/secrets/db_password' },
      { source: 'token', target: '/run/secrets/tok', uid: '1000', mode: 0o400 },
    ]);
    expect(p.services.s!.configs).toEqual([{ source: 'app', target: '/app' }, { source: 'inline', target: '/etc/inline.conf' }]);
    expect(p.dependencyFiles).toEqual(['/proj/app.conf', '/proj/db/password.txt']);
  });

  it('rejects a missing secret file and an undefined reference', () => {
    expect(errors('services:\n  s:\n    image: x\n    secrets: [nope]\nsecrets:\n  gone: {file: gone.txt}\n')).toEqual([
      'compose.yaml:4:15 services.s.secrets[0]: secret "nope" is not defined in the top-level secrets',
      'compose.yaml:6:16 secrets.gone.file: secret file /proj/gone.txt not found',
    ]);
  });
});

describe('profiles', () => {
  const text = 'services:\n  web: {image: x}\n  debug: {image: x, profiles: [debug]}\n  tools: {image: x, profiles: [tools, debug]}\n';
  it('leaves out services whose profiles are not active', () => {
    const p = project(text);
    expect(Object.keys(p.services)).toEqual(['web']);
    expect(p.disabledServices).toEqual(['debug', 'tools']);
  });
  it('activates services of an active profile, or all with *', () => {
    expect(Object.keys(project(text, { profiles: ['tools'] }).services)).toEqual(['tools', 'web']);
    expect(Object.keys(project(text, { profiles: ['*'] }).services)).toEqual(['debug', 'tools', 'web']);
  });
  it('rejects a dependency on a disabled service unless it is optional', () => {
    expect(errors('services:\n  web: {image: x, depends_on: [debug]}\n  debug: {image: x, profiles: [debug]}\n')).toEqual([
      'compose.yaml:2:32 services.web.depends_on[0]: service "web" depends on service "debug", which is disabled by its profiles (enable a profile of "debug" or set required: false)',
    ]);
    const p = project('services:\n  web:\n    image: x\n    depends_on: {debug: {condition: service_started, required: false}}\n  debug: {image: x, profiles: [debug]}\n');
    expect(p.services.web!.dependsOn).toEqual({});
  });
});

describe('anchors and merge keys', () => {
  it('shares blocks with <<:, explicit keys winning', () => {
    const p = project(`x-base: &base
  image: base
  restart: always
  environment: {A: "1", B: "1"}
x-logging: &logging
  logging: {driver: local}
services:
  a:
    <<: [*base, *logging]
    image: override
  b:
    <<: *base
    environment:
      <<: {A: "2"}
      C: "3"
`);
    expect(p.services.a).toMatchObject({ image: 'override', restart: { condition: 'any' }, environment: { A: '1', B: '1' }, logging: { driver: 'local', options: {} } });
    expect(p.services.b!.environment).toEqual({ A: '2', C: '3' });
    expect(p.extensions).toEqual({ 'x-base': { image: 'base', restart: 'always', environment: { A: '1', B: '1' } }, 'x-logging': { logging: { driver: 'local' } } });
  });
});

describe('project name', () => {
  it('comes from -p, then the top-level name, then the directory', () => {
    expect(project('name: from-file\nservices: {s: {image: x}}', { projectName: 'explicit' }).name).toBe('explicit');
    expect(project('name: from-file\nservices: {s: {image: x}}').name).toBe('from-file');
    expect(project('services: {s: {image: x}}').name).toBe('proj');
  });
  it('rejects an invalid name', () => {
    expect(errors('name: My App\nservices: {s: {image: x}}')).toEqual([
      'compose.yaml:1:7 name: project name "My App" is invalid: it must contain only lowercase letters, digits, "_" and "-", and start with a letter or digit',
    ]);
  });
});

describe('deploy mode', () => {
  it('runs global as one replica, with a warning', () => {
    const text = 'services:\n  s:\n    image: x\n    deploy: {mode: global}\n';
    expect(project(text).services.s!.replicas).toBe(1);
    expect(warnings(text)).toEqual(['warning: compose.yaml:4:20 services.s.deploy.mode: deploy mode global runs one replica on this single host']);
    expect(errors('services:\n  s:\n    image: x\n    deploy: {mode: global, replicas: 2}\n')).toEqual([
      'compose.yaml:4:20 services.s.deploy.mode: deploy mode global runs exactly one replica; remove replicas, scale and autoscale',
    ]);
  });
});

describe('documents and tags', () => {
  it('merges several YAML documents of one file in order', () => {
    expect(project('services:\n  s: {image: a, environment: [A=1]}\n---\nservices:\n  s: {image: b}\n').services.s).toMatchObject({ image: 'b', environment: { A: '1' } });
  });

  it('drops !reset values of a first file', () => {
    expect(project('services:\n  s:\n    image: x\n    command: !reset [a]\n').services.s!.command).toBeUndefined();
  });

  it('warns that pull_policy daily is treated as missing', () => {
    expect(warnings('services:\n  s:\n    image: x\n    pull_policy: daily\n')).toEqual(['warning: compose.yaml:4:18 services.s.pull_policy: pull_policy daily is treated as "missing"']);
  });
});
