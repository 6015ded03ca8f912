// SPDX-License-Identifier: MIT
// public.test.js -- the public danger map as a resident uses it, in headless
// Chromium (playwright-core, Debian's `chromium`), no login: on a phone and on
// a desktop, the title and the language buttons fit the header; the page
// speaks the browser's language (Azerbaijani or English) and, once one is
// chosen, keeps it on the next visit; a tap in a zone says "danger"; the page
// asks only for public endpoints and shows no staff data; a tapped zone gets
// no black focus box; what "safe way" says follows a change of language
// and, on a phone, is scrolled into the panel's view; a tap on the map
// panned a world away asks for the same place; a distance of kilometres is
// given in km; danger zones that cannot be loaded are said so in both
// languages and asked for again; a link's ?lang= chooses the language, and
// a switch rewrites it (a reload keeps the choice); Leaflet's zoom buttons
// are titled in the language; a
// safe way from inside a zone says so, a server with no risk map yet says
// in plain words that the safe way is not available here yet, and a failing
// server is an error, not "no safe way"; the safe way's prompts say "tap or click" as the intro
// does; a safe way planned by the server itself (no canned reply) is drawn
// with its length, and one judged high from or to a point next to a zone,
// along a line outside the zones, is said of that point. Needs DEMINE_URL of
// a running `demine serve` on the database of setup_browser_db in
// tests/unit/test_server.c (its risk map projected, p 0.3 within 300 m of
// the hazard H-1).
'use strict';
const { chromium } = require('playwright-core');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

async function visit(context, errors, asked) {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => asked.push(r.url()));
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
  await page.goto(BASE + '/public', { waitUntil: 'load' });
  await page.waitForSelector('#map path.leaflet-interactive', { timeout: 10000 });
  return page;
}

async function headerFits(page, what) {
  const b = await page.evaluate(() => {
    const r = (s) => document.querySelector(s).getBoundingClientRect();
    const h1 = document.querySelector('header h1');
    return { header: r('header'), h1: r('header h1'), az: r('#lang-az'), en: r('#lang-en'),
             h1Over: h1.scrollHeight > h1.clientHeight + 1 };
  });
  if (b.h1.bottom > b.header.bottom + 0.5 || b.h1.top < b.header.top - 0.5 || b.h1Over)
    fail(what + ': the title overflows the header ' + JSON.stringify(b));
  for (const k of ['az', 'en'])
    if (b[k].bottom > b.header.bottom + 0.5 || b[k].top < b.header.top - 0.5)
      fail(what + ': the ' + k + ' button lies outside the header ' + JSON.stringify(b));
  if (Math.abs(b.az.top - b.en.top) > 1) fail(what + ': the language buttons are not on one line ' + JSON.stringify(b));
  if (b.h1.right > b.az.left + 0.5) fail(what + ': the title runs under the language buttons ' + JSON.stringify(b));
}

async function tapZone(page, touch) {
  const p = await page.evaluate(() => {
    const el = document.querySelector('#map path.leaflet-interactive').getBoundingClientRect();
    return { x: el.left + el.width / 2, y: el.top + el.height / 2 };
  });
  if (touch) await page.touchscreen.tap(p.x, p.y); else await page.mouse.click(p.x, p.y);
  await page.waitForSelector('#answer.danger', { timeout: 8000 });
  return page.textContent('#answer');
}

// a point of the map's container, as a fraction of its width and height
async function mapAt(page, fx, fy) {
  return page.evaluate(([a, b]) => {
    const r = document.getElementById('map').getBoundingClientRect();
    return { x: r.left + r.width * a, y: r.top + r.height * b };
  }, [fx, fy]);
}

async function tap(page, p, touch) {
  if (touch) await page.touchscreen.tap(p.x, p.y); else await page.mouse.click(p.x, p.y);
}

