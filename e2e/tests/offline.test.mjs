// Never lose an edit: a browser that goes offline keeps editing, survives a
// reload while still offline, and delivers everything when it is back.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, createBoard, boardJson, openBoard, cell, addCard, shot } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('offline edits survive a reload and reach the other browser when back online', async () => {
  const id = await createBoard('Offline workshop');
  const ana = await newPage(browser);
  const bob = await newPage(browser);
  await openBoard(ana, id);
  await openBoard(bob, id);
  // The app shell is cached by the service worker once it controls the page.
  await ana.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 10000 });

  await ana.context().setOffline(true);
  const status = ana.getByTestId('status');
  await status.filter({ hasText: 'Offline' }).waitFor({ timeout: 5000 });
  for (const text of ['first offline idea', 'second offline idea', 'third offline idea']) {
    await addCard(ana, 'Awareness', 'Actions', text);
  }
  await status.filter({ hasText: '3 unsynced' }).waitFor();

  // Reload while still offline: the board and the three edits are still there.
  await ana.reload();
  await status.filter({ hasText: '3 unsynced' }).waitFor({ timeout: 10000 });
  const anaCell = await cell(ana, 'Awareness', 'Actions');
  assert.equal(await anaCell.getByTestId('card').count(), 3);
  await shot(ana, 'offline-reloaded');
  // Nothing reached the server or Bob yet.
  assert.equal(Object.keys((await boardJson(id)).cards).length, 0);
  assert.equal(await (await cell(bob, 'Awareness', 'Actions')).getByTestId('card').count(), 0);

  // Back online: everything is delivered, once.
  await ana.context().setOffline(false);
  await status.filter({ hasText: 'Saved' }).waitFor({ timeout: 10000 });
  const bobCell = await cell(bob, 'Awareness', 'Actions');
  for (const text of ['first offline idea', 'second offline idea', 'third offline idea']) {
    await bobCell.getByTestId('card').filter({ hasText: text }).waitFor({ timeout: 5000 });
  }
  assert.deepEqual(
    await bobCell.getByTestId('card-text').allInnerTexts(),
    ['first offline idea', 'second offline idea', 'third offline idea'],
  );
  const stored = Object.values((await boardJson(id)).cards).map((c) => c.text).sort();
  assert.deepEqual(stored, ['first offline idea', 'second offline idea', 'third offline idea']);
  assert.deepEqual(ana.errors, []);
  await ana.context().close();
  await bob.context().close();
});
