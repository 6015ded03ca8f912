// SPDX-License-Identifier: MIT
// i18n.test.js -- the staff web map in Azerbaijani and English, in headless
// Chromium (playwright-core, Debian's `chromium`), with an English browser
// (en-GB): ?lang=az gives the page in Azerbaijani (<html lang>, header,
// tabs, layer list, legend, statistics, and no text of the page's own left
// in English in the key parts); an analyst switches to EN live and sees
// English (the choice kept in localStorage 'demine.lang', shared with the
// public map, and in the link), a reload keeps it, and the choice saved
// alone decides without ?lang=; a field user's report form is in
// Azerbaijani, and a message the page wrote is said again at a switch;
// Leaflet's zoom buttons and Leaflet.draw's toolbar, actions and tooltips
// are in Azerbaijani and switch live, a shape half drawn and all; the form
// offers a quality control inspection (qc), asks it the task inspected
// (inspects_id) and sends it, and our reports name it in Azerbaijani.
// Without ?lang= nor a choice, a browser in az opens in Azerbaijani and one
// in neither language in English. On a phone the AZ header fits. Needs
// DEMINE_URL of a running `demine serve` with the users of
// tests/unit/srvtest.c (ana/analystpw1, fld/fieldpw12 of HALO).
'use strict';
const { chromium } = require('playwright-core');
const { login, logout, mapPoint } = require('./staff.js');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

// one corner of a shape drawn with Leaflet.draw, clicked again if the
// tool was not ready for it (as tests/browser/draw.js does)
async function corner(page, lon, lat) {
  const p = await mapPoint(page, lon, lat);
  const before = await page.evaluate(() => document.querySelectorAll('.leaflet-editing-icon').length);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt) await page.waitForTimeout(200);
    await page.mouse.click(p.x, p.y);
    if (await page.waitForFunction((n) => document.querySelectorAll('.leaflet-editing-icon').length > n,
      before, { timeout: 3000 }).then(() => true, () => false)) return;
  }
  fail('the map took no corner at ' + lon + ', ' + lat);
}

// what Leaflet says on the map: the zoom buttons' and the drawing
// toolbar's titles, the actions of the drawing tool in use, its tooltip
async function leafletWords(page) {
  return page.evaluate(() => {
    const at = (sel, a) => { const e = document.querySelector(sel); return e ? e.getAttribute(a) : null; };
    const tip = document.querySelector('.leaflet-draw-tooltip');
    return { zoomIn: at('.leaflet-control-zoom-in', 'title'), zoomOut: at('.leaflet-control-zoom-out', 'aria-label'),
      polygon: at('.leaflet-draw-draw-polygon', 'title'),
      polygonSr: (document.querySelector('.leaflet-draw-draw-polygon .sr-only') || {}).textContent,
      edit: at('.leaflet-draw-edit-edit', 'title'), remove: at('.leaflet-draw-edit-remove', 'title'),
      actions: Array.from(document.querySelectorAll('.leaflet-draw-section:first-child .leaflet-draw-actions a'))
        .map((a) => a.textContent + '|' + a.title),
      tip: tip ? tip.textContent : null };
  });
}
async function leafletSays(page, what, want) {
  const got = await leafletWords(page);
  for (const k of Object.keys(want)) {
    const g = got[k], w = want[k];
    const ok = w instanceof RegExp ? w.test(String(g)) : JSON.stringify(g) === JSON.stringify(w);
    if (!ok) fail(what + ': Leaflet\'s ' + k + ' is ' + JSON.stringify(g) + ', not ' + (w instanceof RegExp ? w : JSON.stringify(w)));
  }
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent.replace(/\s+/g, ' ').trim());
async function has(page, sel, want) {
  const got = await text(page, sel);
  for (const w of [].concat(want)) if (!got.includes(w)) fail(sel + ' does not say "' + w + '": "' + got + '"');
}
async function hasNot(page, sel, words) {
  const got = await text(page, sel);
  for (const w of [].concat(words)) if (got.includes(w)) fail(sel + ' still says "' + w + '": "' + got + '"');
}

