// What a person on a slow line waits for (`cargo xtask bench network`, and
// after `bench board`): the bytes on the wire of a cold load of a board
// page, and the time a viewer link takes to show its board in a fresh
// browser on a line throttled to 3 and 10 Mbit/s (Chromium's own network
// emulation over CDP: `Network.emulateNetworkConditions`, with a round
// trip of LATENCY ms added), on the finished example map.
//
// Standalone: BASE_URL=http://127.0.0.1:8080 node perf/network.mjs
// Env: BASE_URL, CHROMIUM, OUT (JSON results), RUNS (default 2),
// LATENCY (ms, default 40).

import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { BASE, launch, createBoard, api, signIn } from '../tests/helpers.mjs';

const count = (name, fallback) => Math.max(0, Number.parseInt(process.env[name] ?? '', 10) || fallback);
const RUNS = Math.max(1, count('RUNS', 2));
const LATENCY = count('LATENCY', 40);
const SPEEDS = [3, 10]; // Mbit/s
const OUT = process.env.OUT ?? '';
const GOAL_BYTES = 600 * 1024;
const GOAL_OPEN_10_MS = 2000;
const kb = (b) => Math.round(b / 1024);

/// Opens `url` in a fresh context (no cache, no service worker, no
/// storage), throttled to `mbit` when given, and waits until a card and
/// the "Saved" badge are on screen. Returns the wall time from navigation
/// and every response with the bytes it took on the wire (headers
/// included, as Chromium counts them) and its Content-Encoding.
async function coldOpen(browser, url, { owner = false, mbit = null } = {}) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'en-US' });
  if (owner) await signIn(context);
  await context.addInitScript(() => { if (!localStorage.getItem('cjm.lang')) localStorage.setItem('cjm.lang', 'en'); });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (mbit) {
    const bytesPerSecond = (mbit * 1e6) / 8;
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: LATENCY, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond,
    });
  }
  const responses = new Map();
  let wsBytes = 0;
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const enc = Object.entries(response.headers).find(([k]) => k.toLowerCase() === 'content-encoding');
    responses.set(requestId, { url: response.url.replace(BASE, ''), status: response.status, encoding: enc ? enc[1] : null, bytes: 0 });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const r = responses.get(requestId);
    if (r) r.bytes = encodedDataLength;
  });
  cdp.on('Network.webSocketFrameReceived', ({ response }) => { wsBytes += Buffer.byteLength(response.payloadData ?? ''); });

  const started = Date.now();
  await page.goto(url, { waitUntil: 'commit', timeout: 120000 });
  await page.getByTestId('card').first().waitFor({ timeout: 120000 });
  await page.getByTestId('status').filter({ hasText: /Saved|Сохранено/ }).waitFor({ timeout: 120000 });
  const ms = Date.now() - started;
  // Whatever the page asks for right after (the inbox, presence…).
  await page.waitForTimeout(1000);
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  const list = [...responses.values()];
  return { ms, httpBytes: list.reduce((a, r) => a + r.bytes, 0), wsBytes, responses: list };
}

const browser = await launch();
const results = { latency_ms: LATENCY, runs: RUNS, goals: { bytes: GOAL_BYTES, open_10mbit_ms: GOAL_OPEN_10_MS } };
try {
  const id = await createBoard('Network bench: Igor buys a fridge', 'fridge_example', 'en');
  const link = await (await api('POST', `/api/boards/${id}/links`, { role: 'viewer' })).json();
  if (!link.url) throw new Error(`no viewer link: ${JSON.stringify(link)}`);

  results.load = [];
  for (let k = 0; k < RUNS; k++) {
    const r = await coldOpen(browser, `${BASE}/b/${id}`, { owner: true });
    results.load.push(r);
    console.log(`cold load ${k + 1}/${RUNS}: ${kb(r.httpBytes)} KB over HTTP + ${kb(r.wsBytes)} KB websocket, ${r.ms} ms unthrottled`);
  }
  const first = results.load[0];
  const assets = first.responses.filter((r) => r.url.startsWith('/assets/') || r.url === '/sw.js' || r.url.startsWith('/b/'));
  console.log(`  ${assets.map((r) => `${r.url.replace(/^\/assets\//, '')} ${kb(r.bytes)} KB${r.encoding ? ` (${r.encoding})` : ''}`).join(', ')}`);

  results.viewer = {};
  for (const mbit of SPEEDS) {
    results.viewer[mbit] = [];
    for (let k = 0; k < RUNS; k++) {
      const r = await coldOpen(browser, `${BASE}${link.url}`, { mbit });
      results.viewer[mbit].push(r);
      console.log(`viewer link at ${mbit} Mbit/s, run ${k + 1}/${RUNS}: board shown in ${r.ms} ms (${kb(r.httpBytes + r.wsBytes)} KB)`);
    }
  }
  const total = first.httpBytes + first.wsBytes;
  const open10 = Math.max(...results.viewer[10].map((r) => r.ms));
  const ok = (b) => (b ? 'ok' : 'MISSED');
  results.pass = { bytes: total < GOAL_BYTES, open_10mbit: open10 < GOAL_OPEN_10_MS };
  console.log(`
network bench: the example map, fresh browser each time, ${LATENCY} ms round trip added when throttled
  cold load of a board page   ${kb(total)} KB on the wire (${kb(first.httpBytes)} KB HTTP, ${kb(first.wsBytes)} KB websocket)   [goal < ${kb(GOAL_BYTES)} KB: ${ok(results.pass.bytes)}]
${SPEEDS.map((m) => `  viewer link, ${String(m).padStart(2)} Mbit/s     board shown in ${results.viewer[m].map((r) => `${r.ms} ms`).join(', ')}${m === 10 ? `   [goal < ${GOAL_OPEN_10_MS} ms: ${ok(results.pass.open_10mbit)}]` : ''}`).join('\n')}`);
} finally {
  await browser.close();
  if (OUT) {
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`results: ${OUT}`);
  }
}
