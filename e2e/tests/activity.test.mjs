// The activity feed and "changes since my last visit" in real browsers:
// another editor (Olga) adds two cards and edits one while the owner
// looks; the owner's Activity panel lists her batches with her name,
// narrows by person and by stage, and speaks Russian in a Russian UI.
// Then the owner leaves, Olga adds a card, and on the owner's return a
// toast counts the change and the new card glows (`since-visit`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, launch, newPage, createBoard, openBoard, share, addCard, cell, shot, until, stored, waitClass, hasClass,
} from './helpers.mjs';

let browser;
let id;
before(async () => {
  browser = await launch();
  id = await createBoard('Activity', 'classic');
  await share(id, 'Olga', 'editor');
});
after(async () => { await browser?.close(); });

async function openActivity(page) {
  await page.getByTestId('board-menu').click();
  await page.getByTestId('activity-open').click();
  await page.getByTestId('activity-panel').waitFor();
}

const texts = (page) => page.getByTestId('activity-text').allInnerTexts();

test('the feed, its filters, Russian, and the changes since the last visit', async () => {
  const owner = await newPage(browser);
  const olga = await newPage(browser, { as: 'Olga' });
  await openBoard(owner, id);
  await openBoard(olga, id);

  await addCard(owner, 'Purchase', 'Actions', 'Pays at the till');
  await addCard(olga, 'Awareness', 'Actions', 'Sees a TV ad');
  await addCard(olga, 'Consideration', 'Thoughts', 'Is it worth it?');
  const c = await cell(olga, 'Awareness', 'Actions');
  const card = c.getByTestId('card').filter({ hasText: 'Sees a TV ad' });
  const cardId = await card.getAttribute('data-card');
  const edited = olga.locator(`[data-card="${cardId}"]`);
  await edited.dblclick();
  await edited.getByTestId('card-editor').fill('Sees a TV ad twice');
  await edited.getByTestId('card-editor').press('Enter');
  await stored(id, 'three cards, one edited', (b) => {
    const t = Object.values(b.cards).map((x) => x.text).sort().join('|');
    return t === 'Is it worth it?|Pays at the till|Sees a TV ad twice';
  });

  // The feed, newest first, with names.
  await openActivity(owner);
  const lines = await until(() => texts(owner), 'four batches in the feed', (t) => t.length >= 4);
  assert.match(lines[0], /^Olga edited 1 card/);
  assert.match(lines[1], /^Olga added 1 card to Consideration/);
  assert.match(lines[2], /^Olga added 1 card to Awareness/);
  assert.match(lines[3], /^Owner added 1 card to Purchase/);
  assert.equal(await owner.getByTestId('activity-more').count(), 0);
  await owner.getByTestId('activity-item').first().locator('time').filter({ hasText: /just now|min ago/ }).waitFor();

  // By person: only Olga's batches; by stage: only what touched it.
  await owner.getByTestId('activity-person').selectOption({ label: 'Olga' });
  await until(() => texts(owner), 'only Olga', (t) => t.length === 3 && t.every((x) => x.startsWith('Olga')));
  await owner.getByTestId('activity-person').selectOption('');
  await owner.getByTestId('activity-stage').selectOption({ label: 'Purchase' });
  await until(() => texts(owner), 'only Purchase', (t) => t.length === 1 && /Owner added 1 card to Purchase/.test(t[0]));
  await owner.getByTestId('activity-stage').selectOption({ label: 'Awareness' });
  await until(() => texts(owner), 'only Awareness', (t) => t.length === 2 && t.every((x) => x.startsWith('Olga')));
  await owner.getByTestId('activity-stage').selectOption('');
  // A date in the future leaves nothing.
  await owner.getByTestId('activity-since').fill('2999-01-01');
  await owner.getByTestId('activity-empty').waitFor();
  await owner.getByTestId('activity-since').fill('');
  await until(() => texts(owner), 'all four again', (t) => t.length >= 4);

  // Live: Olga's next edit appears without reopening the panel.
  await addCard(olga, 'Decision', 'Actions', 'Orders online');
  await until(() => texts(owner), 'the live batch', (t) => /^Olga added 1 card to Decision/.test(t[0]));
  await owner.getByTestId('activity-since').blur();
  await shot(owner, 'activity-panel');
  await owner.setViewportSize({ width: 390, height: 844 });
  await shot(owner, 'activity-panel-phone');
  await owner.setViewportSize({ width: 1280, height: 720 });

  // In Russian, the sentences are Russian: the open list follows the
  // switch. (An editor's top bar is wider than the window, so the switch
  // is clicked through its event rather than with the mouse.)
  await owner.getByTestId('lang-ru').dispatchEvent('click');
  await until(() => texts(owner), 'Russian feed', (t) => /^Olga: добавил\(а\) 1 карточку в «Decision»/.test(t[0]));
  assert.match((await texts(owner)).join('\n'), /Owner: добавил\(а\) 1 карточку в «Purchase»/);
  await owner.getByTestId('lang-en').dispatchEvent('click');

  // Leaving stores the seq seen (not at load: it was not stored before).
  await owner.goto(`${BASE}/`);
  const seen = await until(() => owner.evaluate((k) => localStorage.getItem(k), `cjm.lastSeen.${id}`), 'lastSeen stored');
  assert.ok(Number(seen) >= 5, `lastSeen ${seen}`);

  await addCard(olga, 'Usage', 'Actions', 'Calls support');
  await stored(id, 'the card made while away', (b) => Object.values(b.cards).some((x) => x.text === 'Calls support'));

  await openBoard(owner, id);
  const toast = owner.getByTestId('since-visit-toast');
  await toast.waitFor();
  assert.match(await toast.innerText(), /1 change since your last visit/);
  const fresh = (await cell(owner, 'Usage', 'Actions')).getByTestId('card').filter({ hasText: 'Calls support' });
  await waitClass(fresh, 'since-visit', true, 'the new card glows');
  const old = (await cell(owner, 'Purchase', 'Actions')).getByTestId('card').filter({ hasText: 'Pays at the till' });
  assert.equal(await hasClass(old, 'since-visit'), false);
  await owner.getByTestId('since-visit-history').click();
  await owner.getByTestId('activity-panel').waitFor();
  await until(() => texts(owner), 'the change in the feed', (t) => /^Olga added 1 card to Usage/.test(t[0]));

  assert.deepEqual(owner.errors, []);
  assert.deepEqual(olga.errors, []);
});