// The text nodes, placeholders and titles under the selectors that are
// English: a text of the page's English table (web/js/i18n.js) that its
// Azerbaijani one says otherwise, or a common English word. Data (user and
// organisation names, refs, numbers, codes) is none of those.
async function english(page, sels) {
  return page.evaluate((sels) => {
    const T = window.demineI18n.T, en = [];
    Object.keys(T.en).forEach((k) => {
      const e = T.en[k];
      if (typeof e === 'string' && e !== T.az[k] && e.length >= 4 && !/[{<]/.test(e)) en.push(e);
    });
    const words = /\b(the|and|of|to|by|with|on|in|for|Log|Map|Layers|Legend|Statistics|Review|report|reports|hazard|hazards|Clear|Show|Route|items?)\b/;
    const out = [];
    const look = (s, where) => {
      s = String(s || '').replace(/\s+/g, ' ').trim();
      if (!s) return;
      if (words.test(s) || en.some((e) => s === e || s.includes(e))) out.push(where + ': "' + s + '"');
    };
    sels.forEach((sel) => {
      document.querySelectorAll(sel).forEach((root) => {
        const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = w.nextNode(); n; n = w.nextNode()) {
          const el = n.parentElement;
          if (!el || el.closest('.hidden, [hidden], script, style') || el.closest('.leaflet-control-attribution')) continue;
          look(n.nodeValue, sel);
        }
        root.querySelectorAll('[placeholder], [title], [aria-label]').forEach((el) => {
          if (el.closest('.hidden')) return;
          ['placeholder', 'title', 'aria-label'].forEach((a) => { if (el.hasAttribute(a)) look(el.getAttribute(a), sel + ' @' + a); });
        });
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

    // 1. ?lang=az in an English browser: the page is in Azerbaijani
    await page.goto(BASE + '/?lang=az', { waitUntil: 'load' });
    await page.waitForSelector('#login:not(.hidden)');
    if (await page.getAttribute('html', 'lang') !== 'az') fail('<html lang> is not az with ?lang=az');
    await has(page, '#login-btn', 'Daxil ol');
    await has(page, 'header .publink', 'İctimai təhlükə xəritəsi');
    await has(page, 'header .sub', 'minatəmizləmə');
    if (await page.getAttribute('#login-user', 'placeholder') !== 'istifadəçi') fail('login placeholder not in Azerbaijani');
    if (!(await page.$eval('#lang-az', (b) => b.classList.contains('active')))) fail('AZ is not marked as chosen');
    await has(page, '#login-hint', 'daxil olun');
    await has(page, '#risk-legend', ['Risk xəritəsi', '0,01 %']);
    await login(page, 'ana', 'analystpw1');
    await has(page, '#who-name', 'ana (analitik)');
    await has(page, 'aside nav', ['Xəritə', 'Statistika', 'Sahə hesabatı', 'Baxış']);
    await hasNot(page, 'aside nav', ['Map', 'Statistics', 'Field report', 'Review']);
    await page.waitForFunction(() => /Təhlükəli ərazilər \(SHA\/CHA\)/.test(document.getElementById('layer-list').textContent),
      null, { timeout: 10000 }).catch(async () => fail('layer list not in Azerbaijani: ' + await text(page, '#layer-list')));
    await has(page, '#layer-list', ['Risk xəritəsi (kafellər)', 'Azad edilmiş ərazilər', 'Tapılmış sursat']);
    await has(page, '#tab-layers', ['Qatlar', 'Şərti işarələr', 'Təhlükəsiz yol', 'qismən azad edilib']);
    // the statistics tab
    await page.click('aside nav button[data-tab="stats"]');
    await page.waitForSelector('#stats .chart', { timeout: 10000 });
    await has(page, '#stats', ['Vəziyyətə görə təhlükəli ərazilər (say)', 'Təhlükəli ərazilər', 'hesablanıb']);
    await hasNot(page, '#stats', ['Hazards by status', 'computed']);
    if (!(await page.$('#stats svg[aria-label="Vəziyyətə görə təhlükəli ərazilər (say)"]'))) fail('chart aria-label not in Azerbaijani');
    const left = await english(page, ['header', 'aside nav', '#tab-layers h3', '.legend', '#layer-list', '#route-info',
      '#tab-layers .row', '#tab-layers label', '#stats', '#login-hint', '#risk-legend', '#tab-review']);
    if (left.length) fail('left in English in AZ mode: ' + left.join('; '));

    // 2. the switch: EN, live, kept in localStorage and in the link
    await page.click('#lang-en');
    if (await page.getAttribute('html', 'lang') !== 'en') fail('<html lang> is not en after the switch');
    await has(page, 'aside nav', ['Map', 'Statistics', 'Field report', 'Review']);
    await has(page, '#stats', ['Hazards by status (count)', 'computed']);
    await hasNot(page, '#stats', 'Vəziyyətə görə');
    await has(page, '#layer-list', ['Hazards (SHA/CHA)', 'Risk map (tiles)']);
    await has(page, '#who-name', 'ana (analyst)');
    await has(page, '#tab-layers', ['Layers', 'Legend', 'Safe route', 'partly released']);
    if (await page.evaluate(() => localStorage.getItem('demine.lang')) !== 'en') fail('the choice is not kept in demine.lang');
    if (!/[?&]lang=en\b/.test(page.url())) fail('the link still says another language: ' + page.url());
    if ((await page.title()) !== 'demine — mine action map') fail('title in EN: ' + await page.title());

    // 3. a reload keeps the choice (still logged in)
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#who:not(.hidden)', { timeout: 20000 });
    if (await page.getAttribute('html', 'lang') !== 'en') fail('the choice of EN is lost at a reload');
    await has(page, 'aside nav', 'Statistics');
    // the choice saved alone decides: AZ chosen, opened without ?lang=
    await page.click('#lang-az');
    await page.goto(BASE + '/', { waitUntil: 'load' });
    await page.waitForSelector('#who:not(.hidden)', { timeout: 20000 });
    if (await page.getAttribute('html', 'lang') !== 'az') fail('the saved choice of AZ is not used without ?lang=');
    await has(page, 'aside nav', 'Statistika');
    await logout(page);
    await has(page, '#login-btn', 'Daxil ol');
    await has(page, '#stats', 'Statistikanı görmək üçün daxil olun.');

    // 4. a field user's report form, in Azerbaijani
    await login(page, 'fld', 'fieldpw12');
    await has(page, '#who-name', 'fld (sahə işçisi, HALO)');
    await page.click('#tab-report-btn');
    await page.waitForSelector('#tab-report.active');
    await has(page, '#report-form', ['Fəaliyyət', 'Tapşırığın nömrəsi', 'Təhlükəli ərazi (nömrə və ya id)', 'Başlama tarixi',
      'Bitmə tarixi', 'Üsul', 'Təmizlənmiş sahə (ha)', 'Qeydlər', 'Ərazini çək', 'Sursat əlavə et', 'Ərazi çəkilməyib.',
      'Hesabatı göndər', 'yeni şübhəli ərazidir']);
    if ((await page.$eval('#r-type option[value="clearance"]', (o) => o.textContent)) !== 'təmizləmə') fail('activity choice not in Azerbaijani');
    if (await page.$eval('#r-type', (s) => s.value) !== 'clearance') fail('the activity value changed');
    await page.waitForFunction(() => document.getElementById('myr-title').textContent === 'Hesabatlarımız (HALO)', null, { timeout: 10000 })
      .catch(async () => fail('our reports title: ' + await text(page, '#myr-title')));
    await page.click('#r-additems');
    await has(page, '#r-additems', 'Sursat əlavəsini dayandır');
    await page.click('#r-additems');
    await page.click('#r-submit');
    await has(page, '#r-msg', 'Əvvəlcə işlənən ərazini çəkin.');
    await page.check('#r-newhz');
    await has(page, '#r-newhz-fields', ['Təhlükəli ərazinin adı', 'Onun poliqonunu çək', 'Poliqonu: işlənən ərazi.']);
    if (await page.getAttribute('#r-hz-name', 'placeholder') !== 'məs. Yuxarı bağ') fail('hazard name placeholder not in Azerbaijani');
    const leftForm = await english(page, ['#tab-report', 'header', 'aside nav', '.leaflet-control-zoom', '.leaflet-draw']);
    if (leftForm.length) fail('left in English in the report form: ' + leftForm.join('; '));
    // what the page said is said again in the other language
    await page.click('#lang-en');
    await has(page, '#r-msg', 'Draw the area worked first.');
    await has(page, '#report-form', ['Activity', 'Task reference', 'Submit report', 'Hazard name']);
    await has(page, '#myr-title', 'Our reports (HALO)');
    await has(page, '#r-type option[value="clearance"]', 'clearance');
    await page.click('#lang-az');
    await has(page, '#r-msg', 'Əvvəlcə işlənən ərazini çəkin.');
    await page.uncheck('#r-newhz');

    // 4b. Leaflet's own words, which field teams see as they draw a
    // report's outline: in Azerbaijani, and switched live
    await page.evaluate(() => window.demine.map.setView([39.952, 46.952], 15, { animate: false }));
    await leafletSays(page, 'AZ', { zoomIn: 'Yaxınlaşdır', zoomOut: 'Uzaqlaşdır', polygon: 'Poliqon çək', polygonSr: 'Poliqon çək',
      edit: 'Düzəliş ediləcək fiqur yoxdur', remove: 'Silinəcək fiqur yoxdur' });
    await page.click('.leaflet-draw-draw-polygon');
    await leafletSays(page, 'AZ, the toolbar\'s polygon tool', {
      actions: ['Bitir|Çəkməni bitir', 'Son nöqtəni sil|Son çəkilən nöqtəni sil', 'Ləğv et|Çəkməni ləğv et'],
      tip: 'Poliqonu çəkməyə başlamaq üçün toxunun və ya klikləyin.' });
    await corner(page, 46.950, 39.950);
    await leafletSays(page, 'AZ, one corner', { tip: /^Çəkməyə davam etmək üçün toxunun və ya klikləyin\./ });
    // the switch, a shape half drawn: the toolbar and its actions at once,
    // the tooltip at the pointer's next move
    await page.click('#lang-en');
    await leafletSays(page, 'EN, drawing', { zoomIn: 'Zoom in', zoomOut: 'Zoom out', polygon: 'Draw a polygon',
      polygonSr: 'Draw a polygon', edit: 'No layers to edit', remove: 'No layers to delete',
      actions: ['Finish|Finish drawing', 'Delete last point|Delete last point drawn', 'Cancel|Cancel drawing'] });
    const mid = await mapPoint(page, 46.953, 39.953);
    await page.mouse.move(mid.x, mid.y);
    await page.mouse.move(mid.x + 5, mid.y + 5);
    await leafletSays(page, 'EN, drawing, the pointer moved', { tip: /^Click to continue drawing shape\./ });
    await page.click('#lang-az');
    await page.mouse.move(mid.x, mid.y);
    await leafletSays(page, 'AZ again, drawing', { tip: /^Çəkməyə davam etmək/,
      actions: ['Bitir|Çəkməni bitir', 'Son nöqtəni sil|Son çəkilən nöqtəni sil', 'Ləğv et|Çəkməni ləğv et'] });
    await page.click('.leaflet-draw-section:first-child .leaflet-draw-actions li:last-child a'); // Ləğv et
    if (await page.$('.leaflet-draw-tooltip')) fail('the drawing was not cancelled');
    // the report's own "Draw area": the tooltip to close the shape, and the
    // area's size with a decimal comma
    await page.click('#r-draw');
    await leafletSays(page, 'AZ, Draw area', { tip: 'Poliqonu çəkməyə başlamaq üçün toxunun və ya klikləyin.' });
    const pts = [[46.950, 39.950], [46.955, 39.950], [46.955, 39.954]];
    for (const [lon, lat] of pts) await corner(page, lon, lat);
    await leafletSays(page, 'AZ, three corners', { tip: /\d,\d\d ha\s*Poliqonu bağlamaq üçün birinci nöqtəyə toxunun və ya klikləyin\.$/ });
    const first = await mapPoint(page, pts[0][0], pts[0][1]);
    await page.waitForTimeout(100);
    await page.mouse.click(first.x, first.y);
    await page.waitForFunction(() => /Ərazi çəkilib \(3 künc\)/.test(document.getElementById('r-area').textContent), null,
      { timeout: 5000 }).catch(async () => fail('the area was not drawn: ' + await text(page, '#r-area')));
    await leafletSays(page, 'AZ, an area drawn', { edit: 'Çəkilənə düzəliş et', remove: 'Çəkiləni sil' });

    // 4c. a quality control inspection from the field: the activity type
    // and the task it inspects, in Azerbaijani, sent with the report
    if (!(await page.$('#r-inspects-box.hidden'))) fail('"Task inspected" is asked of a clearance');
    if ((await page.$eval('#r-type option[value="qc"]', (o) => o.textContent)) !== 'keyfiyyətə nəzarət (təmizləmədən sonra yoxlama)')
      fail('the qc choice is not in Azerbaijani: ' + await page.$eval('#r-type option[value="qc"]', (o) => o.textContent));
    await page.selectOption('#r-type', 'qc');
    await page.waitForSelector('#r-inspects-box:not(.hidden)', { timeout: 2000 }).catch(() => fail('"Task inspected" not asked of a qc'));
    await has(page, '#r-inspects-box', 'Yoxlanılan tapşırıq');
    if (await page.getAttribute('#r-inspects', 'placeholder') !== 'təmizləmə və ya tədqiqatın nömrəsi və ya id-si')
      fail('the placeholder of "Task inspected" is not in Azerbaijani');
    const leftQc = await english(page, ['#tab-report', '.leaflet-control-zoom', '.leaflet-draw']);
    if (leftQc.length) fail('left in English in a qc report: ' + leftQc.join('; '));
    const sent = [];
    page.on('request', (r) => { if (r.method() === 'POST' && /\/api\/reports$/.test(r.url())) sent.push(r.postDataJSON()); });
    await page.fill('#r-ref', 'QC-7');
    await page.fill('#r-inspects', 'T-404');
    await page.click('#r-submit');
    await page.waitForFunction(() => /inspects_id/.test(document.getElementById('r-msg').textContent), null, { timeout: 10000 })
      .catch(async () => fail('a qc report naming no task known: ' + await text(page, '#r-msg')));
    const p0 = sent.length ? sent[0].activity.properties : {};
    if (p0.activity_type !== 'qc' || p0.inspects_id !== 'T-404') fail('the qc report sent ' + JSON.stringify(p0));
    await page.fill('#r-inspects', '');
    await page.click('#r-submit');
    await page.waitForSelector('#r-ok', { timeout: 10000 }).catch(async () => fail('the qc report: ' + await text(page, '#r-msg')));
    if ('inspects_id' in sent[sent.length - 1].activity.properties) fail('an empty "Task inspected" was sent');
    await page.waitForFunction(() => /Keyfiyyətə nəzarət \(təmizləmədən sonra yoxlama\) QC-7/.test(
      document.getElementById('myreports').textContent), null, { timeout: 10000 })
      .catch(async () => fail('our reports do not name the qc in Azerbaijani: ' + await text(page, '#myreports')));
    await page.click('#lang-en');
    await has(page, '#r-inspects-box', 'Task inspected');
    await has(page, '#r-type option[value="qc"]', 'quality control (post-clearance inspection)');
    await page.selectOption('#r-type', 'clearance');
    if (!(await page.$('#r-inspects-box.hidden'))) fail('"Task inspected" still asked of a clearance');
    await page.click('#lang-az');
    await logout(page);
    await context.close();

    // 5. neither ?lang= nor a choice: the browser's languages, else English
    for (const [locale, want] of [['az-AZ', 'az'], ['fr-FR', 'en']]) {
      const c = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
      const p = await c.newPage();
      p.on('pageerror', (e) => errors.push(e.message));
      await p.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
      await p.goto(BASE + '/', { waitUntil: 'load' });
      await p.waitForSelector('#login:not(.hidden)');
      if (await p.getAttribute('html', 'lang') !== want) fail('a browser in ' + locale + ' opens in ' + await p.getAttribute('html', 'lang'));
      await has(p, '#login-btn', want === 'az' ? 'Daxil ol' : 'Log in');
      await c.close();
    }

    // 6. on a phone, the AZ header fits, logged out and in
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
    const pp = await phone.newPage();
    pp.on('pageerror', (e) => errors.push(e.message));
    await pp.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
    await pp.goto(BASE + '/?lang=az', { waitUntil: 'load' });
    await pp.waitForSelector('#login:not(.hidden)');
    const wide = () => pp.evaluate(() => document.documentElement.scrollWidth);
    if (await wide() > 391) fail('the AZ page is ' + await wide() + ' px wide on a 390 px phone');
    await login(pp, 'ana', 'analystpw1');
    if (await wide() > 391) fail('the AZ page is ' + await wide() + ' px wide on a 390 px phone once logged in');
    const hh = await pp.$eval('header', (h) => h.getBoundingClientRect().height);
    if (hh > 49) fail('the AZ header grew to ' + hh + ' px on a phone');
    await phone.close();
  } finally {
    await browser.close();
  }
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log('i18n test passed');
}

main().catch((e) => { console.error('i18n test FAILED: ' + e.message); process.exit(1); });
