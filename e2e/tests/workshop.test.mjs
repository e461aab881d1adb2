// Running a workshop in real browsers: the facilitator's timer shows the
// same time to everyone (a late joiner too), pauses and gains a minute; a
// named dot vote where an editor and a commenter place and take back dots
// that only they see, the facilitator sees the progress, reveals, and turns
// the top three into opportunities in one batch; kept badges; quiet
// brainstorming. Screenshots at laptop and phone widths, in EN and RU.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, createBoard, boardJson, openBoard, share, shot, until, waitCount,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const remaining = (page) => page.getByTestId('timer').getAttribute('data-remaining-ms').then(Number);
const left = (page) => page.getByTestId('vote-left').getAttribute('data-left').then(Number);
const onCard = (page, card, testid) => page.locator(`[data-card="${card}"] [data-testid="${testid}"]`);

test('a timer, a named dot vote to opportunities, badges and quiet brainstorming', async () => {
  const id = await createBoard('Fridge workshop', 'fridge_example');
  await share(id, 'Erin', 'editor');
  await share(id, 'Carol', 'commenter');
  const fac = await newPage(browser);
  const ed = await newPage(browser, { as: 'Erin' });
  const com = await newPage(browser, { as: 'Carol' });
  const all = [fac, ed, com];
  for (const p of all) await openBoard(p, id);

  // ---- the timer ----------------------------------------------------------
  assert.equal(await com.getByTestId('timer-open').count(), 0, 'a commenter cannot start a timer');
  await fac.getByTestId('timer-open').click();
  await fac.getByTestId('timer-minutes').fill('5');
  await fac.getByTestId('timer-start').click();
  for (const p of all) await p.getByTestId('timer').waitFor();
  let ms = await Promise.all(all.map(remaining));
  assert.ok(Math.max(...ms) - Math.min(...ms) <= 500, `everyone sees the same time: ${ms}`);
  assert.ok(ms.every((m) => m > 280_000 && m <= 301_000), `about five minutes: ${ms}`);
  assert.match(await fac.getByTestId('timer').innerText(), /^[45]:\d\d/);
  assert.equal(await com.getByTestId('timer-pause').count(), 0, 'a commenter has no timer controls');

  // A late joiner counts down to the same moment.
  const late = await newPage(browser, { as: 'Erin', width: 390, height: 844 });
  await openBoard(late, id);
  await late.getByTestId('timer').waitFor();
  ms = await Promise.all([remaining(fac), remaining(late)]);
  assert.ok(Math.abs(ms[0] - ms[1]) <= 500, `the late joiner agrees: ${ms}`);
  await shot(late, 'workshop-timer-390');
  await late.context().close();

  // Pause: the time stands still, for everyone.
  await fac.getByTestId('timer-pause').click();
  await fac.getByTestId('timer-resume').waitFor();
  await until(async () => {
    const a = await remaining(com);
    await new Promise((r) => setTimeout(r, 400));
    return a === (await remaining(com));
  }, 'the paused time stands still for the commenter');
  const paused = await remaining(ed);
  await fac.getByTestId('timer-add').click();
  await until(() => remaining(com), 'a minute more', (m) => m >= paused + 59_000);
  await shot(fac, 'workshop-timer-1280');
  await fac.getByTestId('timer-stop').click();
  for (const p of all) await waitCount(p.getByTestId('timer'), 0, 'the timer is gone');

  // ---- a named dot vote ---------------------------------------------------
  const board = await boardJson(id);
  const painsLane = Object.values(board.lanes).find((l) => l.kind === 'pains').id;
  const stageOrder = Object.values(board.stages).sort((a, b) => (a.order < b.order ? -1 : 1)).map((s) => s.id);
  const pains = Object.values(board.cards).filter((c) => c.lane_id === painsLane)
    .sort((a, b) => stageOrder.indexOf(a.stage_id) - stageOrder.indexOf(b.stage_id));
  assert.ok(pains.length >= 3, 'the example has pains');
  const [p0, p1, p2] = pains.map((c) => c.id);
  const cardsBefore = Object.keys(board.cards).length;

  await fac.getByTestId('vote-open').click();
  await fac.getByTestId('vote-dots').fill('3');
  await fac.getByTestId('vote-start').click();
  for (const p of all) await p.getByTestId('vote-bar').waitFor();
  assert.equal(await left(ed), 3);
  assert.equal(await com.getByTestId('vote-reveal').count(), 0, 'only editors reveal');

  // The editor clicks a card (a click places a dot in vote mode), then
  // uses a card's dot button.
  await ed.locator(`[data-card="${p0}"] [data-testid="card-text"]`).click();
  await until(() => left(ed), 'the editor has 2 dots left', (n) => n === 2);
  await onCard(ed, p1, 'card-dot').click();
  await until(() => left(ed), 'the editor has 1 dot left', (n) => n === 1);
  // Taking one back, and placing it again.
  await onCard(ed, p1, 'my-dots').click();
  await until(() => left(ed), 'the dot came back', (n) => n === 2);
  await onCard(ed, p1, 'card-dot').click();
  await until(() => left(ed), 'the editor has 1 dot left again', (n) => n === 1);

  await onCard(com, p0, 'card-dot').click();
  await until(() => left(com), 'the commenter has 2 dots left', (n) => n === 2);
  await onCard(com, p2, 'card-dot').click();
  await until(() => left(com), 'the commenter has 1 dot left', (n) => n === 1);

  // Everyone sees the progress; nobody sees where the others' dots are.
  await until(() => fac.getByTestId('vote-progress').innerText(), 'the progress', (t) => t === 'Voted: 2 · Dots: 4');
  await waitCount(fac.getByTestId('my-dots'), 0, 'the facilitator sees no dots of the others');
  await waitCount(ed.getByTestId('my-dots'), 2, 'the editor sees their own two dots');
  assert.equal(await onCard(ed, p2, 'my-dots').count(), 0, 'not the commenter\'s dot');
  assert.equal(await onCard(com, p1, 'my-dots').count(), 0, 'not the editor\'s dot');
  await onCard(ed, p0, 'card-dot').scrollIntoViewIfNeeded();
  await shot(ed, 'workshop-vote-1280');
  await ed.setViewportSize({ width: 390, height: 844 });
  await onCard(ed, p1, 'card-dot').scrollIntoViewIfNeeded();
  await shot(ed, 'workshop-vote-390');
  await ed.setViewportSize({ width: 1280, height: 720 });

  // Reveal: counts on cards and a ranking with names.
  await fac.getByTestId('vote-reveal').click();
  for (const p of all) await onCard(p, p0, 'vote-count').filter({ hasText: '2' }).waitFor();
  assert.equal(await com.getByTestId('card-dot').count(), 0, 'no more dots after the reveal');
  const rows = fac.getByTestId('vote-result');
  await waitCount(rows, 3, 'three cards got dots');
  assert.equal(await rows.first().getAttribute('data-card'), p0, 'the most dotted card ranks first');
  const names = await rows.first().getByTestId('vote-names').innerText();
  assert.ok(names.includes('Erin') && names.includes('Carol'), `named vote: ${names}`);
  await shot(fac, 'workshop-revealed-1280');
  await com.setViewportSize({ width: 390, height: 844 });
  await shot(com, 'workshop-revealed-390');

  // The top three become opportunities, in one batch.
  await fac.getByTestId('vote-to-opportunities').click();
  const after = await until(() => boardJson(id), 'three opportunities', (b) => Object.keys(b.cards).length === cardsBefore + 3);
  const made = Object.values(after.cards).filter((c) => !board.cards[c.id]);
  assert.deepEqual(made.map((c) => c.opportunity.addresses[0]).sort(), [p0, p1, p2].sort());
  for (const c of made) {
    assert.equal(after.lanes[c.lane_id].kind, 'opportunities');
    assert.equal(c.stage_id, after.cards[c.opportunity.addresses[0]].stage_id);
    assert.ok(c.text.startsWith('Fix: '), c.text);
    assert.deepEqual([c.opportunity.impact, c.opportunity.effort, c.opportunity.status], [3, 3, 'idea']);
  }

  // Kept as badges, then cleared.
  await fac.getByTestId('vote-end-keep').click();
  for (const p of all) await waitCount(p.getByTestId('vote-bar'), 0, 'the vote bar goes');
  await onCard(ed, p0, 'vote-badge').filter({ hasText: '2' }).waitFor();
  await fac.getByTestId('vote-clear-badges').click();
  await waitCount(ed.getByTestId('vote-badge'), 0, 'badges cleared');

  // ---- quiet brainstorming --------------------------------------------------
  assert.ok(await ed.getByTestId('card-hypothesis').count() > 0, 'the example has hypotheses');
  await fac.getByTestId('board-menu').click();
  await fac.getByTestId('quiet-toggle').check();
  await ed.getByTestId('quiet-indicator').waitFor();
  await waitCount(ed.getByTestId('card-hypothesis'), 0, 'no hypothesis marks while quiet');
  await waitCount(ed.getByTestId('card-evidence'), 0, 'no evidence badges while quiet');
  assert.equal((await boardJson(id)).quiet, true);

  for (const p of all) assert.deepEqual(p.errors, []);
});

