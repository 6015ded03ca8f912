// SPDX-License-Identifier: MIT
// proposals.test.js -- a field report that proposes a new hazard, on the
// staff web map in headless Chromium (playwright-core, Debian's `chromium`):
// a field user draws the area worked, ticks "This is a new suspected area",
// names it, draws its own polygon and sends the report; the hazard is on no
// layer (the API's hazards do not have it) and "Our reports" says it is
// proposed; an analyst finds the report in the review queue marked as
// proposing a hazard, "Show" draws the proposed polygon apart (dashed pink)
// and says approval creates it; the approval creates it, linked to the
// report's activity; the field user reads that it was created. Needs
// DEMINE_URL of a running `demine serve` with the users of
// tests/unit/test_server_proposals.c (ana/analystpw1, fld/fieldpw12 of HALO).
'use strict';
const { chromium } = require('playwright-core');
const { login, logout, mapPoint } = require('./staff.js');
const draw = require('./draw.js');
const fs = require('fs');
const path = require('path');

const BASE = process.env.DEMINE_URL;
const OUT = process.env.ARTIFACTS || path.join(__dirname, 'artifacts');
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
const NAME = 'Upper <i>orchard</i>';

function fail(msg) { throw new Error(msg); }

async function drawPolygon(page, corners) {
  await draw.drawPolygon(page, corners, mapPoint);
}

