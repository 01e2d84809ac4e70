// Which engine answered /version. Observed: docker.io 20.10.24 answers Components [{Name: "Engine",
// Version: "20.10.24+dfsg1"}, containerd, runc, docker-init] and Platform.Name ""; Podman 4.3.1
// answers Components [{Name: "Podman Engine", Version: "4.3.1"}, Conmon, OCI Runtime] and
// Platform.Name "linux/amd64/debian-12". Both say ApiVersion "1.41".
import type { EngineInfo } from '../ports/runtime.js';

export interface EngineVersionAnswer {
  Version?: string;
  ApiVersion?: string;
  Components?: Array<{ Name?: string; Version?: string }>;
}

export function engineIdentity(answer: EngineVersionAnswer): Pick<EngineInfo, 'name' | 'version' | 'apiVersion'> {
  const components = answer.Components ?? [];
  const podman = components.find((c) => /podman/i.test(c.Name ?? ''));
  const engine = podman ?? components.find((c) => c.Name === 'Engine');
  return {
    name: podman ? 'podman' : engine || components.length === 0 ? 'docker' : (components[0]?.Name ?? 'unknown'),
    version: engine?.Version ?? answer.Version ?? 'unknown',
    apiVersion: answer.ApiVersion ?? 'unknown',
  };
}
