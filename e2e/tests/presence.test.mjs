// Presence in real browsers: avatars, live cursors, selection and editing
// marks, the ghost of a card being dragged, and no ghosts after leaving.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, createBoard, share, openBoard, cell, addCard, shot, api, BASE } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('two people see each other: avatars, cursor, selection, editing, drag ghost', async () => {
  const id = await createBoard('Workshop');
  // Names come from the accounts, never from the browser.
  await share(id, 'Ana Petrova');
  await share(id, 'Bob Stone');
  const ana = await newPage(browser, { as: 'Ana Petrova' });
  const bob = await newPage(browser, { as: 'Bob Stone' });
  await openBoard(ana, id);
  await openBoard(bob, id);
  await addCard(ana, 'Awareness', 'Actions', 'Sees an ad');

  // Avatars: each sees the other.
  await bob.getByTestId('avatar').filter({ hasText: 'AP' }).waitFor({ timeout: 3000 });
  await ana.getByTestId('avatar').filter({ hasText: 'BS' }).waitFor({ timeout: 3000 });

  // Ana's pointer over the board becomes a named cursor for Bob.
  const target = await cell(ana, 'Consideration', 'Thoughts');
  const box = await target.boundingBox();
  await ana.mouse.move(box.x + 40, box.y + 30);
  await ana.mouse.move(box.x + 60, box.y + 40);
  const cursor = bob.getByTestId('peer-cursor').filter({ hasText: 'Ana Petrova' });
  await cursor.waitFor({ timeout: 3000 });

  // Selecting a card (focus) marks it for Bob; editing says so.
  const anaCard = (await cell(ana, 'Awareness', 'Actions')).getByTestId('card').first();
  await anaCard.focus();
  const bobCard = (await cell(bob, 'Awareness', 'Actions')).getByTestId('card').first();
  await bobCard.getByTestId('peer-mark').filter({ hasText: 'Ana Petrova' }).waitFor({ timeout: 3000 });
  await anaCard.dblclick();
  await bobCard.getByTestId('peer-mark').filter({ hasText: 'is editing' }).waitFor({ timeout: 3000 });
  await anaCard.getByTestId('card-editor').press('Escape');

  // Ana drags the card: Bob sees its ghost move, then the card land.
  const a = await anaCard.boundingBox();
  const dest = await (await cell(ana, 'Decision', 'Actions')).boundingBox();
  await ana.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await ana.mouse.down();
  for (let i = 1; i <= 8; i++) {
    await ana.mouse.move(a.x + a.width / 2 + ((dest.x + 60 - a.x - a.width / 2) * i) / 10, a.y + a.height / 2 + 10);
  }
  const ghost = bob.getByTestId('remote-ghost').filter({ hasText: 'Sees an ad' });
  await ghost.waitFor({ timeout: 3000 });
  await shot(bob, 'presence-ghost');
  await ana.mouse.move(dest.x + dest.width / 2, dest.y + dest.height / 2);
  await ana.mouse.up();
  await (await cell(bob, 'Decision', 'Actions')).getByTestId('card').filter({ hasText: 'Sees an ad' }).waitFor({ timeout: 3000 });
  await ghost.waitFor({ state: 'detached', timeout: 3000 });

  // Ana leaves: her cursor and avatar disappear for Bob.
  await ana.context().close();
  await cursor.waitFor({ state: 'detached', timeout: 3000 });
  await bob.getByTestId('avatar').filter({ hasText: 'AP' }).waitFor({ state: 'detached', timeout: 3000 });
  assert.deepEqual(bob.errors, []);
  await bob.context().close();
});

test('a crowd: five avatars, then "+N" for everyone else, counted beyond 100 people', async () => {
  const id = await createBoard('Town hall');
  const link = await (await api('POST', `/api/boards/${id}/links`, { role: 'viewer' })).json();
  const owner = await newPage(browser);
  await openBoard(owner, id);

  // 105 viewers, each a guest of its own, each with one socket.
  const crowd = await newPage(browser, { as: null });
  await crowd.goto(`${BASE}/login`);
  const PEOPLE = 105;
  for (let i = 0; i < PEOPLE; i++) {
    const res = await fetch(`${BASE}/api/links/${link.token}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Guest ${i}` }),
    });
    assert.equal(res.status, 200);
    const guest = res.headers.getSetCookie()[0].split(';')[0].split('=')[1];
    await crowd.context().addCookies([{ name: 'cjm_guest', value: guest, url: BASE }]);
    await crowd.evaluate(async (board) => {
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/boards/${board}/ws`);
      await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
      const welcome = new Promise((ok) => {
        ws.onmessage = (e) => { if (JSON.parse(e.data).type === 'welcome') ok(); };
      });
      ws.send(JSON.stringify({ type: 'hello', protocol: 1 }));
      await welcome;
      (window.crowd ??= []).push(ws);
    }, id);
  }

  // The owner sees 5 faces and "+100": 94 more listed people and 6
  // counted beyond the first 100 on the board.
  await owner.getByTestId('avatar-more').filter({ hasText: `+${PEOPLE - 5}` }).waitFor({ timeout: 5000 });
  assert.equal(await owner.getByTestId('avatar').count(), 5);
  await shot(owner, 'presence-crowd');

  // Twenty leave, listed ones first: counted people take their places and
  // the count follows.
  await crowd.evaluate(() => { for (const ws of window.crowd.splice(0, 20)) ws.close(); });
  await owner.getByTestId('avatar-more').filter({ hasText: `+${PEOPLE - 20 - 5}` }).waitFor({ timeout: 5000 });
  assert.equal(await owner.getByTestId('avatar').count(), 5);
  assert.deepEqual(owner.errors, []);
  await crowd.context().close();
  await owner.getByTestId('avatar-more').waitFor({ state: 'detached', timeout: 5000 });
  await owner.context().close();
});
