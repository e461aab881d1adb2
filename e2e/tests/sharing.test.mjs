// Sharing in real browsers: a manager watches live through a viewer link
// with no editing control; a workshop guest joins through an editor link
// with just a name and edits; a revoked link's viewer is disconnected and
// cannot come back; members are invited, promoted and removed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, launch, newPage, createBoard, boardJson, openBoard, cell, addCard, shot, session, until,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Creates a link from the owner's Share panel and returns its URL.
async function createLink(owner, { role = 'viewer', password = '' } = {}) {
  await owner.getByTestId('open-share').click();
  await owner.getByTestId('link-role-new').selectOption(role);
  if (password) await owner.getByTestId('link-password').fill(password);
  await owner.getByTestId('create-link').click();
  const url = await until(() => owner.getByTestId('new-link-url').inputValue().catch(() => ''), 'the new link', Boolean);
  assert.match(url, new RegExp(`^${BASE}/s/[0-9a-f]{32}$`));
  await owner.getByTestId('drawer-close').click();
  return url;
}

test('a manager watches live through a viewer link, with no editing control', async () => {
  const id = await createBoard('Quarterly journey');
  const owner = await newPage(browser);
  await openBoard(owner, id);
  const url = await createLink(owner, { role: 'viewer' });

  // The manager has no account: the link is enough.
  const manager = await newPage(browser, { as: null });
  await manager.goto(url);
  await manager.waitForURL(`${BASE}/b/${id}`);
  await manager.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();
  await manager.getByTestId('view-only').waitFor();
  // No editing control anywhere.
  for (const control of ['add-card', 'add-stage', 'add-lane', 'undo', 'open-share']) {
    assert.equal(await manager.getByTestId(control).filter({ visible: true }).count(), 0, `${control} hidden`);
  }
  // The board menu offers a viewer only the export.
  await manager.getByTestId('board-menu').click();
  await manager.getByTestId('export-open').waitFor();
  for (const control of ['quiet-toggle', 'import-open', 'template-form']) {
    assert.equal(await manager.getByTestId(control).count(), 0, `${control} absent`);
  }
  await manager.getByTestId('board-menu').click();

  // The owner edits; the manager sees it within a second, and the owner's presence.
  const started = Date.now();
  await addCard(owner, 'Awareness', 'Actions', 'Sees a billboard');
  const seen = (await cell(manager, 'Awareness', 'Actions')).getByTestId('card').filter({ hasText: 'Sees a billboard' });
  await seen.waitFor({ timeout: 1000 });
  const lag = Date.now() - started;
  // In its column: the read-only page keeps the grid's layout.
  const column = await manager.getByTestId('stage-header').filter({ hasText: 'Awareness' }).boundingBox();
  const placed = await seen.boundingBox();
  assert.ok(placed.x >= column.x && placed.x + placed.width <= column.x + column.width, 'the card sits under its stage');
  await manager.getByTestId('avatar').first().waitFor();
  await shot(manager, 'viewer-link-live');

  // Double-click and the Delete key change nothing.
  await seen.dblclick();
  assert.equal(await manager.getByTestId('card-editor').count(), 0, 'no editor opens');
  await seen.focus();
  await manager.keyboard.press('Delete');
  await manager.getByTestId('toast').filter({ hasText: 'You can view this board but not change it.' }).waitFor();
  const stored = await boardJson(id);
  assert.deepEqual(Object.values(stored.cards).map((c) => c.text), ['Sees a billboard']);

  // Even a hand-made op over the manager's own websocket is refused by the server.
  const answer = await manager.evaluate(async (boardId) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/boards/${boardId}/ws`);
    const msgs = [];
    await new Promise((r) => { ws.onopen = r; });
    ws.onmessage = (e) => msgs.push(JSON.parse(e.data));
    ws.send(JSON.stringify({ type: 'hello', protocol: 1 }));
    await new Promise((r) => setTimeout(r, 300));
    ws.send(JSON.stringify({ type: 'submit', client_op_id: crypto.randomUUID(), ops: [{ op: 'set_board_title', title: 'Hacked' }] }));
    for (let i = 0; i < 30 && !msgs.some((m) => m.type === 'rejected'); i++) await new Promise((r) => setTimeout(r, 100));
    ws.close();
    return { role: msgs.find((m) => m.type === 'welcome')?.role, rejected: msgs.find((m) => m.type === 'rejected')?.code };
  }, id);
  assert.deepEqual(answer, { role: 'viewer', rejected: 'forbidden' });
  assert.equal((await boardJson(id)).title, 'Quarterly journey');
  assert.deepEqual(manager.errors, []);
  console.log(`viewer saw the owner's card ${lag} ms after the owner started typing it`);
  await owner.context().close();
  await manager.context().close();
});

test('a workshop guest joins through an editor link with a name and edits', async () => {
  const id = await createBoard('Workshop board');
  const owner = await newPage(browser);
  await openBoard(owner, id);
  const url = await createLink(owner, { role: 'editor', password: 'workshop-2026' });

  const guest = await newPage(browser, { as: null, lang: 'ru' });
  await guest.goto(url);
  // A protected link hides the board's title until the password is given.
  await guest.getByTestId('join-board').filter({ hasText: 'Карта, защищённая паролем' }).waitFor();
  await guest.getByTestId('join-name').fill('Marina Guest');
  await guest.getByTestId('join-password').fill('wrong password');
  await guest.getByTestId('join').click();
  await guest.getByTestId('join-error').filter({ hasText: 'Неверный пароль ссылки' }).waitFor();
  await guest.getByTestId('join-password').fill('workshop-2026');
  await guest.getByTestId('join').click();
  await guest.waitForURL(`${BASE}/b/${id}`);
  await guest.getByTestId('status').filter({ hasText: 'Сохранено' }).waitFor();
  assert.equal(await guest.getByTestId('view-only').count(), 0);
  await addCard(guest, 'Awareness', 'Actions', 'Guest idea');

  // The owner sees the card and who is there.
  await (await cell(owner, 'Awareness', 'Actions')).getByTestId('card').filter({ hasText: 'Guest idea' }).waitFor({ timeout: 2000 });
  await owner.getByTestId('avatar').filter({ hasText: 'MG' }).waitFor();
  await shot(owner, 'guest-editor-joined');
  // The guest's name is remembered on that browser for the next link.
  assert.equal(await guest.evaluate(() => localStorage.getItem('cjm.name')), 'Marina Guest');
  // The link shows its last use in the owner's list.
  await owner.getByTestId('open-share').click();
  await owner.getByTestId('link').filter({ hasText: 'last used' }).waitFor();
  await shot(owner, 'share-panel');
  assert.deepEqual(guest.errors, []);
  await owner.context().close();
  await guest.context().close();
});

test('revoking a link disconnects its viewer at once, for good', async () => {
  const id = await createBoard('Revocable');
  const owner = await newPage(browser);
  await openBoard(owner, id);
  const url = await createLink(owner, { role: 'viewer' });
  const viewer = await newPage(browser, { as: null });
  await viewer.goto(url);
  await viewer.waitForURL(`${BASE}/b/${id}`);
  await viewer.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();

  await owner.getByTestId('open-share').click();
  const started = Date.now();
  await owner.getByTestId('link-revoke').click();
  await viewer.getByTestId('missing').filter({ hasText: 'Your access to this board has ended' }).waitFor({ timeout: 1000 });
  const took = Date.now() - started;
  await owner.getByTestId('link').first().waitFor({ state: 'detached' });
  // Neither a reload nor the link itself lets it back in.
  await viewer.reload();
  await viewer.getByTestId('missing').waitFor();
  await viewer.goto(url);
  await viewer.getByTestId('join-error').filter({ hasText: 'revoked or has expired' }).waitFor();
  const res = await fetch(`${BASE}/api/boards/${id}`, { headers: { cookie: (await viewer.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
  assert.equal(res.status, 404);
  await shot(viewer, 'revoked');
  console.log(`revoked viewer disconnected ${took} ms after the click`);
  await owner.context().close();
  await viewer.context().close();
});

test('members: the owner invites by email, promotes, removes; the home page lists shared boards', async () => {
  const id = await createBoard('Team map');
  const { email } = await session('Kira Member');
  const owner = await newPage(browser);
  await openBoard(owner, id);
  await owner.getByTestId('open-share').click();
  // An email with no account: a pending invitation, with a link to send.
  const newcomer = `newcomer-${Date.now()}@e2e.test`;
  await owner.getByTestId('invite-email').fill(newcomer);
  await owner.getByTestId('invite-role').selectOption('commenter');
  await owner.getByTestId('invite').click();
  const invitation = owner.getByTestId('invitation').filter({ hasText: newcomer });
  await invitation.waitFor();
  assert.match(await invitation.innerText(), /Commenter · invited, has no account yet/);
  const link = await invitation.getByTestId('invitation-copy').getAttribute('data-link');
  assert.ok(link.startsWith(`${BASE}/login?signup=1&email=`), link);
  // The newcomer signs up through it and lands on the board as a commenter.
  const fresh = await newPage(browser, { as: null });
  await fresh.goto(link);
  assert.equal(await fresh.getByTestId('auth-email').inputValue(), newcomer);
  await fresh.getByTestId('auth-name').fill('Nora Newcomer');
  await fresh.getByTestId('auth-password').fill('correct horse battery staple 42');
  await fresh.getByTestId('auth-submit').click();
  await fresh.waitForURL(new RegExp(`/b/${id}$`));
  await fresh.getByTestId('view-only').waitFor();
  await fresh.context().close();
  // The invitation became a membership.
  await owner.getByTestId('drawer-close').click();
  await owner.getByTestId('open-share').click();
  await owner.getByTestId('member').filter({ hasText: newcomer }).waitFor();
  assert.equal(await owner.getByTestId('invitation').count(), 0);
  await owner.getByTestId('invite-email').fill(email);
  await owner.getByTestId('invite-role').selectOption('viewer');
  await owner.getByTestId('invite').click();
  const row = owner.getByTestId('member').filter({ hasText: email });
  await row.waitFor();

  const kira = await newPage(browser, { as: 'Kira Member' });
  await kira.goto(BASE);
  await kira.getByTestId('board-item').filter({ hasText: 'Team map' }).getByTestId('board-role').filter({ hasText: 'Viewer' }).waitFor();
  await openBoard(kira, id);
  await kira.getByTestId('view-only').waitFor();

  // Promoted to editor: her page reconnects with the new role.
  await row.getByTestId('member-role').selectOption('editor');
  await kira.getByTestId('view-only').waitFor({ state: 'detached', timeout: 3000 });
  await addCard(kira, 'Awareness', 'Actions', 'Kira was here');

  // Removed: her page says so and the board leaves her list.
  await row.getByTestId('member-remove').click();
  await kira.getByTestId('missing').filter({ hasText: 'ended' }).waitFor({ timeout: 1000 });
  const list = await (await api('GET', '/api/boards', undefined, { as: 'Kira Member' })).json();
  assert.equal(list.boards.length, 0);
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(kira.errors, []);
  await owner.context().close();
  await kira.context().close();
});
