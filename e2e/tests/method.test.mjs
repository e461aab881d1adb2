// The CJM method in a real browser: personas and the persona filter, the
// emotion curve and its dips, evidence against hypotheses, opportunities
// linked to pains and what the health panel makes of them, stage metrics,
// lane kinds, and the finished fridge example in both languages.
//
// Every test works on its own board, checks what the page shows and what the
// server stored (REST), and, where it matters, that a second browser sees the
// change live.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, api, launch, newPage, createBoard, boardJson, openBoard, shot, until, stored, hasClass, waitClass, waitCount } from './helpers.mjs';

const WAIT = 5000;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// ---- small local helpers ----------------------------------------------------


async function healthJson(id, staleDays = 30) {
  return (await (await api('GET', `/api/boards/${id}/health?stale_days=${staleDays}`)).json()).health;
}

const waitText = (loc, re, what) => until(async () => (await loc.count()) ? loc.first().innerText() : null, what, (t) => t !== null && re.test(t));

/// Types into a field that saves on change, then leaves it (Tab) so it saves.
async function setField(loc, value) {
  await loc.fill(String(value));
  await loc.press('Tab');
}

/// A header (stage or lane) by its name, with its id.
async function header(page, testid, name) {
  const h = page.getByTestId(testid).filter({ has: page.getByTestId('header-name').getByText(name, { exact: true }) });
  await h.first().waitFor({ timeout: WAIT });
  return { loc: h.first(), id: await h.first().getAttribute('data-id') };
}

/// The cell at (stage name, lane name), by ids (works below the emotion lane,
/// which has no cells of its own).
async function cellAt(page, stage, lane) {
  const s = await header(page, 'stage-header', stage);
  const l = await header(page, 'lane-header', lane);
  return page.locator(`[data-testid="cell"][data-stage="${s.id}"][data-lane="${l.id}"]`);
}

/// Adds a card through the cell's "+" and returns its locator and id.
async function addCardAt(page, stage, lane, text) {
  const c = await cellAt(page, stage, lane);
  await c.getByTestId('add-card').click();
  const draft = c.getByTestId('card-draft');
  await draft.fill(text);
  await draft.press('Enter');
  const card = c.getByTestId('card').filter({ hasText: text });
  await card.waitFor({ timeout: WAIT });
  await draft.press('Escape');
  return { card, id: await card.getAttribute('data-card') };
}

const cardById = (page, id) => page.locator(`[data-testid="card"][data-card="${id}"]`);
const drawer = (page) => page.getByTestId('drawer');

/// Opens a card's details in the side panel.
async function openDetails(page, card) {
  await card.hover();
  await card.getByTestId('card-details').click();
  const details = drawer(page).getByTestId('card-details');
  await details.waitFor({ timeout: WAIT });
  return details;
}

async function openPanel(page, button, panel) {
  const p = page.getByTestId(panel);
  if (!(await p.isVisible())) await page.getByTestId(button).click();
  await p.waitFor({ timeout: WAIT });
  return p;
}

async function closeDrawer(page) {
  if (await drawer(page).isVisible()) await page.getByTestId('drawer-close').click();
  await drawer(page).waitFor({ state: 'detached', timeout: WAIT });
}

/// Adds a persona in the personas panel and names it; returns its id.
async function addPersona(page, name) {
  const panel = await openPanel(page, 'open-personas', 'personas-panel');
  const before = await panel.getByTestId('persona-item').count();
  await panel.getByTestId('add-persona').click();
  const item = panel.getByTestId('persona-item').nth(before);
  const input = item.getByTestId('persona-name-input');
  await input.waitFor({ timeout: WAIT });
  await setField(input, name);
  await waitText(item.getByTestId('persona-name'), new RegExp(`^${name}$`), `persona ${name} in the panel`);
  return { item, id: await item.getAttribute('data-persona') };
}

async function finish(...pages) {
  for (const p of pages) assert.deepEqual(p.errors, [], 'no uncaught page errors');
  for (const p of pages) await p.context().close();
}

// ---- 1. personas ------------------------------------------------------------

