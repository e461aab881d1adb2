// Comments in real browsers: the facilitator comments on a card and
// mentions a commenter through the autocomplete; the commenter sees it
// live, replies and reacts; the thread is resolved and listed under
// Resolved; the mention waits in the commenter's inbox; a commenter cannot
// change the map, not even with a hand-made websocket op. In English and
// Russian, at laptop and phone widths. A point of an emotion curve has its
// own discussion, with a live count beside the point, and the bell counts
// new mentions without a reload.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, launch, newPage, createBoard, boardJson, openBoard, cell, addCard, share, shot, until, waitCount,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Opens the details of the card with `text` in the side panel.
async function openDetails(page, text) {
  const card = page.getByTestId('card').filter({ hasText: text });
  await card.hover();
  await card.getByTestId('card-details').click();
  await page.getByTestId('comments').waitFor();
  return page.getByTestId('drawer');
}

test('a thread with a mention, a reply, reactions, resolving and the inbox', async () => {
  const id = await createBoard('Fridge journey workshop');
  await share(id, 'Erin', 'editor');
  await share(id, 'Carol', 'commenter');

  const owner = await newPage(browser);
  const editor = await newPage(browser, { as: 'Erin' });
  const carol = await newPage(browser, { as: 'Carol' });
  await openBoard(owner, id);
  await openBoard(editor, id);
  await openBoard(carol, id);
  await addCard(owner, 'Awareness', 'Actions', 'Sees a billboard');
  const cardId = await owner.getByTestId('card').filter({ hasText: 'Sees a billboard' }).getAttribute('data-card');

  // The owner writes a comment and mentions Carol through the autocomplete.
  const drawer = await openDetails(owner, 'Sees a billboard');
  const input = drawer.getByTestId('comment-input');
  await input.click();
  await input.pressSequentially('Is this the first touchpoint, @Car');
  const option = drawer.getByTestId('mention-option').filter({ hasText: 'Carol' });
  await option.waitFor();
  await shot(owner, 'comments-mention-autocomplete');
  await option.click();
  assert.equal(await input.inputValue(), 'Is this the first touchpoint, @Carol ');
  await input.pressSequentially('? Please check.');
  await drawer.getByTestId('comment-send').click();
  await drawer.getByTestId('comment').filter({ hasText: 'Please check.' }).waitFor();
  assert.equal(await input.inputValue(), '', 'the box empties once sent');

  // Stored with the mention of Carol's account, authored by the owner.
  const people = await (await api('GET', `/api/boards/${id}/people`)).json();
  const carolId = people.people.find((p) => p.name === 'Carol').id;
  const board = await until(() => boardJson(id), 'the stored comment', (b) => Object.keys(b.comments ?? {}).length === 1);
  const stored = Object.values(board.comments)[0];
  assert.deepEqual(stored.mentions, [carolId]);
  assert.equal(stored.author_name, 'Owner');
  assert.deepEqual(stored.on, { card: cardId });

  // Carol sees it live: a count with a "new" dot on the card's face.
  const carolCard = carol.getByTestId('card').filter({ hasText: 'Sees a billboard' });
  await carolCard.getByTestId('comment-count').filter({ hasText: '1' }).waitFor();
  await carolCard.getByTestId('comment-new').waitFor();
  await editor.getByTestId('card').filter({ hasText: 'Sees a billboard' }).getByTestId('comment-count').waitFor();
  await shot(carol, 'comments-commenter-badge');

  // A commenter has no card editing controls; the details are read-only.
  await carol.getByTestId('view-only').waitFor();
  await carolCard.hover();
  for (const control of ['card-color', 'card-delete', 'add-card', 'undo', 'quiet-toggle', 'import-open']) {
    assert.equal(await carol.getByTestId(control).filter({ visible: true }).count(), 0, `${control} hidden`);
  }
  await carolCard.getByTestId('comment-count').click();
  const carolDrawer = carol.getByTestId('drawer');
  await carolDrawer.getByTestId('comments').waitFor();
  assert.equal(await carolDrawer.getByTestId('details-text').isDisabled(), true, 'card text read-only');
  assert.equal(await carolDrawer.getByTestId('comment-text').first().textContent(), 'Is this the first touchpoint, @Carol ? Please check.');
  // Not her comment: no edit or delete; she may resolve.
  assert.equal(await carolDrawer.getByTestId('comment-edit').count(), 0);
  assert.equal(await carolDrawer.getByTestId('comment-delete').count(), 0);

  // Carol replies and reacts 👍 to the comment and ❤️ to the card.
  await carolDrawer.getByTestId('reply-input').fill('Yes, it is: most buyers start there.');
  await carolDrawer.getByTestId('reply-send').click();
  await carolDrawer.getByTestId('comment').filter({ hasText: 'most buyers start there' }).waitFor();
  const ownComment = carolDrawer.getByTestId('comment').first();
  await ownComment.hover();
  await ownComment.getByTestId('react-0').click();
  await until(() => ownComment.getByTestId('react-0').getAttribute('aria-pressed'), 'her reaction', (v) => v === 'true');
  await carolDrawer.locator('.comments > .reactions [data-testid=react-3]').click();
  await carolCard.getByTestId('card-reactions').filter({ hasText: '❤️1' }).waitFor();
  // Her own reply can be edited.
  const replyId = await carolDrawer.getByTestId('comment').filter({ hasText: 'most buyers start there' }).getAttribute('data-id');
  const reply = carolDrawer.locator(`[data-testid=comment][data-id="${replyId}"]`);
  await reply.getByTestId('comment-edit').click();
  const edit = reply.getByTestId('comment-edit-input');
  await edit.fill('Yes, it is: most buyers start there (7 of 9 interviews).');
  await reply.getByTestId('comment-save').click();
  await carolDrawer.getByTestId('comment').filter({ hasText: '7 of 9 interviews' }).getByTestId('comment-edited').waitFor();
  await shot(carol, 'comments-commenter-thread');

  // The owner sees the reply, the edit and the reactions live, and resolves the thread.
  await drawer.getByTestId('comment').filter({ hasText: '7 of 9 interviews' }).waitFor();
  await drawer.getByTestId('comment').first().getByTestId('react-0').filter({ hasText: '1' }).waitFor();
  await owner.getByTestId('card').filter({ hasText: 'Sees a billboard' }).getByTestId('card-reactions').filter({ hasText: '❤️1' }).waitFor();
  await owner.getByTestId('card').filter({ hasText: 'Sees a billboard' }).getByTestId('comment-count').filter({ hasText: '2' }).waitFor();
  await shot(owner, 'comments-owner-thread');
  await drawer.getByTestId('comment-resolve').click();
  await drawer.getByTestId('thread').and(owner.locator('[data-resolved=true]')).waitFor();
  await drawer.getByTestId('comment-reopen').waitFor();
  assert.equal(await drawer.getByTestId('reply-input').count(), 0, 'a resolved thread takes no replies');

  // The board's comments panel: nothing open, the thread under Resolved.
  await owner.getByTestId('comments-button').click();
  await owner.getByTestId('comments-panel').waitFor();
  await owner.getByTestId('comments-button').getByTestId('comments-open-count').filter({ hasText: '0' }).waitFor();
  await waitCount(owner.getByTestId('comments-thread'), 0, 'no open threads');
  await owner.getByTestId('comments-filter-resolved').click();
  const listed = owner.getByTestId('comments-thread');
  await waitCount(listed, 1, 'one resolved thread');
  assert.match(await listed.textContent(), /Sees a billboard/);
  assert.match(await listed.textContent(), /Please check\./);
  await shot(owner, 'comments-panel-resolved');
  // A click opens the card's details.
  await listed.click();
  await owner.getByTestId('card-details').filter({ visible: true }).first().waitFor();
  await drawer.getByTestId('comments').waitFor();

  // Carol's "Mentions me" filter lists it; opening the panel clears her dot.
  await carol.getByTestId('comments-button').click();
  await carol.getByTestId('comments-filter-mentions').click();
  await waitCount(carol.getByTestId('comments-thread'), 1, 'the thread that mentions Carol');
  await waitCount(carolCard.getByTestId('comment-new'), 0, 'the new dot is gone once read');
  await shot(carol, 'comments-panel-mentions');

  // A commenter starts a thread about a stage from its header.
  await carol.getByTestId('drawer-close').click();
  await carol.getByTestId('stage-header').filter({ hasText: 'Awareness' }).getByTestId('stage-comment-count').click();
  const stageDrawer = carol.getByTestId('drawer');
  await stageDrawer.getByTestId('stage-details').waitFor();
  assert.equal(await stageDrawer.getByTestId('stage-name').isDisabled(), true, 'stage name read-only');
  await stageDrawer.getByTestId('comment-input').fill('Which ads do they see first?');
  await stageDrawer.getByTestId('comment-send').click();
  await stageDrawer.getByTestId('comment').filter({ hasText: 'Which ads' }).waitFor();
  await owner.getByTestId('stage-header').filter({ hasText: 'Awareness' }).getByTestId('stage-comment-count').filter({ hasText: '1' }).waitFor();
  await shot(carol, 'comments-stage');

  // Carol's inbox on her home page: one unread mention, read once opened.
  await carol.goto(`${BASE}/`);
  await carol.getByTestId('inbox-unread').filter({ hasText: '1' }).waitFor();
  await carol.getByTestId('inbox-button').click();
  const item = carol.getByTestId('inbox-item');
  await waitCount(item, 1, 'one mention in the inbox');
  assert.match(await item.textContent(), /Fridge journey workshop/);
  assert.match(await item.textContent(), /Owner/);
  assert.match(await item.textContent(), /first touchpoint/);
  assert.equal(await item.getAttribute('href'), `/b/${id}`);
  await waitCount(carol.getByTestId('inbox-unread'), 0, 'the badge clears once opened');
  await shot(carol, 'comments-inbox');
  const inbox = await until(async () => (await api('GET', '/api/inbox', undefined, { as: 'Carol' })).json(), 'inbox read', (v) => v.unread === 0);
  assert.equal(inbox.items.length, 1);

  // A hand-made card edit over Carol's own websocket is refused; a comment is not.
  const answer = await carol.evaluate(async ({ boardId, card }) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/boards/${boardId}/ws`);
    const msgs = [];
    await new Promise((r) => { ws.onopen = r; });
    ws.onmessage = (e) => msgs.push(JSON.parse(e.data));
    ws.send(JSON.stringify({ type: 'hello', protocol: 1 }));
    for (let i = 0; i < 30 && !msgs.some((m) => m.type === 'welcome'); i++) await new Promise((r) => setTimeout(r, 100));
    ws.send(JSON.stringify({ type: 'submit', client_op_id: crypto.randomUUID(), ops: [{ op: 'update_card', id: card, patch: { text: 'Hacked' } }] }));
    for (let i = 0; i < 30 && !msgs.some((m) => m.type === 'rejected'); i++) await new Promise((r) => setTimeout(r, 100));
    ws.close();
    return { role: msgs.find((m) => m.type === 'welcome')?.role, rejected: msgs.find((m) => m.type === 'rejected')?.code };
  }, { boardId: id, card: cardId });
  assert.deepEqual(answer, { role: 'commenter', rejected: 'forbidden' });
  const after = await boardJson(id);
  assert.equal(after.cards[cardId].text, 'Sees a billboard');

  for (const page of [owner, editor, carol]) assert.deepEqual(page.errors, []);
  await Promise.all([owner, editor, carol].map((p) => p.context().close()));
});

test('comments in Russian on a phone, and a viewer reads without inputs', async () => {
  const id = await createBoard('Покупка холодильника', 'classic', 'ru');
  await share(id, 'Carol', 'commenter');
  await share(id, 'Vic', 'viewer');
  const owner = await newPage(browser);
  await openBoard(owner, id);
  const stageName = (await owner.getByTestId('stage-header').first().innerText()).split('\n')[0].trim();
  const laneName = (await owner.getByTestId('lane-header').first().innerText()).split('\n')[0].trim();
  await addCard(owner, stageName, laneName, 'Видит рекламу');
  const ownerDrawer = await openDetails(owner, 'Видит рекламу');
  await ownerDrawer.getByTestId('comment-input').fill('Откуда мы это знаем?');
  await ownerDrawer.getByTestId('comment-send').click();
  await ownerDrawer.getByTestId('comment').waitFor();

  // Carol on a phone, in Russian.
  const carol = await newPage(browser, { as: 'Carol', lang: 'ru', width: 390, height: 844 });
  await openBoard(carol, id);
  const card = carol.getByTestId('card').filter({ hasText: 'Видит рекламу' });
  await card.getByTestId('comment-count').filter({ hasText: '1' }).waitFor();
  await shot(carol, 'comments-ru-phone-card');
  await card.getByTestId('comment-count').click();
  const drawer = carol.getByTestId('drawer');
  await drawer.getByTestId('comments').filter({ hasText: 'Комментарии' }).waitFor();
  assert.equal(await drawer.getByTestId('comment-input').getAttribute('placeholder'), 'Напишите комментарий; @ — упомянуть участника');
  await drawer.getByTestId('reply-input').fill('Из интервью, 7 из 9.');
  await drawer.getByTestId('reply-send').click();
  await drawer.getByTestId('comment').filter({ hasText: '7 из 9' }).waitFor();
  await drawer.getByTestId('comment').first().hover();
  await drawer.getByTestId('comment').first().getByTestId('react-4').click();
  await drawer.getByTestId('comment').first().getByTestId('react-4').filter({ hasText: '1' }).waitFor();
  await drawer.getByTestId('comments').scrollIntoViewIfNeeded();
  await shot(carol, 'comments-ru-phone-thread');
  // On a phone the panel covers the screen; it closes to reach the top bar.
  await carol.getByTestId('drawer-close').click();
  await carol.getByTestId('comments-button').click();
  await carol.getByTestId('comments-filter-open').filter({ hasText: 'Открытые' }).waitFor();
  await waitCount(carol.getByTestId('comments-thread'), 1, 'one open thread');
  await shot(carol, 'comments-ru-phone-panel');

  // A viewer reads the thread but has no box, no buttons.
  const vic = await newPage(browser, { as: 'Vic' });
  await openBoard(vic, id);
  const vicCard = vic.getByTestId('card').filter({ hasText: 'Видит рекламу' });
  await vicCard.getByTestId('comment-count').filter({ hasText: '2' }).waitFor();
  await vicCard.getByTestId('comment-count').click();
  const vicDrawer = vic.getByTestId('drawer');
  await waitCount(vicDrawer.getByTestId('comment'), 2, 'the viewer reads both comments');
  for (const control of ['comment-input', 'reply-input', 'comment-resolve', 'comment-edit', 'comment-delete', 'react-0']) {
    assert.equal(await vicDrawer.getByTestId(control).count(), 0, `${control} absent for a viewer`);
  }
  // The reaction present is shown, not clickable.
  assert.equal(await vicDrawer.getByTestId('react-4').isDisabled(), true);
  await shot(vic, 'comments-viewer');

  for (const page of [owner, carol, vic]) assert.deepEqual(page.errors, []);
  await Promise.all([owner, carol, vic].map((p) => p.context().close()));
});

test('an emotion point: a thread with a mention, its badge live, and the bell without a reload', async () => {
  const id = await createBoard('Fridge emotions', 'fridge_example');
  await share(id, 'Bea', 'commenter');
  const before = await boardJson(id);
  const owner = await newPage(browser);
  const bea = await newPage(browser, { as: 'Bea', width: 390, height: 844 });
  await openBoard(owner, id);
  await openBoard(bea, id);
  await bea.getByTestId('inbox-button').waitFor();
  assert.equal(await bea.getByTestId('inbox-unread').count(), 0, 'nothing unread yet');

  // An as-is point that nothing covers (personas and curves can overlap).
  await owner.getByTestId('emotion-lane').scrollIntoViewIfNeeded();
  const key = await owner.evaluate(() => {
    for (const p of document.querySelectorAll('[data-testid=emotion-point][data-curve=as_is]')) {
      const r = p.getBoundingClientRect();
      if (document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === p) return { ...p.dataset };
    }
    return null;
  });
  assert.ok(key, 'an uncovered as-is point');
  const sel = `[data-persona="${key.persona}"][data-stage="${key.stage}"][data-curve=as_is]`;
  const personaName = before.personas[key.persona].name;
  const stageName = before.stages[key.stage].name;
  const score = (b) => b.emotions.find((e) => e.persona_id === key.persona && e.stage_id === key.stage && e.curve === 'as_is')?.score;

  // Hovering the point shows its comment button; it opens the point's discussion.
  const talk = owner.locator(`[data-testid=emotion-comments]${sel}`);
  assert.equal(await talk.isVisible(), false, 'no button on a quiet point until hovered');
  await owner.locator(`[data-testid=emotion-point]${sel}`).hover();
  await talk.click();
  const drawer = owner.getByTestId('drawer');
  await drawer.getByRole('heading', { name: `Emotion: ${personaName} · ${stageName}` }).waitFor();
  await drawer.getByTestId('emotion-details').waitFor();
  const input = drawer.getByTestId('comment-input');
  await input.click();
  await input.pressSequentially('Why so low here, @Be');
  await drawer.getByTestId('mention-option').filter({ hasText: 'Bea' }).click();
  await input.pressSequentially('? Is it the price?');
  await drawer.getByTestId('comment-send').click();
  await drawer.getByTestId('comment').filter({ hasText: 'the price' }).waitFor();
  await talk.filter({ hasText: '1' }).waitFor();
  await shot(owner, 'comments-emotion-point');

  const people = (await (await api('GET', `/api/boards/${id}/people`)).json()).people;
  const beaId = people.find((p) => p.name === 'Bea').id;
  const stored = await until(() => boardJson(id), 'the stored comment', (b) => Object.keys(b.comments ?? {}).length === 1);
  const comment = Object.values(stored.comments)[0];
  assert.deepEqual(comment.on, { emotion: { persona_id: key.persona, stage_id: key.stage, curve: 'as_is' } });
  assert.deepEqual(comment.mentions, [beaId]);
  assert.equal(score(stored), score(before), 'opening the discussion set no score');

  // Bea sees the count with the "new" dot live, and her bell counts it without a reload.
  const beaTalk = bea.locator(`[data-testid=emotion-comments]${sel}`);
  await beaTalk.filter({ hasText: '1' }).getByTestId('emotion-comments-new').waitFor();
  await bea.getByTestId('inbox-unread').filter({ hasText: '1' }).waitFor();

  // The comments panel says what the thread is about; a click opens it.
  await bea.getByTestId('comments-button').click();
  const listed = bea.getByTestId('comments-thread').filter({ hasText: `Emotion: ${personaName} · ${stageName}` });
  await listed.waitFor();
  await listed.click();
  const beaDrawer = bea.getByTestId('drawer');
  await beaDrawer.getByTestId('emotion-details').waitFor();
  await beaDrawer.getByTestId('comment').filter({ hasText: 'the price' }).waitFor();
  const reply = beaDrawer.getByTestId('reply-input');
  await reply.click();
  await reply.pressSequentially('Delivery costs, @Own');
  await beaDrawer.getByTestId('mention-option').filter({ hasText: 'Owner' }).click();
  await reply.pressSequentially(', see interview 4.');
  await beaDrawer.getByTestId('reply-send').click();
  await beaDrawer.getByTestId('comment').filter({ hasText: 'interview 4' }).waitFor();
  await waitCount(beaTalk.getByTestId('emotion-comments-new'), 0, 'read once the panel was opened');
  await shot(bea, 'comments-emotion-point-phone');

  // The owner sees the reply in the open thread, the count, and a mention on the bell.
  await drawer.getByTestId('comment').filter({ hasText: 'interview 4' }).waitFor();
  await talk.filter({ hasText: '2' }).waitFor();
  await owner.getByTestId('inbox-unread').filter({ hasText: '1' }).waitFor();

  // On her home page the bell catches up when the tab is shown again.
  await bea.goto(`${BASE}/`);
  await bea.getByTestId('inbox-unread').filter({ hasText: '1' }).waitFor();
  await drawer.getByTestId('reply-input').click();
  await drawer.getByTestId('reply-input').pressSequentially('Thanks, @Be');
  await drawer.getByTestId('mention-option').filter({ hasText: 'Bea' }).click();
  await drawer.getByTestId('reply-send').click();
  await until(async () => (await api('GET', '/api/inbox', undefined, { as: 'Bea' })).json(), 'the second mention', (v) => v.unread === 2);
  await bea.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await bea.getByTestId('inbox-unread').filter({ hasText: '2' }).waitFor();

  for (const page of [owner, bea]) assert.deepEqual(page.errors, []);
  await Promise.all([owner, bea].map((p) => p.context().close()));
});
