// SPDX-License-Identifier: MIT
// layout.test.js -- the staff web map where the data is and on a phone, in
// headless Chromium (playwright-core, Debian's `chromium`): at the first
// login the map goes to the data (the layers' bbox of /api/layers) from
// wherever the page opened, at a later login only when the view holds none
// of it; on a 390 px wide phone the map spans the width above the panel
// instead of being left a strip beside it, and nothing runs off the page;
// the risk legend shows with a risk map and not, once logged in, without one.
// Needs DEMINE_URL of a running `demine serve` with the users of
// tests/unit/test_server.c (ana/analystpw1).
'use strict';
const { chromium } = require('playwright-core');
const { login, logout } = require('./staff.js');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

// the view and the data's box, in degrees
async function view(page) {
  return page.evaluate(() => {
    const b = window.demine.map.getBounds();
    return { w: b.getWest(), s: b.getSouth(), e: b.getEast(), n: b.getNorth(), z: window.demine.map.getZoom() };
  });
}
const meets = (v, b) => v.w <= b[2] && v.e >= b[0] && v.s <= b[3] && v.n >= b[1];
const holds = (v, b) => v.w <= b[0] && v.e >= b[2] && v.s <= b[1] && v.n >= b[3];

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const errors = [];
  try {
    // 1. a desktop that opened far from the data (another country's database)
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
    await page.goto(BASE + '/', { waitUntil: 'load' });
    await page.waitForSelector('#map .leaflet-map-pane', { state: 'attached' });
    await page.evaluate(() => window.demine.map.setView([-30, 150], 9, { animate: false }));
    await login(page, 'ana', 'analystpw1');
    const layers = await page.evaluate(() => fetch('api/layers').then((r) => r.json()));
    const hz = layers.find((l) => l.name === 'hazards');
    if (!hz || !Array.isArray(hz.bbox) || hz.bbox.length !== 4) fail('hazards without a bbox: ' + JSON.stringify(hz && hz.bbox));
    if (!(hz.bbox[0] <= hz.bbox[2] && hz.bbox[1] <= hz.bbox[3])) fail('hazards bbox upside down: ' + hz.bbox);
    const org = layers.find((l) => l.name === 'organisations');
    if (org && 'bbox' in org) fail('a layer without geometry has a bbox');
    const all = layers.filter((l) => l.bbox).map((l) => l.bbox)
      .reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
    let v = await view(page);
    if (!holds(v, all)) fail('the first login did not go to the data: view ' + JSON.stringify(v) + ', data ' + all);
    await page.waitForFunction(() => window.demine.groups.hazards.getLayers().length > 0, null, { timeout: 20000 })
      .catch(() => fail('no hazard drawn after going to the data'));
    // a later login keeps a view on the data the user chose...
    await page.evaluate(() => window.demine.map.setZoom(window.demine.map.getZoom() + 2, { animate: false }));
    const chosen = await view(page);
    await logout(page);
    await login(page, 'ana', 'analystpw1');
    v = await view(page);
    if (v.z !== chosen.z || Math.abs(v.w - chosen.w) > 1e-9) fail('a later login moved a view on the data: ' + JSON.stringify([chosen, v]));
    // ...and goes back to the data from a view that holds none of it
    await logout(page);
    await page.evaluate(() => window.demine.map.setView([10, -60], 8, { animate: false }));
    await login(page, 'ana', 'analystpw1');
    v = await view(page);
    if (!meets(v, all)) fail('a later login left a view without data: ' + JSON.stringify(v));
    // the database has a risk map: its legend is shown
    await page.waitForSelector('#risk-legend', { state: 'attached', timeout: 20000 })
      .catch(() => fail('no risk legend with a risk map'));
    await context.close();

    // 1b. a database with no risk map yet: once logged in, no legend of a
    // map it does not have (the answer of a server without one, a 404)
    const nomap = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    const np = await nomap.newPage();
    np.on('pageerror', (e) => errors.push(e.message));
    await np.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
    await np.route(/\/api\/risk\/map$/, (r) => r.fulfill({ status: 404, contentType: 'application/json',
      body: JSON.stringify({ error: 'no risk map: make one with demine risk map DB' }) }));
    await np.goto(BASE + '/', { waitUntil: 'load' });
    await np.waitForSelector('#map .leaflet-map-pane', { state: 'attached' });
    await login(np, 'ana', 'analystpw1');
    await np.waitForFunction(() => { const c = document.getElementById('count-__risk'); return c && c.textContent === '(none yet)'; },
      null, { timeout: 20000 }).catch(() => fail('the risk layer does not say "(none yet)" without a risk map'));
    if (await np.$('#risk-legend')) fail('a risk legend is shown for a database without a risk map');
    if (await np.evaluate(() => !!document.querySelector('.leaflet-tile-pane img[src*="tiles/risk"]')))
      fail('risk tiles asked for without a risk map');
    await nomap.close();

    // 2. a phone: the map spans the width, above the panel
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
    const pp = await phone.newPage();
    pp.on('pageerror', (e) => errors.push(e.message));
    await pp.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
    await pp.goto(BASE + '/', { waitUntil: 'load' });
    await pp.waitForSelector('#map .leaflet-map-pane', { state: 'attached' });
    const box = async (sel) => pp.evaluate((s) => { const r = document.querySelector(s).getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; }, sel);
    const m = await box('#map'), a = await box('aside');
    if (m.w < 380) fail('the map is ' + m.w + ' px wide on a 390 px phone');
    if (m.h < 0.35 * 844) fail('the map is ' + m.h + ' px high on an 844 px phone');
    if (a.y < m.y + m.h - 1) fail('the panel is not below the map: ' + JSON.stringify({ map: m, aside: a }));
    const over = await pp.evaluate(() => document.documentElement.scrollWidth);
    if (over > 391) fail('the page is ' + over + ' px wide on a 390 px phone');
    await login(pp, 'ana', 'analystpw1');
    const hb = await box('header');
    if (hb.h > 49) fail('the header grew to ' + hb.h + ' px after the login');
    await phone.close();
  } finally {
    await browser.close();
  }
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('layout test passed');
}

main().catch((e) => { console.error('layout test FAILED: ' + e.message); process.exit(1); });