test('personas: create and fill one, tag a card, filter dims the others, delete it', async () => {
  const id = await createBoard('Personas');
  const ana = await newPage(browser);
  const bob = await newPage(browser);
  await openBoard(ana, id);
  await openBoard(bob, id);

  // Add and fill a persona: every field saves when it changes.
  const olga = await addPersona(ana, 'Olga');
  await setField(olga.item.getByTestId('persona-age'), 34);
  await setField(olga.item.getByTestId('persona-role'), 'Accountant');
  await setField(olga.item.getByTestId('persona-quote'), 'I want it quiet');
  const saved = await stored(id, 'Olga stored with age, role and quote', (b) => {
    const p = b.personas[olga.id];
    return p && p.name === 'Olga' && p.age === 34 && p.role === 'Accountant' && p.quote === 'I want it quiet';
  });
  assert.equal(Object.keys(saved.personas).length, 1);
  // The panel shows it: name, "age, role" and, folded, the quote.
  await waitText(olga.item.locator('.persona-summary'), /34, Accountant/, 'age and role in the summary');
  await olga.item.locator('.persona-summary').click();
  await waitText(olga.item.locator('.persona-quote'), /I want it quiet/, 'quote of the folded persona');
  assert.equal(await ana.getByTestId('open-personas').locator('.count').innerText(), '1');
  // ...and so does the filter, here and in Bob's browser, live.
  await ana.getByTestId('persona-filter').locator('option', { hasText: 'Olga' }).waitFor({ state: 'attached', timeout: WAIT });
  await bob.getByTestId('persona-filter').locator('option', { hasText: 'Olga' }).waitFor({ state: 'attached', timeout: WAIT });

  // A second persona, to have cards of someone else.
  const pavel = await addPersona(ana, 'Pavel');
  await closeDrawer(ana);

  // Tag a card with each persona from the card details.
  const a = await addCardAt(ana, 'Awareness', 'Actions', 'Olga reads reviews');
  const b = await addCardAt(ana, 'Awareness', 'Actions', 'Pavel asks a friend');
  for (const [card, name] of [[a, 'Olga'], [b, 'Pavel']]) {
    const details = await openDetails(ana, card.card);
    await details.getByTestId('details-persona').selectOption({ label: name });
    await waitText(card.card.getByTestId('card-persona'), new RegExp(name), `${name}'s chip on the card`);
  }
  await stored(id, 'cards tagged', (s) => s.cards[a.id]?.persona_id === olga.id && s.cards[b.id]?.persona_id === pavel.id);
  await waitText(cardById(bob, a.id).getByTestId('card-persona'), /Olga/, "Bob sees Olga's chip live");
  await closeDrawer(ana);

  // Filter by Olga: Pavel's card dims, Olga's does not. Bob's view is his own.
  await ana.getByTestId('persona-filter').selectOption({ label: 'Olga' });
  await waitClass(b.card, 'dimmed', true, "Pavel's card under Olga's filter");
  assert.equal(await hasClass(a.card, 'dimmed'), false, "Olga's own card is not dimmed");
  assert.equal(await hasClass(cardById(bob, b.id), 'dimmed'), false, "the filter is Ana's view only");
  await shot(ana, 'persona-filter');

  // Delete Olga (confirming): gone from the server, the filter and the card.
  ana.on('dialog', (d) => d.accept());
  const panel = await openPanel(ana, 'open-personas', 'personas-panel');
  const item = panel.locator(`[data-testid="persona-item"][data-persona="${olga.id}"]`);
  if (!(await item.getByTestId('persona-delete').isVisible())) await item.locator('.persona-summary').click();
  await item.getByTestId('persona-delete').click();
  const after = await stored(id, 'Olga deleted', (s) => !s.personas[olga.id]);
  assert.equal(after.cards[a.id].persona_id, null, "Olga's card is untagged");
  assert.equal(after.cards[b.id].persona_id, pavel.id);
  await item.waitFor({ state: 'detached', timeout: WAIT });
  assert.equal(await ana.getByTestId('persona-filter').inputValue(), '', 'the filter falls back to all personas');
  await waitClass(b.card, 'dimmed', false, "Pavel's card after the filter is gone");
  await waitCount(a.card.getByTestId('card-persona'), 0, "Olga's chip leaves the card");
  await waitCount(bob.getByTestId('persona-filter').locator('option', { hasText: 'Olga' }), 0, "Olga leaves Bob's filter");
  await waitCount(cardById(bob, a.id).getByTestId('card-persona'), 0, "Olga's chip leaves Bob's card");
  await finish(ana, bob);
});

