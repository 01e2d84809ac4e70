// `environment` (already merged with env_file by the loader) -> container env, sorted by name.
import type { Service } from '../../compose/model.js';
import { servicePath, type ExportContext } from './context.js';
import { escapeExpansion } from './escape.js';
import type { Container } from './manifest.js';

type EnvVar = NonNullable<Container['env']>[number];

/** Names that usually hold a credential. `*_FILE` names point at a file instead (the image convention). */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY/i;

export function containerEnv(ctx: ExportContext, service: Service): EnvVar[] {
  const out: EnvVar[] = [];
  for (const name of Object.keys(service.environment).sort()) {
    const value = service.environment[name];
    const path = servicePath(service, `environment.${name}`);
    if (value === null || value === undefined) {
      ctx.warnings.add(path, 'not carried over: it has no value (it was to come from the shell, where it is not set)');
      continue;
    }
    if (SECRET_NAME.test(name) && !/_FILE$/i.test(name)) {
      ctx.warnings.add(path, 'looks like a secret and is written as a plain value; move it into a Secret and use valueFrom.secretKeyRef');
    }
    out.push({ name, value: escapeExpansion(value) });
  }
  return out;
}