test('the timer and the vote in Russian', async () => {
  const id = await createBoard('Мастерская', 'fridge_example', 'ru');
  const fac = await newPage(browser, { lang: 'ru' });
  await openBoard(fac, id);
  await fac.getByTestId('timer-open').click();
  await fac.getByTestId('timer-preset-3').click();
  await fac.getByTestId('timer').waitFor();
  assert.ok((await remaining(fac)) > 170_000);
  await fac.getByTestId('vote-open').click();
  await shot(fac, 'workshop-vote-form-ru-1280');
  await fac.getByTestId('vote-start').click();
  await fac.getByTestId('vote-bar').filter({ hasText: 'Осталось ваших точек' }).waitFor();
  await fac.getByTestId('card-dot').first().click();
  await until(() => left(fac), 'a dot placed', (n) => n === 2);
  await shot(fac, 'workshop-vote-ru-1280');
  await fac.setViewportSize({ width: 390, height: 844 });
  await shot(fac, 'workshop-vote-ru-390');
  assert.deepEqual(fac.errors, []);
});

/// The grid point at the top-left of the board's visible area.
const gridPos = (page) => page.evaluate(() => {
  const s = document.querySelector('.board-scroll').getBoundingClientRect();
  const g = document.querySelector('.grid').getBoundingClientRect();
  return { x: s.left - g.left, y: s.top - g.top };
});
const near = (a, b) => Math.abs(a.x - b.x) <= 50 && Math.abs(a.y - b.y) <= 50;
const scrollTo = (page, x, y) => page.getByTestId('board-scroll').evaluate((el, [x, y]) => el.scrollTo(x, y), [x, y]);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