// ---- 2. emotion curve and dips ----------------------------------------------

/// Where in the plot a stage column and a score are (score ±2.5 = edges).
async function plotPoint(page, column, yFrac) {
  const plot = page.getByTestId('emotion-plot');
  const box = await plot.boundingBox();
  const n = await page.getByTestId('stage-header').count();
  const at = { x: box.x + ((column + 0.5) * box.width) / n, y: box.y + yFrac * box.height };
  // The spot must be on the plot itself, not under a sticky header or off screen.
  const onPlot = await page.evaluate(({ x, y }) => !!document.elementFromPoint(x, y)?.closest('[data-testid="emotion-plot"]'), at);
  assert.ok(onPlot, `column ${column} at ${yFrac} of the plot is not reachable at ${JSON.stringify(at)}`);
  return at;
}

const emotionOf = (board, persona, stage, curve) =>
  board.emotions.find((e) => e.persona_id === persona && e.stage_id === stage && e.curve === curve)?.score;

/// A board with one persona, opened by Ana and Bob at 1600×1000.
async function emotionBoard(title) {
  const id = await createBoard(title);
  const ana = await newPage(browser, { width: 1600, height: 1000 });
  const bob = await newPage(browser, { width: 1600, height: 1000 });
  await openBoard(ana, id);
  await openBoard(bob, id);
  // Without personas the lane offers to add one.
  await ana.getByTestId('emotion-add-persona').waitFor({ timeout: WAIT });
  const persona = await addPersona(ana, 'Igor');
  await closeDrawer(ana);
  const stage = async (name) => (await header(ana, 'stage-header', name)).id;
  return { id, ana, bob, persona: persona.id, decision: await stage('Decision'), awareness: await stage('Awareness') };
}

const pointOf = (page, stage, curve = 'as_is') =>
  page.locator(`[data-testid="emotion-point"][data-stage="${stage}"][data-curve="${curve}"]`);

test('emotion curve: drag a point with the mouse; the dip is ringed and listed in health', async () => {
  const { id, ana, bob, persona: igor, decision } = await emotionBoard('Emotions');
  const point = pointOf(ana, decision);

  // A click sets the score from the height: bottom of the plot is -2, top +2.
  for (const [frac, score] of [[0.99, -2], [0.01, 2]]) {
    const p = await plotPoint(ana, 2, frac);
    await ana.mouse.click(p.x, p.y);
    await stored(id, `score ${score} at ${frac} of the height`, (b) => emotionOf(b, igor, decision, 'as_is') === score);
  }

  // Press near the bottom of the 3rd column, drag up, then down, release.
  const start = await plotPoint(ana, 2, 0.97);
  const top = await plotPoint(ana, 2, 0.3);
  const bottom = await plotPoint(ana, 2, 0.7);
  await ana.mouse.move(start.x, start.y);
  await ana.mouse.down();
  for (let i = 1; i <= 10; i++) await ana.mouse.move(start.x, start.y + ((top.y - start.y) * i) / 10);
  await until(() => point.getAttribute('data-score'), 'the preview follows the pointer up to +1', (s) => s === '1');
  for (let i = 1; i <= 10; i++) await ana.mouse.move(top.x, top.y + ((bottom.y - top.y) * i) / 10);
  await until(() => point.getAttribute('data-score'), 'the preview follows the pointer down to -1', (s) => s === '-1');
  assert.equal(emotionOf(await boardJson(id), igor, decision, 'as_is'), 2, 'nothing is sent before release');
  await ana.mouse.up();
  await stored(id, 'score -1 stored for Decision', (b) => emotionOf(b, igor, decision, 'as_is') === -1);

  // Bob sees the point move live, ringed as a dip.
  const bobPoint = pointOf(bob, decision);
  await until(() => bobPoint.getAttribute('data-score').catch(() => null), 'Bob sees the point live', (s) => s === '-1');
  await waitClass(bobPoint, 'dip', true, "Bob's point is a dip");

  // The health panel lists the dip with the persona and the stage.
  const health = await openPanel(ana, 'open-health', 'health-panel');
  await waitText(health.getByTestId('dip-item'), /Igor[\s\S]*Decision[\s\S]*-1/, 'the dip in the health panel');
  assert.equal(await health.getByTestId('dip-count').innerText(), '1');
  const h = await healthJson(id);
  assert.deepEqual(h.map.dips.map((d) => [d.persona_id, d.stage_id, d.score]), [[igor, decision, -1]]);
  await shot(ana, 'emotion-dip');

  // And the one who drew it sees it ringed too.
  await waitClass(point, 'dip', true, "Ana's own negative point is a dip");
  await finish(ana, bob);
});

