// Importing quotes in real browsers, in Russian: a semicolon CSV with
// Russian headers is previewed (summary, the row with an unknown stage
// marked with its error), a column is re-mapped and back, the valid rows
// are imported with "skip", and the new cards reach a second editor's
// browser live; Undo in the notice takes them away from both. Then an XLSX
// file (e2e/fixtures/quotes-ru.xlsx) is imported and undone from the
// dialog's recent imports, on a phone-sized screen.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, newPage, createBoard, boardJson, openBoard, share, shot, until, waitCount, cell } from './helpers.mjs';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const GOOD1 = 'Долго искал размеры холодильника на сайте';
const GOOD2 = 'Курьер не позвонил перед доставкой';
const BAD = 'Хочу вернуть товар без очереди';
const CSV = [
  'Цитата;Этап;Дорожка;Источник;Дата',
  `${GOOD1};Осведомлённость;Мысли;интервью;03.11.2026`,
  `${GOOD2};Покупка;Боли;звонок;2026-11-04`,
  `${BAD};Нигде;Боли;отзыв;05.11.2026`,
].join('\r\n');
// The rows of quotes-ru.xlsx (see e2e/fixtures/README.md).
const XLSX1 = 'Не понял, сколько стоит доставка холодильника';
const XLSX2 = 'Хочу знать, когда привезут, с точностью до часа';

const card = (page, text) => page.getByTestId('card').filter({ hasText: text });

async function openImport(page) {
  await page.getByTestId('board-menu').click();
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-dialog').waitFor();
}

async function chooseCsv(page) {
  await page.getByTestId('import-file').setInputFiles({
    name: 'цитаты.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8'),
  });
  await page.getByTestId('import-summary').waitFor();
}

