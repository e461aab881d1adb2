// Named versions in real browsers: the owner saves a version, edits the
// map, compares the version with the board now (the summary in words and
// the added, edited and moved cards outlined on the live board), and
// restores it after a confirmation: the added card disappears for the
// owner and for another editor without a reload, and the list shows the
// automatic "Before restoring" version. A viewer sees the list and may
// compare, but has no Save or Restore.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, launch, newPage, createBoard, openBoard, share, addCard, cell, shot, until, stored, waitClass,
} from './helpers.mjs';

const NAME = 'Before the workshop';

let browser;
let id;
before(async () => {
  browser = await launch();
  id = await createBoard('Versions', 'classic');
  await share(id, 'Edna', 'editor');
  await share(id, 'Vic', 'viewer');
});
after(async () => { await browser?.close(); });

async function openVersions(page) {
  await page.getByTestId('board-menu').click();
  await page.getByTestId('versions-open').click();
  await page.getByTestId('versions-panel').waitFor();
}

const cardIn = (c, text) => c.getByTestId('card').filter({ hasText: text });

test('save, compare, restore for editors; look and compare for viewers', async () => {
  const owner = await newPage(browser);
  await openBoard(owner, id);
  await addCard(owner, 'Awareness', 'Actions', 'Sees a TV ad');
  await addCard(owner, 'Awareness', 'Actions', 'Asks a friend');
  await stored(id, 'two cards stored', (b) => Object.keys(b.cards).length === 2);

  // Save a version through the panel; the list shows it.
  await openVersions(owner);
  await owner.getByTestId('version-name').fill(NAME);
  await owner.getByTestId('version-note').fill('As the team drew it on Monday');
  await owner.getByTestId('version-save').click();
  const items = owner.getByTestId('version-item');
  await items.filter({ hasText: NAME }).waitFor();
  assert.match(await items.first().innerText(), /As the team drew it on Monday/);
  assert.match(await items.first().innerText(), /Owner/);
  await owner.getByTestId('drawer-close').click();

  // Edit: one card added, one edited, one deleted.
  const actions = await cell(owner, 'Awareness', 'Actions');
  await addCard(owner, 'Awareness', 'Actions', 'Brand new idea');
  // By id: while it is edited, the card's text is in a field.
  const editedId = await cardIn(actions, 'Sees a TV ad').getAttribute('data-card');
  const edited = owner.locator(`[data-card="${editedId}"]`);
  await edited.dblclick();
  await edited.getByTestId('card-editor').fill('Sees a TV ad twice');
  await edited.getByTestId('card-editor').press('Enter');
  const gone = cardIn(actions, 'Asks a friend');
  await gone.hover();
  await gone.getByTestId('card-delete').click();
  await gone.waitFor({ state: 'detached' });
  await stored(id, 'the edits stored', (b) => {
    const texts = Object.values(b.cards).map((c) => c.text).sort();
    return texts.join('|') === 'Brand new idea|Sees a TV ad twice';
  });

  // Compare with now: the summary in words, the cards outlined.
  await openVersions(owner);
  await items.filter({ hasText: NAME }).getByTestId('version-compare').click();
  const summary = owner.getByTestId('compare-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /1 card added, 1 removed, 1 edited/);
  assert.match(await owner.getByTestId('compare-added').innerText(), /Brand new idea/);
  assert.match(await owner.getByTestId('compare-removed').innerText(), /Asks a friend/);
  assert.match(await owner.getByTestId('compare-edited').innerText(), /Sees a TV ad twice/);
  const added = cardIn(actions, 'Brand new idea');
  await waitClass(added, 'diff-added', true, 'the added card outlined');
  await waitClass(cardIn(actions, 'twice'), 'diff-edited', true, 'the edited card outlined');
  await shot(owner, 'versions-compare');
  await owner.getByTestId('compare-stop').click();
  await waitClass(added, 'diff-added', false, 'the outline gone after Stop comparing');
  await owner.getByTestId('compare-summary').waitFor({ state: 'detached' });

  // Open: the version is the board as it was, read-only, on its own page.
  await items.filter({ hasText: NAME }).getByTestId('version-open').click();
  await owner.waitForURL(/\/b\/[^/]+\/versions\/[^/]+$/);
  const tag = owner.getByTestId('version-tag');
  await tag.waitFor();
  assert.match(await tag.innerText(), new RegExp(`^Version “${NAME}”, saved .+ · Owner$`));
  const then = await cell(owner, 'Awareness', 'Actions');
  await cardIn(then, 'Asks a friend').waitFor();
  assert.deepEqual((await then.getByTestId('card-text').allInnerTexts()).map((t) => t.trim()).sort(),
    ['Asks a friend', 'Sees a TV ad']);
  // Nothing on it can be changed, and nothing live is offered.
  assert.equal(await owner.getByTestId('add-card').first().isVisible(), false);
  assert.equal(await owner.getByTestId('board-menu').count(), 0);
  assert.equal(await owner.getByTestId('status').count(), 0);
  await cardIn(then, 'Asks a friend').dblclick();
  assert.equal(await owner.getByTestId('card-editor').count(), 0);
  assert.match(await owner.getByTestId('version-pdf').getAttribute('href'), /\/versions\/[^/]+\/export\?format=pdf&lang=en$/);
  await shot(owner, 'versions-open');
  // Back to the live board: the edits are there.
  await owner.getByTestId('version-back').click();
  await owner.waitForURL(new RegExp(`/b/${id}$`));
  await cardIn(actions, 'Brand new idea').waitFor();
  await openVersions(owner);
  // A version that does not exist says so.
  const lost = await newPage(browser);
  await lost.goto(`${BASE}/b/${id}/versions/00000000-0000-0000-0000-000000000000`);
  await lost.getByTestId('missing').filter({ hasText: 'This version is not here' }).waitFor();
  await lost.context().close();

  // Another editor has the board open while the owner restores.
  const edna = await newPage(browser, { as: 'Edna' });
  await openBoard(edna, id);
  const ednaActions = await cell(edna, 'Awareness', 'Actions');
  await cardIn(ednaActions, 'Brand new idea').waitFor();

  await items.filter({ hasText: NAME }).getByTestId('version-restore').click();
  const dialog = owner.getByTestId('version-restore-dialog');
  assert.match(await dialog.innerText(), /Restore the map to “Before the workshop”\? The current map is saved as a version first\./);
  await owner.getByTestId('version-restore-confirm').click();
  await dialog.waitFor({ state: 'detached' });
  const toast = owner.getByTestId('toast').filter({ hasText: 'Restored “Before the workshop”. The map before it was saved as a version.' });
  await toast.waitFor();
  // The map comes back over the websocket, in both browsers, no reload.
  for (const c of [actions, ednaActions]) {
    await cardIn(c, 'Brand new idea').waitFor({ state: 'detached' });
    await cardIn(c, 'Asks a friend').waitFor();
    await cardIn(c, 'Sees a TV ad').filter({ hasNotText: 'twice' }).waitFor();
  }
  const auto = items.filter({ hasText: `Before restoring “${NAME}”` });
  await auto.waitFor();
  assert.equal(await auto.getByTestId('version-auto').count(), 1);
  assert.equal(await items.count(), 2);
  await shot(owner, 'versions-panel');
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(edna.errors, []);
  await edna.context().close();

  // A viewer (on a phone) sees the list and may compare, nothing more.
  const vic = await newPage(browser, { as: 'Vic', width: 390, height: 844 });
  await openBoard(vic, id);
  await openVersions(vic);
  const vicItems = vic.getByTestId('version-item');
  await until(() => vicItems.count(), 'the viewer sees both versions', (n) => n === 2);
  assert.equal(await vic.getByTestId('version-name').count(), 0);
  assert.equal(await vic.getByTestId('version-save').count(), 0);
  assert.equal(await vic.getByTestId('version-restore').count(), 0);
  // Compared with the automatic version (the map with the new card), the
  // restored board lacks the new card and has the deleted one back.
  await vicItems.filter({ hasText: 'Before restoring' }).getByTestId('version-compare').click();
  await vic.getByTestId('compare-summary').waitFor();
  assert.match(await vic.getByTestId('compare-summary').innerText(), /1 card added, 1 removed, 1 edited/);
  assert.match(await vic.getByTestId('compare-removed').innerText(), /Brand new idea/);
  await shot(vic, 'versions-panel-phone');
  // The summary follows the reader's language.
  await vic.getByTestId('drawer-close').click();
  await vic.getByTestId('lang-ru').click();
  await openVersions(vic);
  // The automatic version's name is in Russian too.
  await vicItems.filter({ hasText: `Перед восстановлением «${NAME}»` }).getByTestId('version-compare').click();
  await until(() => vic.getByTestId('compare-summary').innerText(), 'the summary in Russian',
    (t) => /Карточки: добавлено 1, удалено 1, изменено 1/.test(t));
  assert.match(await vic.getByTestId('version-auto').first().innerText(), /авто/);
  assert.deepEqual(vic.errors, []);
  await vic.context().close();
  await owner.context().close();
});