test('emotion curve: arrow keys on a focused point; the to-be curve', async () => {
  const { id, ana, bob, persona: igor, decision, awareness } = await emotionBoard('Emotion keys');
  const point = pointOf(ana, decision);
  const middle = await plotPoint(ana, 2, 0.5);
  await ana.mouse.click(middle.x, middle.y);
  await stored(id, 'score 0 from a click in the middle', (b) => emotionOf(b, igor, decision, 'as_is') === 0);

  // Keys move the focused point and keep the focus on it.
  const focused = () => ana.evaluate(() => document.activeElement?.dataset.score ?? null);
  await point.focus();
  await ana.keyboard.press('ArrowDown');
  await stored(id, 'ArrowDown: 0 → -1', (b) => emotionOf(b, igor, decision, 'as_is') === -1);
  await until(focused, 'focus stays on the moved point', (s) => s === '-1');
  await waitClass(point, 'dip', true, 'a point moved below zero is a dip');
  await ana.keyboard.press('ArrowUp');
  await stored(id, 'ArrowUp: -1 → 0', (b) => emotionOf(b, igor, decision, 'as_is') === 0);
  await until(focused, 'focus stays on the moved point', (s) => s === '0');
  await ana.keyboard.press('ArrowUp');
  await stored(id, 'ArrowUp: 0 → 1', (b) => emotionOf(b, igor, decision, 'as_is') === 1);
  await waitClass(point, 'dip', false, 'a positive lone point is no dip');
  await until(() => pointOf(bob, decision).getAttribute('data-score').catch(() => null), 'Bob sees the key moves', (s) => s === '1');
  assert.equal((await healthJson(id)).map.dips.length, 0);

  // The to-be curve: clicks now set to-be points.
  await ana.getByTestId('curve-to_be').click();
  assert.equal(await ana.getByTestId('curve-to_be').getAttribute('aria-pressed'), 'true');
  const q = await plotPoint(ana, 0, 0.1);
  await ana.mouse.click(q.x, q.y);
  const b = await stored(id, 'a to-be point in Awareness', (s) => emotionOf(s, igor, awareness, 'to_be') === 2);
  assert.equal(emotionOf(b, igor, awareness, 'as_is'), undefined, 'the as-is curve is untouched');
  assert.equal(emotionOf(b, igor, decision, 'as_is'), 1);
  await waitClass(pointOf(ana, awareness, 'to_be'), 'to-be', true, 'the to-be point is drawn as such');
  await pointOf(bob, awareness, 'to_be').waitFor({ timeout: WAIT });
  await shot(ana, 'emotion-curves');
  await finish(ana, bob);
});

// ---- 3. evidence and hypotheses ---------------------------------------------

