// SPDX-License-Identifier: MIT
// myreports.test.js -- the staff web map's "Our reports" list when the
// organisation has more activities than the list asks for at once, in
// headless Chromium (playwright-core, Debian's `chromium`): the newest are
// listed first (the reports just sent, not the oldest activities), the list
// says how many of how many it shows and that older ones are not listed,
// and "List older ones" adds them until none is left. The list's page and
// cap (1000 and 2000) are lowered to 2 and 4 through window.demine. Needs
// DEMINE_URL of a running `demine serve` on the database of
// test_server_proposals.c's proposals_browser_our_reports_says_what_it_leaves_out:
// field user fld (HALO) with reports R-0 (oldest), six imported activities
// of HALO, then, R-3 (newest), all drafts.
'use strict';
const { chromium } = require('playwright-core');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [], asked = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (r.url().includes('/api/reports?')) asked.push(r.url()); });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.waitForSelector('#login:not(.hidden)');
  await page.evaluate(() => { window.demine.myReports.page = 2; window.demine.myReports.cap = 4; });
  await page.fill('#login-user', 'fld');
  await page.fill('#login-pass', 'fieldpw12');
  await page.click('#login-btn');
  await page.waitForSelector('#who:not(.hidden)', { timeout: 20000 });
  await page.click('#tab-report-btn');
  const text = (sel) => page.textContent(sel).catch(() => '(none)');
  const refs = () => page.$$eval('[data-myr]', (l) => l.map((c) => (c.textContent.match(/R-\d/) || ['?'])[0]));
  await page.waitForSelector('#myr-summary', { timeout: 15000 })
    .catch(async () => fail('no list of our reports: ' + await text('#myreports')));

  // 1. the newest four activities: the three reports sent last, newest
  // first, and a word on the six older activities not listed
  let got = await refs();
  if (got.join() !== 'R-3,R-2,R-1') fail('listed: ' + got.join() + ' (expected R-3,R-2,R-1)');
  const more = await text('#myr-more');
  if (!/newest 4 of the 10 activities of HALO/.test(more) || !/6 older ones are not/.test(more))
    fail('no word on what is not listed: ' + more);
  const summary = await text('#myr-summary');
  if (!/^3 reports among the newest 4 of 10 activities: 3 awaiting review/.test(summary)) fail('summary: ' + summary);
  if (!/3 awaiting review among the newest 4 of 10 activities/.test(await text('#myr-top')))
    fail('the note above the form: ' + await text('#myr-top'));
  if (!asked.every((u) => u.includes('order=newest'))) fail('not asked newest first: ' + asked.join(' '));
  if (asked.length !== 2) fail('pages asked: ' + asked.length + ' (expected 2 of 2)');

  // 2. older ones: four more activities (none a report), still not all
  await page.click('#myr-older');
  await page.waitForFunction(() => /newest 8 of the 10/.test((document.getElementById('myr-more') || {}).textContent || ''),
    null, { timeout: 10000 }).catch(async () => fail('after "List older ones": ' + await text('#myr-more')));
  got = await refs();
  if (got.join() !== 'R-3,R-2,R-1') fail('listed after the older ones: ' + got.join());

  // 3. the last two: the oldest report, and no more word on older ones
  await page.click('#myr-older');
  await page.waitForFunction(() => !document.getElementById('myr-more') && document.querySelectorAll('[data-myr]').length === 4,
    null, { timeout: 10000 }).catch(async () => fail('after the last older ones: ' + await text('#myreports')));
  got = await refs();
  if (got.join() !== 'R-3,R-2,R-1,R-0') fail('listed at the end: ' + got.join());
  if (!/^4 reports: 4 awaiting review/.test(await text('#myr-summary'))) fail('summary: ' + await text('#myr-summary'));
  if (asked.length !== 5) fail('pages asked in all: ' + asked.length + ' (expected 5)');

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('our reports test passed');
}

main().catch((e) => { console.error('our reports test FAILED: ' + e.message); process.exit(1); });
