// SPDX-License-Identifier: MIT
// undo.test.js -- undoing deletions on the staff web map, in headless
// Chromium (playwright-core, Debian's `chromium`): an analyst deletes
// hazard H-2 and presses the Undo of the message: H-2 is back, on the map,
// with the same uuid; deleted again, it is in the "Deleted rows" list with
// its layer, label, author and reason, and Restore (asking a reason) puts it
// back; the list no longer shows it. A field user sees no list. Needs
// DEMINE_URL of a running `demine serve` with the database of
// tests/unit/test_server_rows.c (ana/analystpw1, fld/fieldpw12; H-2).
'use strict';
const { chromium } = require('playwright-core');
const { login } = require('./staff.js');

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

async function onMap(page, ref, want) {
  await page.waitForFunction(([ref, want]) => {
    let hit = false;
    window.demine.groups.hazards.eachLayer((l) => { if (l.feature.properties.ref === ref) hit = true; });
    return hit === want;
  }, [ref, want], { timeout: 10000 }).catch(() => fail(ref + (want ? ' is not on the map' : ' is still on the map')));
}

async function deleteH2(page, why) {
  await openHazard(page, 'H-2', 46.925, 39.925);
  await page.click('#delete-btn');
  await page.fill('#delete-reason', why);
  await page.click('#delete-confirm');
  await page.waitForSelector('#deleted', { timeout: 10000 }).catch(async () => fail('not deleted: ' + await page.textContent('#details')));
  await onMap(page, 'H-2', false);
}

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [], restores = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/restore$/.test(new URL(r.url()).pathname)) restores.push(r.postDataJSON());
  });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.waitForSelector('#login:not(.hidden)');
  if (await page.isVisible('#deleted-rows')) fail('the deleted rows are offered before a login');

  // 1. delete H-2, then Undo in the message: back, same uuid, on the map
  await login(page, 'ana', 'analystpw1');
  await page.waitForSelector('#deleted-rows:not(.hidden)', { timeout: 10000 }).catch(() => fail('no deleted rows for an analyst'));
  const uuid = await page.evaluate(() => fetch('api/hazards/H-2').then((r) => r.json()).then((f) => f.id));
  if (!/^[0-9a-f-]{36}$/.test(uuid || '')) fail('H-2 has no uuid: ' + uuid);
  await deleteH2(page, 'entered twice');
  await page.click('#undo-btn');
  await page.waitForFunction(() => /Restored H-2/.test((document.querySelector('#edit-saved') || {}).textContent || ''),
    null, { timeout: 10000 }).catch(async () => fail('Undo did not restore: ' + await page.textContent('#details')));
  if (restores.length !== 1 || restores[0].reason !== 'undo') fail('Undo sent: ' + JSON.stringify(restores));
  await onMap(page, 'H-2', true);
  const back = await page.evaluate(() => fetch('api/hazards/H-2').then((r) => r.json()));
  if (back.id !== uuid || back.properties.hazard_type !== 'SHA') fail('restored as: ' + JSON.stringify(back));
  await page.waitForFunction(() => /restored: undo/.test((document.querySelector('#history') || {}).textContent || ''),
    null, { timeout: 10000 }).catch(() => fail('the restoration is not in the history'));

  // 2. deleted again: in the list with its layer, label, author and reason
  await deleteH2(page, 'entered twice after all');
  await page.click('#deleted-load');
  const row = '#deleted-list .del-row[data-uuid="' + uuid + '"]';
  await page.waitForSelector(row, { timeout: 10000 }).catch(async () => fail('not in the list: ' + await page.textContent('#deleted-list')));
  const text = await page.textContent(row);
  for (const w of ['hazards', 'H-2 SHA', 'by ana', 'entered twice after all'])
    if (!text.includes(w)) fail('the list says "' + text + '", not ' + w);

  // 3. Restore asks a reason, then puts it back
  await page.click(row + ' .del-restore');
  await page.click(row + ' .restore-confirm');
  await page.waitForSelector(row + ' .restore-error');
  if (!/reason is needed/.test(await page.textContent(row + ' .restore-error'))) fail('no word on the missing reason');
  if (restores.length !== 1) fail('a restoration without a reason was sent');
  await page.fill(row + ' .restore-reason', 'deleted by mistake');
  await page.click(row + ' .restore-confirm');
  await page.waitForFunction(() => /Restored H-2/.test((document.querySelector('#edit-saved') || {}).textContent || ''),
    null, { timeout: 10000 }).catch(async () => fail('not restored: ' + await page.textContent('#deleted-list')));
  if (restores[1].reason !== 'deleted by mistake') fail('sent: ' + JSON.stringify(restores[1]));
  await onMap(page, 'H-2', true);
  await page.waitForSelector('#deleted-none', { timeout: 10000 })
    .catch(async () => fail('the list still shows: ' + await page.textContent('#deleted-list')));
  if (await page.$(row)) fail('H-2 is still in the list');

  // 4. a field user sees no list
  await page.click('#logout-btn');
  await page.waitForSelector('#login:not(.hidden)');
  if (await page.isVisible('#deleted-rows')) fail('the list is shown after the logout');
  await login(page, 'fld', 'fieldpw12');
  await page.waitForTimeout(500);
  if (await page.isVisible('#deleted-rows') || await page.isVisible('#deleted-load')) fail('a field user is offered the deleted rows');

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('undo test passed');
}

main().catch((e) => { console.error('undo test FAILED: ' + e.message); process.exit(1); });
