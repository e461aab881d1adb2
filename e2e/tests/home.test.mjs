// The home page: finding a board (search, sort, mine or shared with me),
// each board's thumbnail, duplicating a board, the template gallery, and
// the landing page a visitor sees before signing in; at phone and desktop
// widths, in English and Russian, with nothing wider than the window.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, createBoard, api, session, boardJson, openBoard, addCard, shot, until } from './helpers.mjs';

let browser;

after(async () => { await browser?.close(); });

const fitsWindow = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const titles = (page) => page.locator('[data-testid="board-item"] .board-name').allInnerTexts();
const loaded = (img) => img.evaluate((i) => i.complete && i.naturalWidth > 0);
const cardTexts = (board) => Object.values(board.cards).map((c) => c.text).sort();

let partnerBoard;
before(async () => {
  browser ??= await launch();
  // Three boards of the owner's (Alpha changed last), one shared with them.
  const alpha = await createBoard('Alpha onboarding', 'classic');
  await createBoard('Zeta delivery', 'fridge_example');
  await createBoard('Mid returns', 'blank');
  const res = await api('POST', '/api/boards', { title: 'Partner map', template: 'classic', locale: 'en' }, { as: 'Partner' });
  partnerBoard = (await res.json()).id;
  const shared = await api('POST', `/api/boards/${partnerBoard}/members`,
    { email: (await session('Owner')).email, role: 'viewer' }, { as: 'Partner' });
  assert.equal(shared.status, 201);
  const page = await newPage(browser);
  await openBoard(page, alpha);
  await addCard(page, 'Awareness', 'Actions', 'Sees an ad');
  await page.context().close();
});

