// One daemon per state dir. Two daemons on the same state would fight over the same containers
// (both adopt, both replace), so the second refuses to start. The lock is a pid file created with
// O_EXCL; a file left by a daemon that died (kill -9) names a pid that no longer runs and is taken over.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface StateLock {
  release(): Promise<void>;
}

export async function lockStateDir(stateDir: string): Promise<StateLock> {
  const file = join(stateDir, 'daemon.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
        throw new Error(`another composed daemon (pid ${holder}) is using the state dir ${stateDir}; stop it first or pick another --state-dir`);
      }
      await rm(file, { force: true }); // left by a daemon that died
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
