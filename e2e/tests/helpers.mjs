// Shared browser-test helpers: launch Debian chromium through playwright-core,
// create boards through the real REST API, and save screenshots to look at.

import { chromium } from 'playwright-core';
import path from 'node:path';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.SCREENSHOTS ?? 'test-results';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/// A fresh browser context (its own storage, like another person's browser).
export async function newPage(browser, { lang = 'en', width = 1280, height = 720 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: lang === 'ru' ? 'ru-RU' : 'en-US' });
  // Only a default: the user's own switch must survive navigation.
  await context.addInitScript((l) => { if (!localStorage.getItem('cjm.lang')) localStorage.setItem('cjm.lang', l); }, lang);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

export async function createBoard(title, template = 'classic', locale = 'en') {
  const res = await fetch(`${BASE}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title, template, locale }),
  });
  if (res.status !== 201) throw new Error(`create board: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

export async function boardJson(id) {
  return (await (await fetch(`${BASE}/api/boards/${id}`)).json()).board;
}

export async function openBoard(page, id) {
  await page.goto(`${BASE}/b/${id}`);
  await page.getByTestId('status').filter({ hasText: /Saved|Сохранено/ }).waitFor();
}

/// The cell at (stage name, lane name), found through the header texts.
export async function cell(page, stage, lane) {
  const stages = await page.getByTestId('stage-header').allInnerTexts();
  const lanes = await page.getByTestId('lane-header').allInnerTexts();
  const s = stages.findIndex((t) => t.includes(stage));
  const l = lanes.findIndex((t) => t.includes(lane));
  if (s < 0 || l < 0) throw new Error(`no cell ${stage} × ${lane} in ${stages} / ${lanes}`);
  return page.getByTestId('cell').nth(l * stages.length + s);
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
