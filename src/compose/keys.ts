// Which compose keys composed reads, and which it accepts but ignores (with a warning that says so).
// docs/compose-support.md is the user-facing version of these lists; keep them in step.

/** Service keys that map onto the model. */
export const SERVICE_KEYS = [
  'build', 'cap_add', 'cap_drop', 'command', 'configs', 'container_name', 'cpus', 'depends_on', 'deploy',
  'develop', 'devices', 'dns', 'dns_opt', 'dns_search', 'domainname', 'entrypoint', 'env_file', 'environment', 'expose',
  'extends', 'extra_hosts', 'group_add', 'healthcheck', 'hostname', 'image', 'init', 'ipc', 'labels', 'logging',
  'mem_limit', 'mem_reservation', 'network_mode', 'networks', 'pid', 'pids_limit', 'platform', 'ports',
  'post_start', 'pre_stop', 'privileged', 'profiles', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt',
  'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal', 'sysctls', 'tmpfs', 'tty', 'ulimits', 'user',
  'volumes', 'working_dir',
] as const;

/** Compose-spec service keys composed accepts and ignores, each with a warning. */
export const IGNORED_SERVICE_KEYS: Record<string, string> = {
  annotations: 'container annotations are not set',
  attach: 'composed does not attach to logs',
  blkio_config: 'block IO limits are not applied',
  cgroup: 'the cgroup namespace mode is not set',
  cgroup_parent: 'the parent cgroup is not set',
  cpu_count: 'CPU count (Windows) is not applied',
  cpu_percent: 'CPU percent (Windows) is not applied',
  cpu_period: 'the CFS period is not applied; use cpus',
  cpu_quota: 'the CFS quota is not applied; use cpus',
  cpu_rt_period: 'real-time scheduling is not applied',
  cpu_rt_runtime: 'real-time scheduling is not applied',
  cpu_shares: 'CPU shares are not applied; use cpus',
  cpuset: 'CPU pinning is not applied',
  credential_spec: 'credential specs (Windows) are not applied',
  device_cgroup_rules: 'device cgroup rules are not applied',
  external_links: 'external links are not created',
  gpus: 'GPU requests are not applied',
  isolation: 'isolation (Windows) is not applied',
  label_file: 'label files are not read',
  links: 'links are not created (services reach each other by name on shared networks)',
  mac_address: 'the MAC address is not set',
  mem_swappiness: 'swappiness is not applied',
  memswap_limit: 'the swap limit is not applied',
  models: 'AI models are not provisioned',
  oom_kill_disable: 'the OOM killer setting is not applied',
  oom_score_adj: 'the OOM score is not applied',
  pre_start: 'pre_start hook containers are not run',
  provider: 'provider services are not run',
  pull_refresh_after: 'the pull refresh interval is not applied',
  storage_opt: 'storage driver options are not applied',
  use_api_socket: 'the Docker API socket is not mounted',
  userns_mode: 'the user namespace mode is not set',
  uts: 'the UTS namespace mode is not set',
  volumes_from: 'volumes from other containers are not mounted',
};

export const TOP_LEVEL_KEYS = ['configs', 'include', 'models', 'name', 'networks', 'secrets', 'services', 'version', 'volumes'] as const;

export const BUILD_KEYS = ['args', 'context', 'dockerfile', 'labels', 'no_cache', 'target'] as const;
export const IGNORED_BUILD_KEYS = [
  'additional_contexts', 'cache_from', 'cache_to', 'dockerfile_inline', 'entitlements', 'extra_hosts', 'isolation',
  'network', 'no_cache_filter', 'platforms', 'privileged', 'provenance', 'pull', 'sbom', 'secrets',
  'shm_size', 'ssh', 'tags', 'ulimits',
];

export const DEPLOY_KEYS = ['mode', 'replicas', 'resources', 'restart_policy', 'update_config'] as const;
export const IGNORED_DEPLOY_KEYS: Record<string, string> = {
  endpoint_mode: 'endpoint modes are a swarm feature',
  labels: 'deploy labels are swarm service labels; use labels',
  placement: 'placement is a swarm feature (composed runs on one host)',
  rollback_config: 'a failed roll-out is rolled back with update_config',
};
