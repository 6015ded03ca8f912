// SPDX-License-Identifier: MIT
// qceore.test.js -- quality control and risk education in the staff web
// map's Statistics tab, in headless Chromium (playwright-core, Debian's
// `chromium`): an analyst sees each organisation's measured detection
// probability with its 90 % interval beside the default (GET /api/qc) and
// the settlements no risk education session reached, the first named
// (GET /api/eore); a click on one takes the map to it, from the place the
// ranking gives (its row of layer features read only when the ranking has
// no lon/lat); under AZ the
// headings, the table and the summary are in Azerbaijani (a decimal comma,
// nothing of the page's own left in English), and the layer eore_sessions
// and its delivery values are named in both languages. A field user opening
// the tab before logging in gets their own organisation's rates at the
// login; one of an organisation never inspected reads "no inspection
// yet"; one of no organisation reads the server's refusal. Needs
// DEMINE_URL of a running `demine serve` with the database of
// tests/unit/test_server_qceore.c.
'use strict';
const { chromium } = require('playwright-core');
const { login, logout } = require('./staff.js');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

const text = (page, sel) => page.$eval(sel, (e) => e.textContent.replace(/\s+/g, ' ').trim());
async function has(page, sel, want) {
  const got = await text(page, sel);
  for (const w of [].concat(want)) if (!got.includes(w)) fail(sel + ' does not say "' + w + '": "' + got + '"');
}
async function hasNot(page, sel, words) {
  const got = await text(page, sel);
  for (const w of [].concat(words)) if (got.includes(w)) fail(sel + ' still says "' + w + '": "' + got + '"');
}
async function waitText(page, sel, re, what) {
  await page.waitForFunction(([sel, re]) => {
    const e = document.querySelector(sel);
    return e && new RegExp(re).test(e.textContent.replace(/\s+/g, ' '));
  }, [sel, re.source], { timeout: 15000 }).catch(async () =>
    fail(what + ': ' + sel + ' says "' + (await page.$(sel) ? await text(page, sel) : '(nothing)') + '"'));
}

