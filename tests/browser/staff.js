// SPDX-License-Identifier: MIT
// staff.js -- what the staff web map's browser tests do alike: log in and
// out as a user of tests/unit/srvtest.c, and find the pixel of a place on
// the map (window.demine.map, the page's Leaflet map).
'use strict';

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

// the pixel of a place (lon, lat) on the map
async function mapPoint(page, lon, lat) {
  return page.evaluate(([lon, lat]) => {
    const m = window.demine.map, p = m.latLngToContainerPoint([lat, lon]);
    const r = m.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, [lon, lat]);
}

module.exports = { login, logout, mapPoint };
