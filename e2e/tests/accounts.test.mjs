// Accounts in a real browser: create an account, see who is signed in, sign
// out and back in, a wrong password and a weak one get clear messages, a
// password change signs the other browsers out.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, until } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const unique = () => `anna.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;

async function fillAuth(page, { email, password, name }) {
  if (name !== undefined) await page.getByTestId('auth-name').fill(name);
  await page.getByTestId('auth-email').fill(email);
  await page.getByTestId('auth-password').fill(password);
  await page.getByTestId('auth-submit').click();
}

test('sign up, sign out, sign in; wrong and weak passwords are explained', async () => {
  const email = unique();
  const page = await newPage(browser, { as: null });
  await page.goto(`${BASE}/login`);
  await page.getByTestId('auth-switch').click();
  // A common password is refused with the reason.
  await fillAuth(page, { email, password: 'password123', name: 'Anna K.' });
  await page.getByTestId('auth-error').filter({ hasText: /common/ }).waitFor();
  await fillAuth(page, { email, password: 'journey maps at dawn', name: 'Anna K.' });
  await page.waitForURL(`${BASE}/`);
  await page.getByTestId('account-name').filter({ hasText: 'Anna K.' }).waitFor();
  // The session cookie is not readable by scripts.
  assert.equal(await page.evaluate(() => document.cookie.includes('cjm_session')), false);

  await page.getByTestId('account').click();
  await page.getByTestId('sign-out').click();
  await page.waitForURL(`${BASE}/login`);
  await page.goto(`${BASE}/`);
  await page.getByTestId('sign-in-link').waitFor();

  await page.goto(`${BASE}/login`);
  await fillAuth(page, { email, password: 'not my password' });
  await page.getByTestId('auth-error').filter({ hasText: 'wrong email or password' }).waitFor();
  await fillAuth(page, { email: email.toUpperCase(), password: 'journey maps at dawn' });
  await page.waitForURL(`${BASE}/`);
  await page.getByTestId('account-name').waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a password change signs the other browsers out', async () => {
  const email = unique();
  const laptop = await newPage(browser, { as: null });
  await laptop.goto(`${BASE}/login`);
  await laptop.getByTestId('auth-switch').click();
  await fillAuth(laptop, { email, password: 'first long phrase', name: 'Boris' });
  await laptop.waitForURL(`${BASE}/`);
  const phone = await newPage(browser, { lang: 'ru', as: null });
  await phone.goto(`${BASE}/login`);
  // In a Russian UI the server's refusal is said in Russian.
  await fillAuth(phone, { email, password: 'a wrong phrase' });
  await phone.getByTestId('auth-error').filter({ hasText: 'Неверная почта или пароль.' }).waitFor();
  await fillAuth(phone, { email, password: 'first long phrase' });
  await phone.waitForURL(`${BASE}/`);
  await phone.getByTestId('account-name').waitFor();

  await laptop.getByTestId('account').click();
  await laptop.getByTestId('password-current').fill('first long phrase');
  await laptop.getByTestId('password-new').fill('second long phrase');
  await laptop.getByTestId('password-save').click();
  await laptop.getByTestId('password-message').filter({ hasText: 'Password changed' }).waitFor();

  // The phone's session is gone; the laptop's new one works.
  await phone.reload();
  await phone.getByTestId('sign-in-link').waitFor();
  await laptop.reload();
  await laptop.getByTestId('account-name').waitFor();
  const me = await until(async () => (await laptop.context().request.get(`${BASE}/api/auth/me`)).status(), 'me', (s) => s === 200);
  assert.equal(me, 200);
  assert.deepEqual(laptop.errors, []);
  assert.deepEqual(phone.errors, []);
  await laptop.context().close();
  await phone.context().close();
});
