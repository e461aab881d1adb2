// Nobody's typing is lost when two people work on one card, and refusals
// speak the reader's language with no ids in them:
// - Bob is writing in a card when Ana deletes it: his text is kept, and
//   "Put the card back" re-creates it in its cell, for both of them;
// - Ana and Bob edit one card at once: Ana saves first; when Bob saves, he
//   is shown both texts, and "Combine both" saves the two together;
// - a refused edit in the Russian UI is explained in Russian.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, createBoard, openBoard, share, addCard, cell, shot, stored, boardJson,
} from './helpers.mjs';

let browser;
let id;
before(async () => {
  browser = await launch();
  id = await createBoard('Rescue', 'classic');
  await share(id, 'Bob', 'editor');
});
after(async () => { await browser?.close(); });

const cardIn = (c, text) => c.getByTestId('card').filter({ hasText: text });
const noIds = (text) => assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}/, `no id shown: ${text}`);

test('a card deleted under the editor is put back with the text typed', async () => {
  const ana = await newPage(browser);
  const bob = await newPage(browser, { as: 'Bob' });
  await openBoard(ana, id);
  await openBoard(bob, id);
  await addCard(ana, 'Consideration', 'Thoughts', 'Is it quiet?');
  await addCard(ana, 'Consideration', 'Thoughts', 'Will it fit?');
  const bobCell = await cell(bob, 'Consideration', 'Thoughts');
  await cardIn(bobCell, 'Is it quiet?').waitFor();
  // By id: while it is edited, the card's text is in a field.
  const cardId = await cardIn(bobCell, 'Is it quiet?').getAttribute('data-card');
  const card = bob.locator(`[data-card="${cardId}"]`);
  await card.dblclick();
  await card.getByTestId('card-editor').fill('Is it quiet at night, under 38 dB?');

  // Ana deletes it while Bob types.
  const anaCell = await cell(ana, 'Consideration', 'Thoughts');
  const gone = cardIn(anaCell, 'Is it quiet?');
  await gone.hover();
  await gone.getByTestId('card-delete').click();

  const dialog = bob.getByTestId('rescue-dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /deleted while you were writing/);
  assert.equal(await bob.getByTestId('rescue-mine').innerText(), 'Is it quiet at night, under 38 dB?');
  noIds(await dialog.innerText());
  assert.equal(await bob.getByTestId('toast').count(), 0, 'no error toast');
  await shot(bob, 'rescue-deleted');
  await bob.getByTestId('rescue-recreate').click();
  await dialog.waitFor({ state: 'detached' });

  // Back in its cell, before the card that followed it, for both.
  for (const c of [bobCell, anaCell]) {
    await cardIn(c, 'under 38 dB').waitFor();
    assert.deepEqual((await c.getByTestId('card-text').allInnerTexts()).map((t) => t.trim()),
      ['Is it quiet at night, under 38 dB?', 'Will it fit?']);
  }
  await stored(id, 'the card put back', (b) => Object.values(b.cards).some((c) => c.text === 'Is it quiet at night, under 38 dB?'));
  assert.deepEqual(ana.errors, []);
  assert.deepEqual(bob.errors, []);
  await ana.context().close();
  await bob.context().close();
});

test('two people editing one card: the later saver sees both texts and combines them', async () => {
  const ana = await newPage(browser);
  const bob = await newPage(browser, { as: 'Bob' });
  await openBoard(ana, id);
  await openBoard(bob, id);
  await addCard(ana, 'Decision', 'Pains', 'Price');
  const anaCard = cardIn(await cell(ana, 'Decision', 'Pains'), 'Price');
  const bobCard = cardIn(await cell(bob, 'Decision', 'Pains'), 'Price');
  const cardId = await anaCard.getAttribute('data-card');
  // By id: while Bob edits it, its text is in a field.
  const bobById = bob.locator(`[data-card="${cardId}"]`);
  await bobCard.waitFor();

  // Both open the editor; Ana saves first.
  await bobCard.dblclick();
  await bob.getByTestId('card-editor').fill('Price is higher than online');
  await anaCard.dblclick();
  await ana.getByTestId('card-editor').fill('Price: no discount for old fridge');
  await bobById.getByText('Owner is editing').waitFor();
  await ana.getByTestId('card-editor').press('Enter');
  await stored(id, "Ana's text stored", (b) => b.cards[cardId]?.text === 'Price: no discount for old fridge');
  // Bob's browser has her save once her "is editing" mark is gone (her
  // presence comes after her batch). Saving before that is a race the
  // server settles last-writer-wins.
  await bobById.getByText('Owner is editing').waitFor({ state: 'detached' });

  // Bob saves: nothing is sent; he chooses.
  await bob.getByTestId('card-editor').press('Enter');
  const dialog = bob.getByTestId('rescue-dialog');
  await dialog.waitFor();
  assert.equal(await bob.getByTestId('rescue-theirs').innerText(), 'Price: no discount for old fridge');
  assert.equal(await bob.getByTestId('rescue-mine').innerText(), 'Price is higher than online');
  await shot(bob, 'rescue-conflict');
  assert.equal((await boardJson(id)).cards[cardId].text, 'Price: no discount for old fridge', 'nothing sent yet');
  await bob.getByTestId('rescue-combine').click();
  const combined = bob.getByTestId('rescue-combined');
  assert.equal(await combined.inputValue(), 'Price: no discount for old fridge\n\nPrice is higher than online');
  await combined.fill('Price: higher than online, and no discount for the old fridge');
  await bob.getByTestId('rescue-save-combined').click();
  await dialog.waitFor({ state: 'detached' });
  await stored(id, 'the combined text', (b) => b.cards[cardId]?.text === 'Price: higher than online, and no discount for the old fridge');
  await cardIn(await cell(ana, 'Decision', 'Pains'), 'and no discount').waitFor();

  // Keep theirs: nothing sent, the editor gone, their text stays.
  await anaCard.dblclick();
  await ana.getByTestId('card-editor').fill('Ana again');
  await bobCard.dblclick();
  await bob.getByTestId('card-editor').fill('Bob again');
  await bobById.getByText('Owner is editing').waitFor();
  await ana.getByTestId('card-editor').press('Enter');
  await stored(id, "Ana's second text", (b) => b.cards[cardId]?.text === 'Ana again');
  await bobById.getByText('Owner is editing').waitFor({ state: 'detached' });
  await bob.getByTestId('card-editor').press('Enter');
  await bob.getByTestId('rescue-keep-theirs').click();
  await dialog.waitFor({ state: 'detached' });
  await bob.waitForTimeout(300);
  assert.equal((await boardJson(id)).cards[cardId].text, 'Ana again');
  assert.deepEqual(ana.errors, []);
  assert.deepEqual(bob.errors, []);
  await ana.context().close();
  await bob.context().close();
});

test('a refused edit is explained in the reader language, with no ids', async () => {
  const bob = await newPage(browser, { as: 'Bob', lang: 'ru' });
  await openBoard(bob, id);
  const c = await cell(bob, 'Decision', 'Pains');
  const card = c.getByTestId('card').first();
  await card.dblclick();
  await bob.getByTestId('card-editor').fill('x'.repeat(5001));
  await bob.getByTestId('card-editor').press('Enter');
  const toast = bob.getByTestId('toast');
  await toast.waitFor();
  const text = await toast.innerText();
  assert.match(text, /Изменение не сохранено: Слишком длинный текст/);
  noIds(text);
  assert.deepEqual(bob.errors, []);
  await bob.context().close();
});
