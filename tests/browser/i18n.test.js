// SPDX-License-Identifier: MIT
// i18n.test.js -- the staff web map in Azerbaijani and English, in headless
// Chromium (playwright-core, Debian's `chromium`), with an English browser
// (en-GB): ?lang=az gives the page in Azerbaijani (<html lang>, header,
// tabs, layer list, legend, statistics, and no text of the page's own left
// in English in the key parts); an analyst switches to EN live and sees
// English (the choice kept in localStorage 'demine.lang', shared with the
// public map, and in the link), a reload keeps it, and the choice saved
// alone decides without ?lang=; a field user's report form is in
// Azerbaijani, and a message the page wrote is said again at a switch.
// Without ?lang= nor a choice, a browser in az opens in Azerbaijani and one
// in neither language in English. On a phone the AZ header fits. Needs
// DEMINE_URL of a running `demine serve` with the users of
// tests/unit/srvtest.c (ana/analystpw1, fld/fieldpw12 of HALO).
'use strict';
const { chromium } = require('playwright-core');

const BASE = process.env.DEMINE_URL;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { throw new Error(msg); }

async function login(page, user, pw) {
  await page.fill('#login-user', user);
  await page.fill('#login-pass', pw);
  await page.click('#login-btn');
  await page.waitForSelector('#who:not(.hidden)', { timeout: 20000 });
}

async function logout(page) {
  await page.click('#logout-btn');
  await page.waitForSelector('#login:not(.hidden)');
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
    const leftForm = await english(page, ['#tab-report', 'header', 'aside nav']);
    if (leftForm.length) fail('left in English in the report form: ' + leftForm.join('; '));
    // what the page said is said again in the other language
    await page.click('#lang-en');
    await has(page, '#r-msg', 'Draw the area worked first.');
    await has(page, '#report-form', ['Activity', 'Task reference', 'Submit report', 'Hazard name']);
    await has(page, '#myr-title', 'Our reports (HALO)');
    await has(page, '#r-type option[value="clearance"]', 'clearance');
    await page.click('#lang-az');
    await has(page, '#r-msg', 'Əvvəlcə işlənən ərazini çəkin.');
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
