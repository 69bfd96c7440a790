// The spectator pages in a real browser (Debian's chromium, driven by
// playwright-core) against a real qbot-server with headless bots fighting:
//   1. the arena list shows the arena;
//   2. the live view draws as many bots as are alive, and its pixels change;
//   3. a kill shows in the kill feed;
//   4. the page says "disconnected" while the server restarts, and recovers;
//   5. match.html (qbot-replay html) opens from file://, its timeline scrubs,
//      and its final scoreboard equals `qbot-replay info`;
//   6. no console errors on any page.
// Every wait polls a condition with a deadline. Writes spectator.png (the
// live view) into the work directory, and into docs/ with QBOT_SCREENSHOT_TO_DOCS=1.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, v, i, all) =>
  (v.startsWith('--') ? [...acc, [v.slice(2), all[i + 1]]] : acc), []));
const require = createRequire(path.join(args.work, 'package.json'));
const { chromium } = require('playwright-core');
const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER = path.join(args.build, 'server', 'qbot-server');
const HEADLESS = path.join(args.build, 'client_headless', 'qbot-headless');
const REPLAY = path.join(args.build, 'server', 'qbot-replay');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const children = new Set();
const consoleErrors = [];
// While the test has stopped the server on purpose, the browser logs each
// failed WebSocket reconnect as a console error; those, and only those, are
// expected then.
let serverDownOnPurpose = false;
const isRefusedReconnect = (text) => /WebSocket connection to .* failed/.test(text);

function fail(message) { throw new Error(message); }
function check(condition, message) { if (!condition) fail(message); }
function log(message) { console.log('browser_spectator: ' + message); }

async function freeTcpPort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}
async function freeUdpPort() {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function start(bin, argv, name) {
  const logFile = fs.openSync(path.join(args.work, name + '.log'), 'w');
  const child = spawn(bin, argv, { stdio: ['ignore', logFile, logFile] });
  child.exited = new Promise((resolve) => child.on('exit', resolve));
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await child.exited;
}

// Polls `pred` (async) every 100 ms until it holds; fails with `what` after `ms`.
async function eventually(pred, what, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) fail('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function answers(url) {
  try { return (await fetch(url)).ok; } catch (e) { return false; }
}

function watchConsole(page, name) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (serverDownOnPurpose && isRefusedReconnect(m.text())) return;
    consoleErrors.push(name + ': ' + m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(name + ': ' + e.message));
}

// A checksum of the canvas's pixels, computed in the page.
const canvasHash = (page) => page.evaluate(() => {
  const c = document.getElementById('arena');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261;
  for (let i = 0; i < d.length; i += 4) h = Math.imul(h ^ (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16)), 16777619);
  return h >>> 0;
});

async function liveView(browser, ports, dirs) {
  const serverArgs = ['--bind', '127.0.0.1', '--port', String(ports.game), '--metrics-bind', '127.0.0.1',
    '--metrics-port', String(ports.metrics), '--max-spectators', '8',
    '--spectator-delay', '0.5', '--arena-size', '4', '--min-players', '4', '--countdown', '1',
    '--match-duration', '12', '--score-limit', '0', '--results-time', '60', '--respawn-delay', '1',
    '--record-dir', dirs.records, '--journal-dir', dirs.journal];
  const base = 'http://127.0.0.1:' + ports.metrics;  // spectators are served on the HTTP port
  let server = start(SERVER, serverArgs, 'server1');
  await eventually(() => answers(base + '/api/arenas'), 'the HTTP port to serve spectators');
  let bots = start(HEADLESS, ['--server', '127.0.0.1:' + ports.game, '--bots', '4', '--duration', '60',
    '--name-prefix', 'bot'], 'bots1');

  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  watchConsole(page, 'live');
  await page.goto(base + '/');
  await page.waitForFunction(() => window.qbotArenas.arenas.some((a) => a.players.length === 4), null,
    { timeout: 20000 });
  const row = page.locator('tr.arena a').first();
  check((await row.textContent()).includes('watch arena'), 'the arena list shows the arena');
  log('arena list shows ' + await page.locator('tr.arena').count() + ' arena(s)');
  await row.click();
  await page.waitForURL(/\/watch\?arena=/);
  await page.waitForFunction(() => window.qbotView.connected && window.qbotView.frameCount > 5 &&
    window.qbotView.phase === 'battle', null, { timeout: 20000 });
  await page.waitForFunction(() => window.qbotView.aliveBots > 0 &&
    window.qbotView.drawnBots === window.qbotView.aliveBots, null, { timeout: 10000 });
  const state = await page.evaluate(() => window.qbotView);
  check(state.bots.length === 4, 'four bots in the frame, got ' + state.bots.length);
  log('live view draws ' + state.drawnBots + ' of ' + state.aliveBots + ' alive bots');
  const h1 = await canvasHash(page);
  const shot1 = await page.locator('#arena').screenshot();
  const frames = state.frameCount;
  await page.waitForFunction((n) => window.qbotView.frameCount > n + 5, frames, { timeout: 10000 });
  const h2 = await canvasHash(page);
  const shot2 = await page.locator('#arena').screenshot();
  check(h1 !== h2 && !shot1.equals(shot2), 'the canvas pixels change between frames');

  await page.waitForFunction(() => window.qbotView.killFeed.length > 0 &&
    document.querySelectorAll('#kill-feed li').length > 0, null, { timeout: 30000 });
  const kill = await page.locator('#kill-feed li').first().textContent();
  log('kill feed: ' + kill);
  const png = path.join(args.work, 'spectator.png');
  await page.screenshot({ path: png });
  if (process.env.QBOT_SCREENSHOT_TO_DOCS === '1') fs.copyFileSync(png, path.join(SOURCE, 'docs', 'spectator.png'));

  // The battle ends and its recording is written.
  await eventually(() => fs.readdirSync(dirs.records).some((f) => f.endsWith('.qreplay')), 'the recording', 30000);

  // Restart: the page says so, then recovers once the arena is back.
  await stop(bots);
  serverDownOnPurpose = true;
  await stop(server);
  await page.waitForFunction(() => !window.qbotView.connected &&
    document.getElementById('status').textContent.includes('disconnected'), null, { timeout: 10000 });
  log('page shows: ' + await page.locator('#status').textContent());
  server = start(SERVER, serverArgs, 'server2');
  await eventually(() => answers(base + '/api/arenas'), 'the restarted HTTP port');
  bots = start(HEADLESS, ['--server', '127.0.0.1:' + ports.game, '--bots', '2', '--duration', '60',
    '--name-prefix', 'again'], 'bots2');
  await page.waitForFunction(() => window.qbotView.connected && window.qbotView.bots.length > 0 &&
    document.getElementById('status').textContent === 'live', null, { timeout: 30000 });
  serverDownOnPurpose = false;
  log('page recovered after the restart');
  await page.close();
  await stop(bots);
  await stop(server);
}

