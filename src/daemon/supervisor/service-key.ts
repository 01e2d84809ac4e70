// A work item's key: `project/service` (a project name has no slash; a service name may not).
export function key(project: string, service: string): string {
  return `${project}/${service}`;
}

export function splitKey(serviceKey: string): [string, string] {
  const slash = serviceKey.indexOf('/');
  return [serviceKey.slice(0, slash), serviceKey.slice(slash + 1)];
}
