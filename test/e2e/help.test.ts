// Every command answers --help with at least one example, and bad command lines exit non-zero with
// a message naming the flag or the command.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/daemon.js';

describe('--help and bad command lines', async () => {
  const top = await runCli(['--help']);
  const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');

  it('lists the compose verbs', () => {
    expect(top.code).toBe(0);
    for (const verb of ['up', 'down', 'ps', 'logs', 'exec', 'run', 'config', 'start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'top', 'port', 'images', 'ls', 'version', 'stats', 'pull', 'build', 'create', 'rm', 'wait', 'watch']) {
      expect(commands).toContain(verb);
    }
  });

  it.each(commands)('%s --help has an example', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nExamples?:\n {2}composed /);
  });

  it('an unknown option or command exits 1 naming it', async () => {
    const option = await runCli(['ps', '--bogus']);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain("unknown option '--bogus'");
    const command = await runCli(['frobnicate']);
    expect(command.code).toBe(1);
    expect(command.stderr).toContain("unknown command 'frobnicate'");
    const value = await runCli(['logs', '--tail', 'many', '-p', 'x']);
    expect(value.code).toBe(1);
    expect(value.stderr).toContain('--tail: "many" is not a number of lines or all');
  });
});
