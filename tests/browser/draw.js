// SPDX-License-Identifier: MIT
// draw.js -- draws a polygon on the staff map with Leaflet.draw's polygon
// tool the way a user does, by clicks, and waits for each corner to be
// taken before the next click. A fixed pause between clicks is missed on a
// loaded machine (Leaflet.draw ignores a click that comes before it has
// re-armed after the last one), and the polygon then lacks a corner; here a
// click that added no corner after 3 s is made again. The last click, on
// the first corner, closes the polygon.
'use strict';

// the corners Leaflet.draw shows while a shape is being drawn
function corners(page) {
  return page.evaluate(() => document.querySelectorAll('.leaflet-editing-icon').length);
}

// `points`: the corners as [lon, lat]; `mapPoint(page, lon, lat)` gives the
// pixel of a place on the map
async function drawPolygon(page, points, mapPoint) {
  for (const [lon, lat] of points) {
    const p = await mapPoint(page, lon, lat);
    const before = await corners(page);
    let taken = false;
    for (let attempt = 0; attempt < 3 && !taken; attempt++) {
      if (attempt) await page.waitForTimeout(200);
      await page.mouse.click(p.x, p.y);
      taken = await page.waitForFunction((n) => document.querySelectorAll('.leaflet-editing-icon').length > n,
        before, { timeout: 3000 }).then(() => true, () => false);
    }
    if (!taken) throw new Error('the map took no corner at ' + lon + ', ' + lat + ' (3 clicks)');
  }
  const first = await mapPoint(page, points[0][0], points[0][1]);
  await page.waitForTimeout(100);
  await page.mouse.click(first.x, first.y);
}

module.exports = { drawPolygon };