test('evidence: a new action is a hypothesis until it has evidence; script links are refused', async () => {
  const id = await createBoard('Evidence');
  const ana = await newPage(browser);
  const bob = await newPage(browser);
  await openBoard(ana, id);
  await openBoard(bob, id);
  let alerted = false;
  ana.on('dialog', (d) => { alerted = true; d.dismiss(); });

  const { card, id: cardId } = await addCardAt(ana, 'Awareness', 'Actions', 'Reads reviews');
  await waitClass(card, 'hypothesis', true, 'a new action card');
  await card.getByTestId('card-hypothesis').waitFor({ timeout: WAIT });
  await waitClass(cardById(bob, cardId), 'hypothesis', true, "Bob's copy");

  const details = await openDetails(ana, card);
  await details.getByTestId('hypothesis-note').waitFor({ timeout: WAIT });
  await details.getByTestId('add-evidence').click();
  const ev = details.getByTestId('evidence-item').first();
  await ev.waitFor({ timeout: WAIT });
  await ev.getByTestId('evidence-source').selectOption('survey');
  await setField(ev.getByTestId('evidence-quote'), 'Nobody trusts the stars');

  await waitClass(card, 'hypothesis', false, 'a card with evidence');
  await waitText(card.getByTestId('card-evidence'), /^\s*1\s*$/, 'the evidence count on the card');
  assert.equal(await card.getByTestId('card-hypothesis').count(), 0);
  await details.getByTestId('hypothesis-note').waitFor({ state: 'detached', timeout: WAIT });
  const b = await stored(id, 'evidence stored', (s) => s.cards[cardId]?.evidence?.[0]?.quote === 'Nobody trusts the stars');
  assert.equal(b.cards[cardId].evidence.length, 1);
  assert.equal(b.cards[cardId].evidence[0].source, 'survey');
  assert.equal(b.cards[cardId].evidence[0].link, null);
  await waitText(cardById(bob, cardId).getByTestId('card-evidence'), /1/, 'Bob sees the evidence count live');
  await waitClass(cardById(bob, cardId), 'hypothesis', false, "Bob's copy with evidence");

  // A javascript: link is refused with a message; nothing is stored or linked.
  await setField(ev.getByTestId('evidence-link'), 'javascript:alert(1)');
  await ana.getByTestId('toast').waitFor({ timeout: WAIT });
  assert.match(await ana.getByTestId('toast').innerText(), /link|http/i);
  await ana.waitForTimeout(300);
  assert.equal((await boardJson(id)).cards[cardId].evidence[0].link, null, 'the bad link is not stored');
  assert.equal(await ana.locator('a[href^="javascript"]').count(), 0);
  assert.equal(alerted, false);
  // A web link is fine.
  await setField(ev.getByTestId('evidence-link'), 'https://example.com/survey-7');
  await stored(id, 'https link stored', (s) => s.cards[cardId].evidence[0].link === 'https://example.com/survey-7');
  await ev.locator('a[href="https://example.com/survey-7"]').waitFor({ timeout: WAIT });
  await shot(ana, 'evidence');
  await finish(ana, bob);
});

// ---- 4. opportunities, pains and health --------------------------------------

