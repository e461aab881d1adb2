// The board page fits the screen it is opened on: at 390 (a phone), 1024,
// 1280 and 1920 px, in English and Russian, nothing in the top bar lies
// outside the window, the page itself never scrolls sideways (the map
// scrolls inside its own area), and every top-bar control can be reached.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, createBoard, openBoard, addCard, share, shot } from './helpers.mjs';

let browser;
let id;
before(async () => {
  browser = await launch();
  id = await createBoard('Покупка холодильника для большой семьи', 'classic', 'ru');
  await share(id, 'Vera', 'viewer');
});
after(async () => { await browser?.close(); });

/** Every visible control of the top bar, with its box. */
const controls = (page) => page.evaluate(() => {
  const vw = document.documentElement.clientWidth;
  const bar = document.querySelector('.topbar');
  const out = [];
  for (const el of bar.querySelectorAll('button, a, input, select, [data-testid="status"], h1')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    out.push({
      what: el.dataset.testid || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 20),
      left: r.left, right: r.right, width: r.width, vw,
    });
  }
  return { out, page: document.documentElement.scrollWidth, vw };
});

for (const width of [390, 1024, 1280, 1920]) {
  for (const lang of ['en', 'ru']) {
    test(`the top bar fits at ${width} px in ${lang}`, async () => {
      const page = await newPage(browser, { width, height: width < 600 ? 844 : 800, lang });
      await openBoard(page, id);
      if (width === 1024 && lang === 'en') await addCard(page, 'Осведомлённость', 'Действия', 'Sees an ad');
      const { out, page: pageWidth, vw } = await controls(page);
      assert.ok(out.length >= 8, `controls found: ${out.map((c) => c.what)}`);
      const outside = out.filter((c) => c.left < 0 || c.right > vw + 0.5);
      assert.deepEqual(outside, [], `controls outside the ${vw} px window`);
      assert.ok(pageWidth <= vw, `the page is ${pageWidth} px wide in a ${vw} px window`);
      // The title is readable, not one letter.
      const title = out.find((c) => c.what === 'board-title');
      assert.ok(title && title.width >= 80, `title width ${title?.width}`);
      for (const id of ['board-menu', 'lang-ru', 'lang-en', 'status', 'home-link']) {
        assert.ok(await page.getByTestId(id).isVisible(), `${id} visible`);
      }
      await shot(page, `topbar-${width}-${lang}`);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }
}

test('a viewer on a laptop sees a top bar that fits', async () => {
  const page = await newPage(browser, { width: 1024, height: 768, lang: 'ru', as: 'Vera' });
  await openBoard(page, id);
  const { out, vw } = await controls(page);
  assert.deepEqual(out.filter((c) => c.left < 0 || c.right > vw + 0.5), []);
  await page.getByTestId('view-only').waitFor();
  await page.context().close();
});