test('everyone follows the facilitator until they stop or scroll away', async () => {
  const id = await createBoard('Follow me', 'fridge_example');
  await share(id, 'Erin', 'editor');
  const fac = await newPage(browser);
  const ed = await newPage(browser, { as: 'Erin' });
  await openBoard(fac, id);
  await openBoard(ed, id);
  await fac.getByTestId('stage-header').first().waitFor();
  await ed.getByTestId('stage-header').first().waitFor();

  await fac.getByTestId('follow-lead').click();
  await ed.getByTestId('following').filter({ hasText: 'Owner' }).waitFor();
  await scrollTo(fac, 700, 500);
  const target = await gridPos(fac);
  assert.ok(target.x > 300 && target.y > 200, `the facilitator scrolled: ${JSON.stringify(target)}`);
  await until(() => gridPos(ed), 'the editor follows', (p) => near(p, target));
  await shot(ed, 'workshop-following-1280');

  // Stop following: the facilitator's moves no longer carry the editor.
  await ed.getByTestId('follow-stop').click();
  await ed.getByTestId('follow-rejoin').waitFor();
  await scrollTo(fac, 0, 0);
  await pause(600);
  assert.ok(near(await gridPos(ed), target), 'the editor stayed');
  // Rejoin: back to where the facilitator is.
  await ed.getByTestId('follow-rejoin').click();
  await until(() => gridPos(ed), 'the editor rejoined', (p) => near(p, { x: 0, y: 0 }));

  // A scroll of one's own breaks away.
  await pause(600);
  await scrollTo(ed, 400, 300);
  await ed.getByTestId('follow-rejoin').waitFor();
  await ed.getByTestId('follow-rejoin').click();
  await until(() => gridPos(ed), 'following again', (p) => near(p, { x: 0, y: 0 }));

  // The leader hides the others' cursors for followers.
  await fac.getByTestId('follow-hide-cursors').check();
  await until(() => ed.locator('.board-page.hide-cursors').count(), 'cursors hidden', (n) => n === 1);
  await fac.getByTestId('follow-lead').click();
  await waitCount(ed.getByTestId('follow-bar'), 0, 'nobody leads any more');
  assert.deepEqual(fac.errors, []);
  assert.deepEqual(ed.errors, []);
});

test('presenter mode steps through the stages, and followers see the same step', async () => {
  const id = await createBoard('Презентация', 'fridge_example', 'ru');
  await share(id, 'Erin', 'editor');
  const fac = await newPage(browser, { lang: 'ru' });
  const ed = await newPage(browser, { as: 'Erin', lang: 'ru', width: 390, height: 844 });
  await openBoard(fac, id);
  await openBoard(ed, id);
  const board = await boardJson(id);
  const stages = Object.values(board.stages).sort((a, b) => (a.order < b.order ? -1 : 1)).map((s) => s.name);

  await fac.getByTestId('follow-lead').click();
  await ed.getByTestId('following').waitFor();
  await fac.getByTestId('presenter-open').click();
  await fac.getByTestId('presenter-stage').filter({ hasText: stages[0] }).waitFor();
  await fac.getByTestId('presenter-next').click();
  await fac.getByTestId('presenter-stage').filter({ hasText: stages[1] }).waitFor();
  await fac.keyboard.press('ArrowRight');
  await fac.getByTestId('presenter-stage').filter({ hasText: stages[2] }).waitFor();
  await fac.keyboard.press('ArrowLeft');
  await fac.getByTestId('presenter-stage').filter({ hasText: stages[1] }).waitFor();
  assert.equal(await fac.getByTestId('presenter-step').innerText(), `2 / ${stages.length}`);
  assert.ok(await fac.getByTestId('presenter-lane').count() > 0, 'cards by lane');
  await fac.getByTestId('presenter-curve').waitFor();
  // The follower sees the same step, without the controls.
  await ed.getByTestId('presenter-stage').filter({ hasText: stages[1] }).waitFor();
  assert.equal(await ed.getByTestId('presenter-next').count(), 0);
  await shot(fac, 'workshop-presenter-ru-1280');
  await shot(ed, 'workshop-presenter-ru-390');
  await fac.keyboard.press('Escape');
  await waitCount(fac.getByTestId('presenter'), 0, 'Escape leaves');
  await waitCount(ed.getByTestId('presenter'), 0, 'the follower leaves with the leader');
  assert.deepEqual(fac.errors, []);
  assert.deepEqual(ed.errors, []);
});