test('opportunity: owner, linked pain and impact/effort clear the health warnings', async () => {
  const id = await createBoard('Opportunities');
  const ana = await newPage(browser, { width: 1600, height: 1000 });
  const bob = await newPage(browser, { width: 1600, height: 1000 });
  await openBoard(ana, id);
  await openBoard(bob, id);

  const pain = await addCardAt(ana, 'Consideration', 'Pains', 'Too many similar models');
  const opp = await addCardAt(ana, 'Consideration', 'Opportunities', 'Side-by-side comparison');
  await opp.card.getByTestId('card-no-owner').waitFor({ timeout: WAIT });
  assert.equal(await opp.card.getByTestId('card-priority').count(), 0, 'no priority before impact/effort');
  assert.equal(await hasClass(opp.card, 'hypothesis'), false, 'opportunities need no evidence');

  let health = await openPanel(ana, 'open-health', 'health-panel');
  await waitText(health.getByTestId('unaddressed-count'), /^1$/, 'one pain without opportunity');
  await waitText(health.getByTestId('unowned-count'), /^1$/, 'one opportunity without owner');
  await waitText(health.getByTestId('unaddressed-pains'), /Too many similar models/, 'the pain listed');
  let h = await healthJson(id);
  assert.deepEqual(h.map.pains_without_opportunity, [pain.id]);
  assert.deepEqual(h.map.opportunities_without_owner, [opp.id]);

  const details = await openDetails(ana, opp.card);
  await setField(details.getByTestId('opportunity-owner'), 'Maria');
  await details.locator(`[data-testid="pain-link"][data-pain="${pain.id}"]`).check();
  await details.getByTestId('impact').getByRole('radio', { name: '5' }).click();
  await details.getByTestId('effort').getByRole('radio', { name: '1' }).click();
  await waitText(details.getByTestId('priority'), /^P5$/, 'priority in the details');
  await waitText(opp.card.getByTestId('card-priority'), /^P5$/, 'priority on the card');
  await waitText(opp.card.getByTestId('card-owner'), /Maria/, 'owner on the card');
  await waitCount(opp.card.getByTestId('card-no-owner'), 0, 'no "no owner" chip');

  const b = await stored(id, 'opportunity stored', (s) => {
    const o = s.cards[opp.id]?.opportunity;
    return o && o.impact === 5 && o.effort === 1 && o.owner === 'Maria' && o.addresses?.includes(pain.id);
  });
  assert.deepEqual(b.cards[opp.id].opportunity.addresses, [pain.id]);
  assert.equal(b.cards[opp.id].opportunity.status, 'idea');
  await waitText(cardById(bob, opp.id).getByTestId('card-priority'), /^P5$/, 'Bob sees the priority live');

  health = await openPanel(ana, 'open-health', 'health-panel');
  await waitText(health.getByTestId('unaddressed-count'), /^0$/, 'no pain without opportunity');
  await waitText(health.getByTestId('unowned-count'), /^0$/, 'no opportunity without owner');
  h = await healthJson(id);
  assert.deepEqual(h.map.pains_without_opportunity, []);
  assert.deepEqual(h.map.opportunities_without_owner, []);
  // Bob's health panel agrees.
  const bobHealth = await openPanel(bob, 'open-health', 'health-panel');
  await waitText(bobHealth.getByTestId('unaddressed-count'), /^0$/, "Bob's panel");
  await shot(ana, 'opportunity-health');
  await finish(ana, bob);
});

// ---- 5. stage metrics --------------------------------------------------------

test('stage metrics: value against target, both directions; a non-number is refused', async () => {
  const id = await createBoard('Metrics');
  const ana = await newPage(browser, { width: 1600, height: 1000 });
  const bob = await newPage(browser, { width: 1600, height: 1000 });
  await openBoard(ana, id);
  await openBoard(bob, id);

  const stage = await header(ana, 'stage-header', 'Decision');
  await stage.loc.hover();
  await stage.loc.getByTestId('header-menu').click();
  await ana.getByTestId('menu-details').click();
  const details = drawer(ana).getByTestId('stage-details');
  await details.waitFor({ timeout: WAIT });
  assert.equal(await details.getByTestId('stage-name').inputValue(), 'Decision');

  await details.getByTestId('add-metric').click();
  const nps = details.getByTestId('metric-row').nth(0);
  await setField(nps.getByTestId('metric-name'), 'NPS');
  await setField(nps.getByTestId('metric-value'), '32');
  await setField(nps.getByTestId('metric-target'), '45');
  const metric = stage.loc.getByTestId('stage-metric');
  await until(() => metric.first().getAttribute('data-state'), 'NPS 32 of 45 is bad', (s) => s === 'bad');
  await waitText(metric.first(), /NPS\s+32\s*\/\s*45/, 'the metric in the header');
  let b = await stored(id, 'NPS stored', (s) => s.stages[stage.id].metrics[0]?.target === 45);
  assert.deepEqual(b.stages[stage.id].metrics[0], { name: 'NPS', value: 32, unit: '', target: 45, higher_is_better: true });
  const bobMetric = (await header(bob, 'stage-header', 'Decision')).loc.getByTestId('stage-metric');
  await until(() => bobMetric.first().getAttribute('data-state').catch(() => null), 'Bob sees NPS live', (s) => s === 'bad');

  await setField(nps.getByTestId('metric-value'), '50');
  await until(() => metric.first().getAttribute('data-state'), 'NPS 50 of 45 is good', (s) => s === 'good');
  await stored(id, 'NPS 50 stored', (s) => s.stages[stage.id].metrics[0].value === 50);
  await until(() => bobMetric.first().getAttribute('data-state'), 'Bob sees good', (s) => s === 'good');

  // Lower is better: 60 against 40 is bad.
  await details.getByTestId('add-metric').click();
  const drop = details.getByTestId('metric-row').nth(1);
  await drop.waitFor({ timeout: WAIT });
  await setField(drop.getByTestId('metric-name'), 'drop-off');
  await drop.getByTestId('metric-direction').selectOption('lower');
  await setField(drop.getByTestId('metric-value'), '60');
  await setField(drop.getByTestId('metric-target'), '40');
  await until(() => metric.nth(1).getAttribute('data-state').catch(() => null), 'drop-off 60 of 40 (lower is better) is bad', (s) => s === 'bad');
  b = await stored(id, 'drop-off stored', (s) => s.stages[stage.id].metrics[1]?.target === 40);
  assert.deepEqual(b.stages[stage.id].metrics[1], { name: 'drop-off', value: 60, unit: '', target: 40, higher_is_better: false });

  // A non-number: an error under the row, nothing changes anywhere.
  const seqBefore = (await (await api('GET', `/api/boards/${id}`)).json()).seq;
  await setField(nps.getByTestId('metric-value'), 'fifty');
  await nps.getByRole('alert').waitFor({ timeout: WAIT });
  await ana.waitForTimeout(300);
  const after = await (await api('GET', `/api/boards/${id}`)).json();
  assert.equal(after.seq, seqBefore, 'no op was sent');
  assert.equal(after.board.stages[stage.id].metrics[0].value, 50);
  assert.equal(await metric.first().getAttribute('data-state'), 'good');
  assert.equal(await drop.getByRole('alert').count(), 0, 'the other row has no error');
  await shot(ana, 'stage-metrics');
  await finish(ana, bob);
});

