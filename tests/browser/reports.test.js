// SPDX-License-Identifier: MIT
// reports.test.js -- a field team's own reports on the staff web map, in
// headless Chromium (playwright-core, Debian's `chromium`): a field user
// submits a report (and withdraws another, sent by mistake, with a reason),
// an analyst rejects one with a reason in the review queue,
// and the field user finds it under "Our reports" in the Field report tab,
// marked rejected with the reviewer's reason as written (not as HTML), next
// to an approved one; a click on it shows its area on the map and fits the
// view to it; another organisation's field user does not see it; a logout
// leaves nothing of the list. Needs DEMINE_URL of a running `demine serve`
// with the users of tests/unit/test_server.c (ana/analystpw1, fld/fieldpw12
// of HALO, fld2/fieldpw12 of FSD).
'use strict';
const { chromium } = require('playwright-core');
const { login, logout, mapPoint } = require('./staff.js');
const draw = require('./draw.js');
const fs = require('fs');
const path = require('path');

const BASE = process.env.DEMINE_URL;
const OUT = process.env.ARTIFACTS || path.join(__dirname, 'artifacts');
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
const REASON = 'The area is <b>outside</b> the task & the end date is missing';

function fail(msg) { throw new Error(msg); }

// a report drawn and sent with the form; its uuid
async function submit(page, ref, corners) {
  await page.evaluate(() => window.demine.map.setView([39.9025, 46.9025], 15, { animate: false }));
  await page.click('#tab-report-btn');
  await page.selectOption('#r-type', 'clearance');
  await page.fill('#r-ref', ref);
  await page.fill('#r-start', '2025-06-01');
  await page.fill('#r-end', '2025-06-03');
  await page.click('#r-draw');
  await draw.drawPolygon(page, corners, mapPoint);
  await page.waitForFunction(() => document.getElementById('r-area').textContent.startsWith('Area drawn'),
    null, { timeout: 5000 }).catch(() => fail('the area of ' + ref + ' was not drawn'));
  const before = await page.textContent('#r-msg');
  await page.click('#r-submit');
  // the word on this report, not the one before's
  await page.waitForFunction((b) => { const e = document.getElementById('r-ok'); return e && e.textContent !== b; },
    before, { timeout: 5000 }).catch(async () => {
    fail('report ' + ref + ' not accepted: ' + await page.textContent('#r-msg'));
  });
  const uuid = ((await page.textContent('#r-ok')).match(/[0-9a-f-]{36}/) || [])[0];
  if (!uuid) fail('no uuid for ' + ref);
  return uuid;
}

