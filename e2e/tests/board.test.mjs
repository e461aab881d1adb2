// The Foundation story in a real browser: create a board from a template, add
// a card, edit it, recolour it, drag it to another stage, reload and find it
// there, while a second browser sees every change live.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, createBoard, boardJson, openBoard, cell, addCard, drag, shot } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('create a board from the home page with the classic template', async () => {
  const page = await newPage(browser);
  await page.goto(BASE);
  await page.getByTestId('new-board-title').fill('Fridge purchase');
  await page.getByTestId('new-board-template').locator('[data-template="classic"]').click();
  await page.getByTestId('create-board').click();
  await page.waitForURL(/\/b\/[0-9a-f-]{36}$/);
  await page.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();
  assert.deepEqual(
    (await page.getByTestId('stage-header').allInnerTexts()).map((t) => t.replace('⋯', '').trim()),
    ['Awareness', 'Consideration', 'Decision', 'Purchase', 'Usage', 'Loyalty'],
  );
  assert.deepEqual(
    (await page.getByTestId('lane-header').allInnerTexts()).map((t) => t.replace('⋯', '').trim()),
    ['Actions', 'Thoughts', 'Touchpoints', 'Emotions', 'Pains', 'Opportunities'],
  );
  await shot(page, 'new-board');
  // And it is listed on the home page.
  await page.goto(BASE);
  await page.getByTestId('board-item').filter({ hasText: 'Fridge purchase' }).first().waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('add, edit, recolour and drag a card; a second browser sees it live; reload keeps it', async () => {
  const id = await createBoard('Live map');
  const ana = await newPage(browser);
  const bob = await newPage(browser);
  await openBoard(ana, id);
  await openBoard(bob, id);

  // Add a card in Awareness × Actions.
  await addCard(ana, 'Awareness', 'Actions', 'Sees a TV ad');
  const bobAwareness = await cell(bob, 'Awareness', 'Actions');
  await bobAwareness.getByTestId('card').filter({ hasText: 'Sees a TV ad' }).waitFor({ timeout: 3000 });

  // Edit it inline: double-click, type, Enter.
  const card = (await cell(ana, 'Awareness', 'Actions')).getByTestId('card').first();
  await card.dblclick();
  const editor = card.getByTestId('card-editor');
  await editor.fill('Sees a TV ad about quiet fridges');
  await editor.press('Enter');
  await bobAwareness.getByTestId('card').filter({ hasText: 'quiet fridges' }).waitFor({ timeout: 3000 });

  // Esc cancels an edit.
  await card.dblclick();
  await card.getByTestId('card-editor').fill('discarded');
  await card.getByTestId('card-editor').press('Escape');
  assert.equal(await card.getByTestId('card-text').innerText(), 'Sees a TV ad about quiet fridges');

  // Recolour.
  await card.hover();
  await card.getByTestId('card-color').click();
  await ana.getByTestId('color-pink').click();
  await bobAwareness.locator('.card.color-pink').waitFor({ timeout: 3000 });

  // Drag it to Decision with the pointer.
  const target = await cell(ana, 'Decision', 'Actions');
  await drag(ana, card, target);
  await target.getByTestId('card').filter({ hasText: 'quiet fridges' }).waitFor({ timeout: 3000 });
  const bobDecision = await cell(bob, 'Decision', 'Actions');
  await bobDecision.getByTestId('card').filter({ hasText: 'quiet fridges' }).waitFor({ timeout: 3000 });
  assert.equal(await bobAwareness.getByTestId('card').count(), 0);
  await shot(ana, 'card-dragged');

  // Reload: it is still there, as stored on the server.
  await ana.reload();
  await ana.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();
  const after = await cell(ana, 'Decision', 'Actions');
  await after.locator('.card.color-pink').filter({ hasText: 'quiet fridges' }).waitFor();
  const stored = await boardJson(id);
  const cards = Object.values(stored.cards);
  assert.equal(cards.length, 1);
  assert.equal(cards[0].text, 'Sees a TV ad about quiet fridges');
  assert.equal(cards[0].color, 'pink');
  assert.equal(stored.stages[cards[0].stage_id].name, 'Decision');

  // Delete it; Bob sees it go.
  await after.getByTestId('card').first().hover();
  await after.getByTestId('card-delete').first().click();
  await bobDecision.getByTestId('card').waitFor({ state: 'detached', timeout: 3000 });
  assert.deepEqual(ana.errors, []);
  assert.deepEqual(bob.errors, []);
  await ana.context().close();
  await bob.context().close();
});