test('boards are found by title, sorted, split into mine and shared, each with a thumbnail', async () => {
  const page = await newPage(browser);
  await page.goto(BASE);
  const items = page.getByTestId('board-item');
  await items.nth(3).waitFor();
  // Last changed first (the default).
  assert.deepEqual(await titles(page), ['Alpha onboarding', 'Partner map', 'Mid returns', 'Zeta delivery']);
  assert.match(await items.first().locator('.board-meta').innerText(), /^6 stages · 1 card · updated /);
  await page.getByTestId('board-sort').selectOption('name');
  assert.deepEqual(await titles(page), ['Alpha onboarding', 'Mid returns', 'Partner map', 'Zeta delivery']);
  await page.getByTestId('board-sort').selectOption('created');
  assert.deepEqual(await titles(page), ['Partner map', 'Mid returns', 'Zeta delivery', 'Alpha onboarding']);

  // Mine and shared with me.
  await page.getByTestId('board-filter-shared').click();
  assert.deepEqual(await titles(page), ['Partner map']);
  assert.equal(await items.first().getByTestId('board-role').innerText(), 'Viewer');
  assert.equal(await items.first().getByTestId('board-delete').count(), 0, 'only owners delete');
  await page.getByTestId('board-filter-mine').click();
  assert.deepEqual(await titles(page), ['Mid returns', 'Zeta delivery', 'Alpha onboarding']);
  assert.equal(await page.getByTestId('board-filter-mine').getAttribute('aria-pressed'), 'true');
  await page.getByTestId('board-filter-all').click();

  // Search, case-insensitive, with the filter and the order kept.
  await page.getByTestId('board-search').fill('ZETA');
  assert.deepEqual(await titles(page), ['Zeta delivery']);
  await page.getByTestId('board-search').fill('map');
  assert.deepEqual(await titles(page), ['Partner map']);
  await page.getByTestId('board-search').fill('nothing like it');
  await page.getByTestId('board-none').waitFor();
  assert.equal(await items.count(), 0);
  await page.getByTestId('board-search').fill('');
  await items.nth(3).waitFor();

  // Thumbnails: a picture of each map, drawn by the server.
  const thumbs = page.getByTestId('board-thumb');
  assert.equal(await thumbs.count(), 4);
  for (let i = 0; i < 4; i++) await until(() => loaded(thumbs.nth(i)), `thumbnail ${i} loaded`);
  const src = await thumbs.first().getAttribute('src');
  const res = await api('GET', src);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/svg+xml');
  assert.match(res.headers.get('cache-control'), /^private, max-age=\d+$/);
  assert.ok(res.headers.get('etag'));
  assert.ok(await fitsWindow(page));
  await shot(page, 'home-boards-en-1280');

  // The sort is remembered.
  await page.getByTestId('board-sort').selectOption('name');
  await page.reload();
  await items.nth(3).waitFor();
  assert.deepEqual(await titles(page), ['Alpha onboarding', 'Mid returns', 'Partner map', 'Zeta delivery']);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('on a phone, in Russian: the same list fits the window', async () => {
  const page = await newPage(browser, { lang: 'ru', width: 390, height: 844 });
  await page.goto(BASE);
  await page.getByTestId('board-item').nth(3).waitFor();
  await page.getByTestId('board-filter-shared').filter({ hasText: 'Доступные мне' }).click();
  assert.deepEqual(await titles(page), ['Partner map']);
  assert.equal(await page.getByTestId('board-role').innerText(), 'Наблюдатель');
  assert.match(await page.locator('.board-meta').innerText(), /^6 этапов · 0 карточек · изменена /);
  await page.getByTestId('board-filter-mine').click();
  assert.match(await page.getByTestId('board-item').filter({ hasText: 'Alpha onboarding' }).locator('.board-meta').innerText(),
    /^6 этапов · 1 карточка · /);
  await until(() => loaded(page.getByTestId('board-thumb').first()), 'thumbnail loaded');
  assert.ok(await fitsWindow(page));
  await page.getByTestId('board-filter-all').click();
  await shot(page, 'home-ru-390');
  await page.locator('.board-list').scrollIntoViewIfNeeded();
  await shot(page, 'home-boards-ru-390');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('duplicate opens a copy of the board with the same cards', async () => {
  const source = await createBoard('Fridge study', 'fridge_example');
  const page = await newPage(browser);
  await page.goto(BASE);
  const item = page.getByTestId('board-item').filter({ hasText: 'Fridge study' });
  await item.getByTestId('board-duplicate').click();
  await page.waitForURL((u) => /\/b\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(source));
  await page.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();
  await page.getByTestId('board-title').filter({ hasText: 'Fridge study (copy)' }).waitFor();
  const copy = new URL(page.url()).pathname.split('/').pop();
  const [a, b] = [await boardJson(source), await boardJson(copy)];
  assert.equal(b.title, 'Fridge study (copy)');
  assert.deepEqual(cardTexts(b), cardTexts(a));
  assert.ok(cardTexts(b).length > 20);
  // A viewer copies a board shared with them, in Russian: the copy is theirs.
  const ru = await newPage(browser, { lang: 'ru', width: 390, height: 844 });
  await ru.goto(BASE);
  await ru.getByTestId('board-item').filter({ hasText: 'Partner map' }).getByTestId('board-duplicate').click();
  await ru.getByTestId('board-title').filter({ hasText: 'Partner map (копия)' }).waitFor();
  await ru.goto(BASE);
  await ru.getByTestId('board-filter-mine').click();
  await ru.getByTestId('board-item').filter({ hasText: 'Partner map (копия)' }).waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(ru.errors, []);
  await page.context().close();
  await ru.context().close();
});

test('the template gallery: pictures, a radio group, and the board is made from the chosen one', async () => {
  const page = await newPage(browser);
  await page.goto(BASE);
  const gallery = page.getByTestId('new-board-template');
  assert.equal(await gallery.getAttribute('role'), 'radiogroup');
  const options = gallery.locator('[role="radio"][data-saved="false"]');
  await options.nth(4).waitFor();
  assert.deepEqual(await options.evaluateAll((os) => os.map((o) => o.dataset.template)),
    ['blank', 'classic', 'seven_layers', 'call_centre', 'fridge_example']);
  const previews = page.getByTestId('template-preview');
  for (let i = 0; i < 5; i++) await until(() => loaded(previews.nth(i)), `preview ${i} loaded`);
  // Classic is chosen at first; one tab stop, on the chosen card.
  const classic = gallery.locator('[data-template="classic"]');
  assert.equal(await classic.getAttribute('aria-checked'), 'true');
  assert.equal(await gallery.locator('[tabindex="0"]').count(), 1);
  await gallery.locator('[data-template="seven_layers"]').click();
  assert.equal(await gallery.locator('[data-template="seven_layers"]').getAttribute('aria-checked'), 'true');
  assert.equal(await classic.getAttribute('aria-checked'), 'false');
  assert.equal(await page.getByTestId('new-board-title').getAttribute('placeholder'), 'Seven layers');
  // The keyboard: arrows move the choice and the focus.
  await gallery.locator('[data-template="seven_layers"]').focus();
  await page.keyboard.press('ArrowRight');
  const cc = gallery.locator('[data-template="call_centre"]');
  assert.equal(await cc.getAttribute('aria-checked'), 'true');
  assert.equal(await cc.evaluate((el) => el === document.activeElement), true);
  await page.keyboard.press('End');
  assert.equal(await gallery.locator('[data-template="fridge_example"]').getAttribute('aria-checked'), 'true');
  await page.keyboard.press('ArrowRight');
  assert.equal(await gallery.locator('[data-template="blank"]').getAttribute('aria-checked'), 'true', 'wraps around');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await cc.getAttribute('aria-checked'), 'true');
  assert.ok(await fitsWindow(page));
  await shot(page, 'home-gallery-en-1280');
  await page.getByTestId('new-board-title').fill('From the gallery');
  await page.getByTestId('create-board').click();
  await page.waitForURL(/\/b\/[0-9a-f-]{36}$/);
  await page.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();
  const id = new URL(page.url()).pathname.split('/').pop();
  const board = await boardJson(id);
  assert.equal(board.title, 'From the gallery');
  const stages = Object.values(board.stages).sort((a, b) => (a.order < b.order ? -1 : 1)).map((s) => s.name);
  assert.equal(stages[0], 'Need awareness', 'the call-centre template');
  assert.deepEqual(page.errors, []);
  await page.context().close();

  // In Russian on a phone: the gallery scrolls within itself.
  const ru = await newPage(browser, { lang: 'ru', width: 390, height: 844 });
  await ru.goto(BASE);
  await ru.getByTestId('new-board-template').locator('[data-template="fridge_example"]').click();
  assert.equal(await ru.getByTestId('new-board-title').getAttribute('placeholder'), 'Игорь, 45, покупает холодильник');
  await until(() => loaded(ru.getByTestId('template-preview').first()), 'preview loaded');
  assert.ok(await fitsWindow(ru));
  await shot(ru, 'home-gallery-ru-390');
  await ru.context().close();
});

for (const [lang, width, height] of [['en', 1280, 800], ['ru', 390, 844], ['ru', 1280, 800], ['en', 390, 844]]) {
  test(`a visitor who is not signed in sees what the product is (${lang}, ${width} px)`, async () => {
    const page = await newPage(browser, { as: null, lang, width, height });
    await page.goto(BASE);
    await page.getByTestId('signed-out').waitFor();
    const picture = page.getByTestId('landing-picture');
    await until(() => loaded(picture), 'the example map loaded');
    assert.match(await picture.getAttribute('src'), new RegExp(`fridge_example/preview\\.svg\\?locale=${lang}`));
    assert.ok((await picture.getAttribute('alt')).length > 20);
    assert.equal(await page.getByTestId('landing-group').count(), 3);
    const signUp = page.getByTestId('landing-sign-up');
    const signIn = page.getByTestId('home-sign-in');
    assert.ok(await signUp.isVisible());
    assert.ok(await signIn.isVisible());
    assert.equal(await signIn.innerText(), lang === 'ru' ? 'Войти' : 'Sign in');
    assert.ok(await fitsWindow(page));
    // Nothing of the signed-in home page.
    assert.equal(await page.getByTestId('new-board-title').count(), 0);
    await shot(page, `landing-${lang}-${width}`);
    await page.screenshot({ path: `${process.env.SCREENSHOTS ?? 'test-results'}/landing-${lang}-${width}-full.png`, fullPage: true });
    await signUp.click();
    await page.waitForURL(/\/login\?signup=1$/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