// `qbot-replay info`'s result rows: place name team kills deaths damage score.
function infoResults(text) {
  const rows = [];
  let inResult = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('result')) { inResult = true; continue; }
    const m = inResult && line.match(/^\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(-?\d+)\s*$/);
    if (m) rows.push(m.slice(1, 8).join(' '));
  }
  return rows;
}

async function replayPage(browser, dirs) {
  const file = fs.readdirSync(dirs.records).find((f) => f.endsWith('.qreplay'));
  const replay = path.join(dirs.records, file);
  const html = path.join(args.work, 'match.html');
  execFileSync(REPLAY, ['html', replay, '-o', html]);
  const expected = infoResults(execFileSync(REPLAY, ['info', replay]).toString());
  check(expected.length > 0, 'qbot-replay info lists the results');

  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  watchConsole(page, 'replay');
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
  await page.goto('file://' + html);
  await page.waitForFunction(() => window.qbotReplay && window.qbotReplay.frameCount > 10, null, { timeout: 10000 });
  const shown = await page.$$eval('#final-scoreboard tr', (trs) => trs.slice(1).map((tr) =>
    [...tr.children].map((td) => td.textContent).join(' ')));
  check(JSON.stringify(shown) === JSON.stringify(expected),
    'final scoreboard ' + JSON.stringify(shown) + ' equals qbot-replay info ' + JSON.stringify(expected));
  await page.click('#play');  // pause, then scrub by hand
  const count = await page.evaluate(() => window.qbotReplay.frameCount);
  await page.locator('#timeline').fill('0');
  await page.waitForFunction(() => Math.floor(window.qbotReplay.position) === 0, null, { timeout: 5000 });
  const start = await canvasHash(page);
  const middle = Math.floor(count / 2);
  await page.locator('#timeline').fill(String(middle));
  await page.waitForFunction((m) => Math.floor(window.qbotReplay.position) === m, middle, { timeout: 5000 });
  check(await canvasHash(page) !== start, 'scrubbing to the middle draws another moment');
  check(await page.evaluate(() => window.qbotView.drawnBots === window.qbotView.aliveBots), 'replay draws every bot');
  check(requests.length === 0, 'match.html made no network request: ' + requests.join(', '));
  log('match.html: ' + count + ' frames, scrubbed to ' + middle + ', final scoreboard ' + expected.length + ' rows');
  await page.close();
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qbot-browser-'));
  const dirs = { records: path.join(tmp, 'records'), journal: path.join(tmp, 'journal') };
  fs.mkdirSync(dirs.records);
  const ports = { game: await freeUdpPort(), metrics: await freeTcpPort() };
  // playwright-core gives the browser a fresh profile directory of its own.
  const browser = await chromium.launch({ executablePath: args.chromium, args: FLAGS });
  try {
    await liveView(browser, ports, dirs);
    await replayPage(browser, dirs);
    check(consoleErrors.length === 0, 'no console errors, got: ' + consoleErrors.join(' | '));
    log('OK');
  } finally {
    await browser.close();
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error('browser_spectator: FAILED: ' + e.message); process.exit(1); });
