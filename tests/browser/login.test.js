// SPDX-License-Identifier: MIT
// login.test.js -- the staff web map's login when the server is too busy to
// check the password (503 with Retry-After: it is checking the passwords of
// other logins), in headless Chromium (playwright-core, Debian's
// `chromium`): the page says it waits and sends the login again by itself
// after Retry-After, and is logged in; a change to the form stops the
// waiting (nothing more is sent); it gives up after 5 retries, saying so;
// a 429 (too many failed logins) is not sent again. The server's 503s are
// made by the test (the page's requests to /api/login answered before they
// leave it) and the last login goes to the real server. Needs DEMINE_URL of
// a running `demine serve` with the user ana/analystpw1
// (tests/unit/srvtest.c).
'use strict';
const { chromium } = require('playwright-core');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
const BUSY = 'the server is checking the passwords of other logins; try again in a few seconds (nothing was checked)';

function fail(msg) { throw new Error(msg); }

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());

  // the logins the page sends (time each left), and how the test answers
  // them: 'busy' (503, Retry-After: 1), 'locked' (429) or 'real' (the server)
  const sent = [];
  let answer = () => 'real';
  await page.route(/\/api\/login$/, async (r) => {
    if (r.request().method() !== 'POST') return r.continue();
    sent.push({ t: Date.now(), body: JSON.parse(r.request().postData() || '{}') });
    const a = answer(sent.length);
    if (a === 'busy')
      return r.fulfill({ status: 503, headers: { 'Retry-After': '1' }, contentType: 'application/json',
        body: JSON.stringify({ error: BUSY, status: 503 }) });
    if (a === 'locked')
      return r.fulfill({ status: 429, headers: { 'Retry-After': '300' }, contentType: 'application/json',
        body: JSON.stringify({ error: 'too many failed logins for user ana; try again in 300 s', status: 429 }) });
    return r.continue();
  });
  const msg = () => page.textContent('#login-msg');
  const waitMsg = (re, ms) => page.waitForFunction((src) => new RegExp(src).test(document.getElementById('login-msg').textContent),
    re.source, { timeout: ms || 10000 }).catch(async () => fail('login message not /' + re.source + '/: ' + await msg()));

  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.waitForSelector('#login:not(.hidden)');

  // 1. two 503s, then the server: the page waits, says so, sends it again
  // by itself a second later each time, and is logged in
  answer = (n) => (n <= 2 ? 'busy' : 'real');
  await page.fill('#login-user', 'ana');
  await page.fill('#login-pass', 'analystpw1');
  await page.click('#login-btn');
  await waitMsg(/checking the passwords of other logins.*sending it again in 1 s \(1 of 5\)/);
  await page.waitForSelector('#who:not(.hidden)', { timeout: 15000 })
    .catch(async () => fail('not logged in after the server was busy; sent ' + sent.length + ', said: ' + await msg()));
  if (sent.length !== 3) fail('logins sent: ' + sent.length + ' (expected 3)');
  for (let i = 1; i < 3; i++) {
    if (sent[i].t - sent[i - 1].t < 900) fail('sent again after ' + (sent[i].t - sent[i - 1].t) + ' ms, before its Retry-After');
    if (sent[i].body.user !== 'ana' || sent[i].body.password !== 'analystpw1') fail('sent again with other values');
  }
  if (await msg()) fail('the message stays after the login: ' + await msg());
  if (await page.inputValue('#login-pass')) fail('the password stays in the form');
  await page.click('#logout-btn');
  await page.waitForSelector('#login:not(.hidden)');

  // 2. always busy: a change to the form while the page waits stops it;
  // nothing more is sent
  answer = () => 'busy';
  sent.length = 0;
  await page.fill('#login-user', 'ana');
  await page.fill('#login-pass', 'analystpw1');
  await page.click('#login-btn');
  await waitMsg(/sending it again in 1 s \(1 of 5\)/);
  await page.type('#login-user', 'x');
  await waitMsg(/Not sent again: the form was changed/, 3000);
  const afterEdit = sent.length;
  await page.waitForTimeout(2500);
  if (sent.length !== afterEdit) fail('sent again after the form was changed: ' + afterEdit + ' then ' + sent.length);
  if (afterEdit > 2) fail('sent ' + afterEdit + ' times before the change');

  // 3. always busy, the form left alone: 5 retries, then the page gives up
  // saying so (and sends nothing more)
  await page.fill('#login-user', 'ana');
  sent.length = 0;
  await page.click('#login-btn');
  await waitMsg(/sent 6 times; press Log in to try again/, 20000);
  if (sent.length !== 6) fail('logins sent while busy: ' + sent.length + ' (expected 1 and 5 retries)');
  await page.waitForTimeout(2000);
  if (sent.length !== 6) fail('sent again after giving up: ' + sent.length);
  if (!(await page.isVisible('#login:not(.hidden)'))) fail('the login form went');

  // 4. too many failed logins (429): said, never sent again by itself
  answer = () => 'locked';
  sent.length = 0;
  await page.click('#login-btn');
  await waitMsg(/too many failed logins/);
  await page.waitForTimeout(2500);
  if (sent.length !== 1) fail('a 429 was sent again: ' + sent.length);

  // 5. the server again: a press of the button logs in
  answer = () => 'real';
  await page.click('#login-btn');
  await page.waitForSelector('#who:not(.hidden)', { timeout: 15000 })
    .catch(async () => fail('not logged in at the end: ' + await msg()));

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('login test passed');
}

main().catch((e) => { console.error('login test FAILED: ' + e.message); process.exit(1); });
