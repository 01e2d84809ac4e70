// `composed export kubernetes`: load the project here (no daemon), turn it into Kubernetes
// manifests, and print them as one YAML stream or write one file per object with -o. Everything
// that could not be carried over goes to stderr, naming the service and key.
import { Command, Option } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic } from '../../compose/errors.js';
import { exportKubernetes } from '../../export/kubernetes/export.js';
import { DNS_LABEL } from '../../export/kubernetes/names.js';
import type { Expose } from '../../export/kubernetes/options.js';
import { formatWarning } from '../../export/kubernetes/warnings.js';
import { manifestFileName, manifestsYaml, manifestYaml } from '../../export/kubernetes/yaml.js';
import { action, addProjectOptions, loadLocal, UsageError, type ProjectOptions } from '../common.js';

interface KubernetesOptions extends ProjectOptions {
  namespace?: string;
  output?: string;
  expose?: Expose;
  allowHostpath?: boolean;
}

export function registerExport(program: Command): void {
  const exportCommand = program.command('export').description('turn the project into manifests for a cluster engine');
  const kubernetes = addProjectOptions(exportCommand.command('kubernetes'));
  // The export never talks to the daemon; its socket option would only confuse the help.
  kubernetes.options.find((o) => o.long === '--socket')?.hideHelp();
  kubernetes
    .description('print Kubernetes manifests for the project (Deployments, Services, claims, autoscalers, ...)')
    .option('--namespace <namespace>', 'namespace set on every object (default: kubectl\'s current one)')
    .option('-o, --output <dir>', 'write one file per object into this directory instead of printing')
    .addOption(new Option('--expose <type>', 'make published ports reachable from outside the cluster').choices(['loadbalancer', 'nodeport']))
    .option('--allow-hostpath', 'carry bind mounts over as hostPath volumes (the path must exist on the node)')
    .addHelpText('after', '\nSee docs/kubernetes-export.md for what maps to what, and what does not.')
    .action(action(exportToKubernetes));
}

async function exportToKubernetes(_args: string[], options: KubernetesOptions & ProjectOptions): Promise<void> {
  if (options.namespace !== undefined && !(options.namespace.length <= 63 && DNS_LABEL.test(options.namespace))) {
    throw new UsageError(`--namespace: ${JSON.stringify(options.namespace)} is not a namespace name (lower-case letters, digits and "-", a letter first)`);
  }
  const { project, warnings } = await loadLocal(options);
  for (const w of warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  const result = exportKubernetes({
    project,
    options: {
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.expose !== undefined ? { expose: options.expose } : {}),
      allowHostPath: options.allowHostpath ?? false,
    },
    readFile: readIfPresent,
    env: process.env,
  });
  for (const w of result.warnings) process.stderr.write(`warning: ${formatWarning(w)}\n`);
  if (options.output === undefined) {
    process.stdout.write(manifestsYaml(result.manifests));
    return;
  }
  mkdirSync(options.output, { recursive: true });
  for (const m of result.manifests) {
    const path = join(options.output, manifestFileName(m));
    writeFileSync(path, manifestYaml(m));
    process.stdout.write(`${path}\n`);
  }
}

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
