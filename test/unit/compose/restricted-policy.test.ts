import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/compose/errors.js';
import { restrictedPolicy } from '../../../src/compose/restricted-policy.js';
import { loadText } from './helpers.js';

/** The policy's refusals for a file, as the user reads them; /home/alice is hers, nothing else is. */
function refusals(text: string): string[] {
  const out = loadText(text, { files: { '/proj/app.env': 'A=1\n' } });
  if (!out.project || !out.tree) throw new Error(out.diagnostics.map(formatDiagnostic).join('\n'));
  const bindRefusal = (path: string) => (path.startsWith('/home/alice') ? undefined : path.endsWith('.sock') ? 'it is a socket' : 'it is not yours');
  return restrictedPolicy(out.project, out.tree, { uid: 1001, bindRefusal }).map(formatDiagnostic);
}

describe('the restricted group policy', () => {
  it('accepts a plain service: an image, its own named volume, a port above 1024, no-new-privileges', () => {
    expect(refusals(`
services:
  web:
    image: x
    ports: ["8080:80", "80"]
    volumes: [data:/data]
    security_opt: [no-new-privileges:true]
volumes:
  data: {}
`)).toEqual([]);
  });

  it('refuses each key that gives a container the host, at the line that wrote it', () => {
    expect(refusals(`
services:
  web:
    image: x
    privileged: true
    cap_add: [SYS_ADMIN]
    devices: ["/dev/sda:/dev/sda"]
    network_mode: host
    pid: host
    ipc: "container:other"
    userns_mode: host
    security_opt: ["seccomp=unconfined", "no-new-privileges"]
    ports: ["80:80", "127.0.0.1:1024:1024", "1025:1025"]
    post_start: [{ command: [id], privileged: true }]
`)).toEqual([
      'compose.yaml:5:5 services.web.privileged: not allowed for the restricted group: a privileged container is root on the host',
      'compose.yaml:6:5 services.web.cap_add: not allowed for the restricted group: added capabilities (SYS_ADMIN) reach past the container',
      'compose.yaml:7:5 services.web.devices: not allowed for the restricted group: host devices',
      "compose.yaml:8:5 services.web.network_mode: not allowed for the restricted group: network_mode: host shares the host's namespace",
      "compose.yaml:9:5 services.web.pid: not allowed for the restricted group: pid: host shares the host's namespace",
      'compose.yaml:10:5 services.web.ipc: not allowed for the restricted group: ipc: container:other joins a container that may not be yours (use service:NAME)',
      'compose.yaml:11:5 services.web.userns_mode: not allowed for the restricted group: userns_mode: host',
      'compose.yaml:12:20 services.web.security_opt[0]: not allowed for the restricted group: "seccomp=unconfined" relaxes or replaces the engine\'s confinement (only no-new-privileges is accepted)',
      'compose.yaml:13:13 services.web.ports[0]: not allowed for the restricted group: host port 80 (only ports above 1024)',
      'compose.yaml:13:22 services.web.ports[1]: not allowed for the restricted group: host port 1024 (only ports above 1024)',
      'compose.yaml:14:35 services.web.post_start[0].privileged: not allowed for the restricted group: a privileged hook is root on the host',
    ]);
  });

  it('bind mounts: only the caller\'s paths, never a socket, and the service runs as the caller without gaining privileges', () => {
    expect(refusals(`
services:
  mine:
    image: x
    user: "1001:1001"
    security_opt: [no-new-privileges:true]
    volumes: ["/home/alice/src:/src"]
  theirs:
    image: x
    volumes: ["/etc:/etc2", "/var/run/docker.sock:/var/run/docker.sock"]
`)).toEqual([
      'compose.yaml:10:5 services.theirs.volumes: not allowed for the restricted group: a service with a bind mount must run as your uid (user: "1001"), not the image\'s user',
      'compose.yaml:10:5 services.theirs.volumes: not allowed for the restricted group: a service with a bind mount must set security_opt: [no-new-privileges:true]',
      'compose.yaml:10:15 services.theirs.volumes[0]: not allowed for the restricted group: bind mount of /etc: it is not yours',
      'compose.yaml:10:29 services.theirs.volumes[1]: not allowed for the restricted group: bind mount of /var/run/docker.sock: it is a socket',
    ]);
  });

  it('refuses builds, external and foreign-named volumes, volume driver options and external networks', () => {
    expect(refusals(`
services:
  web: { image: x, build: . }
volumes:
  theirs: { external: true }
  named: { name: other_data }
  device: { driver_opts: { type: none, o: bind, device: /etc } }
networks:
  outside: { external: true, name: host }
`)).toEqual([
      'compose.yaml:3:20 services.web.build: not allowed for the restricted group: the daemon would read the build context as root; build the image yourself or pull it',
      'compose.yaml:5:13 volumes.theirs.external: not allowed for the restricted group: an external volume may be another project\'s data',
      'compose.yaml:6:12 volumes.named.name: not allowed for the restricted group: a volume named outside the project (other_data) may be another project\'s data',
      'compose.yaml:7:13 volumes.device.driver_opts: not allowed for the restricted group: driver options can bind-mount any host path',
      'compose.yaml:9:14 networks.outside.external: not allowed for the restricted group: an external network may be the host\'s or another project\'s',
    ]);
  });
});