// the analyst's decision in the review queue; `late`: the queue's answer
// to the tab's click comes after the reason is typed (it was written anew,
// and the reason lost or the decision's word said on a card no longer shown)
async function review(page, uuid, what, reason, late) {
  let release, fetched, held = null;
  const go = new Promise((res) => { release = res; }), got = new Promise((res) => { fetched = res; });
  const hold = async (r) => {
    if (held) return r.continue();
    held = r.request();
    const answer = await r.fetch();
    fetched();
    await go;
    return r.fulfill({ response: answer });
  };
  if (late) await page.route(/\/api\/reports\?status=draft$/, hold);
  await page.click('#tab-review-btn');
  const card = `.card[data-report="${uuid}"]`;
  await page.waitForSelector(card, { timeout: 5000 }).catch(async () => fail('report ' + uuid + ' not in the review queue: ' + await page.textContent('#review')));
  await page.fill(`${card} [data-reason]`, reason);
  if (late) {
    await got;
    const done = page.waitForEvent('requestfinished', { predicate: (q) => q === held, timeout: 5000 });
    release();
    await done;
    await page.unroute(/\/api\/reports\?status=draft$/, hold);
    await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0))));
  }
  await page.click(`${card} [data-${what}]`);
  await page.waitForSelector(`${card} .msg .ok`, { timeout: 5000 })
    .catch(async () => fail(what + ': ' + await page.textContent(`${card} .msg`)));
}

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  fs.mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // the API's requests and answers, said when the test fails (the last 80)
  const t0 = Date.now(), trace = global.TRACE = [];
  const api = (u) => u.startsWith(BASE + '/api/') ? u.slice(BASE.length) : null;
  page.on('request', (q) => { if (api(q.url())) trace.push((Date.now() - t0) + ' ms > ' + q.method() + ' ' + api(q.url())); });
  page.on('response', (r) => { if (api(r.url())) trace.push((Date.now() - t0) + ' ms < ' + r.status() + ' ' + r.request().method() + ' ' + api(r.url())); });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.waitForSelector('#map .leaflet-map-pane', { state: 'attached' });

  // 1. the field user sends two reports; both are listed, awaiting review
  await login(page, 'fld', 'fieldpw12');
  const rejected = await submit(page, 'MYR-REJ', [[46.901, 39.901], [46.904, 39.901], [46.904, 39.904], [46.901, 39.904]]);
  const approved = await submit(page, 'MYR-OK', [[46.898, 39.898], [46.900, 39.898], [46.900, 39.900]]);
  await page.waitForSelector(`[data-myr="${approved}"]`, { timeout: 5000 })
    .catch(async () => fail('the report just sent is not under Our reports: ' + await page.textContent('#myreports')));
  for (const u of [rejected, approved]) {
    const t = await page.textContent(`[data-myr="${u}"] .st`);
    if (t !== 'awaiting review') fail('a new report is "' + t + '", not awaiting review');
  }
  const title = await page.textContent('#myr-title');
  if (title !== 'Our reports (HALO)') fail('the list is titled "' + title + '"');
  // newest first
  const order = await page.$$eval('[data-myr]', (l) => l.map((c) => c.getAttribute('data-myr')));
  if (order.indexOf(approved) > order.indexOf(rejected)) fail('the newest report is not first: ' + order.join(', '));

  // 1b. a report sent by mistake is withdrawn from the list: a reason first
  const wrong = await submit(page, 'MYR-WD', [[46.905, 39.905], [46.906, 39.905], [46.906, 39.906]]);
  const wcard = `[data-myr="${wrong}"]`;
  await page.waitForSelector(`${wcard} [data-withdraw]`, { timeout: 5000 })
    .catch(async () => fail('no Withdraw button on the draft just sent: ' + await page.textContent('#myreports')));
  await page.click(`${wcard} [data-withdraw]`);
  await page.waitForSelector(`${wcard} .myr-wd-reason`, { timeout: 3000 });
  await page.click(`${wcard} .myr-wd-form [type=submit]`);
  await page.waitForSelector(`${wcard} .msg .bad`, { timeout: 3000 })
    .catch(() => fail('a withdrawal without a reason is not refused'));
  if (!await page.$(wcard)) fail('the draft went without a reason');
  await page.fill(`${wcard} .myr-wd-reason`, 'sent for the wrong field');
  await page.click(`${wcard} .myr-wd-form [type=submit]`);
  await page.waitForSelector('#r-withdrawn', { timeout: 5000 })
    .catch(async () => fail('withdraw: ' + await page.textContent('#myreports')));
  await page.waitForSelector(wcard, { state: 'detached', timeout: 5000 })
    .catch(() => fail('the withdrawn report is still listed'));
  const gone = await page.evaluate((u) => fetch('api/reports/' + u).then((r) => r.status), wrong);
  if (gone !== 404) fail('the withdrawn report is still served (' + gone + ')');
  await logout(page);

  // 2. the analyst rejects one with a reason and approves the other
  await login(page, 'ana', 'analystpw1');
  await review(page, rejected, 'reject', REASON);
  await review(page, approved, 'approve', 'checked on site', true);
  // an answer to the analyst's session comes after the next login (a slow
  // server): its 401 is of the session that has ended, not the field user's
  let release, seen, heldReq = null;
  const held = new Promise((res) => { release = res; }), asked = new Promise((res) => { seen = res; });
  await page.route(/\/api\/hazards\?/, async (r) => {
    if (heldReq) return r.continue();
    heldReq = r.request(); seen();
    await held;
    return r.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"log in first"}' });
  });
  await page.evaluate(() => window.demine.reload());
  await asked;
  await logout(page);

  // 3. the field user reads the decision and the reason, as written
  await login(page, 'fld', 'fieldpw12');
  const late = page.waitForEvent('requestfinished', { predicate: (q) => q === heldReq, timeout: 5000 });
  release();
  await late;
  await page.click('#tab-report-btn', { timeout: 5000 })
    .catch(() => fail('no Field report tab: an answer to the analyst\'s session logged the field user out?'));
  const rcard = `[data-myr="${rejected}"]`, acard = `[data-myr="${approved}"]`;
  await page.waitForSelector(`${rcard}.myr-rejected`, { timeout: 5000 })
    .catch(async () => fail('the rejected report is not shown rejected: ' + await page.textContent('#myreports')));
  if (await page.textContent(`${rcard} .st`) !== 'rejected') fail('status of the rejected report: ' + await page.textContent(`${rcard} .st`));
  const why = await page.textContent(`${rcard} .why`, { timeout: 5000 })
    .catch(async () => fail('the rejected report gives no reason: ' + await page.textContent(rcard)));
  if (why !== 'Reason: ' + REASON) fail('the rejection\'s reason reads "' + why + '"');
  if (await page.$(`${rcard} .why b`)) fail('the reason was taken as HTML');
  const meta = await page.textContent(`${rcard} .hint`);
  if (!/sent by fld \d{4}-\d\d-\d\d; rejected by ana \d{4}-\d\d-\d\d/.test(meta)) fail('the card says "' + meta + '"');
  const head = await page.textContent(rcard);
  if (!head.includes('clearance') || !head.includes('MYR-REJ') || !head.includes('2025-06-01 – 2025-06-03'))
    fail('the card does not give the type, reference and dates: ' + head);
  if (await page.textContent(`${acard} .st`) !== 'approved') fail('the approved report is ' + await page.textContent(`${acard} .st`));
  if (await page.$(`${rcard} [data-withdraw]`) || await page.$(`${acard} [data-withdraw]`))
    fail('a reviewed report offers to be withdrawn');
  const note = await page.textContent(`${acard} .why`, { timeout: 5000 })
    .catch(async () => fail('the approved report gives no note (the reason typed was lost?): ' + await page.textContent(acard)));
  if (note !== 'Note: checked on site') fail('the approval\'s note: ' + note);
  const summary = await page.textContent('#myr-summary');
  if (!/^2 reports: 0 awaiting review, 1 approved, 1 rejected\./.test(summary)) fail('summary: ' + summary);
  // said above the form too, with a way down to the list
  const top = await page.textContent('#myr-top');
  if (top !== 'Our reports: 1 rejected, 0 awaiting review.') fail('above the form: ' + top);
  await page.click('#myr-jump');
  await page.waitForFunction((s) => { const r = document.querySelector(s).getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight - 20; },
    rcard, { timeout: 3000 }).catch(() => fail('"Our reports" above the form does not bring the list into view'));
  if (await page.isVisible('#login') || !await page.isVisible('#who')) fail('an answer to the analyst\'s session logged the field user out');
  await page.screenshot({ path: path.join(OUT, 'reports-01-rejected.png') });

  // 4. a click zooms to it and shows its area (a rejected report is on no layer)
  await page.evaluate(() => window.demine.map.setView([39.5, 46.5], 9, { animate: false }));
  await page.click(rcard);
  await page.waitForFunction(() => {
    const c = window.demine.map.getCenter();
    return window.demine.map.getZoom() >= 14 && Math.abs(c.lat - 39.9025) < 0.002 && Math.abs(c.lng - 46.9025) < 0.002;
  }, null, { timeout: 5000 }).catch(async () => fail('the click did not zoom to the report: ' +
    JSON.stringify(await page.evaluate(() => [window.demine.map.getCenter(), window.demine.map.getZoom()]))));
  if (!await page.$(`${rcard}.sel`)) fail('the report shown is not marked in the list');
  await page.screenshot({ path: path.join(OUT, 'reports-02-zoomed.png') });
  await logout(page);
  if (await page.$('[data-myr]') || await page.isVisible('#myr-top')) fail('the list stays after the logout');

  // 5. another organisation does not see them
  await login(page, 'fld2', 'fieldpw12');
  await page.click('#tab-report-btn');
  await page.waitForSelector('#myr-empty, #myr-summary', { timeout: 5000 });
  if (await page.$(rcard) || await page.$(acard)) fail('another organisation sees HALO\'s reports');
  if (!/No reports of FSD yet/.test(await page.textContent('#myreports'))) fail('FSD\'s list: ' + await page.textContent('#myreports'));

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('reports test passed');
}

main().catch((e) => {
  if (global.TRACE) console.error('the last requests:\n' + global.TRACE.slice(-80).join('\n'));
  console.error('reports test FAILED: ' + e.message); process.exit(1); });
