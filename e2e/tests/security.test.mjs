// Text is text: markup and script links stored in every text field of a
// map (board, stages, metrics, lanes, cards, evidence, opportunities,
// personas, a guest's name) are shown literally and never run.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, api, launch, newPage, createBoard, boardJson, openBoard } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const EVIL = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

/// Sends each batch over the page's own websocket; returns "applied" or the
/// refusal code per batch.
async function sendBatches(page, id, batches) {
  return page.evaluate(async ({ boardId, batches }) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/boards/${boardId}/ws`);
    const answers = new Map();
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'applied') answers.set(m.client_op_id, 'applied');
      if (m.type === 'rejected') answers.set(m.client_op_id, m.code);
    };
    await new Promise((r) => { ws.onopen = r; });
    ws.send(JSON.stringify({ type: 'hello', protocol: 1 }));
    const ids = batches.map(() => crypto.randomUUID());
    batches.forEach((ops, i) => ws.send(JSON.stringify({ type: 'submit', client_op_id: ids[i], ops })));
    for (let i = 0; i < 50 && answers.size < ids.length; i++) await new Promise((r) => setTimeout(r, 100));
    ws.close();
    return ids.map((i) => answers.get(i) ?? 'no answer');
  }, { boardId: id, batches });
}

test('markup and script links in every text field are shown as text, never run', async () => {
  const id = await createBoard('Safe', 'fridge_example');
  const board = await boardJson(id);
  const stage = Object.values(board.stages)[0];
  const lane = Object.values(board.lanes)[0];
  const card = Object.values(board.cards)[0];
  const persona = Object.values(board.personas)[0];
  const page = await newPage(browser, { width: 1600, height: 1000 });
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
  await openBoard(page, id);

  const answers = await sendBatches(page, id, [
    [{ op: 'set_board_title', title: EVIL }],
    [{ op: 'update_stage', id: stage.id, name: EVIL, description: EVIL,
      metrics: [{ name: EVIL, value: 1, unit: '<i>%</i>', target: 2, higher_is_better: true }] }],
    [{ op: 'update_lane', id: lane.id, name: EVIL }],
    [{ op: 'update_card', id: card.id, text: EVIL,
      evidence: [{ source: 'interview', quote: EVIL, link: 'https://example.com/ok', date: '2026-11-01' }],
      opportunity: { impact: 3, effort: 2, owner: EVIL, status: 'idea', addresses: [] } }],
    [{ op: 'update_persona', id: persona.id, name: EVIL, role: EVIL, quote: EVIL, goals: EVIL, needs: EVIL,
      pains: EVIL, fears: EVIL, expectations: EVIL, about: EVIL }],
    // Script links are refused outright, wherever a link goes.
    [{ op: 'update_card', id: card.id, evidence: [{ source: 'review', quote: 'q', link: 'javascript:window.__pwned=3', date: null }] }],
    [{ op: 'update_persona', id: persona.id, avatar_url: 'javascript:window.__pwned=4' }],
  ]);
  assert.deepEqual(answers.slice(0, 5), ['applied', 'applied', 'applied', 'applied', 'applied']);
  assert.notEqual(answers[5], 'applied', 'javascript: evidence link refused');
  assert.notEqual(answers[6], 'applied', 'javascript: avatar refused');

  // A guest whose name is markup joins through an editor link.
  const link = await (await api('POST', `/api/boards/${id}/links`, { role: 'editor' })).json();
  const guest = await newPage(browser, { as: null });
  guest.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
  await guest.goto(`${BASE}${link.url}`);
  await guest.getByTestId('join-name').fill(EVIL.slice(0, 60));
  await guest.getByTestId('join').click();
  await guest.waitForURL(`${BASE}/b/${id}`);

  // Everything is shown, as typed, in the grid and in every panel.
  await page.reload();
  await page.getByTestId('board-title').filter({ hasText: EVIL }).waitFor();
  await page.getByTestId('stage-header').filter({ hasText: EVIL }).first().waitFor();
  await page.getByTestId('lane-header').filter({ hasText: EVIL }).first().waitFor();
  await page.getByTestId('card-text').filter({ hasText: EVIL }).first().waitFor();
  await page.getByTestId('avatar').first().waitFor();
  await page.getByTestId('open-personas').click();
  await page.getByTestId('drawer').filter({ hasText: EVIL }).waitFor();
  await page.getByTestId('open-health').click();
  await page.getByTestId('drawer').waitFor();
  await page.getByTestId('card-text').filter({ hasText: EVIL }).first().hover();
  await page.locator(`[data-card="${card.id}"]`).getByTestId('card-details').click();
  await page.getByTestId('drawer').filter({ hasText: 'https://example.com/ok' }).waitFor();
  for (const p of [page, guest]) {
    assert.equal(await p.evaluate(() => window.__pwned), undefined, 'no script ran');
    assert.equal(await p.locator('img[src="x"]').count(), 0, 'no markup became an element');
    assert.equal(await p.evaluate(() => [...document.scripts].filter((s) => s.text.includes('__pwned')).length), 0);
  }
  assert.equal(dialogs, 0);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(guest.errors, []);
  await page.context().close();
  await guest.context().close();
});
