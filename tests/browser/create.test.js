// SPDX-License-Identifier: MIT
// create.test.js -- adding and deleting rows on the staff web map, in
// headless Chromium (playwright-core, Debian's `chromium`): an analyst
// chooses "hazards", draws its polygon, fills the form built from
// /api/layers (required fields marked, enumerations as lists), is refused
// with the server's message naming the field (a ref another hazard has),
// saves with a reason, and the new hazard is on the map with its details;
// H-2 is deleted from its panel with a reason, H-1 (an item points at it)
// is refused with the server's words; a field user sees neither New nor
// Delete. Needs DEMINE_URL of a running `demine serve` with the database of
// tests/unit/test_server_rows.c (ana/analystpw1, fld/fieldpw12; H-1 with an
// item, H-2).
'use strict';
const { chromium } = require('playwright-core');
const { login, mapPoint } = require('./staff.js');
const draw = require('./draw.js');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

// a hazard's details opened as a click on the map does
async function openHazard(page, ref, lon, lat) {
  await page.evaluate(([lon, lat]) => window.demine.map.setView([lat, lon], 14, { animate: false }), [lon, lat]);
  await page.waitForFunction((ref) => {
    let hit = null;
    window.demine.groups.hazards.eachLayer((l) => { if (l.feature.properties.ref === ref) hit = l; });
    if (hit) hit.fire('click');
    return !!hit;
  }, ref, { timeout: 20000 }).catch(() => fail('hazard ' + ref + ' not on the map'));
  await page.waitForSelector('#details-props', { timeout: 10000 });
}

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [], posts = [], deletes = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/api\/hazards$/.test(new URL(r.url()).pathname)) posts.push(r.postDataJSON());
    if (r.method() === 'DELETE') deletes.push(r.headers()['if-match'] || '');
  });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.waitForSelector('#login:not(.hidden)');

  // 1. an analyst: New offers the layers rows are added to, not reports' nor the truth
  await login(page, 'ana', 'analystpw1');
  await page.waitForSelector('#new-row:not(.hidden)', { timeout: 10000 }).catch(() => fail('no New for an analyst'));
  const offered = await page.$$eval('#new-layer option', (os) => os.map((o) => o.value));
  for (const l of ['hazards', 'accidents', 'features', 'release_areas'])
    if (!offered.includes(l)) fail('New does not offer ' + l + ': ' + offered.join(' '));
  for (const l of ['activities', 'items', 'hazard_status', 'plan_tasks', 'truth_items'])
    if (offered.includes(l)) fail('New offers ' + l);

  // 2. the form of a hazard: required fields marked, enumerations as lists
  await page.evaluate(() => window.demine.map.setView([39.955, 46.955], 15, { animate: false }));
  await page.selectOption('#new-layer', 'hazards');
  await page.click('#new-btn');
  await page.waitForSelector('#new-form');
  if (await page.evaluate(() => document.querySelector('#new-form [name="hazard_type"]').tagName) !== 'SELECT') fail('hazard_type is no list');
  const label = await page.evaluate(() => document.querySelector('#new-form [name="hazard_type"]').parentElement.textContent);
  if (!/hazard_type \*/.test(label)) fail('hazard_type not marked required: ' + label);
  if (await page.$('#new-form [name="p_contam"]')) fail('the form offers the computed p_contam');
  if (await page.evaluate(() => document.querySelector('#new-form [name="ordnance"]').multiple) !== true) fail('ordnance is no list of several');

  // 3. draw the polygon (the polygon tool is on at New)
  const corners = [[46.952, 39.952], [46.958, 39.952], [46.958, 39.957], [46.952, 39.957]];
  await draw.drawPolygon(page, corners, mapPoint);
  await page.waitForFunction(() => /^Polygon drawn \(4 corners\)/.test(document.getElementById('new-geom').textContent),
    null, { timeout: 5000 }).catch(async () => fail('the polygon was not drawn: ' + await page.textContent('#new-geom')));
  if (await page.isVisible('#tab-report.active')) fail('the shape went to the field report');

  // 4. no reason: nothing sent; a ref H-1 has: the server's word, the field marked
  await page.selectOption('#new-form [name="hazard_type"]', 'SHA');
  await page.selectOption('#new-form [name="ordnance"]', ['AP', 'AT']);
  await page.fill('#new-form [name="ref"]', 'H-1');
  await page.click('#new-save');
  await page.waitForSelector('#new-error');
  if (!/reason is needed/.test(await page.textContent('#new-error'))) fail('no word on the missing reason');
  if (posts.length) fail('a new row without a reason was sent');
  await page.fill('#new-reason', 'reported by phone by the district office');
  await page.click('#new-save');
  await page.waitForFunction(() => /already has ref 'H-1'/.test((document.querySelector('#new-error') || {}).textContent || ''),
    null, { timeout: 10000 }).catch(async () => fail('refusal not shown: ' + await page.textContent('#new-msg')));
  if (!(await page.$('#new-form [name="ref"].bad-field'))) fail('the refused field is not marked');

  // 5. saved: its details, on the map, stored as drawn with the reason
  await page.fill('#new-form [name="ref"]', 'WEB-0001');
  await page.fill('#new-form [name="settlement"]', 'Kend');
  await page.click('#new-save');
  await page.waitForSelector('#edit-saved', { timeout: 10000 })
    .catch(async () => fail('not created: ' + await page.textContent('#new') + ' ' + await page.textContent('#details')));
  if (!/Created WEB-0001/.test(await page.textContent('#edit-saved'))) fail('says: ' + await page.textContent('#edit-saved'));
  if (await page.$('#new-form')) fail('the form stayed open');
  const last = posts[posts.length - 1];
  if (last.geometry.type !== 'Polygon' || last.properties.ordnance !== 'AP,AT' || last.reason !== 'reported by phone by the district office')
    fail('sent: ' + JSON.stringify(last));
  await page.waitForFunction(() => {
    let hit = false;
    window.demine.groups.hazards.eachLayer((l) => { if (l.feature.properties.ref === 'WEB-0001') hit = true; });
    return hit;
  }, null, { timeout: 10000 }).catch(() => fail('the new hazard is not on the map'));
  await page.waitForFunction(() => /reported by phone by the district office/.test((document.querySelector('#history') || {}).textContent || ''),
    null, { timeout: 10000 }).catch(() => fail('the reason is not in the history'));
  const h = await page.evaluate(() => fetch('api/hazards/WEB-0001').then((r) => r.json()));
  if (h.properties.hazard_type !== 'SHA' || h.properties.settlement !== 'Kend' || !(h.properties.est_area_ha > 20) ||
      h.properties.author !== 'ana') fail('stored: ' + JSON.stringify(h.properties));

  // 6. delete: H-1 refused (an item points at it), H-2 deleted with a reason
  await openHazard(page, 'H-1', 46.905, 39.905);
  await page.click('#delete-btn');
  await page.waitForSelector('#delete-box');
  await page.click('#delete-confirm');
  await page.waitForSelector('#delete-error');
  if (!/reason is needed/.test(await page.textContent('#delete-error'))) fail('no word on the missing reason');
  if (deletes.length) fail('a deletion without a reason was sent');
  await page.fill('#delete-reason', 'entered twice');
  await page.click('#delete-confirm');
  await page.waitForFunction(() => /referred to by 1 row of items \(hazard_id\)/.test((document.querySelector('#delete-error') || {}).textContent || ''),
    null, { timeout: 10000 }).catch(async () => fail('refusal not shown: ' + await page.textContent('#delete-msg')));
  if (!deletes[0] || !/^"r[0-9a-f]+"$/.test(deletes[0])) fail('If-Match sent: ' + deletes[0]);
  await openHazard(page, 'H-2', 46.925, 39.925);
  await page.click('#delete-btn');
  await page.fill('#delete-reason', 'entered twice, see WEB-0001');
  await page.click('#delete-confirm');
  await page.waitForSelector('#deleted', { timeout: 10000 }).catch(async () => fail('not deleted: ' + await page.textContent('#details')));
  const gone = await page.evaluate(() => fetch('api/hazards/H-2').then((r) => r.status));
  if (gone !== 404) fail('H-2 is still there: ' + gone);
  await page.waitForFunction(() => {
    let hit = false;
    window.demine.groups.hazards.eachLayer((l) => { if (l.feature.properties.ref === 'H-2') hit = true; });
    return !hit;
  }, null, { timeout: 10000 }).catch(() => fail('H-2 is still on the map'));

  // 7. a field user sees neither New nor Delete
  await page.click('#logout-btn');
  await page.waitForSelector('#login:not(.hidden)');
  if (await page.isVisible('#new-row')) fail('New is shown after the logout');
  await login(page, 'fld', 'fieldpw12');
  await page.waitForTimeout(500);
  if (await page.isVisible('#new-row') || await page.isVisible('#new-btn')) fail('a field user is offered New');
  await openHazard(page, 'WEB-0001', 46.955, 39.955);
  if (await page.$('#delete-btn')) fail('a field user is offered Delete');

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('create test passed');
}

main().catch((e) => { console.error('create test FAILED: ' + e.message); process.exit(1); });
