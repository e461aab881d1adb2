// The front end is split: a board link downloads the board and not the
// home page or the panels; each panel's code comes the first time it
// opens, and a failed download says so and can be tried again.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, createBoard, openBoard, shot } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The `/assets/` file names this page has requested so far. */
function assetLog(page) {
  const seen = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/assets/')) seen.push(path.slice('/assets/'.length));
  });
  return seen;
}

test('a board link loads the board alone, and each panel when it first opens', async () => {
  const id = await createBoard('Split loading');
  const page = await newPage(browser);
  const seen = assetLog(page);
  await openBoard(page, id);
  assert.ok(seen.some((f) => /^app-\w+\.wasm$/.test(f)), `the main module was fetched: ${seen}`);
  assert.deepEqual(seen.filter((f) => f.startsWith('split_')), [], 'no page or panel module with the board');

  await page.getByTestId('open-health').click();
  await page.getByTestId('drawer').getByTestId('health-panel').waitFor();
  assert.ok(seen.some((f) => /^split_health_panel-\w+\.wasm$/.test(f)), `the health panel came when opened: ${seen}`);
  assert.ok(!seen.some((f) => f.startsWith('split_home')), 'the home page never');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a panel whose code cannot be fetched says so, and opens on a second try', async () => {
  const id = await createBoard('Split failure');
  const page = await newPage(browser);
  await openBoard(page, id);
  // Offline before the panel was ever opened: its code is not cached.
  await page.context().setOffline(true);
  await page.getByTestId('board-menu').click();
  await page.getByTestId('activity-open').click();
  const failed = page.getByTestId('drawer').getByTestId('load-failed');
  await failed.waitFor();
  assert.match(await failed.innerText(), /could not be loaded/);
  await shot(page, 'lazy-load-failed');

  await page.context().setOffline(false);
  await failed.getByTestId('load-retry').click();
  await failed.waitFor({ state: 'detached' });
  await page.getByTestId('drawer').getByTestId('activity-panel').waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