// the API as the analyst sees it (its own session, beside the page's)
async function apiGet(p) {
  const lr = await fetch(BASE + '/api/login', { method: 'POST', body: JSON.stringify({ user: 'ana', password: 'analystpw1' }) });
  const { token } = await lr.json();
  const r = await fetch(BASE + p, { headers: { Authorization: 'Bearer ' + token } });
  return { status: r.status, body: await r.json() };
}

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  fs.mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.waitForSelector('#map .leaflet-map-pane', { state: 'attached' });
  const hazardsBefore = (await apiGet('/api/hazards')).body.features.length;

  // 1. the field user: the area worked, then the new suspected area in it
  await login(page, 'fld', 'fieldpw12');
  await page.evaluate(() => window.demine.map.setView([39.9025, 46.9025], 15, { animate: false }));
  await page.click('#tab-report-btn');
  await page.selectOption('#r-type', 'nts');
  await page.fill('#r-ref', 'NTS-PROP');
  await page.fill('#r-start', '2025-06-01');
  await page.fill('#r-end', '2025-06-02');
  await page.click('#r-draw');
  await drawPolygon(page, [[46.899, 39.899], [46.906, 39.899], [46.906, 39.906], [46.899, 39.906]]);
  await page.waitForFunction(() => document.getElementById('r-area').textContent.startsWith('Area drawn'),
    null, { timeout: 5000 }).catch(() => fail('the area worked was not drawn'));
  if (await page.isVisible('#r-hz-name')) fail('the hazard fields show before the box is ticked');
  await page.check('#r-newhz');
  if (!await page.isVisible('#r-hz-name')) fail('ticking "new suspected area" shows no hazard fields');
  if (!await page.isDisabled('#r-hazard')) fail('an existing hazard can still be named beside a new one');
  await page.fill('#r-hz-name', NAME);
  await page.selectOption('#r-hz-type', 'SHA');
  await page.fill('#r-hz-ordnance', 'AP');
  await page.click('#r-hz-draw');
  await drawPolygon(page, [[46.901, 39.901], [46.904, 39.901], [46.904, 39.904], [46.901, 39.904]]);
  await page.waitForFunction(() => document.getElementById('r-hz-area').textContent.startsWith('Its own polygon drawn'),
    null, { timeout: 5000 }).catch(async () => fail('the hazard polygon was not drawn: ' + await page.textContent('#r-hz-area')));
  // the area worked is still the one drawn first
  if (!(await page.textContent('#r-area')).startsWith('Area drawn (4')) fail('the area worked changed: ' + await page.textContent('#r-area'));
  await page.screenshot({ path: path.join(OUT, 'proposals-01-form.png') });
  await page.click('#r-submit');
  await page.waitForSelector('#r-ok', { timeout: 5000 }).catch(async () => fail('report not accepted: ' + await page.textContent('#r-msg')));
  const ok = await page.textContent('#r-ok');
  if (!ok.includes('with the new hazard it proposes')) fail('the answer does not speak of the hazard: ' + ok);
  const uuid = (ok.match(/[0-9a-f-]{36}/) || [])[0];
  if (!uuid) fail('no uuid in ' + ok);
  if (await page.isChecked('#r-newhz')) fail('the form keeps the proposal after sending it');
  // nothing on the hazards layer yet
  const hz1 = await apiGet('/api/hazards');
  if (hz1.body.features.length !== hazardsBefore || JSON.stringify(hz1.body).includes('orchard'))
    fail('the proposed hazard is in the hazards layer before approval');
  const card = `[data-myr="${uuid}"]`;
  await page.waitForSelector(`${card} .newhz`, { timeout: 5000 })
    .catch(async () => fail('Our reports does not say the report proposes a hazard: ' + await page.textContent('#myreports')));
  if (!(await page.textContent(`${card} .newhz-note`)).includes('created when the report is approved'))
    fail('the card says: ' + await page.textContent(`${card} .newhz-note`));
  await logout(page);

  // 2. the analyst: the queue says so, Show draws it apart, approval creates it
  await login(page, 'ana', 'analystpw1');
  await page.click('#tab-review-btn');
  const rcard = `.card[data-report="${uuid}"]`;
  await page.waitForSelector(`${rcard} .newhz`, { timeout: 5000 })
    .catch(async () => fail('the queue does not mark the report as proposing a hazard: ' + await page.textContent('#review')));
  await page.click(`${rcard} [data-show]`);
  await page.waitForSelector('path.proposed-hazard', { timeout: 5000 }).catch(() => fail('Show does not draw the proposed hazard'));
  const note = await page.textContent('#review-newhz');
  if (!note.includes('Approving creates the hazard ' + NAME + ' (SHA')) fail('the note reads: ' + note);
  if (await page.$('#review-newhz i')) fail('the hazard\'s name was taken as HTML');
  const dash = await page.getAttribute('path.proposed-hazard', 'stroke-dasharray');
  if (!dash) fail('the proposed hazard is not drawn dashed');
  await page.screenshot({ path: path.join(OUT, 'proposals-02-review.png') });
  await page.fill(`${rcard} [data-reason]`, 'seen on the photos');
  await page.click(`${rcard} [data-approve]`);
  await page.waitForSelector(`${rcard} .msg .ok`, { timeout: 5000 }).catch(async () => fail('approve: ' + await page.textContent(`${rcard} .msg`)));
  if (!(await page.textContent(`${rcard} .msg .ok`)).includes('the hazard it proposed is created'))
    fail('the approval says: ' + await page.textContent(`${rcard} .msg`));
  const hz2 = await apiGet('/api/hazards');
  const made = hz2.body.features.filter((f) => f.properties.name === NAME);
  if (hz2.body.features.length !== hazardsBefore + 1 || made.length !== 1) fail('approval did not create exactly one hazard');
  if (made[0].properties.organisation !== 'HALO' || made[0].properties.hazard_type !== 'SHA') fail('the hazard: ' + JSON.stringify(made[0].properties));
  const rep = await apiGet('/api/reports/' + uuid);
  if (rep.body.activity.properties.hazard_id !== made[0].id || rep.body.created_hazard !== made[0].id)
    fail('the report does not point at the hazard made: ' + JSON.stringify([rep.body.activity.properties.hazard_id, rep.body.created_hazard]));
  await logout(page);

  // 3. the field user reads that it was created
  await login(page, 'fld', 'fieldpw12');
  await page.click('#tab-report-btn');
  await page.waitForSelector(`${card}.myr-approved .newhz-note`, { timeout: 5000 })
    .catch(async () => fail('the approved report: ' + await page.textContent('#myreports')));
  if (!(await page.textContent(`${card} .newhz-note`)).includes('created on approval'))
    fail('after approval the card says: ' + await page.textContent(`${card} .newhz-note`));
  await page.screenshot({ path: path.join(OUT, 'proposals-03-created.png') });

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('proposals test passed');
}

main().catch((e) => { console.error('proposals test FAILED: ' + e.message); process.exit(1); });
