// What the running benches created, so an interrupted run (Ctrl-C, SIGTERM) still cleans up: every
// bench registers its project names and daemons here before creating anything.
const projects = new Set();
const daemons = new Set();

export function trackProject(name) {
  projects.add(name);
  return name;
}

export function trackDaemon(daemon) {
  daemons.add(daemon);
  return daemon;
}

export const trackedProjects = () => [...projects];
export const trackedDaemons = () => [...daemons];
