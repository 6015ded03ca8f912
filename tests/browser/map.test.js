// SPDX-License-Identifier: MIT
// map.test.js -- the demine web map in a real browser: headless Chromium
// (Debian's `chromium`) driven by playwright-core. Loads the map, logs in as
// a field user, draws a report polygon, adds an item, submits, logs in as an
// analyst, approves the report and finds the item on the map; then checks
// the public page. A refused login's message fits a narrow window. After a login each layer is asked for once, and the plan
// (not cut to the view) is not asked again at every move, and its tasks are
// drawn on their hazards; an item taken out
// of a report leaves the map; a route's figures
// are whole metres, shown in view; a logout leaves no route, statistics,
// report message or draft of the user before, nor one answered after it. Screenshots go to $ARTIFACTS (default ./artifacts).
// Needs DEMINE_URL of a running `demine serve` with the users of
// tests/unit/test_server.c (fld/fieldpw12, ana/analystpw1).
'use strict';
const { chromium } = require('playwright-core');
const { login, mapPoint } = require('./staff.js');
const draw = require('./draw.js');
const fs = require('fs');
const path = require('path');

const URL = process.env.DEMINE_URL;
const OUT = process.env.ARTIFACTS || path.join(__dirname, 'artifacts');
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

async function main() {
  if (!URL) fail('DEMINE_URL is not set');
  fs.mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // no internet: refuse outside requests quickly instead of waiting on them
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());

  await page.goto(URL + '/', { waitUntil: 'load' });
  await page.waitForSelector('#map .leaflet-map-pane', { state: 'attached' });
  // the risk map's legend shows with the risk layer and goes with it
  await page.waitForSelector('#risk-legend .ramp', { state: 'visible' });
  if (!(await page.textContent('#risk-legend')).includes('chance that a cell of the map holds an item'))
    fail('risk legend text');
  await page.screenshot({ path: path.join(OUT, '01-map-loaded.png') });
  await page.uncheck('input[data-l="__risk"]');
  if (await page.$('#risk-legend')) fail('risk legend stays without the risk layer');
  await page.check('input[data-l="__risk"]');
  await page.waitForSelector('#risk-legend', { state: 'visible' });

  // a refused login on a narrow window: the message is read whole, the header keeps its height
  await page.setViewportSize({ width: 800, height: 700 });
  await page.fill('#login-user', 'nobody');
  await page.fill('#login-pass', 'wrongpass1');
  await page.click('#login-btn');
  await page.waitForFunction(() => document.getElementById('login-msg').textContent !== '', null, { timeout: 5000 });
  const lm = await page.evaluate(() => {
    const r = (s) => document.querySelector(s).getBoundingClientRect(), m = document.getElementById('login-msg');
    return { header: r('header'), form: r('#login-pass'), btn: r('#login-btn'), msg: r('#login-msg'),
      clipped: m.scrollHeight > m.clientHeight + 1 || m.scrollWidth > m.clientWidth + 1, w: window.innerWidth, h: window.innerHeight };
  });
  if (lm.form.bottom > lm.header.bottom || lm.btn.bottom > lm.header.bottom || lm.btn.height > 30 ||
      lm.msg.top < 0 || lm.msg.left < 0 || lm.msg.right > lm.w || lm.msg.bottom > lm.h || lm.clipped)
    fail('a refused login on an 800 px window: ' + JSON.stringify(lm));
  const hidden = await page.evaluate(() => {
    const m = document.getElementById('login-msg').getBoundingClientRect();
    const e = document.elementFromPoint(m.left + m.width / 2, m.top + m.height / 2);
    return !e || e.id !== 'login-msg';
  });
  if (hidden) fail('the login message is under something');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(600); // the map's own moveend for the new size (200 ms later) before counting requests

  // field user: draw the area worked and one item, submit
  const asked = [];
  page.on('request', (r) => { const u = new globalThis.URL(r.url()); if (u.pathname.startsWith('/api/')) asked.push(u.pathname); });
  await login(page, 'fld', 'fieldpw12');
  await page.waitForFunction(() => /\(\d+\)/.test(document.getElementById('count-hazards').textContent), null, { timeout: 5000 });
  await page.waitForTimeout(700);
  const times = (p) => asked.filter((x) => x === p).length;
  for (const l of ['hazards', 'items', 'activities'])
    if (times('/api/' + l) !== 1) fail('after the login /api/' + l + ' was asked ' + times('/api/' + l) + ' times, not once');
  // the plan is one for the whole map: asked when turned on, not at each move
  await page.check('input[data-l="plan"]');
  await page.waitForFunction(() => document.getElementById('count-plan').textContent !== '', null, { timeout: 5000 });
  const plans = times('/api/plan');
  if (plans !== 1) fail('turning the plan on asked for it ' + plans + ' times');
  await page.evaluate(() => window.demine.map.panBy([200, 0], { animate: false }));
  await page.evaluate(() => window.demine.map.panBy([-200, 0], { animate: false }));
  await page.waitForTimeout(700);
  if (times('/api/plan') !== plans) fail('a move asked for the plan again (' + times('/api/plan') + ' times)');
  await page.uncheck('input[data-l="plan"]');
  await page.evaluate(() => window.demine.map.setView([39.9025, 46.9025], 15, { animate: false }));
  await page.click('#tab-report-btn');
  await page.selectOption('#r-type', 'clearance');
  await page.fill('#r-ref', 'BT-1');
  await page.fill('#r-end', '2025-06-01');
  await page.fill('#r-cleared', '2,5'); // refused on submit (a number input sent 25)
  await page.click('#r-draw');
  const corners = [[46.901, 39.901], [46.904, 39.901], [46.904, 39.904], [46.901, 39.904]];
  await draw.drawPolygon(page, corners, mapPoint);
  await page.waitForFunction(() => document.getElementById('r-area').textContent.startsWith('Area drawn'),
    null, { timeout: 5000 });
  await page.click('#r-additems');
  const ip = await mapPoint(page, 46.9025, 39.9025);
  await page.mouse.click(ip.x, ip.y);
  // an item put by mistake and taken out of the table leaves the map too
  const ip2 = await mapPoint(page, 46.9035, 39.9032);
  await page.mouse.click(ip2.x, ip2.y);
  await page.click('#r-additems');
  const marks = () => page.$$eval('#map path.report-item', (l) => l.length);
  if (await marks() !== 2) fail('two items added, ' + await marks() + ' marks on the map');
  await page.click('#r-items tbody tr:nth-child(2) [data-del]');
  if (await page.$$eval('#r-items tbody tr', (l) => l.length) !== 1) fail('the item taken out stays in the table');
  if (await marks() !== 1) fail('the item taken out of the table stays on the map (' + await marks() + ' marks)');
  await page.fill('#r-items input[data-k="model"]', 'PMN-2');
  await page.dispatchEvent('#r-items input[data-k="model"]', 'change');
  await page.screenshot({ path: path.join(OUT, '02-report-drawn.png') });
  const posts = asked.filter((x) => x === '/api/reports').length;
  await page.click('#r-submit');
  await page.waitForSelector('#r-bad', { timeout: 5000 }).catch(() => fail('a decimal comma in Cleared (ha) is not refused'));
  if (asked.filter((x) => x === '/api/reports').length !== posts) fail('a report with 2,5 ha was sent');
  await page.fill('#r-cleared', '2.5');
  await page.click('#r-submit');
  await page.waitForSelector('#r-ok', { timeout: 5000 }).catch(async () => {
    fail('report not accepted: ' + await page.textContent('#r-msg'));
  });
  const okText = await page.textContent('#r-ok');
  const uuid = (okText.match(/[0-9a-f-]{36}/) || [])[0];
  if (!uuid) fail('no uuid in: ' + okText);
  await page.screenshot({ path: path.join(OUT, '03-report-submitted.png') });

  // a route inside H-1 (from one side of it to the other, a least-cost
  // path may go round it): whole metres, no NaN, the answer in the panel's view
  await page.click('nav button[data-tab="layers"]');
  await page.fill('#route-avoid', '1');
  await page.click('#route-btn');
  for (const [lon, lat] of [[46.9015, 39.905], [46.9085, 39.905]]) {
    const p = await mapPoint(page, lon, lat);
    await page.mouse.click(p.x, p.y);
    await page.waitForTimeout(150);
  }
  await page.waitForFunction(() => /danger: /.test(document.getElementById('route-info').textContent) ||
    document.querySelector('#route-info .bad'), null, { timeout: 20000 });
  const said = await page.textContent('#route-info');
  if (!/danger: [\d.]+ km/.test(said) || /NaN|undefined|null/.test(said)) fail('route: ' + said);
  const tips = await page.evaluate(() => {
    const out = [];
    const walk = (l) => { if (l.eachLayer) l.eachLayer(walk); else if (l.getTooltip && l.getTooltip()) out.push(l.getTooltip().getContent()); };
    window.demine.map.eachLayer((l) => { if (l.getTooltip && l.getTooltip() && /stretch/.test(l.getTooltip().getContent())) out.push(l.getTooltip().getContent()); });
    return out;
  });
  if (!tips.length) fail('no dangerous stretch on the route: ' + said);
  for (const t of tips) if (!/^dangerous stretch \d+: \d+-\d+ m$/.test(t)) fail('a stretch is named "' + t + '"');
  const seen = await page.evaluate(() => {
    const r = document.getElementById('route-info').getBoundingClientRect(), a = document.querySelector('aside').getBoundingClientRect();
    return r.top >= a.top - 0.5 && r.bottom <= a.bottom + 0.5;
  });
  if (!seen) fail('the route\'s answer is out of the panel\'s view');
  if (!/Enters H-1 \(open, \d+ m inside/.test(said)) fail('the route in H-1 does not name it: ' + said);
  await page.screenshot({ path: path.join(OUT, '03b-route.png') });
  // the same route kept out of the hazards in force: H-1 is not entered
  await page.check('#route-avoid-hazards');
  await page.click('#route-btn');
  for (const [lon, lat] of [[46.8985, 39.905], [46.9115, 39.905]]) {
    const p = await mapPoint(page, lon, lat);
    await page.mouse.click(p.x, p.y);
    await page.waitForTimeout(150);
  }
  await page.waitForFunction(() => /danger: /.test(document.getElementById('route-info').textContent) ||
    document.querySelector('#route-info .bad'), null, { timeout: 20000 });
  const around = await page.textContent('#route-info');
  if (!/danger: [\d.]+ km/.test(around) || /Enters H-1/.test(around)) fail('kept out of hazards: ' + around);
  await page.uncheck('#route-avoid-hazards');
  // a route whose answer comes after the logout, and statistics alike
  const late = async (r) => { const res = await r.fetch(); await new Promise((ok) => setTimeout(ok, 1500)); await r.fulfill({ response: res }); };
  await page.route(/\/api\/(route\?|stats$)/, late);
  await page.click('#route-btn');
  for (const [lon, lat] of [[46.8985, 39.904], [46.9115, 39.906]]) {
    const p = await mapPoint(page, lon, lat);
    await page.mouse.click(p.x, p.y);
    await page.waitForTimeout(150);
  }
  await page.click('nav button[data-tab="stats"]');
  await page.waitForTimeout(300);
  // a draft left unsent
  await page.click('#tab-report-btn');
  await page.fill('#r-ref', 'LEFT-BEHIND');

  // analyst: review and approve
  await page.click('#logout-btn');
  await page.waitForSelector('#login:not(.hidden)');
  // nothing of the user before stays on the page
  await page.waitForTimeout(2000);
  await page.unroute(/\/api\/(route\?|stats$)/, late);
  if (await page.isVisible('#report-form')) fail('the report form stays shown after the logout');
  if (await page.$('#stats svg')) fail('statistics answered after the logout are shown');
  const routeLeft = await page.evaluate(() => {
    let n = 0;
    window.demine.map.eachLayer((l) => { if (l.feature && l.feature.properties && l.feature.properties.kind === 'route') n++; });
    return n;
  });
  if (routeLeft) fail('a route answered after the logout is drawn');
  const left = await page.evaluate(() => ({ route: document.getElementById('route-info').textContent,
    msg: document.getElementById('r-msg').textContent, ref: document.getElementById('r-ref').value,
    marks: document.querySelectorAll('#map path.leaflet-interactive').length }));
  if (left.route !== 'Press the button, then tap or click the start and the end on the map.' || left.msg || left.ref)
    fail('the logout leaves ' + JSON.stringify(left));
  await login(page, 'ana', 'analystpw1');
  await page.click('#tab-review-btn');
  const card = `.card[data-report="${uuid}"]`;
  await page.waitForSelector(card, { timeout: 5000 });
  // a report that cannot be read is said on its card
  const broken = (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"disk on fire"}' });
  const one = new RegExp('/api/reports/' + uuid + '$');
  await page.route(one, broken);
  await page.click(`${card} [data-show]`);
  await page.waitForSelector(`${card} .msg .err`, { timeout: 5000 })
    .catch(() => fail('a report that cannot be read says nothing'));
  if (!/disk on fire/.test(await page.textContent(`${card} .msg`))) fail('not the server\'s error: ' +
    await page.textContent(`${card} .msg`));
  await page.unroute(one, broken);
  await page.click(`${card} [data-show]`);
  await page.waitForTimeout(500);
  if (await page.$(`${card} .msg .err`)) fail('the error stays after a good answer');
  await page.screenshot({ path: path.join(OUT, '04-review-queue.png') });
  // a rejection without a reason is said on the card, before asking the server
  const rejects = asked.filter((x) => /\/reject$/.test(x)).length;
  await page.click(`${card} [data-reject]`);
  const noReason = await page.textContent(`${card} .msg`);
  if (!/reason for the rejection/.test(noReason) || /[{}]/.test(noReason)) fail('reject without a reason says: ' + noReason);
  if (asked.filter((x) => /\/reject$/.test(x)).length !== rejects) fail('a rejection without a reason was sent');
  await page.fill(`${card} [data-reason]`, 'checked against the task order');
  await page.click(`${card} [data-approve]`);
  await page.waitForSelector(`${card} .msg .ok`, { timeout: 5000 });

  // the approval is new evidence: the analyst's panel follows the risk map's refresh
  await page.waitForSelector('#risk-refresh:not(.hidden)');
  await page.waitForFunction(() => /^Refreshed /.test(document.querySelector('#risk-refresh-msg').textContent),
    null, { timeout: 30000 }).catch(async () => fail('risk refresh not shown: ' + await page.textContent('#risk-refresh-msg')));
  // and names the hazard the approved find moved most
  const rs = await page.evaluate(() => fetch('api/risk/refresh').then((r) => r.json()));
  if (!rs.changes || !rs.changes.length) fail('the approved find moved no hazard: ' + JSON.stringify(rs));
  const moved = await page.textContent('#risk-refresh-msg');
  if (!moved.includes('Moved most (probability of holding anything): ' + (rs.changes[0].ref || rs.changes[0].uuid.slice(0, 8)) + ' '))
    fail('the refresh does not name the hazard moved most: ' + moved);
  await page.click('#risk-refresh-btn');
  await page.waitForFunction(() => /^Refreshing/.test(document.querySelector('#risk-refresh-msg').textContent) ||
    /^Refreshed /.test(document.querySelector('#risk-refresh-msg').textContent), null, { timeout: 30000 })
    .catch(() => fail('refresh button did nothing'));
  await page.screenshot({ path: path.join(OUT, '04b-risk-refreshed.png') });

  // an analyst sees why a hazard is risky, term by term
  await page.click('nav button[data-tab="layers"]');
  await page.evaluate(() => window.demine.reload());
  await page.waitForFunction(() => window.demine.groups.hazards.getLayers().length > 0, null, { timeout: 8000 })
    .catch(() => fail('no hazard on the map'));
  await page.evaluate(() => { window.demine.groups.hazards.getLayers()[0].fire('click'); });
  await page.waitForSelector('#explain table', { timeout: 10000 })
    .catch(async () => fail('no risk explanation: ' + await page.textContent('#details')));
  const why = await page.textContent('#explain');
  if (!/area_hazards/.test(why)) fail('explanation without the hazard term: ' + why);
  // and prints its completion report and handover certificate
  const rep = await page.getAttribute('#hazard-report', 'href').catch(() => null);
  if (!rep || !/^api\/hazards\/[^/]+\/report\.pdf\?lang=en$/.test(rep)) fail('no completion report link: ' + rep);
  const pdf = await page.evaluate((u) => fetch(u).then(async (r) =>
    [r.status, r.headers.get('content-type'), (await r.text()).slice(0, 5)]), rep);
  if (pdf[0] !== 200 || !/application\/pdf/.test(pdf[1]) || pdf[2] !== '%PDF-') fail('completion report: ' + JSON.stringify(pdf));
  // its history: the risk map's figures to 6 digits, a value there was none of said so
  await page.waitForSelector('#history ol', { timeout: 10000 });
  const hist = await page.innerText('#history');
  if (/\d\.\d{7,}/.test(hist) || /: +→/.test(hist)) fail('history: ' + hist);
  fs.writeFileSync(path.join(OUT, '04d-history.txt'), hist);
  await page.screenshot({ path: path.join(OUT, '04c-why-this-risk.png') });

  // the approved item is on the map
  await page.click('nav button[data-tab="layers"]');
  await page.evaluate(() => window.demine.reload());
  await page.waitForFunction(() => {
    let found = false;
    window.demine.groups.items.eachLayer((l) => {
      const ll = l.getLatLng && l.getLatLng();
      if (ll && Math.abs(ll.lng - 46.9025) < 1e-4 && Math.abs(ll.lat - 39.9025) < 1e-4) found = true;
    });
    return found;
  }, null, { timeout: 8000 }).catch(() => fail('approved item not shown on the map'));
  const status = await page.evaluate((id) => {
    let s = null;
    window.demine.groups.activities.eachLayer((l) => { if (l.feature && l.feature.id === id) s = l.feature.properties.status; });
    return s;
  }, uuid);
  if (status !== 'approved') fail('activity status on the map: ' + status);
  await page.screenshot({ path: path.join(OUT, '05-approved-on-map.png') });

  // the plan's tasks have no geometry of their own: drawn on their hazard's polygon
  const h1 = await page.evaluate(() => fetch('api/hazards/H-1').then((r) => r.json()));
  const task = { type: 'Feature', id: '01a20000-0000-7000-8000-000000000001', geometry: null,
    properties: { uuid: '01a20000-0000-7000-8000-000000000001', layer: 'plan_tasks', hazard_id: h1.id, rank: 1,
      route: 'clear', stage: 'clear', team: 'MAN-1', start: '2026-12-01', end: '2026-12-20' } };
  const planAnswer = (r) => r.fulfill({ status: 200, contentType: 'application/json',
    body: JSON.stringify({ type: 'FeatureCollection', layer: 'plan_tasks', features: [task] }) });
  await page.route(/\/api\/plan$/, planAnswer);
  await page.check('input[data-l="plan"]');
  await page.waitForFunction(() => window.demine.groups.plan.getLayers().length > 0, null, { timeout: 8000 })
    .catch(async () => fail('the plan is not on the map: ' + await page.textContent('#count-plan')));
  const drawn = await page.evaluate(() => {
    const l = window.demine.groups.plan.getLayers()[0], b = l.getBounds();
    return { w: b.getWest(), s: b.getSouth(), e: b.getEast(), n: b.getNorth() };
  });
  if (Math.abs(drawn.w - 46.90) > 1e-6 || Math.abs(drawn.n - 39.91) > 1e-6) fail('the task is not on H-1: ' + JSON.stringify(drawn));
  await page.evaluate(() => window.demine.groups.plan.getLayers()[0].fire('click'));
  await page.waitForSelector('#details h3');
  if (!/^plan H-1/.test(await page.textContent('#details h3'))) fail('the task is named ' + await page.textContent('#details h3'));
  await page.uncheck('input[data-l="plan"]');
  await page.unroute(/\/api\/plan$/, planAnswer);

  // statistics dashboard draws charts
  await page.click('nav button[data-tab="stats"]');
  await page.waitForSelector('#stats svg', { timeout: 5000 });
  await page.screenshot({ path: path.join(OUT, '06-statistics.png') });

  // the public page: danger zones and an answer in both languages
  const pub = await context.newPage();
  await pub.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  pub.on('pageerror', (e) => errors.push(e.message));
  await pub.goto(URL + '/public.html', { waitUntil: 'load' });
  await pub.waitForSelector('#map path.leaflet-interactive', { timeout: 8000 });
  const pp = await pub.evaluate(() => {
    const el = document.querySelector('#map path.leaflet-interactive').getBoundingClientRect();
    return { x: el.left + el.width / 2, y: el.top + el.height / 2 };
  });
  await pub.mouse.click(pp.x, pp.y);
  await pub.waitForSelector('#answer.danger', { timeout: 5000 });
  await pub.click('#lang-az');
  const az = await pub.textContent('#answer');
  if (!/Təhlükə/.test(az)) fail('no Azerbaijani answer: ' + az);
  await pub.screenshot({ path: path.join(OUT, '07-public-az.png') });
  await pub.click('#lang-en');
  const en = await pub.textContent('#answer');
  if (!/Danger/.test(en)) fail('no English answer: ' + en);
  await pub.screenshot({ path: path.join(OUT, '08-public-en.png') });
  const leaked = await pub.evaluate(() => document.body.innerHTML);
  if (/46\.9025|PMN-2|REC-SECRET/.test(leaked)) fail('the public page shows staff data');

  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('browser test passed; screenshots in ' + OUT);
}

main().catch((e) => { console.error('browser test FAILED: ' + e.message); process.exit(1); });