// "safe way": its prompts and its answer in the language chosen, in view
async function safeWay(page, s) {
  const said = () => page.textContent('#way');
  const T = { az: { start: 'Başlanğıc nöqtəsinə toxunun və ya klikləyin.', end: 'İndi son nöqtəyə toxunun və ya klikləyin.' },
              en: { start: 'Tap or click the start point.', end: 'Now tap or click the end point.' } };
  const other = s.pick === 'en' ? 'az' : 'en';
  await page.click('#way-btn');
  if (await said() !== T[s.pick].start) fail(s.what + ': safe way says ' + await said());
  await page.click('#lang-' + other);
  if (await said() !== T[other].start) fail(s.what + ': safe way stays "' + await said() + '" in ' + other);
  await page.click('#lang-' + s.pick);
  // two points of the map away from the zone in its middle and the controls
  await tap(page, await mapAt(page, 0.5, 0.9), !!s.opt.hasTouch);
  if (await said() !== T[s.pick].end) fail(s.what + ': after the start, safe way says ' + await said());
  await page.click('#lang-' + other);
  if (await said() !== T[other].end) fail(s.what + ': safe way stays "' + await said() + '" in ' + other);
  await page.click('#lang-' + s.pick);
  await tap(page, await mapAt(page, 0.9, 0.5), !!s.opt.hasTouch);
  await page.waitForFunction((t) => { const w = document.getElementById('way').textContent; return w && w !== t; },
    T[s.pick].end, { timeout: 20000 });
  const answer = await said();
  await page.click('#lang-' + other);
  if (await said() === answer) fail(s.what + ': the answer "' + answer + '" stays in another language');
  await page.click('#lang-' + s.pick);
  if (await said() !== answer) fail(s.what + ': the answer is "' + await said() + '" back in ' + s.pick);
  const v = await page.evaluate(() => {
    const w = document.getElementById('way').getBoundingClientRect(), p = document.getElementById('panel').getBoundingClientRect();
    return { w: { top: w.top, bottom: w.bottom }, p: { top: p.top, bottom: p.bottom } };
  });
  if (v.w.top < v.p.top - 0.5 || v.w.bottom > v.p.bottom + 0.5) fail(s.what + ': the answer of safe way is out of view ' +
    JSON.stringify(v));
}

