// Big maps stay readable: Fit by width with a readable minimum and a
// centred grid, long cards clamped with "Show more", the health table's
// columns in words, the emotion axis sticky while scrolling sideways, an
// opportunity's pains outlined on hover or focus, and empty lanes saying
// what goes in them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, launch, newPage, createBoard, boardJson, openBoard, cell, share, shot, until, waitClass, stored,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const WAIT = 5000;

async function finish(...pages) {
  for (const p of pages) assert.deepEqual(p.errors, [], 'no uncaught page errors');
  for (const p of pages) await p.context().close();
}

/// Sends each batch over a websocket of the page's own session and waits
/// for every answer ("applied" or the refusal code).
async function sendBatches(page, id, batches) {
  const answers = await page.evaluate(async ({ boardId, batches }) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/boards/${boardId}/ws`);
    const got = new Map();
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'applied') got.set(m.client_op_id, 'applied');
      if (m.type === 'rejected') got.set(m.client_op_id, m.code);
    };
    await new Promise((r) => { ws.onopen = r; });
    ws.send(JSON.stringify({ type: 'hello', protocol: 1 }));
    const ids = batches.map(() => crypto.randomUUID());
    batches.forEach((ops, i) => ws.send(JSON.stringify({ type: 'submit', client_op_id: ids[i], ops })));
    for (let i = 0; i < 100 && got.size < ids.length; i++) await new Promise((r) => setTimeout(r, 100));
    ws.close();
    return ids.map((i) => got.get(i) ?? 'no answer');
  }, { boardId: id, batches });
  assert.deepEqual(answers, batches.map(() => 'applied'));
}

/// Order keys after any a template uses: one byte from 0xa0 up, then the
/// 0x80 terminator (see cjm-core order.rs).
const keyAfter = (i) => `${(0xa0 + i).toString(16)}80`;

/// A board with exactly `n` stages (the classic template's, plus or minus).
async function boardWithStages(page, title, n) {
  const id = await createBoard(title);
  await page.goto(`${BASE}/`);
  const b = await boardJson(id);
  const have = Object.values(b.stages);
  const ops = [];
  have.slice(n).forEach((s) => ops.push({ op: 'delete_stage', id: s.id }));
  for (let i = have.length; i < n; i++) {
    ops.push({ op: 'create_stage', id: crypto.randomUUID(), name: `Step ${i + 1}`, description: '', order: keyAfter(i) });
  }
  if (ops.length) await sendBatches(page, id, [ops]);
  await stored(id, `${n} stages`, (s) => Object.keys(s.stages).length === n);
  return id;
}

const zoomPct = (page) => page.getByTestId('zoom-reset').innerText().then((t) => Number(t.replace(/[^0-9]/g, '')));
const gridZoom = (page) => page.locator('.grid').evaluate((el) => Number(getComputedStyle(el).zoom));

/// The grid's gaps to the visible area's left and right edges.
const gaps = (page) => page.evaluate(() => {
  const s = document.querySelector('.board-scroll');
  const sr = s.getBoundingClientRect();
  const g = document.querySelector('.grid').getBoundingClientRect();
  const left = sr.left + s.clientLeft;
  return { left: g.left - left, right: left + s.clientWidth - g.right, gw: g.width, sw: s.clientWidth };
});

test('Fit zooms a 40-stage map by width, never below 60 %, first stage in view', async () => {
  const page = await newPage(browser, { width: 1280, height: 720 });
  const id = await boardWithStages(page, 'Forty stages', 40);
  await openBoard(page, id);
  await until(() => page.getByTestId('stage-header').count(), '40 stage headers', (n) => n === 40);
  const scroller = page.getByTestId('board-scroll');
  await scroller.evaluate((el) => { el.scrollLeft = 3000; el.scrollTop = 200; });
  await page.getByTestId('zoom-fit').click();
  await until(() => gridZoom(page), 'zoom applied', (z) => z < 1);
  await page.waitForTimeout(300); // the fit measures again on the next frames
  const pct = await zoomPct(page);
  assert.ok(pct >= 60 && pct <= 100, `fit zoom ${pct} %`);
  assert.equal(await gridZoom(page), pct / 100);
  const view = await scroller.boundingBox();
  const first = await page.getByTestId('stage-header').first().boundingBox();
  assert.ok(first.x >= view.x - 1 && first.x + first.width / 2 < view.x + view.width, 'first stage header in view');
  const lane = await page.getByTestId('lane-header').first().boundingBox();
  assert.ok(lane.x >= view.x - 1, 'lane headers in view');
  assert.equal(await scroller.evaluate((el) => el.scrollLeft), 0);
  await shot(page, 'big-fit-40');
  await finish(page);
});

test('a narrow map is centred on a wide screen, at 100 %, after Fit and zoomed out', async () => {
  const page = await newPage(browser, { width: 1920, height: 1000 });
  const id = await boardWithStages(page, 'Three stages', 3);
  await openBoard(page, id);
  await until(() => page.getByTestId('stage-header').count(), '3 stage headers', (n) => n === 3);
  const centred = (g) => g.gw < g.sw && g.left > 20 && Math.abs(g.left - g.right) <= 3;
  let g = await until(() => gaps(page), 'centred at 100 %', centred);
  assert.equal(await gridZoom(page), 1);
  await shot(page, 'big-centred-100');
  await page.getByTestId('zoom-fit').click();
  await page.waitForTimeout(300);
  assert.equal(await zoomPct(page), 100, 'a map that fits is not blown up');
  g = await until(() => gaps(page), 'centred after Fit', centred);
  await page.getByTestId('zoom-out').click();
  await until(() => gridZoom(page), 'zoomed out', (z) => z < 1);
  g = await until(() => gaps(page), 'centred at 80 %', centred);
  await shot(page, 'big-centred-80');
  assert.ok(g.left > 100);
  await finish(page);
});

test('a 2,000-character card is clamped with Show more / Show less; editing shows all of it', async () => {
  const page = await newPage(browser, { width: 1600, height: 1000 });
  const id = await createBoard('Long card');
  await openBoard(page, id);
  const b = await boardJson(id);
  const stage = Object.values(b.stages).sort((x, y) => (x.order < y.order ? -1 : 1))[0];
  const lane = Object.values(b.lanes).find((l) => l.kind === 'actions');
  const words = 'The customer reads every line of the contract twice before signing anything at all. ';
  const text = `${words.repeat(30).slice(0, 1993)} zebra!`;
  assert.equal(text.length, 2000);
  const cardId = crypto.randomUUID();
  await sendBatches(page, id, [[{ op: 'create_card', id: cardId, stage_id: stage.id, lane_id: lane.id,
    order: '80', text, color: 'yellow' }]]);
  // By id: while edited, the card's text is in a field, not its text nodes.
  const card = page.locator(`[data-card="${cardId}"]`);
  await card.waitFor();
  const body = card.getByTestId('card-text');
  const more = card.getByTestId('card-more');
  await waitClass(body, 'clamped', true, 'long text clamped');
  assert.equal((await body.textContent()).length, 2000, 'the whole text is in the DOM');
  assert.equal(await card.getAttribute('aria-label'), text);
  const clampedBox = await body.evaluate((el) => ({ h: el.clientHeight, sh: el.scrollHeight,
    line: parseFloat(getComputedStyle(el).lineHeight) || 20 }));
  assert.ok(clampedBox.h <= clampedBox.line * 8 + 4, `clamped to 8 lines: ${JSON.stringify(clampedBox)}`);
  assert.ok(clampedBox.sh > clampedBox.h * 2, 'more text than shown');
  assert.equal((await more.innerText()).trim(), 'Show more');
  assert.equal(await more.getAttribute('aria-expanded'), 'false');
  await shot(page, 'big-long-card-clamped');

  await more.click();
  await waitClass(body, 'clamped', false, 'expanded');
  assert.equal((await more.innerText()).trim(), 'Show less');
  assert.equal(await more.getAttribute('aria-expanded'), 'true');
  const open = await body.evaluate((el) => el.clientHeight);
  assert.ok(open > clampedBox.h * 3, `expanded height ${open}`);
  // The toggle did not start editing or select the card.
  assert.equal(await page.getByTestId('card-editor').count(), 0);
  await shot(page, 'big-long-card-expanded');
  // The keyboard presses the toggle too, without starting an edit.
  await more.focus();
  await page.keyboard.press('Enter');
  await waitClass(body, 'clamped', true, 'collapsed again');
  assert.equal(await page.getByTestId('card-editor').count(), 0);

  // A search for a word in the hidden part shows the whole text.
  await page.getByTestId('search').fill('zebra');
  await waitClass(card, 'match', true, 'the long card matches');
  await waitClass(body, 'clamped', false, 'a match shows the whole text');
  await page.getByTestId('search').fill('');
  await waitClass(body, 'clamped', true, 'clamped again after the search');

  // Editing shows the whole text, unclamped.
  await body.dblclick();
  const editor = card.getByTestId('card-editor');
  await editor.waitFor();
  assert.equal((await editor.inputValue()).length, 2000);
  const ed = await until(() => editor.evaluate((el) => ({ h: el.clientHeight, sh: el.scrollHeight })),
    'editor as tall as its text', (e) => e.sh <= e.h + 2 && e.h > clampedBox.h * 3);
  assert.ok(ed.h > 300);
  await shot(page, 'big-long-card-editing');
  await editor.press('Escape');
  await editor.waitFor({ state: 'detached' });

  // A short card has no toggle.
  await sendBatches(page, id, [[{ op: 'create_card', id: crypto.randomUUID(), stage_id: stage.id, lane_id: lane.id,
    order: '8180', text: 'Short one', color: 'yellow' }]]);
  const short = page.getByTestId('card').filter({ hasText: 'Short one' });
  await short.waitFor();
  assert.equal(await short.getByTestId('card-more').count(), 0);
  await finish(page);

  // In Russian.
  const ru = await newPage(browser, { lang: 'ru', width: 1600, height: 1000 });
  await openBoard(ru, id);
  const ruMore = ru.getByTestId('card').filter({ hasText: 'contract twice' }).getByTestId('card-more');
  await until(() => ruMore.innerText().then((t) => t.trim()), 'Ещё', (t) => t === 'Ещё');
  await ruMore.click();
  await until(() => ruMore.innerText().then((t) => t.trim()), 'Свернуть', (t) => t === 'Свернуть');
  await finish(ru);
});

test('the map-health table has column headers in words, EN and RU', async () => {
  const id = await createBoard('Health words', 'fridge_example');
  for (const [lang, want] of [
    ['en', ['Stage', 'Evidence', 'Dips', 'Pains, no opp.', 'No owner']],
    ['ru', ['Этап', 'Подтверждения', 'Провалы', 'Боли без решений', 'Без ответственного']],
  ]) {
    const page = await newPage(browser, { lang, width: 1400, height: 900 });
    await openBoard(page, id);
    await page.getByTestId('open-health').click();
    const heads = page.getByTestId('health-stages').locator('thead th');
    await heads.first().waitFor();
    // (Soft hyphens let long Russian words break.)
    const texts = (await heads.allInnerTexts()).map((t) => t.replace(/\u00ad/g, '').replace(/\s+/g, ' ').trim());
    assert.deepEqual(texts, want);
    // The words fit the panel: the table is no wider than it.
    const fit = await page.getByTestId('health-panel').evaluate((el) => {
      const t = el.querySelector('.health-table').getBoundingClientRect();
      const p = el.getBoundingClientRect();
      return { t: t.right, p: p.right, l: t.left - p.left };
    });
    assert.ok(fit.t <= fit.p + 1 && fit.l >= -1, `table inside the panel: ${JSON.stringify(fit)}`);
    await page.getByTestId('health-stages').scrollIntoViewIfNeeded();
    await shot(page, `big-health-${lang}`);
    await finish(page);
  }
});

test('the emotion axis stays in view while the map scrolls far right', async () => {
  const page = await newPage(browser, { width: 1000, height: 900 });
  const id = await boardWithStages(page, 'Wide emotions', 12);
  // A persona, so that the emotion lane draws its plot.
  await sendBatches(page, id, [[{ op: 'create_persona', id: crypto.randomUUID(), name: 'Igor', color: 'blue', order: '80' }]]);
  await openBoard(page, id);
  const labels = page.getByTestId('emotion-axis-label');
  await until(() => labels.count(), '5 axis labels', (n) => n === 5);
  assert.deepEqual((await labels.allInnerTexts()).map((t) => t.trim()), ['+2', '+1', '0', '-1', '-2']);
  const scroller = page.getByTestId('board-scroll');
  await page.getByTestId('emotion-plot').scrollIntoViewIfNeeded();
  await scroller.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
  await until(() => scroller.evaluate((el) => el.scrollLeft), 'scrolled right', (x) => x > 1500);
  const view = await scroller.boundingBox();
  const laneHeader = await page.getByTestId('lane-header').first().boundingBox();
  for (const box of await Promise.all((await labels.all()).map((l) => l.boundingBox()))) {
    assert.ok(box.x >= laneHeader.x + laneHeader.width - 1, `label right of the lane headers: ${JSON.stringify(box)}`);
    assert.ok(box.x + box.width <= view.x + view.width && box.x >= view.x, 'label inside the visible area');
  }
  await shot(page, 'big-emotion-axis-scrolled');
  await finish(page);
});

test('hovering or focusing an opportunity outlines the pains it addresses, and the other way round', async () => {
  const id = await createBoard('Links', 'fridge_example');
  const b = await boardJson(id);
  const opp = Object.values(b.cards).find((c) => c.opportunity?.addresses?.length);
  assert.ok(opp, 'the example has an opportunity linked to a pain');
  const painId = opp.opportunity.addresses[0];
  const page = await newPage(browser, { width: 1600, height: 1000 });
  await openBoard(page, id);
  const oppCard = page.locator(`[data-card="${opp.id}"]`);
  const pain = page.locator(`[data-card="${painId}"]`);
  await pain.waitFor();
  assert.equal(await hasLinked(pain), false);

  await oppCard.hover();
  await waitClass(pain, 'linked', true, 'pain outlined while its opportunity is hovered');
  assert.equal(await page.locator('.card.linked').count(), opp.opportunity.addresses.length);
  const outline = await pain.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.equal(outline, 'solid');
  await shot(page, 'big-links-hover');
  await page.mouse.move(5, 5);
  await waitClass(pain, 'linked', false, 'outline gone on leave');

  // From the pain: the opportunities that address it.
  await pain.hover();
  await waitClass(oppCard, 'linked', true, 'opportunity outlined while its pain is hovered');
  await shot(page, 'big-links-pain-hover');
  await page.mouse.move(5, 5);
  await waitClass(oppCard, 'linked', false, 'gone on leave');

  // The keyboard: focus and blur.
  await oppCard.focus();
  await waitClass(pain, 'linked', true, 'pain outlined while its opportunity has the focus');
  await oppCard.evaluate((el) => el.blur());
  await waitClass(pain, 'linked', false, 'gone on blur');
  assert.equal(await page.locator('.card.linked').count(), 0);
  await finish(page);
});

const hasLinked = (loc) => loc.evaluate((el) => el.classList.contains('linked'));

test('an empty lane says what goes in it until its first card; viewers see no prompt', async () => {
  const id = await createBoard('Prompts');
  const page = await newPage(browser, { width: 1600, height: 1000 });
  await openBoard(page, id);
  const b = await boardJson(id);
  const stage = Object.values(b.stages).sort((x, y) => (x.order < y.order ? -1 : 1))[0];
  const actions = Object.values(b.lanes).find((l) => l.kind === 'actions');
  const inLane = (laneId) => page.locator(`[data-cell][data-lane="${laneId}"] [data-testid="cell-prompt"]`);
  const stages = Object.keys(b.stages).length;
  await until(() => inLane(actions.id).count(), 'a prompt in each cell of the empty Actions lane', (n) => n === stages);
  assert.equal((await inLane(actions.id).first().innerText()).trim(), 'What does the customer do here?');
  // One prompt per kind, each different.
  const perLane = await page.locator('[data-testid="cell-prompt"]').allInnerTexts();
  const kinds = new Set(Object.values(b.lanes).filter((l) => l.kind !== 'emotions').map((l) => l.kind));
  assert.equal(new Set(perLane).size, kinds.size, 'a prompt per lane kind');
  const first = await cell(page, stage.name, actions.name);
  const prompt = first.getByTestId('cell-prompt');
  const muted = await prompt.evaluate((el) => getComputedStyle(el).color);
  const ink = await page.getByTestId('stage-header').first().evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(muted, ink, 'the prompt is muted');
  await shot(page, 'big-prompts');

  // The first card in the lane: its prompts go, other lanes keep theirs.
  await first.getByTestId('add-card').click();
  await first.getByTestId('card-draft').fill('Opens the site');
  await first.getByTestId('card-draft').press('Enter');
  await first.getByTestId('card').filter({ hasText: 'Opens the site' }).waitFor();
  await first.getByTestId('card-draft').press('Escape');
  await until(() => inLane(actions.id).count(), 'Actions prompts gone', (n) => n === 0);
  const otherLane = Object.values(b.lanes).find((l) => l.kind !== 'actions' && l.kind !== 'emotions');
  assert.equal(await inLane(otherLane.id).count(), stages);
  await finish(page);

  // Russian.
  const ru = await newPage(browser, { lang: 'ru', width: 1600, height: 1000 });
  await openBoard(ru, id);
  const thoughts = Object.values(b.lanes).find((l) => l.kind === 'thoughts');
  if (thoughts) {
    const t = ru.locator(`[data-cell][data-lane="${thoughts.id}"] [data-testid="cell-prompt"]`).first();
    await until(() => t.innerText().then((x) => x.trim()), 'RU prompt', (x) => x === 'О чём клиент думает на этом этапе?');
  }
  await finish(ru);

  // A viewer cannot add, so no prompt invites them to.
  await share(id, 'Viewer', 'viewer');
  const viewer = await newPage(browser, { as: 'Viewer', width: 1600, height: 1000 });
  await openBoard(viewer, id);
  await viewer.getByTestId('cell').first().waitFor();
  await viewer.waitForTimeout(300);
  assert.equal(await viewer.getByTestId('cell-prompt').count(), 0);
  await finish(viewer);
});