// ---- 6. lane kinds -----------------------------------------------------------

test('lane kinds: a touchpoints lane, a card with a channel, collapse survives reload', async () => {
  const id = await createBoard('Lanes');
  const ana = await newPage(browser, { width: 1600, height: 1000 });
  const bob = await newPage(browser, { width: 1600, height: 1000 });
  await openBoard(ana, id);
  await openBoard(bob, id);

  await ana.getByTestId('add-lane').click();
  const picker = ana.getByTestId('kind-picker');
  await picker.waitFor({ timeout: WAIT });
  assert.equal(await picker.getByRole('menuitem').count(), 12, 'every lane kind is offered');
  await ana.getByTestId('new-lane-touchpoints').click();
  await picker.waitFor({ state: 'detached', timeout: WAIT });
  // The new lane opens in rename mode.
  const input = ana.getByTestId('header-input');
  await input.waitFor({ timeout: WAIT });
  await input.fill('Channels');
  await input.press('Enter');
  const lane = await header(ana, 'lane-header', 'Channels');
  assert.equal(await lane.loc.getByTestId('lane-kind').getAttribute('data-kind'), 'touchpoints');
  let b = await stored(id, 'lane stored', (s) => s.lanes[lane.id]?.name === 'Channels');
  assert.equal(b.lanes[lane.id].kind, 'touchpoints');
  const bobLane = await header(bob, 'lane-header', 'Channels');
  assert.equal(await bobLane.loc.getByTestId('lane-kind').getAttribute('data-kind'), 'touchpoints');

  const { card, id: cardId } = await addCardAt(ana, 'Purchase', 'Channels', 'Calls the store');
  const details = await openDetails(ana, card);
  await details.getByTestId('details-channel').selectOption('phone');
  await waitText(card.getByTestId('card-channel'), /Phone \/ call centre/, 'the channel chip');
  await stored(id, 'channel stored', (s) => s.cards[cardId]?.channel === 'phone');
  await waitText(cardById(bob, cardId).getByTestId('card-channel'), /Phone \/ call centre/, 'Bob sees the channel live');
  await closeDrawer(ana);

  // Collapse the lane: its cards go, a count stays; a reload keeps it folded.
  await lane.loc.getByTestId('lane-collapse').click();
  await card.waitFor({ state: 'detached', timeout: WAIT });
  assert.equal(await lane.loc.getByTestId('lane-collapse').getAttribute('aria-expanded'), 'false');
  const strip = ana.locator(`.cell.collapsed[data-lane="${lane.id}"]`).filter({ hasText: /1/ });
  await strip.first().waitFor({ timeout: WAIT });
  await shot(ana, 'lane-collapsed');
  await ana.reload();
  await ana.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();
  const again = await header(ana, 'lane-header', 'Channels');
  assert.equal(await again.loc.getByTestId('lane-collapse').getAttribute('aria-expanded'), 'false', 'still collapsed after reload');
  assert.equal(await cardById(ana, cardId).count(), 0, 'its cards stay hidden');
  // Collapsing is a view choice: Bob still sees the card.
  assert.equal(await cardById(bob, cardId).count(), 1);
  await again.loc.getByTestId('lane-collapse').click();
  await cardById(ana, cardId).waitFor({ timeout: WAIT });
  await finish(ana, bob);
});