async function main() {
  if (!BASE) fail('DEMINE_URL is not set');
  const browser = await chromium.launch({ executablePath: EXE, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const errors = [], asked = [];
  const setups = [
    { what: 'phone, English browser', opt: { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, locale: 'en-US' },
      first: 'en', pick: 'az', word: /Təhlükə/ },
    { what: 'desktop, Azerbaijani browser', opt: { viewport: { width: 1280, height: 800 }, locale: 'az-AZ' },
      first: 'az', pick: 'en', word: /Danger/ }
  ];
  for (const s of setups) {
    const context = await browser.newContext(s.opt);
    let page = await visit(context, errors, asked);
    if (await page.evaluate(() => document.documentElement.lang) !== s.first) fail(s.what + ': not in ' + s.first);
    await headerFits(page, s.what + ' (' + s.first + ')');
    await page.click('#lang-' + s.pick);
    await headerFits(page, s.what + ' (' + s.pick + ')');
    const said = await tapZone(page, !!s.opt.hasTouch);
    if (!s.word.test(said)) fail(s.what + ': the answer is not in ' + s.pick + ': ' + said);
    // the zone takes the focus (it has a tooltip): no box for a tap or a click
    const zone = await page.evaluate(() => {
      const z = document.querySelector('#map path.leaflet-interactive');
      z.focus();
      return { focused: document.activeElement === z, outline: getComputedStyle(z).outlineStyle };
    });
    if (zone.focused && zone.outline !== 'none') fail(s.what + ': a box is drawn around the zone tapped (' + zone.outline + ')');
    await safeWay(page, s);
    // the map panned a world east: a tap there is the same place, not a 400
    const checks = [];
    page.on('request', (r) => { if (/\/api\/public\/check/.test(r.url())) checks.push(new URL(r.url()).searchParams.get('lon')); });
    const zp = await page.evaluate(() => {
      const el = document.querySelector('#map path.leaflet-interactive').getBoundingClientRect();
      return { x: el.left + el.width / 2, y: el.top + el.height / 2 };
    });
    await page.evaluate(() => { const m = window.demine.map, c = m.getCenter(); m.setView([c.lat, c.lng + 360], m.getZoom(), { animate: false }); });
    await page.evaluate(() => { document.getElementById('answer').className = 'answer'; document.getElementById('answer').textContent = ''; });
    await tap(page, zp, !!s.opt.hasTouch); // the zone's place, one world east
    await page.waitForSelector('#answer.danger', { timeout: 8000 })
      .catch(async () => fail(s.what + ': a tap a world east says "' + await page.textContent('#answer') + '"'));
    if (!checks.length || checks.some((x) => Math.abs(Number(x)) > 180)) fail(s.what + ': asked for lon ' + checks.join(', '));
    await page.close();
    // a returning resident: the language chosen last time
    page = await visit(context, errors, asked);
    const lang = await page.evaluate(() => document.documentElement.lang);
    if (lang !== s.pick) fail(s.what + ': the next visit is in ' + lang + ', not in ' + s.pick + ' as chosen');
    const intro = await page.textContent('[data-t="intro"]');
    if ((s.pick === 'en') !== /Tap or click/.test(intro)) fail(s.what + ': the next visit shows ' + intro);
    // the safe way's button says "tap or click" as the intro does (it said "click")
    const btn = await page.textContent('#way-btn');
    if (btn !== (s.pick === 'en' ? 'Safe way: tap or click two points' : 'Təhlükəsiz yol: iki nöqtəyə toxunun və ya klikləyin'))
      fail(s.what + ': the safe way button says ' + btn);
    const shown = await page.evaluate(() => document.body.innerHTML);
    if (/46\.905|TM-62M|PMN-2|REC-SECRET|Secretname|H-1/.test(shown)) fail(s.what + ': the page shows staff data');
    await context.close();
  }
  // a link's ?lang= wins over the browser's language and the choice kept (it was ignored)
  for (const [locale, want, url] of [['az-AZ', 'en', '/public?lang=en'], ['en-US', 'az', '/public.html?x=1&lang=az']]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
    const page = await context.newPage();
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
    await page.goto(BASE + '/public');
    await page.click('#lang-' + (want === 'en' ? 'az' : 'en')); // kept on this device
    await page.goto(BASE + url);
    await page.waitForSelector('#map path.leaflet-interactive', { timeout: 10000 });
    const got = await page.evaluate(() => [document.documentElement.lang, document.querySelector('[data-t="rules"]').textContent]);
    if (got[0] !== want || got[1] !== (want === 'en' ? 'Safety rules' : 'Təhlükəsizlik qaydaları'))
      fail(url + ' with a ' + locale + ' browser is in ' + got.join(': '));
    // Leaflet's zoom buttons speak the page's language (they said "Zoom in" in Azerbaijani)
    const zoomIs = async (l) => {
      const z = await page.evaluate(() => ['in', 'out'].map((w) => {
        const a = document.querySelector('.leaflet-control-zoom-' + w);
        return a.title + '|' + a.getAttribute('aria-label');
      }).join(' '));
      const exp = l === 'az' ? 'Yaxınlaşdır|Yaxınlaşdır Uzaqlaşdır|Uzaqlaşdır' : 'Zoom in|Zoom in Zoom out|Zoom out';
      if (z !== exp) fail(url + ' in ' + l + ': the zoom buttons say ' + z);
    };
    await zoomIs(want);
    // a switch rewrites the link's ?lang= (a reload went back to the link's
    // language), its other parameters kept, and a reload keeps the choice
    const other = want === 'en' ? 'az' : 'en';
    await page.click('#lang-' + other);
    await zoomIs(other);
    const u = new URL(page.url());
    if (u.searchParams.get('lang') !== other || (url.includes('x=1') && u.searchParams.get('x') !== '1'))
      fail(url + ': after a switch to ' + other + ' the link is ' + page.url());
    await page.reload();
    await page.waitForSelector('#map path.leaflet-interactive', { timeout: 10000 });
    const again = await page.evaluate(() => document.documentElement.lang);
    if (again !== other) fail(url + ': switched to ' + other + ', a reload is in ' + again);
    await zoomIs(other);
    await context.close();
  }

  // what safe way says of the server's answers (test_server.c checks that a
  // point in a zone gets 400): a point in or near a zone is said so (it said
  // "No safe way was found."), no way between them is "no safe way", and a
  // failing server is an error, not an answer about the ground
  {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    const page = await visit(context, errors, asked);
    const said = () => page.textContent('#way');
    const replies = [
      [400, 'no route can be given between these points: one of them lies in or near a danger zone, or outside the mapped area',
        /^One of the points is in or near a dangerous area/, /^Nöqtələrdən biri təhlükəli ərazidə/],
      [404, 'no route can be given between these points: no way between them keeps clear of the danger zones and the riskiest ground',
        /^No safe way was found\.$/, /^Təhlükəsiz yol tapılmadı\.$/],
      // the server's answer with no risk map yet: plain words in both languages
      // (it said "Error: no answer"), no server jargon
      [404, 'no risk map yet: the safe way planner is not available for this area yet',
        /^Safe way is not available for this area yet\. Keep to roads and paths you know, and stay away from the dangerous areas marked in red\.$/,
        /^Təhlükəsiz yol bu ərazi üçün hələ mövcud deyil\. Bildiyiniz yollar və cığırlarla gedin, qırmızı ilə işarələnmiş təhlükəli ərazilərdən uzaq durun\.$/,
        'no_risk_map'],
      [404, 'some other failure', /^Error: no answer$/, /^Xəta: cavab alınmadı$/],
      [503, 'the database is locked', /^Error: no answer$/, /^Xəta: cavab alınmadı$/]];
    for (const [status, error, en, az, code] of replies) {
      await page.unroute(/\/api\/public\/route/);
      await page.route(/\/api\/public\/route/, (r) => r.fulfill({ status, contentType: 'application/json',
        body: JSON.stringify(code ? { error, status, code } : { error, status }) }));
      await page.click('#way-btn');
      await tap(page, await mapAt(page, 0.5, 0.9), false);
      await tap(page, await mapAt(page, 0.9, 0.5), false);
      await page.waitForFunction(() => !/end point/.test(document.getElementById('way').textContent), null, { timeout: 20000 });
      if (!en.test(await said())) fail('safe way answered ' + status + ' (' + error + ') says ' + await said());
      await page.click('#lang-az');
      if (!az.test(await said())) fail('safe way answered ' + status + ' (' + error + ') says in az ' + await said());
      await page.click('#lang-en');
    }
    await context.close();
  }

  // safe ways planned by the server itself on the projected risk map of
  // tests/unit/test_server.c (p 0.3 within 300 m of the hazard H-1, beyond
  // its zone's margin), no canned reply: a way between two points away from
  // the zones is drawn and its length said; a point in a zone gets no way; a
  // way the server judges high from (or to) a point next to a zone, along a
  // line outside the zones, is said of that point (the page said "this way
  // crosses dangerous areas"); a high way from a point farther off says it
  // passes ground where mines may be
  {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    const page = await visit(context, errors, asked);
    const said = () => page.textContent('#way');
    const zonesFc = await page.evaluate(() => fetch('api/public/danger').then((r) => r.json()));
    const inZone = ([x, y]) => zonesFc.features.some((f) => {
      const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      return polys.some((rings) => rings.reduce((inside, r) => {
        let odd = false;
        for (let i = 0, j = r.length - 1; i < r.length; j = i++)
          if ((r[i][1] > y) !== (r[j][1] > y) && x < r[j][0] + (r[i][0] - r[j][0]) * (y - r[j][1]) / (r[i][1] - r[j][1])) odd = !odd;
        return odd ? !inside : inside;
      }, false));
    });
    const clickAt = async (ll) => {
      const p = await page.evaluate(([lng, lat]) => {
        const m = window.demine.map, c = m.latLngToContainerPoint([lat, lng]), r = m.getContainer().getBoundingClientRect();
        return { x: r.left + c.x, y: r.top + c.y };
      }, ll);
      await page.mouse.click(p.x, p.y);
    };
    const way = async (from, to) => {
      await page.evaluate(([a, b]) => window.demine.map.fitBounds([[a[1], a[0]], [b[1], b[0]]],
        { padding: [80, 80], maxZoom: 16, animate: false }), [from, to]);
      await page.click('#way-btn');
      await clickAt(from);
      if (await said() !== 'Now tap or click the end point.') fail('safe way: after the start, ' + await said());
      const answer = page.waitForResponse((r) => /\/api\/public\/route\?/.test(r.url()), { timeout: 20000 });
      await clickAt(to);
      const r = await answer;
      await page.waitForFunction(() => document.getElementById('way').textContent !== 'Now tap or click the end point.', null,
        { timeout: 20000 });
      const q = new URL(r.url()).searchParams;
      // (the body of a 400, which the page does not read, is not asked for:
      // asking for it closed the page)
      return { status: r.status(), body: r.status() === 200 ? await r.json() : {}, from: q.get('from').split(',').map(Number),
               to: q.get('to').split(',').map(Number), said: await said() };
    };
    const lines = (col) => page.evaluate((c) => document.querySelectorAll('.leaflet-overlay-pane path[stroke="' + c + '"]').length, col);

    // two points 1.6 km west of the zone, 4.4 km apart
    let w = await way([46.875, 39.885], [46.875, 39.925]);
    if (w.status !== 200 || !w.body.features) fail('a safe way between two points outside the zones: ' + w.status + ' ' + JSON.stringify(w.body));
    let p = w.body.features[0].properties;
    if (p.verdict !== 'low') fail('the safe way west of the zone is judged ' + p.verdict);
    const km = (p.length_m / 1000).toFixed(1);
    if (w.said !== 'Little known danger along this way. Still keep to roads and paths in use. (' + km + ' km)')
      fail('a safe way of ' + p.length_m + ' m says ' + w.said);
    if (!(p.length_m > 4000 && p.length_m < 6000)) fail('a safe way of 4.4 km as the crow flies is ' + p.length_m + ' m');
    if (await lines('#1e8449') !== 1) fail('the safe way is not drawn on the map (' + await lines('#1e8449') + ' green lines)');
    if (w.body.features[0].geometry.coordinates.some(inZone)) fail('the safe way enters a zone');
    await page.click('#lang-az');
    if (await said() !== 'Bu yol boyunca məlum təhlükə azdır. Yenə də yalnız istifadə olunan yollarla gedin. (' + km + ' km)')
      fail('a safe way in az says ' + await said());
    await page.click('#lang-en');

    // from inside the zone: no way (400), said so
    w = await way([46.905, 39.905], [46.875, 39.905]);
    if (w.status !== 400 || !/^One of the points is in or near a dangerous area/.test(w.said))
      fail('a safe way from inside a zone: ' + w.status + ', says ' + w.said);
    if (await lines('#1e8449') + await lines('#c0392b') + await lines('#d68910')) fail('a way is drawn from inside a zone');

    // from 40 m west of the zone: the server plans a way, judged high on the
    // risky ground at its start, along a line outside the zone
    w = await way([46.8982, 39.905], [46.875, 39.905]);
    const near = await page.evaluate((f) => fetch('api/public/check?lon=' + f[0] + '&lat=' + f[1]).then((r) => r.json()), w.from);
    if (near.inside || !(near.distance_m <= 100)) fail('the start asked is not next to the zone: ' + JSON.stringify(near));
    if (w.status !== 200 || !w.body.features || w.body.features[0].properties.verdict !== 'high')
      fail('a way from next to the zone: ' + w.status + ' ' + JSON.stringify(w.body).slice(0, 300));
    if (w.body.features[0].geometry.coordinates.some(inZone)) fail('the way from next to the zone enters it');
    const nearKm = ' (' + (w.body.features[0].properties.length_m / 1000).toFixed(1) + ' km)';
    if (w.said !== 'Danger: the start point is in or near a dangerous area. Go back the way you came, step by step; ' +
        'do not take this way.' + nearKm) fail('a high way from next to a zone says ' + w.said);
    if (await lines('#c0392b') !== 1) fail('the way judged high is not drawn in red');
    await page.click('#lang-az');
    if (await said() !== 'Təhlükə: başlanğıc nöqtəsi təhlükəli ərazidədir və ya ona yaxındır. Gəldiyiniz yolla, ' +
        'addım-addım geri qayıdın; bu yolla getməyin.' + nearKm) fail('a high way from next to a zone says in az ' + await said());
    await page.click('#lang-en');

    // the same way back: its end is next to the zone
    w = await way([46.875, 39.905], [46.8982, 39.905]);
    if (w.status !== 200 || !w.body.features || w.body.features[0].properties.verdict !== 'high' ||
        !/^Danger: the end point is in or near a dangerous area\. Do not go there\. \(\d+\.\d km\)$/.test(w.said))
      fail('a high way to next to a zone: ' + w.status + ', says ' + w.said);
    await page.click('#lang-az');
    if (!/^Təhlükə: son nöqtə təhlükəli ərazidədir və ya ona yaxındır\. Ora getməyin\. /.test(await said()))
      fail('a high way to next to a zone says in az ' + await said());
    await page.click('#lang-en');

    // from 150 m west of the zone, on the risky ground around it: the way is
    // high, and said so of the way, without "crosses dangerous areas"
    w = await way([46.8970, 39.905], [46.875, 39.905]);
    if (w.status !== 200 || !w.body.features || w.body.features[0].properties.verdict !== 'high' ||
        !/^Danger: this way passes ground where mines may be\. Do not go\. \(\d+\.\d km\)$/.test(w.said))
      fail('a high way from 150 m off the zone: ' + w.status + ', says ' + w.said);
    await page.click('#lang-az');
    if (!/^Təhlükə: bu yol minaların ola biləcəyi yerlərdən keçir\. Getməyin\. /.test(await said()))
      fail('a high way says in az ' + await said());
    await context.close();
  }

  // far from the zones: the distance in km (was "about 23500 m")
  {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    const page = await visit(context, errors, asked);
    await page.evaluate(() => { const m = window.demine.map; m.setView(m.getCenter(), 11, { animate: false }); });
    await page.mouse.click(...Object.values(await mapAt(page, 0.97, 0.95)));
    await page.waitForSelector('#distance', { timeout: 8000 }).catch(async () => fail('no distance: ' + await page.textContent('#answer')));
    const d = await page.textContent('#distance');
    if (!/about \d+\.\d km$/.test(d)) fail('a distance far from the zones reads: ' + d);
    await context.close();
  }

  // the zones cannot be loaded: said, in the language chosen, until they are
  {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, locale: 'en-US' });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
    let refuse = true;
    await page.route(/\/api\/public\/danger$/, (r) => (refuse ? r.fulfill({ status: 503, body: 'busy' }) : r.continue()));
    await page.goto(BASE + '/public', { waitUntil: 'load' });
    await page.waitForSelector('#zones-msg:not([hidden])', { timeout: 5000 }).catch(() => fail('zones not loaded: nothing said'));
    if (!/could not be loaded/.test(await page.textContent('#zones-msg'))) fail('zones: ' + await page.textContent('#zones-msg'));
    await page.click('#lang-az');
    if (!/yüklənmədi/.test(await page.textContent('#zones-msg'))) fail('zones in az: ' + await page.textContent('#zones-msg'));
    refuse = false;
    await page.waitForSelector('#map path.leaflet-interactive', { timeout: 20000 }).catch(() => fail('the zones are not asked again'));
    await page.waitForSelector('#zones-msg[hidden]', { state: 'attached', timeout: 2000 }).catch(() => fail('the message stays with the zones loaded'));
    await context.close();
  }

  const other = asked.filter((u) => u.startsWith(BASE) && /\/(api|tiles)\//.test(new URL(u).pathname) &&
    !/^\/api\/public\//.test(new URL(u).pathname));
  if (other.length) fail('the public page asked for ' + other.join(', '));
  await browser.close();
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('public test passed');
}

main().catch((e) => { console.error('public test FAILED: ' + e.message); process.exit(1); });
