// SPDX-License-Identifier: MIT
// edit.test.js -- editing a row on the staff web map, in headless Chromium
// (playwright-core, Debian's `chromium`): an analyst opens a hazard, edits
// its plain fields (never its status nor the risk the map computes) with a
// reason; the PATCH names the ETag of the row as read; a refused value shows
// the server's message naming the field; a decimal comma is refused before
// anything is sent; an edit made elsewhere meanwhile
// gets "changed by someone else" and the row reloaded; the edit refreshes
// the risk map; a point (an item) is moved by its coordinates, typed or
// picked on the map; a field user is offered no edit. Needs DEMINE_URL of a
// running `demine serve` with the users, hazard H-1 and the one item of
// tests/unit/test_server.c (ana/analystpw1, fld/fieldpw12) and a risk map.
'use strict';
const { chromium } = require('playwright-core');
const { login } = require('./staff.js');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

// open hazard H-1's details as a click on the map does
async function openH1(page) {
  await page.evaluate(() => window.demine.map.setView([39.905, 46.905], 14, { animate: false }));
  await page.waitForFunction(() => {
    let hit = null;
    window.demine.groups.hazards.eachLayer((l) => { if (l.feature.properties.ref === 'H-1') hit = l; });
    if (hit) hit.fire('click');
    return !!hit;
  }, null, { timeout: 20000 }).catch(() => fail('hazard H-1 not on the map'));
  await page.waitForSelector('#details-props', { timeout: 10000 });
}

// open the one item's details as a click on the map does; its uuid
async function openItem(page) {
  await page.evaluate(() => window.demine.map.setView([39.9021, 46.9051], 15, { animate: false }));
  const id = await page.waitForFunction(() => {
    let hit = null;
    window.demine.groups.items.eachLayer((l) => { hit = l; });
    if (hit) hit.fire('click');
    return hit && hit.feature.id;
  }, null, { timeout: 20000 }).then((h) => h.jsonValue()).catch(() => fail('the item is not on the map'));
  await page.waitForSelector('#details-props', { timeout: 10000 });
  return id;
}

async function openForm(page) {
  await page.click('#edit-btn');
  await page.waitForSelector('#edit-form', { timeout: 10000 });
}

// a session and an edit of H-1 outside the page (another analyst)
async function editElsewhere(notes) {
  const lr = await fetch(BASE + '/api/login', { method: 'POST', body: JSON.stringify({ user: 'ana', password: 'analystpw1' }) });
  const token = (await lr.json()).token;
  const auth = { Authorization: 'Bearer ' + token };
  const g = await fetch(BASE + '/api/hazards/H-1', { headers: auth });
  const tag = g.headers.get('etag');
  const r = await fetch(BASE + '/api/hazards/H-1', { method: 'PATCH', headers: { ...auth, 'If-Match': tag },
    body: JSON.stringify({ notes: notes, reason: 'phoned in' }) });
  if (r.status !== 200) fail('edit outside the page: ' + r.status + ' ' + await r.text());
}

