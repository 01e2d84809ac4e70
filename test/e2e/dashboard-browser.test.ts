// The dashboard in a real browser: headless Chromium (Debian's, installed by scripts/setup-browser.sh)
// driven by playwright-core logs in with the link `composed dashboard` prints, sees a killed
// replica crash and come back, sees the CPU plot climb when a replica starts burning, and restarts
// a service through the confirmation dialog, all in one page load. A missing browser fails the
// test rather than skipping it: a skipped browser test would pass a dashboard nobody looked at.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DashboardLogin } from '../../src/protocol/dashboard.js';
import { newDaemon, serviceStatus, writeProject, type DaemonHandle } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, dockerForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';

export const CHROMIUM = process.env['COMPOSED_CHROMIUM'] ?? '/usr/bin/chromium';

const compose = (project: string) => `
name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo app is up; sleep 3600"]
    restart: always
    stop_grace_period: 0s
  burner:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "while [ ! -f /tmp/burn ]; do sleep 0.2; done; while :; do :; done"]
    stop_grace_period: 0s
    deploy: { resources: { limits: { cpus: "0.2" } } }
`;

/** Marks the document; a reload would lose the mark. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
}

async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument === true);
}

describeWithEngine('the dashboard in a real browser', () => {
  const project = uniqueProjectName('dash');
  let daemon: DaemonHandle | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: run scripts/setup-browser.sh (scripts/test.sh does) or set COMPOSED_CHROMIUM; this test never skips`);
    }
    const port = await freePort();
    daemon = await newDaemon();
    await daemon.start(['--http', `127.0.0.1:${port}`]);
    const { dir } = await writeProject(compose(project));
    const up = await daemon.cli(['up', '--wait'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const login = JSON.parse((await daemon.cli(['dashboard', '--json'])).stdout) as DashboardLogin;
    await page.goto(login.url);
    origin = new URL(login.url).origin;
  });

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    await cleanupProject(project);
  });

  it('lists the project on the overview, ready replicas over desired', async () => {
    expect(page.url()).toBe(`${origin}/`);
    const card = page.locator(`section.project[data-project="${project}"]`);
    await eventually(async () => expect(await card.locator('h2 .count').textContent()).toBe('2/2 ready'));
  });

  it('shows a killed replica crash and come back, without a reload', async () => {
    await page.goto(`${origin}/projects/${project}`);
    await markDocument(page);
    const row = page.locator(`tr[data-replica="${project}-app-1"]`);
    expect(await row.locator('td.restarts').textContent()).toBe('0');
    await dockerForTests().getContainer(`${project}-app-1`).kill({ signal: 'SIGKILL' });
    await eventually(async () => {
      expect(await row.locator('td.restarts').textContent()).toBe('1');
      expect(await row.getAttribute('data-phase')).toBe('running');
      expect(await row.textContent()).toMatch(/exit 137/);
    });
    // The timeline on the page got the exit as well.
    expect(await page.locator('#timeline').textContent()).toMatch(/app/);
    expect(await sameDocument(page)).toBe(true);
  });

  it("follows a replica's log live, under the replaced container's last exit, and lists the events", async () => {
    await page.goto(`${origin}/projects/${project}/replicas/${project}-app-1?service=app`);
    await eventually(async () => expect(await page.locator('#log').textContent()).toContain('app is up'));
    expect(await page.locator('#live').textContent()).toMatch(/Previous container.*exit 137/s);
    await page.goto(`${origin}/events?project=${project}`);
    expect(await page.locator('#timeline li[data-type="project-up"]').count()).toBe(1);
    expect(await page.locator('#timeline li[data-type="replica-replaced"]').count()).toBeGreaterThanOrEqual(1);
  });

  it('draws the CPU plot and sees it climb when the replica starts burning, without a reload', async () => {
    await page.goto(`${origin}/projects/${project}/services/burner`);
    await markDocument(page);
    const cpu = page.locator('#plots [data-cpu-replica="1"]');
    const value = async () => Number((await cpu.getAttribute('data-value', { timeout: 1_000 })) || NaN);
    const idle = await eventually(async () => {
      const v = await value();
      expect(v).toBeLessThan(20);
      return v;
    }, { timeoutMs: 60_000 });
    expect(await page.locator('#plots svg[data-plot="cpu"] polyline').count()).toBe(1);
    const pointsBefore = await page.locator('#plots svg[data-plot="cpu"] polyline').getAttribute('points');
    const exec = await daemon!.cli(['-p', project, 'exec', '-T', 'burner', 'touch', '/tmp/burn']);
    expect(exec.code, exec.stderr).toBe(0);
    await eventually(async () => expect(await value()).toBeGreaterThan(50), { timeoutMs: 60_000 });
    expect(await page.locator('#plots svg[data-plot="cpu"] polyline').getAttribute('points')).not.toBe(pointsBefore);
    expect(idle).toBeLessThan(20);
    expect(await sameDocument(page)).toBe(true);
  });

  it('restarts a service after the confirmation, and not when it is cancelled', async () => {
    await page.goto(`${origin}/projects/${project}/services/app`);
    const before = (await serviceStatus(daemon!, project, 'app')).replicas[0]!.containerId;
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
    });
    const restart = page.locator('button[data-action="restart"]');
    const dialog = page.locator('dialog#confirm');

    await restart.click();
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.textContent()).toMatch(/Restart service app now\?/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await restart.click();
    await dialog.waitFor({ state: 'visible' });
    await page.locator('#confirm-ok').click();
    await eventually(async () => expect(await page.locator('#toast').textContent()).toBe('restart app: done'));
    expect(posts).toEqual([`/v1/projects/${project}/services/app/restart`]);
    await eventually(async () => {
      const replica = (await serviceStatus(daemon!, project, 'app')).replicas[0]!;
      expect(replica.containerId).not.toBe(before);
      expect(replica.phase).toBe('running');
    });
  });
});
