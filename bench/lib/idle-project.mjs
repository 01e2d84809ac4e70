// A compose file of idle containers (a shell that exits at once on SIGTERM, sleeping otherwise):
// `plain` replicas without autoscaling, and `scaled` services of 5 replicas each autoscaled at
// `interval: 5s` under a 0.5-core limit. Idle, they stay far below the 60 % target, so the count
// never changes and what the daemon does is its steady sampling. Used by the overhead bench and the
// autoscale bench's sampling-cost phase.
import { EXIT_ON_TERM, IMAGE } from './engine.mjs';

/** The shape of each autoscaled service in the file. */
export const SCALED = { replicas: 5, min: 5, max: 10, cpus: '0.5', target: 60, intervalS: 5 };

export function idleComposeFile(project, { plain, scaled }) {
  const cmd = `["sh", "-c", ${JSON.stringify(EXIT_ON_TERM)}]`;
  const scaledServices = Array.from({ length: scaled }, (_, i) => i + 1)
    .map(
      (n) => `  scaled${n}:
    image: ${IMAGE}
    command: ${cmd}
    deploy: { replicas: ${SCALED.replicas}, resources: { limits: { cpus: "${SCALED.cpus}" } } }
    x-composed:
      autoscale: { min: ${SCALED.min}, max: ${SCALED.max}, cpu: { target: ${SCALED.target} }, interval: ${SCALED.intervalS}s }`,
    )
    .join('\n');
  const plainService =
    plain > 0
      ? `  plain:
    image: ${IMAGE}
    command: ${cmd}
    deploy: { replicas: ${plain} }
`
      : '';
  return `name: ${project}
services:
${plainService}${scaledServices}
`;
}
