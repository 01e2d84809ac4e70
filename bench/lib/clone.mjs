// Builds `docker create` options for a container identical to one the daemon made (same image,
// command, environment, host config), on another network and under another project label: the
// engine-restart contender and the floor then run exactly what composed runs.
import { LABEL_PROJECT } from './engine.mjs';

/** Options for docker.createContainer, cloned from `inspect` of a composed replica. */
export function cloneOptions(inspect, { name, project, network, restart }) {
  const config = inspect.Config;
  const host = inspect.HostConfig;
  const labels = { [LABEL_PROJECT]: project, 'dev.composed.bench': 'clone' };
  return {
    name,
    Image: config.Image,
    Cmd: config.Cmd,
    Entrypoint: config.Entrypoint,
    Env: config.Env,
    WorkingDir: config.WorkingDir,
    User: config.User,
    StopSignal: config.StopSignal,
    Tty: config.Tty,
    Labels: labels,
    HostConfig: {
      ...host,
      Binds: [],
      Mounts: [],
      VolumesFrom: [],
      Links: [],
      RestartPolicy: restart === 'always' ? { Name: 'always', MaximumRetryCount: 0 } : { Name: 'no', MaximumRetryCount: 0 },
      NetworkMode: network,
    },
    NetworkingConfig: { EndpointsConfig: { [network]: {} } },
  };
}

/** Creates a user-defined bridge network labelled with the project (as compose makes `<p>_default`). */
export async function createNetwork(docker, project) {
  const name = `${project}_default`;
  await docker.createNetwork({ Name: name, Driver: 'bridge', Labels: { [LABEL_PROJECT]: project } });
  return name;
}
