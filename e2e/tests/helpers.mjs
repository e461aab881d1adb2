// Shared browser-test helpers: launch Debian chromium through playwright-core,
// create boards through the real REST API, and save screenshots to look at.

import { chromium } from 'playwright-core';
import path from 'node:path';
import { existsSync } from 'node:fs';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.SCREENSHOTS ?? 'test-results';

/// Debian's chromium-headless-shell unless CHROMIUM names another Chromium
/// (the xtask passes the one it found; see xtask/src/harness.rs).
export const CHROMIUM = process.env.CHROMIUM
  ?? (existsSync('/usr/bin/chromium-headless-shell') ? '/usr/bin/chromium-headless-shell' : '/usr/bin/chromium');

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// ---- accounts: boards belong to their members -------------------------------

const PASSWORD = 'browser tests passphrase 42';
const RUN = `${process.pid}-${Date.now()}`;
const sessions = new Map();

/// The session cookie value of the test account called `name` (signed up
/// on first use; every test file is its own run, so its own accounts).
export async function session(name = 'Owner') {
  if (sessions.has(name)) return sessions.get(name);
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${RUN}@e2e.test`;
  const res = await fetch(`${BASE}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name, password: PASSWORD }),
  });
  if (res.status !== 201) throw new Error(`sign up ${name}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie()[0].split(';')[0].split('=')[1];
  const value = { cookie, email };
  sessions.set(name, value);
  return value;
}

/// REST as the account `as` (the owner of the test boards by default).
export async function api(method, url, body, { as = 'Owner' } = {}) {
  const headers = { cookie: `cjm_session=${(await session(as)).cookie}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${BASE}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/// Makes the account `name` a member of board `id` with `role`.
export async function share(id, name, role = 'editor') {
  const { email } = await session(name);
  const res = await api('POST', `/api/boards/${id}/members`, { email, role });
  if (res.status !== 201) throw new Error(`share with ${name}: ${res.status} ${await res.text()}`);
}

/// Puts the session of account `as` in a browser context.
export async function signIn(context, as = 'Owner') {
  await context.addCookies([{ name: 'cjm_session', value: (await session(as)).cookie, url: BASE }]);
}

/// A fresh browser context (its own storage, like another person's
/// browser), signed in as the account `as` (the owner of the test boards by
/// default; `null`: nobody signed in).
export async function newPage(browser, { lang = 'en', width = 1280, height = 720, as = 'Owner' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: lang === 'ru' ? 'ru-RU' : 'en-US' });
  if (as) await signIn(context, as);
  // Only a default: the user's own switch must survive navigation.
  await context.addInitScript((l) => { if (!localStorage.getItem('cjm.lang')) localStorage.setItem('cjm.lang', l); }, lang);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  // The app's panic hook names the panic before the wasm aborts.
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().startsWith('panicked at')) page.errors.push(m.text());
  });
  return page;
}

export async function createBoard(title, template = 'classic', locale = 'en') {
  const res = await api('POST', '/api/boards', { title, template, locale });
  if (res.status !== 201) throw new Error(`create board: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

export async function boardJson(id) {
  return (await (await api('GET', `/api/boards/${id}`)).json()).board;
}

export async function openBoard(page, id) {
  await page.goto(`${BASE}/b/${id}`);
  await page.getByTestId('status').filter({ hasText: /Saved|Сохранено/ }).waitFor();
}

/// The cell at (stage name, lane name), found through the header texts and
/// their ids (emotion and collapsed lanes have no cells to count).
export async function cell(page, stage, lane) {
  const stages = page.getByTestId('stage-header');
  const lanes = page.getByTestId('lane-header');
  // A cached board shows a moment after the page (see Connection::open).
  await stages.first().waitFor({ timeout: 10000 });
  const s = (await stages.allInnerTexts()).findIndex((t) => t.includes(stage));
  const l = (await lanes.allInnerTexts()).findIndex((t) => t.includes(lane));
  if (s < 0 || l < 0) throw new Error(`no cell ${stage} × ${lane}`);
  const sid = await stages.nth(s).getAttribute('data-id');
  const lid = await lanes.nth(l).getAttribute('data-id');
  return page.locator(`[data-cell][data-stage="${sid}"][data-lane="${lid}"]`);
}

export async function addCard(page, stage, lane, text) {
  const c = await cell(page, stage, lane);
  await c.getByTestId('add-card').click();
  const draft = c.getByTestId('card-draft');
  await draft.fill(text);
  await draft.press('Enter');
  await c.getByTestId('card').filter({ hasText: text }).waitFor();
  await draft.press('Escape');
}

/// Drags with real pointer events, in steps, like a hand would.
export async function drag(page, from, to, { dy = 0 } = {}) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  const tx = b.x + b.width / 2;
  const ty = b.y + (dy || b.height / 2);
  for (let i = 1; i <= 12; i++) {
    await page.mouse.move(a.x + a.width / 2 + ((tx - a.x - a.width / 2) * i) / 12, a.y + a.height / 2 + ((ty - a.y - a.height / 2) * i) / 12);
  }
  await page.mouse.up();
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

// ---- waiting for a condition (bounded polling, never a bare sleep) ---------

const WAIT = 5000;

/// Polls `probe` until `ok(value)` holds (by default: until it is truthy);
/// fails with the last value seen.
export async function until(probe, what, ok = Boolean, timeout = WAIT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/// Waits until the stored board satisfies `ok` and returns it.
export const stored = (id, what, ok) => until(() => boardJson(id), what, ok);

export const hasClass = (loc, cls) => loc.evaluate((el, c) => el.classList.contains(c), cls);
export const waitClass = (loc, cls, want, what) =>
  until(() => hasClass(loc, cls), `${what}: class ${cls} ${want ? 'present' : 'absent'}`, (v) => v === want);
export const waitCount = (loc, n, what) => until(() => loc.count(), `${what} (count ${n})`, (c) => c === n);
