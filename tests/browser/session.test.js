// SPDX-License-Identifier: MIT
// session.test.js -- the staff web map and the session, in headless Chromium
// (playwright-core, Debian's `chromium`): before a login the page asks for
// nothing protected (no layer, no risk tile, no 401); after one the risk
// tiles carry the map's version (?v= of /api/risk/map) and are revalidated
// (no-cache, ETag); when the session ends elsewhere the first 401 brings the
// login form back and the map stops asking; a logout and a reload ask for
// nothing either; a layer loading while the map moves is asked again for the
// view moved to; a reload while the server does not answer keeps the session. Needs DEMINE_URL of a running `demine serve` with the users
// of tests/unit/test_server.c (ana/analystpw1) and a risk map.
'use strict';
const { chromium } = require('playwright-core');
const { login } = require('./staff.js');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

// a request the public may not make: layers, tiles, anything under /api/
// but the public endpoints and the login itself
function isProtected(u) {
  const p = new URL(u).pathname;
  if (p.startsWith('/tiles/')) return true;
  return p.startsWith('/api/') && !/^\/api\/(public\/|login$|health$)/.test(p);
}

async function pan(page, dx) {
  await page.evaluate((d) => window.demine.map.panBy([d, 0], { animate: false }), dx);
}

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [], asked = [], answers = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => asked.push(r.url()));
  page.on('response', (r) => answers.push({ url: r.url(), status: r.status(), headers: r.headers() }));
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  const since = (n) => asked.slice(n).filter(isProtected);
  const refused = (n) => answers.slice(n).filter((a) => a.status === 401).map((a) => a.url);

  // 1. a new visitor: the map and the login form, nothing protected asked
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.waitForSelector('#map .leaflet-map-pane', { state: 'attached' });
  await page.waitForTimeout(1500);
  if (since(0).length) fail('asked before any login: ' + since(0).join(', '));
  if (refused(0).length) fail('401 before any login: ' + refused(0).join(', '));
  await page.waitForSelector('#login:not(.hidden)');
  // the empty map says why, and points residents to the public map
  const hint = await page.textContent('#login-hint:not(.hidden)').catch(() => fail('no login hint before a login'));
  if (!/Log in/.test(hint) || !/public danger map/.test(hint)) fail('login hint: ' + hint);
  // and no drawing tool for a visitor who cannot send what is drawn
  if (await page.isVisible('.leaflet-draw')) fail('the drawing tools show before a login');

  // 2. logged in: layers and risk tiles named by the map's version
  // listen before the login: on a loaded machine the first tile can arrive
  // before the login form has gone
  const firstTile = page.waitForResponse((r) => r.url().includes('/tiles/risk/'), { timeout: 30000 });
  await login(page, 'ana', 'analystpw1');
  const tile = await firstTile.catch(() => fail('no risk tile after the login'));
  const map = await page.evaluate(() => fetch('api/risk/map').then((r) => r.json()));
  if (!/^[0-9a-f]{16}$/.test(map.version || '')) fail('no map version: ' + JSON.stringify(map));
  if (!tile.url().includes('?v=' + map.version)) fail('tile URL without the map version: ' + tile.url());
  if (![200, 304].includes(tile.status())) fail('tile answered ' + tile.status());
  const h = tile.headers();
  if (!/no-cache/.test(h['cache-control'] || '')) fail('tile Cache-Control: ' + h['cache-control']);
  if (!h.etag) fail('tile without an ETag');
  await page.waitForFunction(() => window.demine.groups.hazards.getLayers().length > 0, null, { timeout: 20000 })
    .catch(() => fail('no hazard on the map after the login'));
  if (await page.isVisible('#login-hint')) fail('the login hint stays after the login');
  if (!(await page.isVisible('.leaflet-draw'))) fail('no drawing tools after the login');

  // 2b. the map moved while a layer was loading: the layer is asked again
  // for the new view when the first answer comes (it kept the old view's
  // features: H-1 only, though the map shows H-2's place)
  const refs = () => page.evaluate(() => window.demine.groups.hazards.getLayers().map((l) => l.feature.properties.ref));
  await page.evaluate(() => { window.demine.map.setView([39.905, 46.905], 15, { animate: false }); });
  await page.waitForFunction(() => window.demine.groups.hazards.getLayers().map((l) => l.feature.properties.ref).join() === 'H-1',
    null, { timeout: 15000 }).catch(async () => fail('H-1 alone not shown around it: ' + (await refs()).join(', ')));
  const slow = async (r) => { await new Promise((ok) => setTimeout(ok, 1500)); await r.continue().catch(() => {}); };
  await page.route(/\/api\/hazards\?/, slow);
  await page.evaluate(() => { window.demine.map.setView([39.95, 46.95], 15, { animate: false }); }); /* no hazard */
  await page.waitForTimeout(200);
  await page.evaluate(() => { window.demine.map.setView([40.005, 47.005], 15, { animate: false }); });
  await page.waitForFunction(() => window.demine.groups.hazards.getLayers().some((l) => l.feature.properties.ref === 'H-2'),
    null, { timeout: 15000 }).catch(async () => fail('the hazards of the view moved to while loading are not shown: ' +
      (await refs()).join(', ')));
  await page.waitForTimeout(500);
  if ((await refs()).includes('H-1')) fail('the hazards of the view left stay: ' + (await refs()).join(', '));
  await page.unroute(/\/api\/hazards\?/, slow);

  // 3. the session ends elsewhere (another tab logged out, or it expired):
  // the next requests get 401, the login form comes back, the map is cleared
  const token = (await context.cookies()).find((c) => c.name === 'dm_token');
  if (!token) fail('no session cookie');
  const out = await fetch(BASE + '/api/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + token.value } });
  if (out.status !== 200) fail('logout outside the page: ' + out.status);
  let mark = answers.length;
  await pan(page, 300);
  await page.waitForSelector('#login:not(.hidden)', { timeout: 20000 })
    .catch(() => fail('no login form after the session ended; 401s: ' + refused(mark).join(', ')));
  if (!/session has ended/.test(await page.textContent('#login-msg'))) fail('no word on the ended session');
  if (await page.evaluate(() => window.demine.groups.hazards.getLayers().length)) fail('hazards stay on the map');
  await page.waitForTimeout(800);
  if (await page.$('.leaflet-tile-pane img[src*="tiles/risk"]')) fail('risk tiles stay on the map');
  mark = asked.length;
  await pan(page, -300);
  await page.waitForTimeout(1500);
  if (since(mark).length) fail('still asking after the session ended: ' + since(mark).join(', '));

  // 4. logged in again, reloaded (the session is kept), then logged out
  await login(page, 'ana', 'analystpw1');
  // (the same map: the page may show the tiles it has without asking)
  await page.waitForSelector('.leaflet-tile-pane img[src*="tiles/risk"]', { state: 'attached', timeout: 20000 })
    .catch(() => fail('no risk tile after logging in again'));
  mark = answers.length;
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('#who:not(.hidden)', { timeout: 20000 })
    .catch(() => fail('the session is lost on a reload'));
  if (refused(mark).length) fail('401 on a reload while logged in: ' + refused(mark).join(', '));
  // 4b. reloaded while the server does not answer (restarting): the page
  // says so and keeps the session, which comes back with the server
  const down = (r) => r.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"starting"}' });
  await page.route(/\/api\/me$/, down);
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => /does not answer/.test(document.getElementById('login-msg').textContent),
    null, { timeout: 15000 }).catch(() => fail('no word on a server that does not answer'));
  await page.unroute(/\/api\/me$/, down);
  await page.waitForSelector('#who:not(.hidden)', { timeout: 20000 })
    .catch(() => fail('the session is lost while the server did not answer'));
  if (await page.textContent('#login-msg')) fail('the message stays: ' + await page.textContent('#login-msg'));
  await page.click('#logout-btn');
  await page.waitForSelector('#login:not(.hidden)');
  await page.waitForTimeout(500);
  mark = asked.length;
  const markAnswers = answers.length;
  await pan(page, 300);
  await page.waitForTimeout(1500);
  if (since(mark).length) fail('asked after the logout: ' + since(mark).join(', '));

  // 5. a reload after the logout is a new visitor again: no /api/me, no 401
  mark = asked.length;
  await page.reload({ waitUntil: 'load' });
  await page.waitForTimeout(1500);
  if (since(mark).length) fail('asked on a reload after the logout: ' + since(mark).join(', '));
  if (refused(markAnswers).length) fail('401 after the logout: ' + refused(markAnswers).join(', '));

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('session test passed');
}

main().catch((e) => { console.error('session test FAILED: ' + e.message); process.exit(1); });