async function refreshIdle(page) {
  await page.waitForFunction(() => fetch('api/risk/refresh').then((r) => r.json()).then((s) => !s.running && !s.queued),
    null, { timeout: 60000, polling: 500 }).catch(() => fail('the risk refresh did not finish'));
}

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [], patches = [], etags = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (r.method() === 'PATCH') patches.push(r.headers()['if-match'] || ''); });
  page.on('response', (r) => {
    if (r.request().method() === 'GET' && /\/api\/hazards\/[^/?]+$/.test(new URL(r.url()).pathname)) etags.push(r.headers().etag);
  });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.waitForSelector('#login:not(.hidden)');

  // 1. an analyst's form: plain fields only, the values as stored
  await login(page, 'ana', 'analystpw1');
  await openH1(page);
  await openForm(page);
  for (const name of ['status', 'p_contam', 'expected_items', 'hazard_type'])
    if (await page.$(`#edit-form [name="${name}"]`)) fail('the form offers ' + name);
  for (const name of ['notes', 'est_area_ha', 'ref', 'reported_date'])
    if (!(await page.$(`#edit-form [name="${name}"]`))) fail('the form lacks ' + name);
  if (await page.getAttribute('#edit-form [name="reported_date"]', 'type') !== 'date') fail('reported_date is no date input');
  if (await page.inputValue('#edit-form [name="est_area_ha"]') !== '10') fail('est_area_ha not as stored');

  // 2. no reason: nothing sent
  await page.fill('#edit-form [name="notes"]', 'fenced by the army');
  await page.click('#edit-save');
  await page.waitForSelector('#edit-error');
  if (!/reason is needed/.test(await page.textContent('#edit-error'))) fail('no word on the missing reason');
  if (patches.length) fail('an edit without a reason was sent');

  // 2b. a decimal comma is refused, naming the field, before sending (a
  // number input kept "15" of "1,5" and saved it)
  await page.fill('#edit-reason', 'site visit 2025-06-02');
  await page.click('#edit-form [name="est_area_ha"]', { clickCount: 3 });
  await page.keyboard.type('1,5');
  await page.click('#edit-save');
  await page.waitForSelector('#edit-error');
  if (!/^est_area_ha: a number, with a point for decimals/.test(await page.textContent('#edit-error')))
    fail('a decimal comma says: ' + await page.textContent('#edit-error'));
  if (!(await page.$('#edit-form [name="est_area_ha"].bad-field'))) fail('the field with a comma is not marked');
  if (patches.length) fail('a number with a decimal comma was sent');

  // 3. a value the server refuses: its message, naming the field, and the field marked
  await page.fill('#edit-form [name="est_area_ha"]', '-5');
  await page.click('#edit-save');
  await page.waitForFunction(() => { // the server's word, not that on the comma before
    const t = (document.querySelector('#edit-error') || {}).textContent || '';
    return /est_area_ha/.test(t) && !/a point for decimals/.test(t);
  },
    null, { timeout: 10000 }).catch(async () => fail('refusal not shown: ' + await page.textContent('#edit-msg')));
  if (!(await page.$('#edit-form [name="est_area_ha"].bad-field'))) fail('the refused field is not marked');
  if (patches.length !== 1 || patches[0] !== etags[etags.length - 1]) fail('If-Match ' + patches[0] + ', ETag read ' + etags.join(' '));

  // 4. saved: the details show the new values, the edit is new evidence for the risk map
  await page.fill('#edit-form [name="est_area_ha"]', '12.5');
  await page.click('#edit-save');
  await page.waitForSelector('#edit-saved', { timeout: 10000 })
    .catch(async () => fail('edit not saved: ' + await page.textContent('#details')));
  const shown = await page.textContent('#details-props');
  if (!/fenced by the army/.test(shown) || !/12\.5/.test(shown)) fail('the details do not show the edit: ' + shown);
  await page.waitForFunction(() => /^Refreshed /.test(document.querySelector('#risk-refresh-msg').textContent),
    null, { timeout: 60000 }).catch(async () => fail('no risk refresh after the edit: ' + await page.textContent('#risk-refresh-msg')));
  await page.waitForFunction(() => /site visit 2025-06-02/.test((document.querySelector('#history') || {}).textContent || ''),
    null, { timeout: 10000 }).catch(() => fail('the reason is not in the history'));
  const h1 = await page.evaluate(() => fetch('api/hazards/H-1').then((r) => r.json()));
  if (h1.properties.notes !== 'fenced by the army' || h1.properties.est_area_ha !== 12.5) fail('stored: ' + JSON.stringify(h1.properties));

  // 5. changed by someone else since the form was opened: said so, the row reloaded
  await refreshIdle(page);
  await openForm(page);
  await editElsewhere('changed elsewhere');
  await page.fill('#edit-form [name="notes"]', 'my change');
  await page.fill('#edit-reason', 'second visit');
  await page.click('#edit-save');
  await page.waitForSelector('#edit-conflict', { timeout: 10000 })
    .catch(async () => fail('no conflict shown: ' + await page.textContent('#edit')));
  if (!/changed by someone else since you opened it/.test(await page.textContent('#edit-conflict'))) fail('conflict text');
  if (await page.inputValue('#edit-form [name="notes"]') !== 'changed elsewhere') fail('the row is not reloaded');
  if (await page.inputValue('#edit-reason') !== 'second visit') fail('the reason typed is lost');
  // made again on the row as it is now, it is saved
  await page.fill('#edit-form [name="notes"]', 'my change');
  await page.click('#edit-save');
  await page.waitForSelector('#edit-saved', { timeout: 10000 })
    .catch(async () => fail('edit after the reload not saved: ' + await page.textContent('#details')));
  const h1b = await page.evaluate(() => fetch('api/hazards/H-1').then((r) => r.json()));
  if (h1b.properties.notes !== 'my change') fail('stored after the conflict: ' + h1b.properties.notes);
  await refreshIdle(page);

  // 6. a point's position: lon and lat as stored; a latitude out of range is
  // refused here, naming it, and nothing sent; typed coordinates are saved as
  // the row's point; "Pick on the map" takes the place clicked
  const item = await openItem(page);
  await openForm(page);
  if (!(await page.$('#edit-coords'))) fail('no coordinates in the form of a point');
  if (await page.inputValue('#edit-form [name="__lon"]') !== '46.9051234' ||
      await page.inputValue('#edit-form [name="__lat"]') !== '39.9021234')
    fail('coordinates not as stored: ' + await page.inputValue('#edit-form [name="__lon"]') + ' ' +
      await page.inputValue('#edit-form [name="__lat"]'));
  const sent = patches.length;
  await page.fill('#edit-form [name="__lat"]', '95');
  await page.fill('#edit-reason', 'position checked with GPS');
  await page.click('#edit-save');
  await page.waitForSelector('#edit-error');
  if (!/lat/.test(await page.textContent('#edit-error'))) fail('no word on the latitude: ' + await page.textContent('#edit-error'));
  if (!(await page.$('#edit-form [name="__lat"].bad-field'))) fail('the latitude is not marked');
  if (patches.length !== sent) fail('a latitude out of range was sent');
  await page.fill('#edit-form [name="__lon"]', '46.9061234');
  await page.fill('#edit-form [name="__lat"]', '39.9031234');
  await page.click('#edit-save');
  await page.waitForSelector('#edit-saved', { timeout: 10000 })
    .catch(async () => fail('move not saved: ' + await page.textContent('#details')));
  const it = await page.evaluate((u) => fetch('api/items/' + u).then((r) => r.json()), item);
  if (JSON.stringify(it.geometry.coordinates) !== '[46.9061234,39.9031234]' || it.properties.category !== 'AT')
    fail('stored: ' + JSON.stringify(it));
  await refreshIdle(page);
  await openForm(page);
  if (await page.inputValue('#edit-form [name="__lon"]') !== '46.9061234') fail('the form does not show the new position');
  await page.click('#edit-pick');
  await page.evaluate(() => window.demine.map.fire('click', { latlng: L.latLng(39.91, 46.91) }));
  if (await page.inputValue('#edit-form [name="__lon"]') !== '46.9100000' ||
      await page.inputValue('#edit-form [name="__lat"]') !== '39.9100000') fail('the place picked is not in the form');
  await page.fill('#edit-reason', 'moved on the map');
  // the word of the save before may still be shown: wait for this save's answer
  const picked = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/items/'),
    { timeout: 10000 }).catch(() => null);
  await page.click('#edit-save');
  if (!(await picked)) fail('picked move not sent: ' + await page.textContent('#details'));
  await page.waitForSelector('#edit-saved', { timeout: 10000 })
    .catch(async () => fail('picked move not saved: ' + await page.textContent('#details')));
  const it2 = await page.evaluate((u) => fetch('api/items/' + u).then((r) => r.json()), item);
  if (JSON.stringify(it2.geometry.coordinates) !== '[46.91,39.91]') fail('stored after the pick: ' + JSON.stringify(it2.geometry));
  await refreshIdle(page);

  // 7. a field user reads hazards but is offered no edit
  await page.click('#logout-btn');
  await page.waitForSelector('#login:not(.hidden)');
  await login(page, 'fld', 'fieldpw12');
  await openH1(page);
  if (await page.$('#edit-btn')) fail('a field user is offered an edit');

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('edit test passed');
}

main().catch((e) => { console.error('edit test FAILED: ' + e.message); process.exit(1); });
