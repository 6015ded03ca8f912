/* SPDX-License-Identifier: MIT
 * public.js -- the public danger map: generalised danger zones, "is this
 * place dangerous?" at a clicked point, and safety messages, in Azerbaijani
 * and English. Uses only /api/public/* (no login, no exact positions).
 */
'use strict';
(function () {
  var T = {
    az: {title: 'Bu yer təhlükəlidirmi?',
         intro: 'Xəritədə yerə toxunun və ya klikləyin: sizə həmin yerin məlum təhlükəli əraziyə nə qədər yaxın olduğunu deyəcəyik.',
         rules: 'Təhlükəsizlik qaydaları',
         legend: 'Qırmızı sahələr: minalar və partlamamış sursatlar ola biləcək ərazilər (təhlükəsizlik zolağı ilə).',
         emergency: 'Təcili yardım', distance: 'Ən yaxın təhlükəli əraziyə məsafə təxminən', m: 'm',
         zone: 'Təhlükəli ərazi', error: 'Xəta: cavab alınmadı',
         zonesFailed: 'Təhlükəli ərazilər yüklənmədi: xəritə onları göstərmir. Yenidən cəhd edirik…',
         way: 'Təhlükəsiz yol: iki nöqtəyə toxunun və ya klikləyin', wayStart: 'Başlanğıc nöqtəsinə toxunun və ya klikləyin.',
         wayEnd: 'İndi son nöqtəyə toxunun və ya klikləyin.', wayKm: 'km',
         wayFar: 'Nöqtələr bir-birindən 10 km-dən çox uzaqdır. Daha yaxın nöqtələr seçin.',
         wayBusy: 'Çox sorğu göndərildi. Bir az gözləyin və yenidən cəhd edin.',
         wayZone: 'Nöqtələrdən biri təhlükəli ərazidə, ona yaxın və ya xəritənin xaricindədir: oradan və ora yol göstərilə bilməz.',
         wayFromZone: 'Təhlükə: başlanğıc nöqtəsi təhlükəli ərazidədir və ya ona yaxındır. Gəldiyiniz yolla, addım-addım geri qayıdın; bu yolla getməyin.',
         wayToZone: 'Təhlükə: son nöqtə təhlükəli ərazidədir və ya ona yaxındır. Ora getməyin.',
         wayNone: 'Təhlükəsiz yol bu ərazi üçün hələ mövcud deyil. Bildiyiniz yollar və cığırlarla gedin, qırmızı ilə işarələnmiş təhlükəli ərazilərdən uzaq durun.',
         zoomIn: 'Yaxınlaşdır', zoomOut: 'Uzaqlaşdır',
         verdict: {low: 'Bu yol boyunca məlum təhlükə azdır. Yenə də yalnız istifadə olunan yollarla gedin.',
                   moderate: 'Diqqət: bu yol təhlükəli ərazilərin yaxınlığından keçir.',
                   high: 'Təhlükə: bu yol minaların ola biləcəyi yerlərdən keçir. Getməyin.',
                   blocked: 'Təhlükəsiz yol tapılmadı.', unknown: 'Bu ərazi üçün məlumat yoxdur.'}},
    en: {title: 'Is this place dangerous?',
         intro: 'Tap or click a place on the map: we will tell you how close it is to a known dangerous area.',
         rules: 'Safety rules',
         legend: 'Red areas: places where mines and unexploded ordnance may be (with a safety margin).',
         emergency: 'Emergency', distance: 'Distance to the nearest dangerous area, about', m: 'm',
         zone: 'Dangerous area', error: 'Error: no answer',
         zonesFailed: 'The dangerous areas could not be loaded: the map does not show them. Trying again…',
         way: 'Safe way: tap or click two points', wayStart: 'Tap or click the start point.',
         wayEnd: 'Now tap or click the end point.', wayKm: 'km',
         wayFar: 'The points are more than 10 km apart. Choose closer points.',
         wayBusy: 'Too many requests. Wait a little and try again.',
         wayZone: 'One of the points is in or near a dangerous area, or outside the map: no way can be given from or to it.',
         wayFromZone: 'Danger: the start point is in or near a dangerous area. Go back the way you came, step by step; do not take this way.',
         wayToZone: 'Danger: the end point is in or near a dangerous area. Do not go there.',
         wayNone: 'Safe way is not available for this area yet. Keep to roads and paths you know, and stay away from the dangerous areas marked in red.',
         zoomIn: 'Zoom in', zoomOut: 'Zoom out',
         verdict: {low: 'Little known danger along this way. Still keep to roads and paths in use.',
                   moderate: 'Caution: this way passes close to dangerous areas.',
                   high: 'Danger: this way passes ground where mines may be. Do not go.',
                   blocked: 'No safe way was found.', unknown: 'No information for this area.'}}
  };
  /* the language of the link (?lang=en on a poster or in a message), else the
   * one chosen last on this device, else the browser's first of the two */
  function savedLang() { try { return window.localStorage.getItem('demine.lang'); } catch (e) { return null; } }
  var urlLang = (/[?&]lang=(az|en)(?:&|$)/i.exec(window.location.search) || [])[1];
  var lang = urlLang ? urlLang.toLowerCase() : savedLang();
  if (lang !== 'az' && lang !== 'en') {
    lang = 'az';
    var prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < prefs.length; i++) {
      var p2 = String(prefs[i]).slice(0, 2).toLowerCase();
      if (p2 === 'az' || p2 === 'en') { lang = p2; break; }
    }
  }
  var messages = [], last = null;
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) {
    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]; }); }
  function setLang(l) {
    lang = l; document.documentElement.lang = l;
    document.getElementById('lang-az').classList.toggle('active', l === 'az');
    document.getElementById('lang-en').classList.toggle('active', l === 'en');
    Array.prototype.forEach.call(document.querySelectorAll('[data-t]'), function (el) {
      el.textContent = T[l][el.getAttribute('data-t')]; });
    document.title = T[l].title;
    /* Leaflet's zoom buttons (made in English) */
    var zc = map && map.zoomControl && map.zoomControl.getContainer();
    [['.leaflet-control-zoom-in', 'zoomIn'], ['.leaflet-control-zoom-out', 'zoomOut']].forEach(function (b) {
      var a = zc && zc.querySelector(b[0]);
      if (a) { a.title = T[l][b[1]]; a.setAttribute('aria-label', T[l][b[1]]); }
    });
    document.getElementById('messages').innerHTML = messages.filter(function (m) {
      return m.id === 'touch' || m.id === 'signs'; }).map(function (m) { return '<li>' + esc(m[l]) + '</li>'; }).join('');
    if (last) show(last);
    showWay();
    showZonesFailed();
  }
  /* the choice kept on this device (and for the staff map), and a link's
   * ?lang= made the same, so that a reload keeps it */
  function chooseLang(l) {
    try { window.localStorage.setItem('demine.lang', l); } catch (e) { /* no storage: for this visit only */ }
    if (/[?&]lang=/i.test(window.location.search) && window.history && window.history.replaceState) {
      var q = window.location.search.replace(/([?&]lang=)[^&]*/i, '$1' + l);
      window.history.replaceState(window.history.state, '', window.location.pathname + q + window.location.hash);
    }
    setLang(l);
  }
  document.getElementById('lang-az').addEventListener('click', function () { chooseLang('az'); });
  document.getElementById('lang-en').addEventListener('click', function () { chooseLang('en'); });

  var map = L.map('map').setView([39.9, 46.9], 11);
  L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {maxZoom: 18, attribution: '&copy; OpenStreetMap'}).addTo(map);
  var zones = L.geoJSON(null, {style: {color: '#922b21', weight: 2, fillColor: '#e74c3c', fillOpacity: 0.45},
    onEachFeature: function (f, l) { l.bindTooltip(function () { return T[lang].zone; }); }}).addTo(map);
  /* zones that could not be loaded are said so, and asked for again: an
   * empty map read as "no danger anywhere" */
  var zonesFailed = false, zoneFc = null;
  function showZonesFailed() {
    var el = document.getElementById('zones-msg');
    el.hidden = !zonesFailed; el.textContent = zonesFailed ? T[lang].zonesFailed : '';
  }
  function loadZones() {
    fetch('api/public/danger').then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (fc) {
      zonesFailed = false; showZonesFailed();
      zoneFc = fc; zones.clearLayers(); zones.addData(fc);
      if (fc.features.length) map.fitBounds(zones.getBounds(), {maxZoom: 14});
    }).catch(function () { zonesFailed = true; showZonesFailed(); setTimeout(loadZones, 10000); });
  }
  loadZones();
  fetch('api/public/messages').then(function (r) { return r.json(); }).then(function (m) { messages = m; setLang(lang); })
    .catch(function () { /* the rules stay unsaid; the map works without them */ });
  var marker = null;
  /* on a phone the panel is below the map: what was just said is scrolled
   * into its view (the answer to "safe way" was under the fold) */
  function inView(el) { if (el.scrollIntoView) el.scrollIntoView({block: 'nearest'}); }
  function show(r) {
    var el = document.getElementById('answer');
    if (r === 'error') { el.className = 'answer'; el.textContent = T[lang].error; return; }
    el.className = 'answer ' + r.level;
    el.innerHTML = esc(r.message[lang]) + (r.distance_m !== null && r.level !== 'danger'
      ? '<br><span class="small" id="distance">' + esc(T[lang].distance) + ' ' + (r.distance_m >= 1000
        ? (r.distance_m / 1000).toFixed(1) + ' ' + T[lang].wayKm : esc(r.distance_m) + ' ' + T[lang].m) + '</span>' : '');
  }
  /* "safe way": the route and a verdict only, never the cells behind it. The
   * server plans it on the map generalised to the zones' 50 m grid, keeps it
   * out of the zones, allows 10 km at most and a few queries a minute. */
  var way = L.layerGroup().addTo(map), wayPts = null, lastWay = null, wayNear = null;
  /* metres from ll to the nearest danger zone shown (0 inside one; Infinity
   * with none), on a plane tangent at ll: true to a metre within a few km */
  function zoneDistance(ll) {
    var kx = 111320 * Math.cos(ll.lat * Math.PI / 180), ky = 110540, best = Infinity;
    function ring(r) { /* its distance, and whether a ray east of ll crosses it an odd number of times */
      var odd = false;
      for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
        var ax = (r[j][0] - ll.lng) * kx, ay = (r[j][1] - ll.lat) * ky;
        var bx = (r[i][0] - ll.lng) * kx, by = (r[i][1] - ll.lat) * ky;
        if ((ay > 0) !== (by > 0) && ax + (bx - ax) * (0 - ay) / (by - ay) > 0) odd = !odd;
        var dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
        var t = l2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / l2)) : 0;
        best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
      }
      return odd;
    }
    function polygon(rings) { /* a hole's crossings cancel its outer ring's */
      var inside = false;
      rings.forEach(function (r) { if (ring(r)) inside = !inside; });
      if (inside) best = 0;
    }
    ((zoneFc && zoneFc.features) || []).forEach(function (f) {
      var g = f.geometry;
      if (g && g.type === 'Polygon') polygon(g.coordinates);
      else if (g && g.type === 'MultiPolygon') g.coordinates.forEach(polygon);
    });
    return best;
  }
  /* The server gives no way from a point whose 10 m cell a zone touches
   * (400); from a point a few metres farther it does, and judges the way on
   * the 50 m blocks, whose highest cell may be in the zone or on the risky
   * ground beside it. A "high" way from (or to) a point within 100 m of a
   * zone is then said of that point, not of a line drawn outside the zones:
   * wayFromZone, wayToZone, else null. */
  var NEAR_M = 100;
  /* what the "safe way" line says: a key of T (wayStart, wayEnd, wayFar,
   * wayBusy, wayZone, wayNone, error, blocked) or the route found, said again in a new
   * language */
  var waySaid = null;
  function showWay() {
    var el = document.getElementById('way');
    if (lastWay) {
      var p = lastWay.properties;
      el.textContent = (wayNear ? T[lang][wayNear] : T[lang].verdict[p.verdict] || p.verdict) +
        (p.length_m ? ' (' + (p.length_m / 1000).toFixed(1) + ' ' + T[lang].wayKm + ')' : '');
    } else if (waySaid) el.textContent = waySaid === 'blocked' ? T[lang].verdict.blocked : T[lang][waySaid];
  }
  function sayWay(key) { waySaid = key; showWay(); inView(document.getElementById('way')); }
  document.getElementById('way-btn').addEventListener('click', function () {
    wayPts = []; way.clearLayers(); lastWay = null; wayNear = null;
    sayWay('wayStart');
  });
  function wayClick(ll) {
    wayPts.push(ll);
    L.circleMarker(ll, {radius: 6, color: '#1b4f72', fillOpacity: 1}).addTo(way);
    if (wayPts.length < 2) { sayWay('wayEnd'); return; }
    var q = 'api/public/route?from=' + wayPts[0].lng.toFixed(6) + ',' + wayPts[0].lat.toFixed(6) +
      '&to=' + wayPts[1].lng.toFixed(6) + ',' + wayPts[1].lat.toFixed(6);
    var far = map.distance(wayPts[0], wayPts[1]) > 10000, ends = wayPts;
    wayPts = null;
    if (far) { sayWay('wayFar'); return; }
    /* a point in or near a zone (400) is said so, as only "no way between
     * them" (404) is "no safe way"; a server with no risk map yet (404,
     * code no_risk_map) has no safe way to give anywhere, said plainly; a
     * server or network failure is an error, not an answer about the ground */
    fetch(q).then(function (r) {
      if (r.status === 429) { sayWay('wayBusy'); return null; }
      if (r.status === 400) { sayWay('wayZone'); return null; }
      return r.json().then(function (b) {
        if (r.status === 404 && /^no route/.test(b.error || '')) { sayWay('blocked'); return null; }
        if (r.status === 404 && b.code === 'no_risk_map') { sayWay('wayNone'); return null; }
        if (!r.ok) throw new Error(b.error || 'HTTP ' + r.status);
        return b;
      });
    }).then(function (fc) {
      if (!fc) return;
      if (!fc.features) throw new Error(fc.error || 'no route');
      lastWay = fc.features[0];
      wayNear = lastWay.properties.verdict !== 'high' ? null : zoneDistance(ends[0]) <= NEAR_M ? 'wayFromZone'
        : zoneDistance(ends[1]) <= NEAR_M ? 'wayToZone' : null;
      var col = {low: '#1e8449', moderate: '#d68910', high: '#c0392b'}[lastWay.properties.verdict] || '#555';
      L.geoJSON(lastWay, {style: {color: col, weight: 5}}).addTo(way);
      sayWay(null);
    }).catch(function () { sayWay('error'); });
  }
  map.on('click', function (e) {
    var ll = e.latlng.wrap(); /* a map panned past 180° gives longitudes beyond it: refused */
    if (wayPts) { wayClick(ll); return; }
    if (marker) map.removeLayer(marker);
    marker = L.circleMarker(e.latlng, {radius: 7, color: '#1b4f72'}).addTo(map);
    fetch('api/public/check?lon=' + ll.lng.toFixed(6) + '&lat=' + ll.lat.toFixed(6))
      .then(function (r) { return r.json(); }).then(function (r) { last = r; show(r); })
      .catch(function () { last = 'error'; show(last); })
      .then(function () { inView(document.getElementById('answer')); });
  });
  setLang(lang);
  window.demine = {map: map};
})();