test('quotes from a Russian CSV and an XLSX: preview, errors, mapping, import, live cards, undo', async () => {
  const id = await createBoard('Импорт цитат', 'seven_layers', 'ru');
  await share(id, 'Editor 2', 'editor');
  const board = await boardJson(id);
  const stageNames = Object.values(board.stages).map((s) => s.name);
  for (const s of ['Осведомлённость', 'Покупка', 'Лояльность']) assert.ok(stageNames.includes(s), `stage ${s}: ${stageNames}`);
  const cardsBefore = Object.keys(board.cards).length;

  const owner = await newPage(browser, { lang: 'ru' });
  const other = await newPage(browser, { lang: 'ru', as: 'Editor 2' });
  await Promise.all([openBoard(owner, id), openBoard(other, id)]);

  // ---- the CSV: preview with one bad row ----------------------------------
  await openImport(owner);
  const dialog = owner.getByTestId('import-dialog');
  assert.match(await dialog.innerText(), /CSV или XLSX/);
  await chooseCsv(owner);
  const summary = owner.getByTestId('import-summary');
  assert.equal(await summary.innerText(), 'Строк: 3; готово к импорту: 2, с ошибками: 1');
  assert.match(await owner.getByTestId('import-file-info').innerText(), /цитаты\.csv\s+CSV · utf-8/);
  // The Russian headers mapped themselves.
  assert.equal(await owner.getByTestId('import-map-quote').inputValue(), '1');
  assert.equal(await owner.getByTestId('import-map-stage').inputValue(), '2');
  assert.equal(await owner.getByTestId('import-map-lane').inputValue(), '3');
  assert.equal(await owner.getByTestId('import-map-text').inputValue(), '');
  const rows = owner.getByTestId('import-row');
  await waitCount(rows, 3, 'three preview rows');
  const bad = owner.locator('[data-testid="import-row"].bad');
  assert.equal(await bad.count(), 1);
  assert.equal(await bad.getAttribute('data-row'), '4', 'the spreadsheet row number');
  assert.match(await bad.innerText(), new RegExp(BAD));
  assert.equal(await owner.getByTestId('import-row-error').innerText(), 'на карте нет этапа «Нигде»');
  assert.match(await owner.getByTestId('import-errors').innerText(), /Строка 4: на карте нет этапа «Нигде»/);
  assert.match(await rows.nth(1).innerText(), /Покупка · Боли[\s\S]*Запись звонка · 2026-11-04/);
  // Not before "skip" is ticked.
  const submit = owner.getByTestId('import-submit');
  assert.equal(await submit.innerText(), 'Импортировать строк: 2');
  assert.ok(await submit.isDisabled(), 'rows with errors: import waits for "skip"');
  await shot(owner, 'import-preview-row-error');

  // Another column choice runs the dry run again: without a stage nothing fits.
  await owner.getByTestId('import-map-stage').selectOption({ index: 0 });
  await until(() => summary.innerText(), 'the summary without stages', (t) => t === 'Строк: 3; готово к импорту: 0, с ошибками: 3');
  assert.equal(await owner.getByTestId('import-skip').count(), 0, 'nothing to skip to');
  assert.ok(await submit.isDisabled());
  await owner.getByTestId('import-map-stage').selectOption('2');
  await until(() => summary.innerText(), 'the summary with stages again', (t) => t === 'Строк: 3; готово к импорту: 2, с ошибками: 1');

  // ---- import the two good rows -------------------------------------------
  await owner.getByTestId('import-skip').check();
  assert.ok(await submit.isEnabled());
  await submit.click();
  await waitCount(dialog, 0, 'the dialog closes');
  const notice = owner.getByTestId('import-notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /Импортировано карточек: 2/);
  await shot(owner, 'import-notice');
  for (const page of [owner, other]) {
    await card(page, GOOD1).waitFor();
    await card(page, GOOD2).waitFor();
    assert.equal(await card(page, BAD).count(), 0, 'the bad row is left out');
  }
  assert.equal(await (await cell(other, 'Покупка', 'Боли')).getByTestId('card').filter({ hasText: GOOD2 }).count(), 1,
    'the card is in its stage and lane');
  const imported = Object.values((await boardJson(id)).cards).find((c) => c.text === GOOD2);
  assert.equal(imported.evidence[0].source, 'call_transcript');
  assert.equal(imported.evidence[0].date, '2026-11-04');

  // ---- Undo in the notice takes them away everywhere ----------------------
  await owner.getByTestId('import-undo').click();
  for (const page of [owner, other]) {
    await waitCount(card(page, GOOD1), 0, 'the first card is gone');
    await waitCount(card(page, GOOD2), 0, 'the second card is gone');
  }
  await until(() => notice.innerText(), 'the notice says it is undone', (t) => t.includes('Импорт отменён'));
  await notice.getByRole('button', { name: 'Закрыть' }).click();
  await waitCount(notice, 0, 'the notice is dismissed');
  assert.equal(Object.keys((await boardJson(id)).cards).length, cardsBefore);

  // ---- an XLSX, on a phone --------------------------------------------------
  await owner.setViewportSize({ width: 390, height: 844 });
  await openImport(owner);
  const recent = owner.getByTestId('import-recent-item');
  await waitCount(recent, 1, 'the CSV import is listed');
  assert.match(await recent.innerText(), /цитаты\.csv[\s\S]*отменён/);
  await owner.getByTestId('import-file').setInputFiles(path.join(FIXTURES, 'quotes-ru.xlsx'));
  await until(() => summary.isVisible().then((v) => v && summary.innerText()), 'the XLSX summary',
    (t) => t === 'Строк: 2; все готовы к импорту');
  assert.match(await owner.getByTestId('import-file-info').innerText(), /quotes-ru\.xlsx\s+XLSX/);
  assert.equal(await owner.getByTestId('import-map-text').inputValue(), '1');
  assert.equal(await owner.getByTestId('import-skip').count(), 0, 'no errors: nothing to skip');
  const fits = await dialog.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth);
  assert.ok(fits, 'the dialog fits a 390 px screen');
  await shot(owner, 'import-dialog-phone');
  await submit.click();
  await waitCount(dialog, 0, 'the dialog closes');
  for (const page of [owner, other]) {
    await card(page, XLSX1).waitFor();
    await card(page, XLSX2).waitFor();
  }
  assert.equal(await (await cell(other, 'Лояльность', 'Мысли')).getByTestId('card').filter({ hasText: XLSX2 }).count(), 1);

  // Undone from the recent imports instead.
  await openImport(owner);
  await waitCount(recent, 2, 'both imports are listed');
  assert.match(await recent.first().innerText(), /quotes-ru\.xlsx/);
  await recent.first().getByTestId('import-recent-undo').click();
  for (const page of [owner, other]) {
    await waitCount(card(page, XLSX1), 0, 'the XLSX cards are gone');
    await waitCount(card(page, XLSX2), 0, 'the XLSX cards are gone');
  }
  await waitCount(owner.getByTestId('import-recent-undo'), 0, 'nothing left to undo');
  await owner.keyboard.press('Escape');
  await waitCount(dialog, 0, 'Escape closes the dialog');
  assert.equal(Object.keys((await boardJson(id)).cards).length, cardsBefore);

  assert.deepEqual(owner.errors, []);
  assert.deepEqual(other.errors, []);
  await owner.context().close();
  await other.context().close();
});