// the text under the selectors that is English (as tests/browser/i18n.test.js
// looks for it): a text of the page's English table that its Azerbaijani
// one says otherwise, or a common English word; what the server says
// (.srv-msg) and the data are none of those
async function english(page, sels) {
  return page.evaluate((sels) => {
    const T = window.demineI18n.T, en = [];
    Object.keys(T.en).forEach((k) => {
      const e = T.en[k];
      if (typeof e === 'string' && e !== T.az[k] && e.length >= 4 && !/[{<]/.test(e)) en.push(e);
    });
    const words = /\b(the|and|of|to|by|with|on|in|for|people|danger|settlements?|inspections?|tasks?|found|missed|never|session|sessions|reached|measured|default|method|organisation|Quality|education)\b/i;
    const out = [];
    sels.forEach((sel) => {
      document.querySelectorAll(sel).forEach((root) => {
        const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = w.nextNode(); n; n = w.nextNode()) {
          const el = n.parentElement;
          if (!el || el.closest('.hidden, .srv-msg')) continue;
          const s = n.nodeValue.replace(/\s+/g, ' ').trim();
          if (s && (words.test(s) || en.some((e) => s === e || s.includes(e)))) out.push(sel + ': "' + s + '"');
        }
      });
    });
    return out;
  }, sels);
}

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const errors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());

    // 1. an analyst, in English: every organisation's rate
    await page.goto(BASE + '/?lang=en', { waitUntil: 'load' });
    await page.waitForSelector('#login:not(.hidden)');
    if (!(await page.$('#stats-more.hidden'))) fail('quality control and risk education are shown before a login');
    await login(page, 'ana', 'analystpw1');
    await page.click('aside nav button[data-tab="stats"]');
    await page.waitForSelector('#qc-table', { timeout: 15000 }).catch(async () => fail('no quality control table: ' + await text(page, '#qc')));
    await has(page, '#stats-more', ['Quality control', 'Risk education']);
    await has(page, '#qc', ['2 inspections, 2 tasks inspected']);
    await has(page, '#qc-table thead', ['organisation · method', 'tasks inspected', 'failed', 'ha', 'found', 'missed', 'default',
      'measured p (90 %)']);
    // each rate: its organisation and method over its figures
    const rates = () => page.$$eval('#qc-table tbody.qc-rate', (bs) => bs.map((b) => [b.querySelector('.qc-who').textContent.trim()]
      .concat(Array.from(b.querySelector('.qc-fig').cells).map((c) => c.textContent.replace(/\s+/g, ' ').trim()))));
    const rows = await rates();
    const bravo = rows.find((r) => /^Bravo /.test(r[0])), halo = rows.find((r) => /^HALO /.test(r[0]));
    if (rows.length !== 2 || !bravo || !halo) fail('the rates are not those of Bravo and HALO: ' + JSON.stringify(rows));
    // Bravo: 1 task, failed, 0.57 ha, 0 found, 1 missed: 0.891 (0.711-0.991) against 0.980
    if (JSON.stringify(bravo) !== JSON.stringify(['Bravo · manual', '1', '1', '0.57', '0', '1', '0.980', '0.891 (0.711\u20130.991)']))
      fail('Bravo\'s rate: ' + JSON.stringify(bravo));
    if (halo[7] !== '0.980 (0.896\u20131.000)' || halo[5] !== '0') fail('HALO\'s rate: ' + JSON.stringify(halo));
    await has(page, '#qc-means', ['p: the share of the items there that a search finds', 'worth 10 items', '90 %']);

    // the settlements not reached, the first named, and the summary
    await page.waitForSelector('#eore-table', { timeout: 15000 }).catch(async () => fail('no risk education table: ' + await text(page, '#eore')));
    await has(page, '#eore-summary', ['Settlements near danger: 3 of 3', 'reached since 2023-05-01: 1', 'not reached: 2, with 950 people']);
    await has(page, '#eore', 'Sessions: 1 recorded, 1 since 2023-05-01.');
    const eore = await page.$$eval('#eore-table tbody tr', (trs) => trs.map((tr) =>
      Array.from(tr.cells).map((c) => c.textContent.replace(/\s+/g, ' ').trim())));
    if (eore.length !== 2 || JSON.stringify(eore[0]) !== JSON.stringify(['1', 'Near', '900', '10.0', '0', 'never']) ||
      eore[1][1] !== 'Small') fail('the settlements not reached: ' + JSON.stringify(eore));
    await hasNot(page, '#eore-table', 'Reached');
    await has(page, '#eore-how', ['no risk map yet', 'within 2 km', '5 per civilian accident']);

    // a click on the first takes the map to it, ringed and named, from the
    // place the ranking gives (no row of layer features read for it)
    const featureReads = [];
    const onRequest = (r) => { if (/\/api\/features\//.test(r.url())) featureReads.push(r.url()); };
    page.on('request', onRequest);
    const toNear = async (what) => {
      await page.evaluate(() => window.demine.map.setView([40.5, 47.5], 9, { animate: false }));
      await page.click('#eore-table tbody tr:first-child');
      await page.waitForFunction(() => {
        const c = window.demine.map.getCenter();
        return Math.abs(c.lng - 46.903) < 2e-4 && Math.abs(c.lat - 39.903) < 2e-4 && window.demine.map.getZoom() >= 14;
      }, null, { timeout: 10000 }).catch(async () => fail('the map did not go to Near' + what + ': ' +
        JSON.stringify(await page.evaluate(() => [window.demine.map.getCenter(), window.demine.map.getZoom()]))));
      await waitText(page, '.leaflet-tooltip', /Near \(rank 1\): 900 people, not reached/, 'the settlement is not named on the map' + what);
      if (!(await page.$('#eore-table tbody tr.sel:first-child'))) fail('the row clicked is not marked' + what);
    };
    await toNear('');
    if (featureReads.length) fail('the settlement\'s row was read though the ranking gives its place: ' + featureReads.join(' '));
    // a ranking without lon/lat (a server before them): its row is read
    await page.route(/\/api\/eore$/, async (r) => {
      const resp = await r.fetch(), j = await resp.json();
      j.ranking.forEach((x) => { delete x.lon; delete x.lat; });
      await r.fulfill({ response: resp, json: j });
    });
    await page.click('aside nav button[data-tab="layers"]');
    await page.click('aside nav button[data-tab="stats"]');
    await page.waitForFunction(() => !document.querySelector('#eore-table tr.sel'), null, { timeout: 15000 });
    await page.waitForSelector('#eore-table', { timeout: 15000 });
    await toNear(' without lon/lat');
    if (featureReads.length !== 1) fail('without lon/lat, the settlement\'s row is not read once: ' + JSON.stringify(featureReads));
    await page.unroute(/\/api\/eore$/);
    page.off('request', onRequest);

    // 2. the layer of the sessions, named, with a point style and its count
    await page.click('aside nav button[data-tab="layers"]');
    await has(page, '#layer-list', 'Risk education sessions');
    await has(page, '.legend', 'risk education session');
    await page.check('input[data-l="eore_sessions"]');
    await waitText(page, '#count-eore_sessions', /^\(1\)$/, 'the sessions are not loaded');
    const fill = await page.evaluate(() => {
      let f = null;
      window.demine.groups.eore_sessions.eachLayer((l) => { f = l.options.fillColor; });
      return f;
    });
    if (fill !== '#16a085') fail('a session is drawn ' + fill);

    // 3. in Azerbaijani, switched live
    await page.click('#lang-az');
    await has(page, '#layer-list', 'Partlayıcı sursat təhlükəsi barədə maarifləndirmə sessiyaları');
    await has(page, '.legend', 'maarifləndirmə sessiyası');
    // a new session's form: its delivery values as the XLSForm names them
    await page.selectOption('#new-layer', 'eore_sessions');
    await has(page, '#new-layer option[value="eore_sessions"]', 'Partlayıcı sursat təhlükəsi barədə maarifləndirmə sessiyaları');
    await page.click('#new-btn');
    await page.waitForSelector('#new-form select[name="delivery"]');
    const opts = await page.$$eval('#new-form select[name="delivery"] option', (os) =>
      Object.fromEntries(os.filter((o) => o.value).map((o) => [o.value, o.textContent])));
    const want = { session: 'İctimai sessiya', school: 'Məktəbdə', door_to_door: 'Ev-ev gəzərək',
      community_leaders: 'İcma liderləri vasitəsilə', media: 'Media (radio, televiziya, sosial şəbəkələr)', other: 'Digər' };
    if (JSON.stringify(opts) !== JSON.stringify(want)) fail('the delivery values in AZ: ' + JSON.stringify(opts));
    await page.click('#lang-en');
    if (await page.$eval('#new-form select[name="delivery"] option[value="door_to_door"]', (o) => o.textContent) !== 'door to door')
      fail('the delivery values are not said again in English');
    await page.click('#new-cancel');
    await page.click('#lang-az');
    await page.click('aside nav button[data-tab="stats"]');
    await page.waitForSelector('#qc-table', { timeout: 15000 });
    await page.waitForSelector('#eore-table', { timeout: 15000 });
    await has(page, '#stats-more', ['Keyfiyyətə nəzarət', 'Partlayıcı sursat təhlükəsi barədə maarifləndirmə']);
    await has(page, '#qc-table thead', ['təşkilat · üsul', 'yoxlanılmış tapşırıq', 'gözdən qaçıb', 'ölçülmüş p (90 %)']);
    const az = (await rates()).find((r) => /^Bravo /.test(r[0]));
    if (JSON.stringify(az) !== JSON.stringify(['Bravo · Əl ilə', '1', '1', '0,57', '0', '1', '0,980', '0,891 (0,711\u20130,991)']))
      fail('Bravo\'s rate in AZ: ' + JSON.stringify(az));
    // the nine columns fit the panel, in the longer Azerbaijani too
    for (const sel of ['#qc .wide', '#eore .wide']) {
      const over = await page.$eval(sel, (e) => e.scrollWidth - e.clientWidth);
      if (over > 0) fail(sel + ': the table is ' + over + ' px wider than the panel');
    }
    await has(page, '#qc', '2 yoxlama, 2 yoxlanılmış tapşırıq');
    await has(page, '#eore-summary', ['Təhlükəyə yaxın yaşayış məntəqələri: 3 məntəqədən 3', 'çatmayıb: 2, onlarda 950 nəfər']);
    await has(page, '#eore-table thead', ['yaşayış məntəqəsi', 'əhali', 'təhlükə', 'son sessiya']);
    await has(page, '#eore-table tbody tr:first-child', ['Near', '10,0', 'heç vaxt']);
    await hasNot(page, '#stats-more', ['Quality control', 'Risk education', 'never', 'measured p']);
    const left = await english(page, ['#stats-more']);
    if (left.length) fail('left in English in AZ mode: ' + left.join('; '));
    // back to English, live
    await page.click('#lang-en');
    await has(page, '#qc-table', '0.891 (0.711\u20130.991)');
    await has(page, '#eore-table tbody tr:first-child', 'never');
    await has(page, '#stats-more', ['Quality control', 'Risk education']);

    // 4. logged out: nothing of it stays; the tab stays open
    await logout(page);
    if (!(await page.$('#stats-more.hidden'))) fail('the sections stay shown after the logout');
    if (await page.$('#qc-table') || await page.$('#eore-table')) fail('the tables stay after the logout');
    // (a tooltip closed fades out in 200 ms)
    await page.waitForFunction(() => !document.querySelector('.leaflet-tooltip'), null, { timeout: 3000 }).catch(async () =>
      fail('the settlement stays named on the map: ' + await text(page, '.leaflet-tooltip')));
    if (await page.evaluate(() => { let n = 0; window.demine.map.eachLayer((l) => { if (l.demineTip) n++; }); return n; }))
      fail('the settlement stays ringed on the map');

    // 5. a field user of HALO, the tab open before the login: fetched at
    // the login, HALO's rate alone
    await page.click('#lang-az');
    await login(page, 'fld', 'fieldpw12');
    await page.waitForSelector('#qc-table', { timeout: 15000 }).catch(async () => fail('not fetched at the login: ' + await text(page, '#qc')));
    await has(page, '#qc-own', 'Yalnız təşkilatınızın (HALO) yoxlamaları.');
    await has(page, '#qc-table', 'HALO');
    await hasNot(page, '#qc-table', 'Bravo');
    await page.waitForSelector('#eore-table', { timeout: 15000 });
    await logout(page);

    // 6. a field user of an organisation never inspected
    await login(page, 'chl', 'fieldpw12');
    await page.waitForSelector('#qc-none', { timeout: 15000 }).catch(async () => fail('no "no inspection yet": ' + await text(page, '#qc')));
    await has(page, '#qc-none', 'Hələ yoxlama yoxdur.');
    await page.click('#lang-en');
    await has(page, '#qc-none', 'No inspection yet.');
    await logout(page);

    // 7. a field user of no organisation: the server's refusal, said
    await login(page, 'nob', 'fieldpw12');
    await waitText(page, '#qc', /Not shown; the server says: .*user nob has none/, 'the refusal');
    await page.click('#lang-az');
    await has(page, '#qc', ['Göstərilmir; serverin cavabı:', 'user nob has none']);
    await page.waitForSelector('#eore-table', { timeout: 15000 });
    // and the risk education ranking refused alike (a database with no settlement)
    await page.route(/\/api\/eore$/, (r) => r.fulfill({ status: 404, contentType: 'application/json',
      body: JSON.stringify({ error: 't.gpkg: no settlement in layer features (class settlement)', status: 404 }) }));
    await page.click('aside nav button[data-tab="layers"]');
    await page.click('aside nav button[data-tab="stats"]');
    await waitText(page, '#eore', /Göstərilmir; serverin cavabı: t\.gpkg: no settlement/, 'the eore refusal');
    if (await page.$('#eore-table')) fail('a table is shown with the refusal');
    await page.unroute(/\/api\/eore$/);
    await logout(page);
    await context.close();
  } finally {
    await browser.close();
  }
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('qceore test passed');
}

main().catch((e) => { console.error('qceore test FAILED: ' + e.message); process.exit(1); });
