// The board on a phone (390 × 844): stages stacked, cards full width and
// readable, personas and their emotions visible, nothing scrolls sideways;
// an editor taps a card to edit it (a laptop sees it live, the server
// stores it) and adds one; a viewer gets no edit controls; Russian labels.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, createBoard, openBoard, boardJson, share, shot, stored, until, waitCount, addCard,
} from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
const ordered = (o) => Object.values(o).sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// The first card (in order) of a stage, in a lane that is not the emotions one.
function firstCardOf(board, stageId) {
  const lanes = ordered(board.lanes).filter((l) => l.kind !== 'emotions');
  for (const lane of lanes) {
    const cards = ordered(Object.values(board.cards).filter((c) => c.stage_id === stageId && c.lane_id === lane.id));
    if (cards.length) return cards[0];
  }
  return null;
}

test('a phone gets stacked stages, readable cards, personas and emotions; an editor edits live', async () => {
  const id = await createBoard('Fridge on a phone', 'fridge_example');
  const board = await boardJson(id);
  const stages = ordered(board.stages);
  const personas = ordered(board.personas);
  assert.ok(personas.length >= 1 && board.emotions.length >= 2, 'the example has personas with emotion points');
  const withCards = stages.filter((s) => firstCardOf(board, s.id));
  assert.ok(withCards.length >= 2, 'cards in two stages at least');

  const laptop = await newPage(browser);
  const phone = await newPage(browser, PHONE);
  await openBoard(laptop, id);
  await openBoard(phone, id);

  // The phone view, not the grid.
  await phone.getByTestId('phone-view').waitFor();
  assert.equal(await phone.getByTestId('board-scroll').count(), 0, 'no grid on a phone');
  const sections = phone.getByTestId('phone-stage');
  await waitCount(sections, stages.length, 'a section per stage');
  const names = await phone.getByTestId('phone-stage-name').allInnerTexts();
  assert.deepEqual(names.map((n) => n.replace(/^\d+\.\s*/, '')), stages.map((s) => s.name), 'stages in order');

  // Stacked: each section under the one before, all inside 390 px.
  let prev = null;
  for (let i = 0; i < stages.length; i++) {
    const box = await sections.nth(i).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `stage ${i} fits: ${JSON.stringify(box)}`);
    if (prev) assert.ok(box.y >= prev.y + prev.height - 1, `stage ${i} is below stage ${i - 1}`);
    prev = box;
  }

  // Cards are full-width notes.
  const cards = phone.getByTestId('card');
  assert.equal(await cards.count(), Object.keys(board.cards).length, 'every card is shown');
  for (let i = 0; i < 5; i++) {
    const box = await cards.nth(i).boundingBox();
    assert.ok(box.width >= 300 && box.x >= 0 && box.x + box.width <= 390, `card ${i} is readable: ${JSON.stringify(box)}`);
  }
  const font = await cards.first().getByTestId('card-text').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(font >= 14, `card text ${font}px`);

  // The page never scrolls sideways.
  const widths = await phone.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
  assert.ok(widths.doc <= 390 && widths.body <= 390, `page width ${JSON.stringify(widths)}`);

  // Personas and the curve; each stage lists the personas' scores there.
  const shown = await phone.getByTestId('phone-persona').allInnerTexts();
  assert.deepEqual(shown.map((s) => s.trim()), personas.map((p) => p.name), 'the personas, in order');
  assert.ok(await phone.getByTestId('phone-curve').isVisible(), 'the emotion curve');
  const point = board.emotions.find((e) => e.curve === 'as_is');
  const pStage = stages.findIndex((s) => s.id === point.stage_id);
  const emo = sections.nth(pStage).getByTestId('phone-emotion').filter({ hasText: board.personas[point.persona_id].name });
  const score = point.score > 0 ? `+${point.score}` : point.score < 0 ? `\u2212${-point.score}` : '0';
  assert.match(await emo.getByTestId('phone-score-as-is').textContent(), new RegExp(`^As is ${score.replace('+', '\\+')}$`), 'the as-is score at that stage');
  // Metrics, where the stage has some.
  const metricStage = stages.findIndex((s) => s.metrics?.length);
  if (metricStage >= 0) {
    await waitCount(sections.nth(metricStage).getByTestId('phone-metric'), stages[metricStage].metrics.length, 'the metrics');
  }
  await shot(phone, 'phone-board-top');

  // The top bar's controls stay reachable.
  for (const tid of ['status', 'lang-ru', 'board-menu', 'home-link']) {
    const box = await phone.getByTestId(tid).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${tid} inside the window`);
  }

  // Edit a card of the second stage with cards.
  const target = firstCardOf(board, withCards[1].id);
  const card = phone.locator(`[data-testid=card][data-card="${target.id}"]`);
  await card.scrollIntoViewIfNeeded();
  const edit = card.getByTestId('phone-card-edit');
  const eb = await edit.boundingBox();
  assert.ok(eb.height >= 40 && eb.width >= 40, `the Edit button is touch-sized: ${JSON.stringify(eb)}`);
  // Cancel leaves the text as it was.
  await edit.click();
  await card.getByTestId('phone-card-editor').fill('Not kept');
  await card.getByTestId('phone-card-cancel').click();
  await waitCount(card.getByTestId('phone-card-editor'), 0, 'the editor closes');
  assert.equal(await card.getByTestId('card-text').innerText(), target.text);
  // A tap on the text opens the editor too.
  await card.getByTestId('card-text').click();
  const editor = card.getByTestId('phone-card-editor');
  await editor.waitFor();
  assert.equal(await editor.inputValue(), target.text);
  // Focused with the caret at the end, nothing selected (a key must not wipe the text).
  await until(() => editor.evaluate((el) => document.activeElement === el && el.selectionStart === el.value.length
    && el.selectionEnd === el.value.length), 'the caret at the end of the text');
  const sb = await card.getByTestId('phone-card-save').boundingBox();
  assert.ok(sb.height >= 40, `Save is touch-sized: ${sb.height}`);
  const NEW = 'Edited on a phone: <b>not bold</b>';
  await editor.fill(NEW);
  await shot(phone, 'phone-editing');
  await card.getByTestId('phone-card-save').click();
  await until(() => card.getByTestId('card-text').innerText(), 'the phone shows the new text', (t) => t === NEW);
  const lapCard = laptop.locator(`[data-testid=card][data-card="${target.id}"]`);
  await until(() => lapCard.getByTestId('card-text').innerText(), 'the laptop sees it live', (t) => t === NEW);
  await stored(id, 'the server stored the text', (b) => b.cards[target.id].text === NEW);
  assert.equal(await card.locator('b').count(), 0, 'text, never HTML');

  // The laptop edits; the phone follows without a reload.
  await lapCard.scrollIntoViewIfNeeded();
  await lapCard.dblclick();
  const lapEditor = lapCard.getByTestId('card-editor');
  await lapEditor.fill('Changed on the laptop');
  await lapEditor.press('Enter');
  await until(() => card.getByTestId('card-text').innerText(), 'the phone follows live', (t) => t === 'Changed on the laptop');

  // Add a card from the phone.
  const first = sections.first();
  await first.getByTestId('phone-add-card').click();
  const lanes = ordered(board.lanes).filter((l) => l.kind !== 'emotions');
  const lane = lanes[1];
  await first.getByTestId('phone-new-lane').selectOption(lane.id);
  await first.getByTestId('phone-new-text').fill('Added on a phone');
  await first.getByTestId('phone-new-save').click();
  const added = await stored(id, 'the new card stored', (b) => Object.values(b.cards).some((c) => c.text === 'Added on a phone'));
  const made = Object.values(added.cards).find((c) => c.text === 'Added on a phone');
  assert.equal(made.stage_id, stages[0].id);
  assert.equal(made.lane_id, lane.id);
  await first.getByTestId('card').filter({ hasText: 'Added on a phone' }).waitFor();
  await laptop.locator(`[data-testid=card][data-card="${made.id}"]`).waitFor();

  // The side panels still open on a phone (here: the card's details).
  await card.getByTestId('card-details').click();
  await phone.getByTestId('drawer').waitFor();
  await shot(phone, 'phone-drawer');
  await phone.getByTestId('drawer-close').click();
  await waitCount(phone.getByTestId('drawer'), 0, 'the drawer closes');

  // Turned sideways (wider than the breakpoint): the grid; and back.
  await phone.setViewportSize({ width: 900, height: 390 });
  await phone.getByTestId('board-scroll').waitFor();
  assert.equal(await phone.getByTestId('phone-view').count(), 0);
  await phone.setViewportSize(PHONE);
  await phone.getByTestId('phone-view').waitFor();
  await sections.last().scrollIntoViewIfNeeded();
  await shot(phone, 'phone-board-bottom');

  assert.deepEqual(phone.errors, []);
  assert.deepEqual(laptop.errors, []);
  await Promise.all([phone, laptop].map((p) => p.context().close()));
});

test('a viewer on a phone reads the board but gets no edit controls', async () => {
  const id = await createBoard('Viewed on a phone', 'fridge_example');
  await share(id, 'Vera', 'viewer');
  const phone = await newPage(browser, { ...PHONE, as: 'Vera' });
  await openBoard(phone, id);
  await phone.getByTestId('phone-view').waitFor();
  await phone.getByTestId('view-only').waitFor();
  assert.ok(await phone.getByTestId('card').count() > 0, 'cards shown');
  for (const control of ['phone-card-edit', 'phone-add-card', 'phone-card-editor']) {
    assert.equal(await phone.getByTestId(control).count(), 0, `${control} absent for a viewer`);
  }
  await phone.getByTestId('card').first().getByTestId('card-text').click();
  assert.equal(await phone.getByTestId('phone-card-editor').count(), 0, 'a tap opens no editor');
  const w = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 390, `page width ${w}`);
  await shot(phone, 'phone-viewer');
  assert.deepEqual(phone.errors, []);
  await phone.context().close();
});

test('in Russian: labels, empty stages, and a laptop edit appears live', async () => {
  const id = await createBoard('Карта на телефоне', 'classic', 'ru');
  const board = await boardJson(id);
  const stages = ordered(board.stages);
  const phone = await newPage(browser, { ...PHONE, lang: 'ru' });
  await openBoard(phone, id);
  await phone.getByTestId('phone-view').waitFor();
  const empty = phone.getByTestId('phone-stage-empty');
  await waitCount(empty, stages.length, 'every stage is empty');
  assert.equal((await empty.first().innerText()).trim(), 'На этом этапе пока нет карточек.');
  assert.match(await phone.getByTestId('phone-add-card').first().innerText(), /Добавить карточку/);

  const laptop = await newPage(browser, { lang: 'ru' });
  await openBoard(laptop, id);
  const lane = ordered(board.lanes).find((l) => l.kind !== 'emotions');
  await addCard(laptop, stages[1].name, lane.name, 'Сравнивает цены');
  const section = phone.getByTestId('phone-stage').nth(1);
  await section.getByTestId('card').filter({ hasText: 'Сравнивает цены' }).waitFor();
  await waitCount(empty, stages.length - 1, 'the stage is no longer empty');
  assert.match(await section.getByTestId('phone-lane').innerText(), new RegExp(lane.name));
  const edit = section.getByTestId('phone-card-edit');
  assert.equal((await edit.innerText()).trim(), 'Редактировать');
  await edit.click();
  assert.equal((await section.getByTestId('phone-card-save').innerText()).trim(), 'Сохранить');
  assert.equal((await section.getByTestId('phone-card-cancel').innerText()).trim(), 'Отмена');
  await shot(phone, 'phone-ru');
  await section.getByTestId('phone-card-cancel').click();
  assert.deepEqual(phone.errors, []);
  assert.deepEqual(laptop.errors, []);
  await Promise.all([phone, laptop].map((p) => p.context().close()));
});