test('reorder cards within a cell by dragging', async () => {
  const id = await createBoard('Order');
  const page = await newPage(browser);
  await openBoard(page, id);
  for (const t of ['one', 'two', 'three']) await addCard(page, 'Awareness', 'Thoughts', t);
  const c = await cell(page, 'Awareness', 'Thoughts');
  const texts = () => c.getByTestId('card-text').allInnerTexts();
  assert.deepEqual(await texts(), ['one', 'two', 'three']);
  // Drop "three" above "one".
  const first = c.getByTestId('card').first();
  await drag(page, c.getByTestId('card').nth(2), first, { dy: 6 });
  await page.waitForFunction(() => true);
  await c.getByTestId('card').first().filter({ hasText: 'three' }).waitFor({ timeout: 3000 });
  assert.deepEqual(await texts(), ['three', 'one', 'two']);
  await page.reload();
  await page.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();
  assert.deepEqual(await (await cell(page, 'Awareness', 'Thoughts')).getByTestId('card-text').allInnerTexts(), ['three', 'one', 'two']);
  await page.context().close();
});

test('stages and lanes: add, rename, reorder by drag, delete; live for others', async () => {
  const id = await createBoard('Structure', 'blank');
  const ana = await newPage(browser);
  const bob = await newPage(browser);
  await openBoard(ana, id);
  await openBoard(bob, id);
  const names = (p, kind) => p.getByTestId(kind).allInnerTexts().then((a) => a.map((t) => t.replace('⋯', '').trim()));
  assert.deepEqual(await names(ana, 'stage-header'), ['Stage 1', 'Stage 2', 'Stage 3']);

  // Add a stage: it opens in rename mode.
  await ana.getByTestId('add-stage').click();
  const input = ana.getByTestId('header-input');
  await input.fill('Loyalty');
  await input.press('Enter');
  await bob.getByTestId('stage-header').filter({ hasText: 'Loyalty' }).waitFor({ timeout: 3000 });

  // Rename by double-click.
  await ana.getByTestId('stage-header').first().getByTestId('header-name').dblclick();
  await ana.getByTestId('header-input').fill('Awareness');
  await ana.getByTestId('header-input').press('Enter');
  await bob.getByTestId('stage-header').filter({ hasText: 'Awareness' }).waitFor({ timeout: 3000 });

  // Drag "Loyalty" before "Stage 2".
  const headers = ana.getByTestId('stage-header');
  await drag(ana, headers.nth(3).getByTestId('header-name'), headers.nth(1), { dy: 24 });
  const moved = async (p) => {
    for (let i = 0; i < 30; i++) {
      if ((await names(p, 'stage-header'))[1] === 'Loyalty') return;
      await p.waitForTimeout(100);
    }
    assert.fail(`stages are ${await names(p, 'stage-header')}`);
  };
  // The drop lands left or right of Stage 2's middle; either way Loyalty is now second.
  await moved(ana);
  await moved(bob);

  // Keyboard alternative: the menu moves a stage right.
  await ana.getByTestId('stage-header').first().hover();
  await ana.getByTestId('stage-header').first().getByTestId('header-menu').click();
  await ana.getByTestId('menu-forward').click();
  assert.equal((await names(ana, 'stage-header'))[1], 'Awareness');

  // Add a lane of a chosen kind, delete a stage.
  await ana.getByTestId('add-lane').click();
  await ana.getByTestId('new-lane-pains').click();
  await ana.getByTestId('header-input').fill('Pains');
  await ana.getByTestId('header-input').press('Enter');
  await bob.getByTestId('lane-header').filter({ hasText: 'Pains' }).waitFor({ timeout: 3000 });
  ana.once('dialog', (d) => d.accept());
  const last = ana.getByTestId('stage-header').last();
  await last.hover();
  await last.getByTestId('header-menu').click();
  await ana.getByTestId('menu-delete').click();
  for (let i = 0; i < 30 && (await names(bob, 'stage-header')).length !== 3; i++) await bob.waitForTimeout(100);
  assert.equal((await names(bob, 'stage-header')).length, 3);
  await shot(ana, 'structure');
  await ana.context().close();
  await bob.context().close();
});

