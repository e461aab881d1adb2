// Exports in real browsers: the owner of a Russian board downloads every
// format from the board menu's Export dialog (native downloads with the
// server's file names), prints the map without the app around it, and
// imports the full backup on the home page into an identical new board;
// a file that is not an export is refused in Russian; a viewer-link guest
// without an account downloads the manager's report.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BASE, api, launch, newPage, createBoard, boardJson, openBoard, shot, until,
} from './helpers.mjs';

const SHOTS = process.env.SCREENSHOTS ?? 'test-results';
const TITLE = 'Игорь покупает холодильник';

let browser;
let id;
let board;
let stageNames;
let backup; // the full JSON export the owner downloaded
before(async () => {
  browser = await launch();
  id = await createBoard(TITLE, 'fridge_example', 'ru');
  board = await boardJson(id);
  stageNames = Object.values(board.stages).sort((a, b) => (a.order < b.order ? -1 : 1)).map((s) => s.name);
  assert.ok(stageNames.length >= 3, `stages: ${stageNames}`);
});
after(async () => { await browser?.close(); });

async function openExport(page) {
  await page.getByTestId('board-menu').click();
  await page.getByTestId('export-open').click();
  await page.getByTestId('export-dialog').waitFor();
}

/// Clicks a format's link and returns the download's file name and bytes.
async function download(page, format) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-${format}`).click()]);
  assert.equal(await dl.failure(), null, `${format} downloaded`);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

test('the owner downloads every format, prints the map, and the dialog fits a phone', async () => {
  const page = await newPage(browser, { lang: 'ru' });
  await openBoard(page, id);
  await openExport(page);
  const dialog = page.getByTestId('export-dialog');
  for (const text of ['Карта (PDF)', 'Карта (картинка PNG)', 'Карта (SVG)', 'Таблица (XLSX)', 'Карточки (CSV)', 'Возможности как задачи (CSV)', 'Trello, Jira, Notion',
    'Отчёт для руководителя (Markdown)', 'Полная копия (JSON)', 'Импортируется обратно в такую же карту']) {
    await dialog.getByText(text).first().waitFor();
  }
  // Plain links in the UI's language: the browser downloads them itself.
  assert.equal(await page.getByTestId('export-md').getAttribute('href'), `/api/boards/${id}/export?format=md&lang=ru`);
  assert.equal(await page.getByTestId('export-md').getAttribute('download'), '');
  // The report page opens in a new tab, shown rather than saved, in the reader's language.
  const reportLink = page.getByTestId('export-report_page');
  assert.equal(await reportLink.getAttribute('download'), null);
  assert.equal(await reportLink.getAttribute('target'), '_blank');
  const [reportTab] = await Promise.all([page.context().waitForEvent('page'), reportLink.click()]);
  await reportTab.waitForLoadState();
  assert.equal(await reportTab.locator('h1').textContent(), TITLE);
  await reportTab.locator('figure svg').waitFor();
  for (const s of stageNames) assert.ok((await reportTab.content()).includes(s), `the report page names ${s}`);
  await shot(reportTab, 'report-page');
  await reportTab.close();
  await shot(page, 'export-dialog');

  const files = {};
  for (const format of ['pdf', 'png', 'svg', 'xlsx', 'csv', 'opportunities_csv', 'md', 'json']) files[format] = await download(page, format);
  const ext = { pdf: '.pdf', png: '.png', svg: '.svg', xlsx: '.xlsx', csv: '.csv', opportunities_csv: '.csv', md: '.md', json: '.json' };
  console.log(`downloaded: ${Object.values(files).map((f) => f.name).join(' | ')}`);
  for (const [format, f] of Object.entries(files)) {
    assert.ok(f.name.startsWith(TITLE), `${format}: the Cyrillic title is kept in ${f.name}`);
    assert.ok(f.name.endsWith(ext[format]), `${format}: ${f.name}`);
  }
  assert.equal(files.xlsx.bytes.subarray(0, 2).toString(), 'PK', 'an XLSX is a zip');
  assert.equal(files.pdf.bytes.subarray(0, 5).toString(), '%PDF-', 'a PDF');
  assert.equal(files.png.bytes.subarray(1, 4).toString(), 'PNG', 'a PNG');
  const svg = files.svg.bytes.toString('utf8');
  for (const s of stageNames) assert.ok(svg.includes(s), `the drawing names the stage ${s}`);
  const csv = files.csv.bytes.toString('utf8');
  assert.ok(csv.startsWith('\ufeffтекст,этап,дорожка'), `CSV starts with the BOM and Russian headers: ${csv.slice(0, 40)}`);
  const md = files.md.bytes.toString('utf8');
  for (const s of stageNames) assert.ok(md.includes(s), `the report names the stage ${s}`);
  backup = files.json.bytes;
  const doc = JSON.parse(backup.toString('utf8'));
  assert.equal(doc.format, 'cjm-board');
  assert.equal(doc.board.title, TITLE);

  // The same dialog on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  const box = await dialog.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the dialog fits 390 px: ${JSON.stringify(box)}`);
  await shot(page, 'export-dialog-phone');
  await page.setViewportSize({ width: 1280, height: 720 });

  // Print… closes the dialog and asks the browser to print.
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
  await page.getByTestId('export-print').click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => window.printed), 1);

  // The print medium: the map alone, with its title, cards in colour.
  await page.emulateMedia({ media: 'print' });
  for (const chrome of ['board-menu', 'status', 'zoom-in', 'add-card', 'add-stage']) {
    assert.equal(await page.getByTestId(chrome).filter({ visible: true }).count(), 0, `${chrome} not printed`);
  }
  assert.equal(await page.locator('.topbar').isVisible(), false, 'no top bar');
  assert.equal(await page.locator('.print-title').textContent(), TITLE);
  assert.ok(await page.locator('.print-title').isVisible(), 'the title is printed');
  const grid = await page.locator('.grid').boundingBox();
  assert.ok(grid.width <= 1000, `the grid is scaled to the paper's width: ${grid.width}`);
  const card = page.getByTestId('card').first();
  const colour = await card.evaluate((el) => getComputedStyle(el).printColorAdjust);
  assert.equal(colour, 'exact', 'cards keep their colours');
  // Nothing clipped: the page grows with the grid.
  const clipped = await page.evaluate(() => {
    const s = document.querySelector('.board-scroll');
    return getComputedStyle(s).overflow !== 'visible' || getComputedStyle(document.querySelector('.board-page')).height === `${innerHeight}px`;
  });
  assert.equal(clipped, false, 'the board is not clipped to the window');
  await page.screenshot({ path: path.join(SHOTS, 'print-preview.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('selected cards export alone; the report takes a "changes since" date', async () => {
  const page = await newPage(browser, { lang: 'ru' });
  await openBoard(page, id);
  // Nothing selected: no selection line.
  await openExport(page);
  assert.equal(await page.getByTestId('export-selection').count(), 0, 'no selection, no line');
  await page.keyboard.press('Escape');
  await page.getByTestId('export-dialog').waitFor({ state: 'detached' });

  // One card clicked (focused, no Shift): a selection of one, though the
  // menu takes its focus.
  const cards = page.getByTestId('card');
  const one = await cards.nth(2).getAttribute('data-card');
  await cards.nth(2).click();
  await openExport(page);
  await page.getByTestId('export-selection').filter({ hasText: '(1)' }).waitFor();
  assert.ok((await page.getByTestId('export-selection-svg').getAttribute('href')).includes(`&cards=${one}&`));
  await page.keyboard.press('Escape');
  await page.getByTestId('export-dialog').waitFor({ state: 'detached' });

  // Click one card, Shift+click another: two selected.
  const picked = [await cards.nth(0).getAttribute('data-card'), await cards.nth(1).getAttribute('data-card')];
  await cards.nth(0).click();
  await cards.nth(1).click({ modifiers: ['Shift'] });
  await until(() => page.locator('[data-testid="card"].selected').count(), 'two selected', (n) => n === 2);
  await openExport(page);
  await page.getByTestId('export-selection').filter({ hasText: 'Только выбранные карточки (2): PNG · SVG · PDF' }).waitFor();
  const queries = { png: 'format=png&scale=2', svg: 'format=svg', pdf: 'format=pdf&paper=long' };
  for (const [format, query] of Object.entries(queries)) {
    const href = await page.getByTestId(`export-selection-${format}`).getAttribute('href');
    assert.ok(href.startsWith(`/api/boards/${id}/export?${query}&cards=`), `${format}: ${href}`);
    const cardsParam = new URL(href, BASE).searchParams.get('cards').split(',');
    assert.deepEqual(cardsParam.sort(), [...picked].sort(), `${format} names the selected cards`);
  }
  // The selection's SVG draws the selected cards only.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-selection-svg').click()]);
  assert.equal(await dl.failure(), null, 'the selection SVG downloaded');
  assert.ok((await readFile(await dl.path())).toString('utf8').startsWith('<'), 'an SVG');
  await shot(page, 'export-selection');

  // "Changes since": the report links carry the date; cleared, they do not.
  await page.getByText('Изменения с').waitFor();
  const report = page.getByTestId('export-report_page');
  const md = page.getByTestId('export-md');
  assert.ok(!(await report.getAttribute('href')).includes('since='));
  await page.getByTestId('export-report-since').fill('2024-05-01');
  await until(() => report.getAttribute('href'), 'the report link', (h) => h.includes('&since=2024-05-01'));
  assert.equal(await md.getAttribute('href'), `/api/boards/${id}/export?format=md&since=2024-05-01&lang=ru`);
  assert.ok(!(await page.getByTestId('export-csv').getAttribute('href')).includes('since='), 'other formats unchanged');
  await page.getByTestId('export-report-since').fill('');
  await until(() => md.getAttribute('href'), 'the Markdown link', (h) => !h.includes('since='));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a viewer-link guest without an account exports the report', async () => {
  const link = await (await api('POST', `/api/boards/${id}/links`, { role: 'viewer' })).json();
  const guest = await newPage(browser, { lang: 'ru', as: null });
  await guest.goto(`${BASE}${link.url}`);
  await guest.waitForURL(`${BASE}/b/${id}`);
  await guest.getByTestId('status').filter({ hasText: 'Сохранено' }).waitFor();
  await guest.getByTestId('view-only').waitFor();
  await openExport(guest);
  // Only the export: the menu's editing items are not there for a viewer.
  for (const control of ['quiet-toggle', 'import-open', 'template-form']) {
    assert.equal(await guest.getByTestId(control).count(), 0, `${control} absent`);
  }
  const report = await download(guest, 'md');
  assert.ok(report.name.startsWith(TITLE) && report.name.endsWith('.md'), report.name);
  const md = report.bytes.toString('utf8');
  for (const s of stageNames) assert.ok(md.includes(s), `the guest's report names the stage ${s}`);
  await guest.keyboard.press('Escape');
  await guest.getByTestId('export-dialog').waitFor({ state: 'detached' });
  assert.deepEqual(guest.errors, []);
  await guest.context().close();
});

test('the full backup imports on the home page into an identical board; other files are refused', async () => {
  assert.ok(backup, 'the first test downloaded the backup');
  const page = await newPage(browser, { lang: 'ru' });
  await page.goto(BASE);
  const button = page.getByTestId('import-board');
  await button.filter({ hasText: 'Импортировать карту…' }).waitFor();

  // Not an export: refused in Russian, nothing created.
  const before = (await (await api('GET', '/api/boards')).json()).boards.length;
  await page.getByTestId('import-board-file').setInputFiles({
    name: 'заметки.json', mimeType: 'application/json', buffer: Buffer.from('{"notes": ["не карта"]}'),
  });
  await page.getByTestId('import-board-error').filter({ hasText: 'Этот файл — не экспорт CJM Board' }).waitFor();
  assert.equal((await (await api('GET', '/api/boards')).json()).boards.length, before, 'nothing was created');
  await shot(page, 'import-board-error');

  // The backup: a new board opens, equal to the exported one.
  await page.getByTestId('import-board-file').setInputFiles({
    name: `${TITLE}.json`, mimeType: 'application/json', buffer: backup,
  });
  await page.waitForURL((url) => url.pathname.startsWith('/b/') && !url.pathname.endsWith(id));
  const newId = new URL(page.url()).pathname.split('/')[2];
  await page.getByTestId('status').filter({ hasText: 'Сохранено' }).waitFor();
  const copy = await boardJson(newId);
  const copyStages = Object.values(copy.stages).sort((a, b) => (a.order < b.order ? -1 : 1)).map((s) => s.name);
  assert.deepEqual(copyStages, stageNames);
  assert.equal(Object.keys(copy.cards).length, Object.keys(board.cards).length);
  assert.equal(copy.title, TITLE);
  const headers = await until(() => page.getByTestId('stage-header').allInnerTexts(), 'the stage headers',
    (t) => t.length === stageNames.length);
  stageNames.forEach((s, i) => assert.ok(headers[i].includes(s), `header ${i}: ${headers[i]}`));
  assert.equal(await page.getByTestId('card').count(), Object.keys(board.cards).length);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
