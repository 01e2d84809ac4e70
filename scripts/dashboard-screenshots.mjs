// Takes the dashboard screenshots in docs/ (linked from the README): all projects, a project, and a
// service with its plots. Runs a daemon of its own (temporary socket and state dir, --http on a
// free loopback port), supervises the example shop under the project name `shop`, loads its CPU
// service and crashes one of its replicas so the plots have something to show, then cleans everything up.
// Usage: npm run screenshots   (needs the engine and Chromium: scripts/setup-engine.sh, scripts/setup-browser.sh)
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');
const CHROMIUM = process.env.COMPOSED_CHROMIUM ?? '/usr/bin/chromium';
const PROJECT = 'shop';
/** How long the shop runs under load before the pictures: enough for the autoscaler to act. */
const LOADED_MS = Number(process.env.SCREENSHOT_LOAD_MS ?? 75_000);
const run = promisify(execFile);
const JOBS = `name: jobs
services:
  nightly:
    image: busybox:latest
    command: ["sh", "-c", "echo 'backup: cannot reach db:5432' >&2; exit 2"]
    deploy: { restart_policy: { condition: on-failure, max_attempts: 2, delay: 1s } }
  queue:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 0s
`;

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function socketAnswers(socket) {
  return new Promise((done) => {
    const req = request({ socketPath: socket, path: '/v1/version' }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.end();
  });
}

const dir = await mkdtemp(join(tmpdir(), 'composed-shots-'));
const socket = join(dir, 'composed.sock');
const env = { ...process.env, COMPOSED_SOCKET: socket };
const cli = (...args) => run(process.execPath, [CLI, ...args], { env, cwd: dir });
const port = await freePort();
const daemon = spawn(process.execPath, [CLI, 'daemon', '--socket', socket, '--state-dir', join(dir, 'state'), '--http', `127.0.0.1:${port}`], { stdio: 'ignore', env });
let browser;
try {
  for (let i = 0; !(await socketAnswers(socket)); i++) {
    if (i > 100 || daemon.exitCode !== null) throw new Error('the daemon did not start');
    await sleep(200);
  }
  const example = await readFile(join(ROOT, 'examples/compose.yaml'), 'utf8');
  const file = join(dir, 'compose.yaml');
  await writeFile(file, example.replace(/^name: demo$/m, `name: ${PROJECT}`).replace('127.0.0.1:8080:80', `127.0.0.1:${await freePort()}:80`));
  await cli('up', '-f', file, '--wait');
  // A second project whose job gives up, to show failing services listed first.
  const jobs = join(dir, 'jobs.yaml');
  await writeFile(jobs, JOBS);
  await cli('up', '-f', jobs);
  await cli('-p', PROJECT, 'exec', '-T', 'cruncher', 'touch', '/control/burn');
  await sleep(LOADED_MS / 2);
  await cli('-p', PROJECT, 'kill', 'cruncher');
  await sleep(LOADED_MS / 2);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, deviceScaleFactor: 1 });
  const { stdout } = await cli('dashboard', '--json');
  const login = JSON.parse(stdout);
  await page.goto(login.url);
  const origin = new URL(login.url).origin;
  const shots = [
    ['dashboard-overview.png', '/'],
    ['dashboard-project.png', `/projects/${PROJECT}`],
    ['dashboard-service.png', `/projects/${PROJECT}/services/cruncher`],
  ];
  for (const [name, path] of shots) {
    await page.goto(`${origin}${path}`);
    await page.locator('#conn.ok').waitFor();
    if (path.includes('/services/')) await page.locator('#plots svg').first().waitFor();
    await page.screenshot({ path: join(ROOT, 'docs', name), fullPage: true });
    console.log(`docs/${name}`);
  }
  // A phone's width, logged in with the same session cookie.
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  await phoneContext.addCookies(await page.context().cookies());
  const phone = await phoneContext.newPage();
  await phone.goto(`${origin}/projects/${PROJECT}/services/cruncher`);
  await phone.locator('#plots svg').first().waitFor();
  await phone.screenshot({ path: join(ROOT, 'docs', 'dashboard-phone.png') });
  console.log('docs/dashboard-phone.png');
} finally {
  await browser?.close();
  await cli('down', '-p', PROJECT, '-v').catch((error) => console.error(`down: ${error.message}`));
  await cli('down', '-p', 'jobs').catch((error) => console.error(`down: ${error.message}`));
  daemon.kill('SIGTERM');
}