test('text over the limit is refused with a message and nothing is lost', async () => {
  const id = await createBoard('Limits');
  const page = await newPage(browser);
  await openBoard(page, id);
  await addCard(page, 'Awareness', 'Actions', 'short');
  const card = (await cell(page, 'Awareness', 'Actions')).getByTestId('card').first();
  await card.dblclick();
  const editor = card.getByTestId('card-editor');
  await editor.fill('x'.repeat(5001));
  await editor.press('Enter');
  const toast = page.getByTestId('toast');
  await toast.waitFor();
  assert.match(await toast.innerText(), /5000/);
  // The editor stays open with the text; the stored card is unchanged.
  assert.equal((await editor.inputValue()).length, 5001);
  const stored = await boardJson(id);
  assert.equal(Object.values(stored.cards)[0].text, 'short');
  await page.context().close();
});

test('someone else changing a card while I type keeps my text; both changes win', async () => {
  const id = await createBoard('Concurrent');
  const ana = await newPage(browser);
  const bob = await newPage(browser);
  await openBoard(ana, id);
  await openBoard(bob, id);
  await addCard(ana, 'Awareness', 'Actions', 'draft');
  const anaCard = (await cell(ana, 'Awareness', 'Actions')).getByTestId('card').first();
  await anaCard.dblclick();
  await anaCard.getByTestId('card-editor').fill('Ana is typing this');
  // Bob recolours the same card meanwhile.
  const bobCard = (await cell(bob, 'Awareness', 'Actions')).getByTestId('card').first();
  await bobCard.hover();
  await bobCard.getByTestId('card-color').click();
  await bob.getByTestId('color-green').click();
  await ana.locator('.card.color-green').waitFor({ timeout: 3000 });
  assert.equal(await anaCard.getByTestId('card-editor').inputValue(), 'Ana is typing this');
  await anaCard.getByTestId('card-editor').press('Enter');
  await bob.locator('.card.color-green').filter({ hasText: 'Ana is typing this' }).waitFor({ timeout: 3000 });
  await ana.context().close();
  await bob.context().close();
});

test('Russian UI: switch language, create a board, stage names in Russian', async () => {
  const page = await newPage(browser);
  await page.goto(BASE);
  await page.getByTestId('lang-ru').click();
  await page.getByText('Новая карта').first().waitFor();
  await page.getByTestId('new-board-title').fill('Покупка холодильника');
  await page.getByTestId('create-board').click();
  await page.waitForURL(/\/b\//);
  await page.getByTestId('status').filter({ hasText: 'Сохранено' }).waitFor();
  const stages = (await page.getByTestId('stage-header').allInnerTexts()).map((t) => t.replace('⋯', '').trim());
  assert.deepEqual(stages, ['Осведомлённость', 'Рассмотрение', 'Решение', 'Покупка', 'Использование', 'Лояльность']);
  await addCard(page, 'Осведомлённость', 'Действия', 'Видит рекламу');
  await shot(page, 'board-ru');
  // The choice is remembered.
  await page.goto(BASE);
  await page.getByText('Все карты').waitFor();
  await page.context().close();
});

test('card text is text: markup is shown, never run', async () => {
  const id = await createBoard('XSS');
  const page = await newPage(browser);
  await openBoard(page, id);
  let alerted = false;
  page.on('dialog', (d) => { alerted = true; d.dismiss(); });
  const evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
  await addCard(page, 'Awareness', 'Actions', evil);
  const text = await (await cell(page, 'Awareness', 'Actions')).getByTestId('card-text').first().innerText();
  assert.equal(text, evil);
  assert.equal(await page.locator('.card img').count(), 0);
  assert.equal(alerted, false);
  await page.context().close();
});
