// One's own account in a real browser: deleting it from the account menu
// (password, the boards one alone owns, the choice), and `?next=` after
// signing in never leading off the site.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, shot } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PASSWORD = 'a long passphrase for leaving';
const unique = (who) => `${who}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;

async function signInWith(page, email, password = PASSWORD) {
  await page.getByTestId('auth-email').fill(email);
  await page.getByTestId('auth-password').fill(password);
  await page.getByTestId('auth-submit').click();
}

/// Signs up through the REST API; the session cookie's value.
async function signUp(email) {
  const res = await fetch(`${BASE}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Vera', password: PASSWORD }),
  });
  assert.equal(res.status, 201, await res.text());
  return res.headers.getSetCookie()[0].split(';')[0].split('=')[1];
}

test('an account deletes itself from the account menu, its board with it', async () => {
  const email = unique('leaving');
  // A phone-sized window: the dialog must fit.
  const page = await newPage(browser, { as: null, width: 390, height: 844 });
  await page.goto(`${BASE}/login`);
  await page.getByTestId('auth-switch').click();
  await page.getByTestId('auth-name').fill('Leaving Lena');
  await signInWith(page, email);
  await page.waitForURL(`${BASE}/`);

  // A board of her own.
  await page.getByTestId('new-board-title').fill('My only map');
  await page.getByTestId('create-board').click();
  await page.waitForURL(/\/b\/[0-9a-f-]+$/);
  const board = new URL(page.url()).pathname.split('/').pop();
  await page.goto(`${BASE}/`);

  const dialog = page.getByTestId('delete-account-dialog');
  const open = async () => {
    await page.getByTestId('account').click();
    await page.getByTestId('delete-account').click();
    await dialog.waitFor();
  };
  // Esc and Cancel close it, and nothing happens.
  await open();
  assert.equal(await page.getByTestId('delete-account-password').evaluate((el) => el === document.activeElement), true, 'the password field has the focus');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await open();
  await page.getByTestId('delete-account-cancel').click();
  await dialog.waitFor({ state: 'detached' });

  // A wrong password is said so.
  await open();
  await page.getByTestId('delete-account-password').fill('not my passphrase');
  await page.getByTestId('delete-account-confirm').click();
  await page.getByTestId('delete-account-error').filter({ hasText: 'Wrong password.' }).waitFor();

  // The right one: her board is listed with the choice.
  await page.getByTestId('delete-account-password').fill(PASSWORD);
  await page.getByTestId('delete-account-confirm').click();
  const listed = page.getByTestId('sole-owned-board');
  await listed.filter({ hasText: 'My only map' }).waitFor();
  assert.equal(await listed.count(), 1);
  assert.equal(await listed.getAttribute('data-id'), board);
  await page.getByTestId('delete-account-transfer').waitFor();
  // The whole dialog is inside the 390 px window.
  const box = await dialog.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the dialog fits: ${JSON.stringify(box)}`);
  const buttons = page.getByTestId('delete-account-dialog').locator('button');
  for (let i = 0; i < await buttons.count(); i++) {
    const b = await buttons.nth(i).boundingBox();
    assert.ok(b.x >= 0 && b.x + b.width <= 390, `button ${i} fits`);
  }
  await shot(page, 'delete-account-dialog');

  await page.getByTestId('delete-account-delete-boards').click();
  await page.waitForURL(`${BASE}/login`);
  assert.equal((await page.context().request.get(`${BASE}/api/auth/me`)).status(), 401);

  // Signing in again fails: the account is gone.
  await signInWith(page, email);
  await page.getByTestId('auth-error').filter({ hasText: 'wrong email or password' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('signing in never follows ?next= off the site', async () => {
  const email = unique('next');
  const cookie = await signUp(email);
  const made = await fetch(`${BASE}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `cjm_session=${cookie}` },
    body: JSON.stringify({ title: 'Where next', template: 'blank' }),
  });
  assert.equal(made.status, 201);
  const { id } = await made.json();

  const origin = new URL(BASE).origin;
  const page = await newPage(browser, { as: null });
  // Each as a browser encodes the value in a link (`/\t/` is what
  // `/%09/` decodes to), and the tricks as an attacker would write them
  // into the address by hand.
  const values = ['/\\evil.example', '/\\\\evil.example', '/\t/evil.example',
    '//evil.example', 'https://evil.example/x', 'javascript:alert(1)', ' //evil.example'];
  const queries = [
    ...values.map((v) => encodeURIComponent(v)),
    '/%09/evil.example', '//evil.example', '/\\evil.example', 'https:evil.example', 'javascript:alert(1)',
  ];
  for (const q of queries) {
    await page.context().clearCookies();
    await page.goto(`${BASE}/login?next=${q}`);
    await signInWith(page, email);
    await page.waitForURL(`${BASE}/`);
    const url = new URL(page.url());
    assert.equal(url.origin, origin, `next=${q}`);
    assert.equal(url.pathname, '/', `next=${q}`);
    await page.getByTestId('account-name').waitFor();
  }

  // A path of this site is where signing in leads.
  await page.context().clearCookies();
  await page.goto(`${BASE}/login?next=${encodeURIComponent(`/b/${id}`)}`);
  await signInWith(page, email);
  await page.waitForURL(`${BASE}/b/${id}`);
  await page.getByTestId('status').filter({ hasText: 'Saved' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