// ---- 7. templates -------------------------------------------------------------

async function checkFridge(page, id, { stageName, name }) {
  await openBoard(page, id);
  await page.getByTestId('stage-header').filter({ hasText: stageName }).first().waitFor();
  assert.equal(await page.getByTestId('stage-header').count(), 6);
  assert.ok(await page.getByTestId('stage-metric').count() >= 6, 'stage headers show metrics');
  const cards = await page.getByTestId('card').count();
  assert.ok(cards >= 40, `at least 40 cards, got ${cards}`);
  assert.ok(await page.getByTestId('emotion-point').count() >= 12, 'emotion points drawn');
  assert.ok(await page.locator('[data-testid="emotion-point"].dip').count() >= 1, 'some points are dips');
  assert.ok(await page.locator('[data-testid="stage-metric"][data-state="bad"]').count() >= 1);
  await page.waitForTimeout(300); // let fonts and the curve settle for the picture
  await shot(page, name);
  // The emotion lane, further down.
  await page.getByTestId('emotion-lane').evaluate((lane) => {
    const scroller = lane.closest('[data-testid="board-scroll"]');
    scroller.scrollTop += lane.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 250;
  });
  await shot(page, `${name}-emotions`);
  await page.getByTestId('board-scroll').evaluate((el) => el.scrollTo(0, 0));
}

test('templates: the fridge example renders in English and Russian; five templates offered', async () => {
  const en = await newPage(browser, { width: 1600, height: 1000 });
  const enId = await createBoard('Fridge', 'fridge_example', 'en');
  await checkFridge(en, enId, { stageName: 'Awareness', name: 'fridge-en' });
  const stored = await boardJson(enId);
  assert.ok(Object.keys(stored.cards).length >= 40);
  assert.equal(Object.keys(stored.personas).length, 2);
  // The health panel has something to say about the example.
  const health = await openPanel(en, 'open-health', 'health-panel');
  assert.ok(await health.getByTestId('dip-item').count() >= 1);
  const h = await healthJson(enId);
  assert.equal(await health.getByTestId('dip-count').innerText(), String(h.map.dips.length));
  assert.equal(await health.getByTestId('unaddressed-count').innerText(), String(h.map.pains_without_opportunity.length));
  assert.equal(await health.getByTestId('unowned-count').innerText(), String(h.map.opportunities_without_owner.length));
  await shot(en, 'fridge-health');

  const ru = await newPage(browser, { lang: 'ru', width: 1600, height: 1000 });
  const ruId = await createBoard('Холодильник', 'fridge_example', 'ru');
  await checkFridge(ru, ruId, { stageName: 'Осведомлённость', name: 'fridge-ru' });
  assert.ok((await ru.getByTestId('lane-header').allInnerTexts()).some((t) => t.includes('Боли')));

  // The home page offers all five templates.
  await en.goto(BASE);
  // The gallery's built-in cards (saved templates, if any, are marked so).
  const options = en.getByTestId('new-board-template').locator('[role="radio"][data-saved="false"]');
  await options.nth(4).waitFor({ state: 'attached' });
  assert.equal(await options.count(), 5);
  assert.deepEqual((await options.evaluateAll((os) => os.map((o) => o.dataset.template))).sort(),
    ['blank', 'call_centre', 'classic', 'fridge_example', 'seven_layers']);
  await finish(en, ru);
});
