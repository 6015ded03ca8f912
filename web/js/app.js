/* SPDX-License-Identifier: MIT
 * app.js -- the staff web map of demine: login, map layers in land-release
 * symbology, risk tiles, details and history on click (and, for analysts,
 * editing a row's plain fields with If-Match, adding a row drawn on the map
 * and deleting one with a reason), statistics charts,
 * the field report form (which may propose a new hazard) with the
 * organisation's own reports and their review (a rejected one's reason),
 * and the review queue (a proposed hazard drawn apart, created on
 * approval); in the statistics, quality control (the detection probability
 * inspections measured, /api/qc) and risk education (the settlements no
 * session reached, /api/eore). Talks only to /api/*, and
 * asks for nothing protected (layers, tiles) until a login succeeds; a 401
 * (session ended elsewhere, or expired) clears the map and shows the login.
 * Its texts are in English and Azerbaijani (web/js/i18n.js, loaded first):
 * each is written marked with its key, and the EN/AZ switch says them again.
 */
'use strict';
(function () {
  var me = null;                       /* {user, role, organisation} */
  var $ = function (id) { return document.getElementById(id); };
  /* the page's own texts (web/js/i18n.js): t a text, s a span marked with
   * its key (said again at a switch of language), I.set an element's */
  var I = window.demineI18n, t = I.t, s = I.s;
  I.wire(); /* the page's language, and the EN/AZ switch of the header */
  /* a tooltip of the map in the language, said again at a switch (kept a
   * string: what Leaflet and the tests read of it) */
  function tip(layer, key, a) {
    layer.demineTip = [key, a];
    return layer.bindTooltip(I.h(key, a));
  }
  function esc(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  /* a request to the API: resolves {r: the response (its headers), j: its JSON};
   * an error status rejects with err.status and the server's message.
   * An answer to a request asked before the last login or logout is of a
   * session that has ended: a 401 then says nothing of the one open now (it
   * logged the next user out when the server was slow), and any answer is
   * refused as a 401, said nowhere (another user's data is not shown). */
  var sessionNo = 0;                   /* one more at each login and logout */
  function call(method, path, body, headers) {
    var opt = {method: method, headers: headers || {}, credentials: 'same-origin'}, asked = sessionNo;
    if (body !== undefined) { opt.body = JSON.stringify(body); opt.headers['Content-Type'] = 'application/json'; }
    return fetch(path, opt).then(function (r) {
      return r.text().then(function (t) {
        var j = null; try { j = JSON.parse(t); } catch (e) { j = {error: t}; }
        var err;
        if (asked !== sessionNo) { err = new Error('asked in a session that has ended'); err.status = 401; throw err; }
        if (r.status === 401 && path !== 'api/login') sessionLost();
        if (!r.ok) {
          err = new Error((j && j.error) || ('HTTP ' + r.status)); err.status = r.status;
          err.retryAfter = r.headers.get('Retry-After'); throw err;
        }
        return {r: r, j: j};
      });
    });
  }
  function api(method, path, body) { return call(method, path, body).then(function (x) { return x.j; }); }
  /* whether this browser may hold a session cookie (the cookie itself is
   * HttpOnly): without one, the page does not ask /api/me for a 401 */
  function sessionHint(on) {
    try {
      if (on === undefined) return window.localStorage.getItem('demine.session') === '1';
      if (on) window.localStorage.setItem('demine.session', '1'); else window.localStorage.removeItem('demine.session');
    } catch (e) { return true; /* no storage: ask the server */ }
    return on;
  }

  /* ---------------- map ---------------- */
  var map = L.map('map', {preferCanvas: false}).setView([39.9, 46.9], 11);
  var base = L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png',
    {maxZoom: 19, attribution: '&copy; OpenStreetMap ' + s('osmOnline')});
  /* risk tiles: on the map only while logged in, and only once /api/risk/map
   * has named the map (its version is in the tile URL: a new map, new tiles) */
  var risk = L.tileLayer('tiles/risk/{z}/{x}/{y}.png', {maxZoom: 20, opacity: 0.8, attribution: s('riskAttr')});
  var riskWanted = true, riskVersion = null, riskAsked = false, riskTimer = null, tileCheck = null;
  /* the tiles' colour scale (src/lib/tiles/riskmap.c): pale yellow at 0.01 %
   * to red at 100 %, by decades, per cell of the map; clear below 0.01 % */
  var riskLegend = L.control({position: 'bottomright'});
  riskLegend.onAdd = function () {
    var d = L.DomUtil.create('div', 'risk-legend');
    d.id = 'risk-legend';
    d.innerHTML = s('riskLegendH') + '<div class="ramp"></div><div class="ticks">' +
      [0.01, 0.1, 1, 10, 100].map(function (x) { return s('pct', {x: x}); }).join('') +
      '</div>';
    return d;
  };

  /* before a login the map is empty: say why, and where residents look */
  var loginHint = L.control({position: 'topright'});
  loginHint.onAdd = function () {
    var d = L.DomUtil.create('div', 'login-hint');
    d.id = 'login-hint';
    d.innerHTML = s('loginHintH');
    return d;
  };
  loginHint.addTo(map);

  function hazardStyle(p) {
    var st = p.status || 'open';
    if (st === 'closed' || st === 'handed_over') return {color: '#7f8c8d', weight: 2, fillColor: '#bdc3c7', fillOpacity: 0.25};
    if (st === 'partly_released') return {color: '#c0392b', weight: 2, fillColor: '#f1c40f', fillOpacity: 0.35};
    if (p.hazard_type === 'SHA') return {color: '#e67e22', weight: 2, dashArray: '6 4', fillColor: '#f5b041', fillOpacity: 0.27};
    return {color: '#c0392b', weight: 2, fillColor: '#e74c3c', fillOpacity: 0.33};
  }
  var releaseColour = {cancelled: '#a9dfbf', reduced: '#52be80', cleared: '#1e8449'};
  /* each layer's title is the text L_<name> (web/js/i18n.js) */
  var defs = [
    {name: 'hazards', on: true, style: hazardStyle},
    {name: 'release_areas', on: true, style: function (p) {
      return {color: releaseColour[p.outcome] || '#52be80', weight: 1, fillColor: releaseColour[p.outcome] || '#52be80', fillOpacity: 0.5}; }},
    {name: 'activities', on: true, style: function (p) {
      return p.status === 'draft' ? {color: '#8e44ad', weight: 2, dashArray: '3 3', fillOpacity: 0.05}
           : p.status === 'rejected' ? {color: '#999', weight: 1, dashArray: '2 4', fillOpacity: 0}
           : {color: '#2874a6', weight: 2, fillOpacity: 0.05}; }},
    {name: 'items', on: true, point: {radius: 4, color: '#fff', weight: 1, fillColor: '#8e44ad', fillOpacity: 1}},
    {name: 'accidents', on: true, point: {radius: 6, color: '#fff', weight: 1, fillColor: '#000', fillOpacity: 1}},
    {name: 'eore_sessions', on: false, point: {radius: 5, color: '#fff', weight: 1, fillColor: '#16a085', fillOpacity: 1}},
    {name: 'records', on: false, style: function () { return {color: '#6c3483', weight: 2, dashArray: '1 4', fillOpacity: 0}; }},
    {name: 'features', on: false, style: function () { return {color: '#566573', weight: 1, fillOpacity: 0.05}; },
      point: {radius: 3, color: '#566573', fillOpacity: 0.6}},
    {name: 'plan', on: false, style: function (p) {
      var c = {cancel: '#27ae60', reduce: '#d68910', clear: '#c0392b'}[p.route] || '#117a65';
      return {color: c, weight: 2, dashArray: '8 2', fillColor: c, fillOpacity: 0.15}; }}
  ];
  var groups = {};
  var readable = {};
  var writableLayers = {};             /* layer -> rows may be added and deleted (GET /api/layers) */
  var fieldsOf = {};                   /* layer -> its fields (GET /api/layers) */
  var geomOf = {};                     /* layer -> its geometry type (POINT, MULTIPOLYGON, ...) */
  defs.forEach(function (d) { groups[d.name] = L.geoJSON(null, {
    style: function (f) { return d.style ? d.style(f.properties) : {}; },
    pointToLayer: function (f, ll) { return L.circleMarker(ll, d.point || {radius: 4}); },
    onEachFeature: function (f, layer) {
      layer.on('click', function () { showDetails(d.name, f); });
      if (layer.getElement) layer.on('add', function () {
        var el = layer.getElement(); if (el) { el.setAttribute('data-layer', d.name); el.setAttribute('data-uuid', f.id); }
      });
    }
  }); });

  function buildLayerList() {
    var html = '<label><input type="checkbox" data-l="__base"> ' + s('osm') + '</label>' +
      '<label><input type="checkbox" data-l="__risk"' + (riskWanted ? ' checked' : '') + '> ' + s('riskTiles') +
      ' <span class="hint" id="count-__risk">' + (me ? '' : s('afterLogin')) + '</span></label>';
    defs.forEach(function (d) {
      if (d.name !== 'plan' && me && !readable[d.name]) return;
      html += '<label><input type="checkbox" data-l="' + d.name + '"' + (d.on ? ' checked' : '') + '> ' + s('L_' + d.name) +
        ' <span class="hint" id="count-' + d.name + '"></span></label>';
    });
    $('layer-list').innerHTML = html;
    Array.prototype.forEach.call($('layer-list').querySelectorAll('input'), function (cb) {
      cb.addEventListener('change', function () { toggle(cb.getAttribute('data-l'), cb.checked); });
      toggle(cb.getAttribute('data-l'), cb.checked);
    });
  }
  function toggle(name, on) {
    if (name === '__risk') {
      riskWanted = on; showRisk();
      return;
    }
    var lyr = name === '__base' ? base : groups[name];
    if (!lyr) return;
    var d = defs.filter(function (x) { return x.name === name; })[0];
    if (d) d.on = on;
    if (on) { lyr.addTo(map); if (d) load(d); } else map.removeLayer(lyr);
  }
  /* the legend goes with the layer; logged in, a database with no risk map
   * yet ("(none yet)") shows no legend of a map it does not have */
  var legendShown = false;
  function showRisk() {
    if (me && riskWanted && riskVersion) { if (!map.hasLayer(risk)) risk.addTo(map); }
    else if (map.hasLayer(risk)) map.removeLayer(risk);
    var legend = riskWanted && (!me || !!riskVersion || !riskAsked);
    if (legend && !legendShown) riskLegend.addTo(map); else if (!legend && legendShown) riskLegend.remove();
    legendShown = legend;
  }
  /* which map the tiles show; a new version (a refresh, here or by anyone)
   * changes the tile URL, so that the map is redrawn with the new tiles */
  function loadRiskMap() {
    if (!me) return;
    api('GET', 'api/risk/map').then(function (m) {
      if (!me) return;
      riskAsked = true;
      if (m.version !== riskVersion) { riskVersion = m.version; risk.setUrl(m.tiles); }
      var c = $('count-__risk'); if (c) c.textContent = '';
      showRisk();
    }).catch(function (e) {
      if (e.status === 401) return;
      riskAsked = true; riskVersion = null; showRisk();
      var c = $('count-__risk'); if (c) c.innerHTML = e.status === 404 ? s('noneYet') : esc('(' + e.message + ')');
    });
  }
  /* a tile refused: the session may have ended; one check for a burst */
  risk.on('tileerror', function () {
    if (!me || tileCheck) return;
    tileCheck = setTimeout(function () { tileCheck = null; if (me) api('GET', 'api/me').catch(function () {}); }, 500);
  });
  /* one request per layer at a time; a move meanwhile asks again when it is
   * answered (else the layer would keep the features of the view it left) */
  var loading = {}, stale = {};
  function load(d) {
    if (!me || !d.on) return;
    if (loading[d.name]) { stale[d.name] = true; return; }
    stale[d.name] = false;
    var b = map.getBounds();
    var bbox = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())]
      .map(function (v) { return v.toFixed(6); }).join(',');
    var url = d.name === 'plan' ? 'api/plan' : 'api/' + d.name + '?limit=5000&zoom=' + map.getZoom() + '&bbox=' + bbox;
    loading[d.name] = true;
    api('GET', url).then(function (fc) {
      return d.name === 'plan' ? planOnHazards(fc) : fc;
    }).then(function (fc) {
      if (!me) return; /* logged out meanwhile */
      groups[d.name].clearLayers(); groups[d.name].addData(fc);
      var c = $('count-' + d.name); if (c) c.textContent = '(' + fc.features.length + (fc.next_offset ? '+' : '') + ')';
    }).catch(function (e) {
      if (e.status === 401) return; /* the login form is back */
      var c = $('count-' + d.name); if (c) c.innerHTML = e.status === 404 ? s('noneYet') : esc('(' + e.message + ')');
    }).then(function () { loading[d.name] = false; if (stale[d.name]) load(d); });
  }
  /* the plan's tasks have no geometry of their own (plan_tasks: hazard_id):
   * each is drawn on its hazard's polygon, named by the hazard's ref (the
   * layer showed "(131)" and nothing on the map) */
  function planOnHazards(fc) {
    if (!fc.features.some(function (t) { return !t.geometry && t.properties.hazard_id; })) return fc;
    return api('GET', 'api/hazards?limit=5000').then(function (hz) {
      var byId = {};
      hz.features.forEach(function (h) { byId[h.id] = h; });
      var out = {type: 'FeatureCollection', next_offset: fc.next_offset, features: []};
      fc.features.forEach(function (t) {
        var h = t.geometry ? null : byId[t.properties.hazard_id];
        if (!t.geometry && !h) return;
        var p = {hazard: h ? h.properties.ref : undefined};
        Object.keys(t.properties).forEach(function (k) { p[k] = t.properties[k]; });
        out.features.push({type: 'Feature', id: t.id, properties: p, geometry: t.geometry || h.geometry});
      });
      return out;
    });
  }
  function reloadAll() { defs.forEach(load); }
  /* the plan is not cut to the view: a move does not ask for it again (it
   * asked, and got a 404 where there is none, at every pan) */
  var quietMove = false; /* a move made just before the layers load anyway (fitToData) */
  map.on('moveend', function () { if (!quietMove) defs.forEach(function (d) { if (d.name !== 'plan') load(d); }); });

  function isAnalyst() { return !!me && (me.role === 'analyst' || me.role === 'admin'); }
  function showDetails(layer, f, note) {
    var p = f.properties, rows = '';
    Object.keys(p).forEach(function (k) {
      if (p[k] === null || k === 'layer') return;
      rows += '<tr><td>' + esc(k) + '</td><td>' + esc(p[k]) + '</td></tr>';
    });
    var canEdit = isAnalyst() && (editable(layer).length > 0 || movable(layer, f));
    var canDelete = writable(layer) && !!f.id;
    $('details').innerHTML = '<h3>' + s('layer', {l: layer}) + ' ' + esc(p.ref || p.name || p.category || p.hazard || '') + '</h3>' +
      (note ? '<p class="ok" id="edit-saved">' + s(note[0], note[1]) + '</p>' : '') +
      (canEdit || canDelete ? '<div class="row">' + (canEdit ? '<button type="button" id="edit-btn"' + I.attrs('edit') + '>' + esc(t('edit')) + '</button>' : '') +
        (canDelete ? '<button type="button" id="delete-btn"' + I.attrs('delete') + '>' + esc(t('delete')) + '</button>' : '') + '</div>' : '') +
      (canEdit ? '<div id="edit"></div>' : '') + (canDelete ? '<div id="delete"></div>' : '') +
      '<table class="props" id="details-props">' + rows + '</table>' +
      (layer === 'hazards' && isAnalyst() && f.id ?
        '<p><a id="hazard-report" target="_blank" rel="noopener" href="api/hazards/' + encodeURIComponent(f.id) +
        '/report.pdf?lang=' + (I.lang && I.lang() === 'az' ? 'both' : 'en') + '">' + s('hazardReport') + '</a></p>' : '') +
      (layer === 'hazards' && me && (me.role === 'analyst' || me.role === 'admin') ?
        '<h4>' + s('whyRisk') + '</h4><div id="explain" class="hint">' + s('loading') + '</div>' : '') +
      '<h4>' + s('history') + '</h4><div id="history" class="hint">' + s('loading') + '</div>';
    activateTab('layers');
    if (canEdit) $('edit-btn').addEventListener('click', function () { openEdit(layer, f.id); });
    if (canDelete) $('delete-btn').addEventListener('click', function () { openDelete(layer, f.id); });
    /* the answers may come after this panel was replaced (another feature,
     * a logout): they then fill elements no longer shown */
    var explainEl = $('explain'), historyEl = $('history');
    if (explainEl) {
      var c = L.geoJSON(f).getBounds().getCenter();
      api('GET', 'api/risk/explain?lon=' + c.lng.toFixed(6) + '&lat=' + c.lat.toFixed(6)).then(function (e) {
        var terms = e.terms.filter(function (t) { return t.contribution !== 0; })
          .sort(function (a, b) { return Math.abs(b.contribution) - Math.abs(a.contribution); }).slice(0, 6);
        explainEl.innerHTML = s('explainH', {p: e.p_cell, cell: e.cell_m, ih: e.items_ha}) + '<table class="props">' + terms.map(function (t) {
            return '<tr><td title="' + esc(t.meaning) + '">' + esc(t.name) + '</td><td>' +
              (t.contribution > 0 ? '+' : '') + t.contribution.toFixed(2) + '</td></tr>'; }).join('') + '</table>';
      }).catch(function (err) { explainEl.textContent = err.message; });
    }
    /* a value of the change log: none said so, a figure the risk map wrote
     * to 6 significant digits (was 318.81141839319343) */
    var val = function (v) {
      if (v === null || v === undefined || v === '') return s('histNone');
      return esc(typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : v);
    };
    /* a task of the plan: its history is that of its row of plan_tasks */
    var histLayer = layer === 'plan' ? (p.layer || 'plan_tasks') : layer;
    api('GET', 'api/' + histLayer + '/' + encodeURIComponent(f.id) + '/history').then(function (h) {
      historyEl.innerHTML = '<ol class="hist">' + h.map(function (e) {
        var ch = e.op === 'update' ? Object.keys(e['new'] || {}).map(function (k) {
          return esc(k) + ': ' + val((e.old || {})[k]) + ' → ' + val(e['new'][k]); }).join('; ') : '';
        return '<li><b>' + s('val', {v: e.op}) + '</b> ' + s('histBy', {t: e.time, who: e.author}) +
          (e.reason ? ' — ' + esc(e.reason) : '') + (ch ? '<br>' + ch : '') + '</li>';
      }).join('') + '</ol>';
    }).catch(function (e) { historyEl.textContent = e.message; });
  }

  /* ---------------- editing a row (analysts, admins) ---------------- */
  /* a number as typed: a point for decimals (a comma is refused, not read
   * as 1,5 -> 15 or 1,500 -> 1.5) */
  var REAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, INT = /^[-+]?\d+$/;
  /* the plain fields an analyst may change here: text, numbers and dates;
   * not the status (a hazard's moves along its life cycle, a report's by
   * review), nor what demine computes (risk, areas) */
  function editable(layer) {
    if (layer === 'plan') return [];
    return (fieldsOf[layer] || []).filter(function (fd) {
      return fd.name !== 'status' && !fd.computed && ['text', 'int', 'real', 'date'].indexOf(fd.type) >= 0;
    });
  }
  /* a point whose coordinates the form offers (lon, lat): a feature of a
   * point layer, or a point of a layer of any geometry */
  function movable(layer, f) {
    var g = geomOf[layer];
    return g === 'POINT' || (g === 'GEOMETRY' && !!f && !!f.geometry && f.geometry.type === 'Point');
  }
  /* the row as stored now, with the ETag an edit names in If-Match; note:
   * a message to show above the form, reason: the reason typed so far */
  function openEdit(layer, id, note, reason) {
    var path = 'api/' + layer + '/' + encodeURIComponent(id);
    var box = $('edit');
    box.innerHTML = '<p class="hint">' + s('loading') + '</p>';
    call('GET', path).then(function (x) {
      var f = x.j, p = f.properties, etag = x.r.headers.get('ETag'), fields = editable(layer);
      if (!box.isConnected) return; /* another feature was opened meanwhile, or the user logged out */
      var pt = movable(layer, f) && (!f.geometry || f.geometry.type === 'Point');
      var xy = pt && f.geometry ? f.geometry.coordinates : ['', ''];
      box.innerHTML = '<form id="edit-form" class="card">' +
        (note ? '<div class="bad" id="edit-conflict">' + s(note[0], note[1]) + '</div>' : '') +
        (pt ? '<fieldset id="edit-coords"><legend>' + s('position') + '</legend>' +
          '<label>' + s('lon') + ' <input name="__lon" type="text" inputmode="decimal" value="' + esc(xy[0]) + '"' + I.attr('title', 'lonTitle') + '></label>' +
          '<label>' + s('lat') + ' <input name="__lat" type="text" inputmode="decimal" value="' + esc(xy[1]) + '"' + I.attr('title', 'latTitle') + '></label>' +
          '<button type="button" id="edit-pick"' + I.attrs('pick') + '>' + esc(t('pick')) + '</button></fieldset>' : '') +
        fields.map(function (fd) {
          var v = p[fd.name] === null || p[fd.name] === undefined ? '' : p[fd.name];
          var label = esc(fd.name) + (fd.required ? ' *' : '');
          if (fd.name === 'notes')
            return '<label>' + label + ' <textarea name="' + esc(fd.name) + '" rows="2" title="' + esc(fd.desc || '') + '">' +
              esc(v) + '</textarea></label>';
          /* numbers in text inputs checked here: a number input dropped the
           * comma of "1,5" and 15 was saved */
          var type = fd.type === 'date' ? 'date' : 'text';
          return '<label>' + label + ' <input name="' + esc(fd.name) + '" type="' + type + '"' +
            (fd.type === 'int' ? ' inputmode="numeric"' : fd.type === 'real' ? ' inputmode="decimal"' : '') +
            ' value="' + esc(v) + '" title="' + esc(fd.desc || '') + '"></label>';
        }).join('') +
        '<label>' + s('reasonChange') + ' <input name="__reason" id="edit-reason"' + I.attr('placeholder', 'reasonChangePh') + '></label>' +
        '<div class="row"><button type="submit" id="edit-save"' + I.attrs('save') + '>' + esc(t('save')) + '</button>' +
        '<button type="button" id="edit-cancel"' + I.attrs('cancel') + '>' + esc(t('cancel')) + '</button></div><div id="edit-msg"></div></form>';
      var form = box.querySelector('form'), save = form.querySelector('#edit-save'), orig = {};
      /* what each input shows now: only what the user changes is sent */
      fields.forEach(function (fd) { orig[fd.name] = form.elements[fd.name].value; });
      if (pt) { orig.__lon = form.elements.__lon.value; orig.__lat = form.elements.__lat.value; }
      if (reason) form.elements.__reason.value = reason;
      var picking = null; /* the map click armed by "Pick on the map" */
      var stopPick = function () { if (picking) { map.off('click', picking); picking = null; map.getContainer().style.cursor = ''; } };
      if (pt) form.querySelector('#edit-pick').addEventListener('click', function () {
        stopPick();
        picking = function (ev) {
          stopPick();
          if (!form.isConnected) return;
          form.elements.__lon.value = ev.latlng.lng.toFixed(7);
          form.elements.__lat.value = ev.latlng.lat.toFixed(7);
        };
        map.on('click', picking);
        map.getContainer().style.cursor = 'crosshair';
      });
      form.querySelector('#edit-cancel').addEventListener('click', function () { stopPick(); box.innerHTML = ''; });
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var props = {}, n = 0, why = form.elements.__reason.value.trim();
        Array.prototype.forEach.call(form.querySelectorAll('.bad-field'), function (el) { el.classList.remove('bad-field'); });
        fields.forEach(function (fd) {
          var v = form.elements[fd.name].value;
          if (v !== orig[fd.name]) { props[fd.name] = v === '' ? null : v; n++; }
        });
        /* html: a marked text (s) or a server's message escaped */
        var msg = function (html) { form.querySelector('#edit-msg').innerHTML = '<span class="bad" id="edit-error">' + html + '</span>'; };
        var mark = function (name) { var el = form.elements[name]; el.classList.add('bad-field'); el.focus(); };
        var bad = fields.filter(function (fd) {
          var v = String(props[fd.name] === undefined || props[fd.name] === null ? '' : props[fd.name]).trim();
          return v !== '' && !(fd.type === 'int' ? INT : fd.type === 'real' ? REAL : /./).test(v);
        })[0];
        if (bad) {
          msg(s(bad.type === 'int' ? 'badInt' : 'badReal', {f: bad.name}));
          mark(bad.name); return;
        }
        var geom, moved = false;
        if (pt) {
          var lon = form.elements.__lon.value.trim(), lat = form.elements.__lat.value.trim();
          if (lon !== orig.__lon.trim() || lat !== orig.__lat.trim()) {
            moved = true;
            if (lon === '' && lat === '') geom = null; /* no position: refused where the layer needs one */
            else {
              var X = Number(lon), Y = Number(lat);
              if (!REAL.test(lon) || !(Math.abs(X) <= 180)) { msg(s('badLon')); mark('__lon'); return; }
              if (!REAL.test(lat) || !(Math.abs(Y) <= 90)) { msg(s('badLat')); mark('__lat'); return; }
              geom = {type: 'Point', coordinates: [X, Y]};
            }
          }
        }
        if (!n && !moved) { msg(s('nothingChanged')); return; }
        if (!why) { msg(s('reasonNeeded')); form.elements.__reason.focus(); return; }
        save.disabled = true;
        var runs = refreshRuns;
        stopPick();
        var body = {properties: props, reason: why};
        if (moved) body.geometry = geom;
        call('PATCH', path, body, {'If-Match': etag}).then(function (y) {
          if (form.isConnected) showDetails(layer, y.j, ['saved']);
          reloadAll();
          if (y.r.headers.get('Risk-Refresh')) pollRefresh(runs); /* the edit is new evidence */
        }).catch(function (e) {
          save.disabled = false;
          if (e.status === 401 || !form.isConnected) return; /* the login form is back, or another feature shown */
          if (e.status === 412) {
            openEdit(layer, id, ['editConflict', {l: layer}], why);
            return;
          }
          msg(esc(e.message));
          /* the server names the field it refused */
          var m = /field '([^']+)'/.exec(e.message), el = m && form.elements[m[1]];
          if (el && el.classList) { el.classList.add('bad-field'); el.focus(); }
          else if (pt && /geometry/.test(e.message)) { mark('__lat'); mark('__lon'); }
        });
      });
    }).catch(function (e) { if (e.status !== 401) box.innerHTML = '<span class="bad">' + esc(e.message) + '</span>'; });
  }

  /* ---------------- new rows and deletions (analysts, admins) ---------------- */
  /* the layers rows are added to and deleted from here: those /api/layers
   * marks writable for the user's role (not the demo truth nor the plan, nor
   * what field reports (activities, items), a hazard's life cycle and
   * engines write) */
  function writable(layer) {
    return isAnalyst() && !!writableLayers[layer];
  }
  function fillNewLayers() {
    var ls = isAnalyst() ? Object.keys(fieldsOf).filter(writable) : [];
    $('new-row').classList.toggle('hidden', !ls.length);
    /* what was deleted from those layers, to put back: theirs alone */
    $('deleted-rows').classList.toggle('hidden', !ls.length);
    if (!ls.length) hideDeleted();
    $('new-layer').innerHTML = ls.map(function (l) {
      return '<option value="' + esc(l) + '"' + (l === 'hazards' ? ' selected' : '') + I.attrs('layer', {l: l, sp: 1}) + '>' +
        esc(t('layer', {l: l, sp: 1})) + '</option>';
    }).join('');
  }
  var creating = null;                 /* {layer, geom}: a new row's form is open */
  var newDrawn = new L.FeatureGroup().addTo(map), drawer = null;
  /* what may be drawn for a layer's geometry type (/api/layers) */
  function drawKinds(g) {
    g = String(g || '').toUpperCase();
    if (g === 'GEOMETRY') return ['polygon', 'line', 'point'];
    if (/POLYGON/.test(g)) return ['polygon'];
    if (/LINE/.test(g)) return ['line'];
    if (/POINT/.test(g)) return ['point'];
    return [];
  }
  function startDraw(kind) {
    if (drawer) drawer.disable();
    addingItems = false; I.set($('r-additems'), 'addItems'); routing = false;
    drawer = kind === 'polygon' ? new L.Draw.Polygon(map, {allowIntersection: false, showArea: true})
      : kind === 'line' ? new L.Draw.Polyline(map, {}) : new L.Draw.Marker(map, {});
    drawer.enable();
  }
  function closeNew() {
    creating = null;
    if (drawer) { drawer.disable(); drawer = null; }
    newDrawn.clearLayers();
    $('new').innerHTML = '';
  }
  /* a shape drawn while a new row's form is open is that row's */
  function newShape(layer) {
    newDrawn.clearLayers(); newDrawn.addLayer(layer);
    var g = layer.toGeoJSON().geometry, el = $('new-geom');
    creating.geom = g;
    if (!el) return;
    el.classList.remove('bad');
    /* coordinates with a point in either language: they are copied as data */
    el.innerHTML = g.type === 'Point' ? s('pointAt', {x: g.coordinates[0].toFixed(6), y: g.coordinates[1].toFixed(6)})
      : g.type === 'LineString' ? s('lineDrawn', {n: g.coordinates.length})
      : s('polyDrawn', {n: g.coordinates[0].length - 1});
  }
  /* one input per field: required ones marked, enumerations as lists, a
   * reference as the ref (or id) of the row it points at */
  function fieldInput(fd) {
    var label = esc(fd.name) + (fd.required ? ' *' : ''), nm = ' name="' + esc(fd.name) + '" title="' + esc(fd.desc || '') + '"';
    if (fd.type === 'enum' || fd.type === 'enumset' || fd.type === 'bool') {
      /* a value keeps its value, its label is said in the language */
      var vals = fd.type === 'bool' ? [['true', 'yes', null], ['false', 'no', null]]
        : String(fd.values || '').split('|').map(function (v) { return [v, 'val', {v: v, sp: 1, f: fd.name}]; });
      return '<label>' + label + ' <select' + nm + (fd.type === 'enumset' ? ' multiple' : '') + '>' +
        (fd.type === 'enumset' ? '' : '<option value=""></option>') + vals.map(function (v) {
          return '<option value="' + esc(v[0]) + '"' + I.attrs(v[1], v[2] || undefined) + '>' + esc(t(v[1], v[2] || undefined)) +
            '</option>'; }).join('') + '</select></label>';
    }
    if (fd.name === 'notes') return '<label>' + label + ' <textarea' + nm + ' rows="2"></textarea></label>';
    return '<label>' + label + ' <input' + nm + ' type="' + (fd.type === 'date' ? 'date' : 'text') + '"' +
      (fd.type === 'int' ? ' inputmode="numeric"' : fd.type === 'real' ? ' inputmode="decimal"' : '') +
      (fd.type === 'ref' ? I.attr('placeholder', 'refPh') : '') + '></label>';
  }
  function openNew(layer) {
    closeNew();
    activateTab('layers');
    var fields = (fieldsOf[layer] || []).filter(function (fd) { return !fd.computed; }), kinds = drawKinds(geomOf[layer]);
    var word = {polygon: 'drawPolygon', line: 'drawLine', point: 'placePoint'};
    creating = {layer: layer, geom: null};
    var box = $('new');
    box.innerHTML = '<form id="new-form" class="card"><b>' + s('newOf', {l: layer}) + '</b>' +
      (kinds.length ? '<div id="new-geom" class="hint">' + s(kinds.length > 1 ? 'drawIt' :
        kinds[0] === 'point' ? 'placeIt' : 'drawItEnd') + '</div>' +
        '<div class="row">' + kinds.map(function (k) {
          return '<button type="button" data-draw="' + k + '"' + I.attrs(word[k]) + '>' + esc(t(word[k])) + '</button>'; }).join('') + '</div>' : '') +
      fields.map(fieldInput).join('') +
      '<label>' + s('reason') + ' <input name="__reason" id="new-reason"' + I.attr('placeholder', 'newReasonPh') + '></label>' +
      '<div class="row"><button type="submit" id="new-save"' + I.attrs('save') + '>' + esc(t('save')) + '</button>' +
      '<button type="button" id="new-cancel"' + I.attrs('cancel') + '>' + esc(t('cancel')) + '</button></div><div id="new-msg"></div></form>';
    var form = box.querySelector('form'), save = form.querySelector('#new-save');
    Array.prototype.forEach.call(form.querySelectorAll('[data-draw]'), function (b) {
      b.addEventListener('click', function () { startDraw(b.getAttribute('data-draw')); });
    });
    form.querySelector('#new-cancel').addEventListener('click', closeNew);
    if (kinds.length === 1) startDraw(kinds[0]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var props = {}, why = form.elements.__reason.value.trim();
      Array.prototype.forEach.call(form.querySelectorAll('.bad-field'), function (el) { el.classList.remove('bad-field'); });
      var msg = function (html) { form.querySelector('#new-msg').innerHTML = '<span class="bad" id="new-error">' + html + '</span>'; };
      var mark = function (name) { var el = form.elements[name]; if (el && el.classList) { el.classList.add('bad-field'); el.focus(); } };
      var bad = null;
      fields.forEach(function (fd) {
        var el = form.elements[fd.name], v;
        if (fd.type === 'enumset') v = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; }).join(',');
        else v = el.value.trim();
        if (v === '') return;
        if (!bad && ((fd.type === 'int' && !INT.test(v)) || (fd.type === 'real' && !REAL.test(v)))) bad = fd;
        props[fd.name] = fd.type === 'bool' ? v === 'true' : v;
      });
      if (bad) {
        msg(s(bad.type === 'int' ? 'badInt' : 'badReal', {f: bad.name}));
        mark(bad.name); return;
      }
      if (!why) { msg(s('reasonNeeded')); form.elements.__reason.focus(); return; }
      save.disabled = true;
      var runs = refreshRuns, body = {type: 'Feature', properties: props, geometry: creating.geom, reason: why};
      call('POST', 'api/' + layer, body).then(function (y) {
        if (!form.isConnected) return;
        closeNew();
        var d = defs.filter(function (x) { return x.name === layer; })[0];
        if (d && !d.on) { var cb = document.querySelector('#layer-list input[data-l="' + layer + '"]'); if (cb) cb.checked = true; toggle(layer, true); }
        reloadAll();
        if (y.r.headers.get('Risk-Refresh')) pollRefresh(runs); /* new evidence */
        return api('GET', 'api/' + layer + '/' + encodeURIComponent(y.j.uuid)).then(function (f) {
          if (me) showDetails(layer, f, ['created', {ref: y.j.ref || ''}]);
        });
      }).catch(function (e) {
        save.disabled = false;
        if (e.status === 401 || !form.isConnected) return;
        msg(esc(e.message));
        /* the server names the field it refused, or the geometry */
        var m = /field '([^']+)'/.exec(e.message);
        if (m && form.elements[m[1]]) mark(m[1]);
        else if (/geometry/.test(e.message) && $('new-geom')) $('new-geom').classList.add('bad');
        else if (/^reason/.test(e.message)) mark('__reason');
      });
    });
  }
  $('new-btn').addEventListener('click', function () { if ($('new-layer').value) openNew($('new-layer').value); });
  /* a deletion: the row as read now (its ETag goes in If-Match), a reason,
   * and the server's refusal as it says it (the rows that point at it) */
  function openDelete(layer, id, note) {
    var path = 'api/' + layer + '/' + encodeURIComponent(id), box = $('delete');
    box.innerHTML = '<p class="hint">' + s('loading') + '</p>';
    call('GET', path).then(function (x) {
      if (!box.isConnected) return;
      var etag = x.r.headers.get('ETag');
      box.innerHTML = '<form id="delete-box" class="card">' + (note ? '<div class="bad" id="delete-conflict">' + s(note) + '</div>' : '') +
        s('deleteAskH') +
        '<label>' + s('reason') + ' <input name="__reason" id="delete-reason"' + I.attr('placeholder', 'deleteReasonPh') + '></label>' +
        '<div class="row"><button type="submit" id="delete-confirm"' + I.attrs('delete') + '>' + esc(t('delete')) + '</button>' +
        '<button type="button" id="delete-cancel"' + I.attrs('cancel') + '>' + esc(t('cancel')) + '</button></div><div id="delete-msg"></div></form>';
      var form = box.querySelector('form');
      var msg = function (html) { form.querySelector('#delete-msg').innerHTML = '<span class="bad" id="delete-error">' + html + '</span>'; };
      form.querySelector('#delete-cancel').addEventListener('click', function () { box.innerHTML = ''; });
      form.elements.__reason.focus();
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var why = form.elements.__reason.value.trim();
        if (!why) { msg(s('reasonNeeded')); form.elements.__reason.focus(); return; }
        form.querySelector('#delete-confirm').disabled = true;
        var runs = refreshRuns;
        call('DELETE', path, {reason: why}, {'If-Match': etag}).then(function (y) {
          $('details').innerHTML = '<p class="ok" id="deleted">' + s('deletedH', {l: layer, uuid: y.j.uuid}) +
            '<button type="button" id="undo-btn"' + I.attrs('undo') + '>' + esc(t('undo')) + '</button></p><div id="undo-msg"></div>';
          var undo = $('undo-btn');
          undo.addEventListener('click', function () {
            undo.disabled = true;
            restoreRow(layer, y.j.uuid, 'undo').catch(function (e) {
              if (e.status === 401 || !undo.isConnected) return;
              undo.disabled = false;
              $('undo-msg').innerHTML = '<span class="bad" id="undo-error">' + esc(e.message) + '</span>';
            });
          });
          reloadAll();
          if (!$('deleted-list').classList.contains('hidden')) loadDeleted(0);
          if (y.r.headers.get('Risk-Refresh')) pollRefresh(runs);
        }).catch(function (e) {
          if (e.status === 401 || !form.isConnected) return;
          form.querySelector('#delete-confirm').disabled = false;
          if (e.status === 412) { openDelete(layer, id, 'deleteConflict'); return; }
          msg(esc(e.message));
        });
      });
    }).catch(function (e) { if (e.status !== 401 && box.isConnected) box.innerHTML = '<span class="bad">' + esc(e.message) + '</span>'; });
  }

  /* ---------------- undoing deletions (analysts, admins) ---------------- */
  /* put a deleted row back (POST api/{layer}/{uuid}/restore): on the map
   * again, its details shown; rejects with the server's refusal */
  function restoreRow(layer, uuid, why) {
    var runs = refreshRuns;
    return call('POST', 'api/' + layer + '/' + encodeURIComponent(uuid) + '/restore', {reason: why}).then(function (y) {
      var d = defs.filter(function (x) { return x.name === layer; })[0];
      if (d && !d.on) { var cb = document.querySelector('#layer-list input[data-l="' + layer + '"]'); if (cb) cb.checked = true; toggle(layer, true); }
      reloadAll();
      if (!$('deleted-list').classList.contains('hidden')) loadDeleted(0);
      if (y.r.headers.get('Risk-Refresh')) pollRefresh(runs); /* evidence back */
      return api('GET', 'api/' + layer + '/' + encodeURIComponent(uuid)).then(function (f) {
        if (!me) return;
        showDetails(layer, f, ['restored', {ref: y.j.ref || ''}]);
        $('details').scrollIntoView({block: 'nearest'});
      });
    });
  }
  /* the rows deleted and not put back since, newest first, 20 at a time */
  var DELETED_PAGE = 20, deletedSeq = 0;
  function when(t) { return String(t || '').replace('T', ' ').replace(/:\d\d\.\d+Z$|Z$/, ''); }
  function loadDeleted(offset) {
    var box = $('deleted-list'), seq = ++deletedSeq;
    box.classList.remove('hidden');
    I.set($('deleted-load'), 'hide');
    if (!offset) box.innerHTML = '<p class="hint">' + s('loading') + '</p>';
    api('GET', 'api/deleted?limit=' + DELETED_PAGE + '&offset=' + offset).then(function (r) {
      if (seq !== deletedSeq || !me) return;
      var more = box.querySelector('#deleted-more');
      if (more) more.remove();
      if (!offset) box.innerHTML = r.deleted.length ? '' : '<p class="hint" id="deleted-none">' + s('noDeleted') + '</p>';
      r.deleted.forEach(function (x) {
        var el = document.createElement('div');
        el.className = 'card del-row';
        el.setAttribute('data-uuid', x.uuid);
        el.innerHTML = '<b>' + s('layer', {l: x.layer, sp: 1}) + '</b> ' + esc(x.label || x.uuid.slice(0, 8)) +
          '<div class="hint">' + s('whenBy', {t: when(x.time), who: x.author}) + '</div>' +
          (x.reason ? '<div class="why">' + esc(x.reason) + '</div>' : '') +
          '<div class="row"><button type="button" class="del-restore"' + I.attrs('restore') + '>' + esc(t('restore')) +
          '</button></div><div class="del-form"></div>';
        el.querySelector('.del-restore').addEventListener('click', function () { openRestore(el, x); });
        box.appendChild(el);
      });
      if (r.next_offset) {
        box.insertAdjacentHTML('beforeend', '<button type="button" id="deleted-more"' + I.attrs('more', {n: r.total - r.next_offset}) +
          '>' + esc(t('more', {n: r.total - r.next_offset})) + '</button>');
        box.querySelector('#deleted-more').addEventListener('click', function () { loadDeleted(r.next_offset); });
      }
    }).catch(function (e) { if (e.status !== 401 && seq === deletedSeq) box.innerHTML = '<span class="bad">' + esc(e.message) + '</span>'; });
  }
  function hideDeleted() {
    deletedSeq++;
    $('deleted-list').classList.add('hidden');
    $('deleted-list').innerHTML = '';
    I.set($('deleted-load'), 'show');
  }
  /* a restoration asks why, as a deletion does */
  function openRestore(el, x) {
    var box = el.querySelector('.del-form');
    box.innerHTML = '<form class="restore-box"><label>' + s('reason') + ' <input name="__reason" class="restore-reason"' +
      I.attr('placeholder', 'restoreReasonPh') + '></label><div class="row"><button type="submit" class="restore-confirm"' +
      I.attrs('restore') + '>' + esc(t('restore')) + '</button>' +
      '<button type="button" class="restore-cancel"' + I.attrs('cancel') + '>' + esc(t('cancel')) +
      '</button></div><div class="restore-msg"></div></form>';
    var form = box.querySelector('form'), ask = el.querySelector('.del-restore');
    ask.classList.add('hidden'); /* the form's own button restores */
    var msg = function (html) { form.querySelector('.restore-msg').innerHTML = '<span class="bad restore-error">' + html + '</span>'; };
    form.querySelector('.restore-cancel').addEventListener('click', function () { box.innerHTML = ''; ask.classList.remove('hidden'); });
    form.elements.__reason.focus();
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var why = form.elements.__reason.value.trim();
      if (!why) { msg(s('reasonNeeded')); form.elements.__reason.focus(); return; }
      form.querySelector('.restore-confirm').disabled = true;
      restoreRow(x.layer, x.uuid, why).catch(function (e) {
        if (e.status === 401 || !form.isConnected) return;
        form.querySelector('.restore-confirm').disabled = false;
        msg(esc(e.message));
      });
    });
  }
  $('deleted-load').addEventListener('click', function () {
    if ($('deleted-list').classList.contains('hidden')) loadDeleted(0); else hideDeleted();
  });

  /* ---------------- tabs ---------------- */
  function activateTab(name) {
    Array.prototype.forEach.call(document.querySelectorAll('aside nav button'), function (b) {
      b.classList.toggle('active', b.getAttribute('data-tab') === name); });
    Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (t) {
      t.classList.toggle('active', t.id === 'tab-' + name); });
    if (name === 'stats') loadStats();
    if (name === 'review') loadReview(true);
    if (name === 'report') loadMyReports();
  }
  Array.prototype.forEach.call(document.querySelectorAll('aside nav button'), function (b) {
    b.addEventListener('click', function () { activateTab(b.getAttribute('data-tab')); });
  });

  /* ---------------- statistics ---------------- */
  /* title: a key of web/js/i18n.js; a row's key is a value of the data
   * (a status, an outcome), labelled in the language unless it is a code
   * (AP, SHA) or a year; unit 'ha' or none */
  function bars(title, rows, value, unit) {
    rows = rows.filter(function (r) { return value(r) > 0; });
    if (!rows.length) return '<div class="chart"><h4>' + s(title) + '</h4><p class="hint">' + s('none') + '</p></div>';
    var max = Math.max.apply(null, rows.map(value)), h = 18, w = 320, lw = 110;
    var svg = '<svg width="' + w + '" height="' + (rows.length * h + 4) + '" role="img"' + I.attr('aria-label', title) + '>';
    rows.forEach(function (r, i) {
      var v = value(r), bw = Math.max(1, (w - lw - 60) * v / max), n = Math.round(v * 100) / 100;
      var code = /^[A-Z0-9]+$|^\d/.test(String(r.key));
      svg += '<text x="0" y="' + (i * h + 13) + '" font-size="11"' + (code ? '>' + esc(r.key)
        : I.attrs('val', {v: r.key}) + '>' + esc(t('val', {v: r.key}))) + '</text>' +
        '<rect x="' + lw + '" y="' + (i * h + 3) + '" width="' + bw.toFixed(1) + '" height="' + (h - 6) + '" fill="#2874a6"></rect>' +
        '<text x="' + (lw + bw + 4) + '" y="' + (i * h + 13) + '" font-size="11"' + (unit ? I.attrs('ha', {x: n}) + '>' +
          esc(t('ha', {x: n})) : '>' + esc(n)) + '</text>';
    });
    return '<div class="chart"><h4>' + s(title) + '</h4>' + svg + '</svg></div>';
  }
  function loadStats() {
    if (!me) return;
    api('GET', 'api/stats').then(function (st) {
      if (!me) return; /* logged out meanwhile: not shown after it */
      var c = st.counts, html = '<table class="props">' +
        ['hazards', 'activities', 'release_areas', 'items', 'accidents', 'victims', 'eore_sessions', 'records'].filter(function (k) {
          return c[k] !== undefined; }).map(function (k) {
          return '<tr><td>' + s('layer', {l: k}) + '</td><td>' + esc(c[k]) + '</td></tr>'; }).join('') + '</table>';
      var lr = st.land_release;
      if (lr && lr.hazards) {
        html += '<table class="props" id="headline">' +
          '<tr><td>' + s('hazardAreaRemaining') + '</td><td>' + s('ha', {x: Math.round(lr.hazards.remaining_ha || 0)}) + '</td></tr>' +
          '<tr><td>' + s('landReleased') + '</td><td>' + s('ha', {x: Math.round((lr.released || {}).total_ha || 0)}) + '</td></tr>' +
          '<tr><td>' + s('shareReleased') + '</td><td>' + s('pctOf', {x: Math.round((lr.share_released || 0) * 1000) / 10}) +
          '</td></tr></table>';
        var bt = lr.hazards.by_type || {};
        html += bars('stByType', Object.keys(bt).map(function (k) {
          return {key: k, v: bt[k].remaining_ha || 0}; }), function (r) { return r.v; }, 'ha');
      }
      html += bars('stHzByStatus', st.hazards_by_status, function (r) { return r.count; });
      html += bars('stAreaByStatus', st.hazards_by_status, function (r) { return r.remaining_area_ha; }, 'ha');
      html += bars('stReleased', st.released_by_outcome, function (r) { return r.area_ha; }, 'ha');
      html += bars('stItems', st.items_by_category, function (r) { return r.quantity; });
      html += bars('stCasualties', st.accidents_by_year, function (r) { return r.killed + r.injured; });
      html += bars('stReports', st.reports_by_status, function (r) { return r.count; });
      html += '<p class="hint">' + s('computed', {t: st.computed}) + '</p>';
      $('stats').innerHTML = html;
    }).catch(function (e) { if (e.status !== 401) $('stats').textContent = e.message; });
    loadQc();
    loadEore();
  }

  /* ---------------- quality control, risk education ---------------- */
  /* what the server refused (a field user of no organisation asking for
   * quality control, a database with no settlement): its own words, as
   * they are */
  function refused(el, e) {
    el.innerHTML = '<p class="hint">' + s('notShown') + ' <span class="srv-msg">' + esc(e.message) + '</span></p>';
  }
  function th(keys) {
    return '<thead><tr>' + keys.map(function (k) { return '<th>' + s(k) + '</th>'; }).join('') + '</tr></thead>';
  }
  /* a method as stored ("manual,mechanical"): each named in the language */
  function methodOf(m) {
    return String(m || '').split(',').map(function (v) { return s('val', {v: v.trim()}); }).join(', ');
  }
  /* each organisation's and method's detection probability, as the
   * post-clearance inspections measured it (demine qc; a field user gets
   * their own organisation's alone) */
  var qcSeq = 0, eoreSeq = 0;
  function loadQc() {
    var el = $('qc'), seq = ++qcSeq;
    el.innerHTML = '<p class="hint">' + s('loading') + '</p>';
    api('GET', 'api/qc').then(function (q) {
      if (!me || seq !== qcSeq) return; /* logged out, or asked again, meanwhile */
      var rates = q.rates || [], html = me.role === 'field' && me.organisation ?
        '<p class="hint" id="qc-own">' + s('qcOwn', {org: me.organisation}) + '</p>' : '';
      if (!rates.length) html += '<p class="hint" id="qc-none">' + s('qcNone') + '</p>';
      else {
        html += '<p class="hint">' + s('qcSummary', {n: q.inspections, t: (q.tasks || []).length}) + '</p>' +
          '<div class="wide"><table id="qc-table"><thead><tr><th colspan="7">' + s('qcOrg') + ' \u00b7 ' + s('qcMethod') +
          '</th></tr><tr>' + ['qcTasks', 'qcFailed', 'qcHa', 'qcFound', 'qcMissed', 'qcDefault', 'qcP'].map(function (k) {
            return '<th>' + s(k) + '</th>'; }).join('') + '</tr></thead>' +
          /* each rate in two rows (nine columns did not fit the panel): the
           * organisation and method, then the figures */
          rates.map(function (r) {
            return '<tbody class="qc-rate"><tr class="qc-who"><td colspan="7"><b>' + esc(r.organisation) + '</b> \u00b7 ' +
              methodOf(r.method) + '</td></tr><tr class="qc-fig"><td>' + esc(r.tasks) + '</td>' +
              '<td' + (r.failed ? ' class="bad"' : '') + '>' + esc(r.failed) + '</td><td>' + s('nd', {x: r.ha_inspected, d: 2}) + '</td>' +
              '<td>' + esc(r.found) + '</td><td' + (r.missed ? ' class="bad"' : '') + '>' + esc(r.missed) + '</td>' +
              '<td>' + s('nd', {x: r.p_default, d: 3}) + '</td>' +
              '<td class="qc-p"><b>' + s('nd', {x: r.p, d: 3}) + '</b> <span class="ci">' + s('qcCi', {lo: r.p_lo, hi: r.p_hi}) +
              '</span></td></tr></tbody>';
          }).join('') + '</table></div>' +
          '<p class="hint" id="qc-means">' + s('qcMeans', {k: q.prior_items}) + '</p>';
      }
      if (q.unattributed) html += '<p class="hint">' + s('qcUnattributed', {n: q.unattributed}) + '</p>';
      if (q.items_outside) html += '<p class="hint">' + s('qcOutside', {n: q.items_outside}) + '</p>';
      el.innerHTML = html;
    }).catch(function (e) { if (e.status !== 401 && me && seq === qcSeq) refused(el, e); });
  }
  /* the settlements near danger that no risk education session reached
   * (demine eore): the summary and the first ten, each taken to on the map
   * (the ranking gives each settlement's place, lon/lat) */
  var eoreMark = L.featureGroup().addTo(map);
  function loadEore() {
    var el = $('eore'), seq = ++eoreSeq;
    el.innerHTML = '<p class="hint">' + s('loading') + '</p>';
    api('GET', 'api/eore').then(function (r) {
      if (!me || seq !== eoreSeq) return;
      var not = (r.ranking || []).filter(function (x) { return !x.reached; }), top = not.slice(0, 10);
      var html = '<p id="eore-summary">' + s('eoreSummary', {near: r.near_danger, all: r.settlements, since: r.since,
        reached: r.reached, not: r.not_reached, people: r.people_not_reached}) + '</p>' +
        '<p class="hint">' + s('eoreSessions', {n: r.sessions, m: r.sessions_since, since: r.since}) + '</p>';
      if (!top.length) html += '<p class="hint" id="eore-all">' + s(r.near_danger ? 'eoreAllReached' : 'eoreNoDanger',
        {since: r.since, km: r.within_km}) + '</p>';
      else {
        html += '<h4>' + s('eoreFirst', {n: top.length, of: not.length}) + '</h4><div class="wide"><table id="eore-table">' +
          th(['eoreRank', 'eoreName', 'eorePeople', 'eoreDanger', 'eoreAcc', 'eoreLast']) + '<tbody>' +
          top.map(function (x, i) {
            return '<tr class="eore-row" tabindex="0" data-i="' + i + '"><td>' + esc(x.rank) + '</td><td><b>' + esc(x.name) + '</b>' +
              (x.district ? ' <span class="hint">' + esc(x.district) + '</span>' : '') + '</td><td>' + esc(x.people) + '</td>' +
              '<td>' + s('nd', {x: x.danger, d: 1}) + '</td><td>' + esc(x.accidents) +
              (x.accidents ? ' (' + esc(x.killed) + '/' + esc(x.injured) + ')' : '') + '</td>' +
              '<td class="nw">' + (x.last_session ? esc(x.last_session) : s('eoreNever')) + '</td></tr>';
          }).join('') + '</tbody></table></div>' +
          '<p class="hint" id="eore-how">' + s('eoreHow', {by: r.danger, km: r.within_km, w: r.accident_weight,
            after: r.accidents_after}) + ' ' + s('eoreClick') + '</p><div id="eore-msg"></div>';
      }
      el.innerHTML = html;
      Array.prototype.forEach.call(el.querySelectorAll('.eore-row'), function (tr) {
        var x = top[+tr.getAttribute('data-i')];
        tr.addEventListener('click', function () { settlementOnMap(x, tr); });
        tr.addEventListener('keydown', function (ev) {
          if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); settlementOnMap(x, tr); }
        });
      });
    }).catch(function (e) { if (e.status !== 401 && me && seq === eoreSeq) refused(el, e); });
  }
  /* a settlement of the ranking on the map: the map flown to its place
   * (the ranking's lon/lat, its point or its polygon's centroid) and the
   * place ringed, named in a tooltip; a ranking without them (a server
   * before they were given) has the settlement's row of layer features
   * read for its geometry */
  function settlementOnMap(x, row) {
    var msg = $('eore-msg');
    Array.prototype.forEach.call(document.querySelectorAll('.eore-row'), function (tr) { tr.classList.toggle('sel', tr === row); });
    if (msg) msg.innerHTML = '';
    if (typeof x.lon === 'number' && typeof x.lat === 'number' && isFinite(x.lon) && isFinite(x.lat)) {
      eoreMark.clearLayers();
      var at = L.latLng(x.lat, x.lon), l = L.circleMarker(at, {radius: 12, color: '#16a085', weight: 3, fillOpacity: 0.15});
      tip(l, 'eoreTip', {name: x.name, people: x.people, rank: x.rank});
      eoreMark.addLayer(l);
      map.flyTo(at, Math.max(map.getZoom(), 14));
      l.openTooltip();
      return;
    }
    api('GET', 'api/features/' + encodeURIComponent(x.uuid)).then(function (f) {
      if (!me) return;
      eoreMark.clearLayers();
      if (!f.geometry) { if (msg) msg.innerHTML = '<p class="bad">' + s('eoreNoPlace', {name: x.name}) + '</p>'; return; }
      L.geoJSON(f, {style: function () { return {color: '#16a085', weight: 3, fillOpacity: 0.1}; },
        pointToLayer: function (ft, ll) { return L.circleMarker(ll, {radius: 12, color: '#16a085', weight: 3, fillOpacity: 0.15}); }
      }).eachLayer(function (l) {
        tip(l, 'eoreTip', {name: x.name, people: x.people, rank: x.rank});
        eoreMark.addLayer(l);
      });
      var b = eoreMark.getBounds();
      if (b.getNorthEast().equals(b.getSouthWest())) map.flyTo(b.getCenter(), Math.max(map.getZoom(), 14));
      else map.flyToBounds(b, {maxZoom: 15, padding: [20, 20]});
      eoreMark.eachLayer(function (l) { l.openTooltip(); });
    }).catch(function (e) { if (e.status !== 401 && msg) refused(msg, e); });
  }

  /* ---------------- field report ---------------- */
  var drawn = new L.FeatureGroup().addTo(map), area = null, items = [], addingItems = false;
  var itemLayer = L.layerGroup().addTo(map);
  var drawControl = new L.Control.Draw({
    draw: {polygon: {allowIntersection: false, showArea: true}, polyline: false, rectangle: false,
           circle: false, marker: false, circlemarker: false},
    edit: {featureGroup: drawn, remove: true}
  });
  map.addControl(drawControl);
  /* drawing is for reports: shown once logged in (setUser) */
  drawControl.getContainer().classList.add('hidden');
  /* Leaflet's own words on the map, the zoom buttons' and Leaflet.draw's,
   * said again at a switch of language. web/js/i18n.js puts them in
   * L.drawLocal, which a drawing tool reads as it draws and the toolbar
   * when a tool starts: the buttons already made are titled again here,
   * and the actions of a toolbar tool in use (Finish, Delete last point,
   * Cancel) made again. A drawing under way says its tooltip in the new
   * language at the pointer's next move or its next corner (on a touch
   * screen, the next corner); the edit and delete tools' tooltips keep
   * their words until the tool is next started. */
  function leafletTexts() {
    var zc = map.zoomControl && map.zoomControl.getContainer();
    [['.leaflet-control-zoom-in', 'zoomIn'], ['.leaflet-control-zoom-out', 'zoomOut']].forEach(function (b) {
      var a = zc && zc.querySelector(b[0]);
      if (a) { a.title = t(b[1]); a.setAttribute('aria-label', t(b[1])); }
    });
    var d = L.drawLocal, dc = drawControl.getContainer();
    [['.leaflet-draw-draw-polygon', d.draw.toolbar.buttons.polygon, d.draw.toolbar.buttons.polygon],
     ['.leaflet-draw-edit-edit', d.edit.toolbar.buttons.edit, d.edit.toolbar.buttons.editDisabled],
     ['.leaflet-draw-edit-remove', d.edit.toolbar.buttons.remove, d.edit.toolbar.buttons.removeDisabled]].forEach(function (b) {
      var a = dc.querySelector(b[0]);
      if (!a) return;
      a.title = a.classList.contains('leaflet-disabled') ? b[2] : b[1];
      var sr = a.querySelector('.sr-only');
      if (sr) sr.textContent = a.title;
    });
    /* (Leaflet.draw 1.0.4's toolbars and the way they make their actions) */
    Object.keys(drawControl._toolbars || {}).forEach(function (k) {
      var tb = drawControl._toolbars[k];
      if (tb._activeMode && tb._createActions) tb._createActions(tb._activeMode.handler);
    });
  }
  /* a new hazard the report proposes: its own polygon when one is drawn,
   * else the area worked (the server takes the activity's) */
  var hzDrawn = new L.FeatureGroup().addTo(map), hzArea = null, drawingHz = false;
  /* not an SHA's dashed orange: a proposal is on no layer yet */
  var HZ_STYLE = {color: '#e91e63', weight: 3, dashArray: '10 4 2 4', fillColor: '#f48fb1', fillOpacity: 0.2};
  function clearHazardProposal() {
    hzDrawn.clearLayers(); hzArea = null; drawingHz = false;
    $('r-newhz').checked = false; $('r-newhz-fields').classList.add('hidden'); $('r-hazard').disabled = false;
    $('r-hz-area').innerHTML = s('hzAreaWorked');
  }
  $('r-newhz').addEventListener('change', function () {
    var on = $('r-newhz').checked;
    $('r-newhz-fields').classList.toggle('hidden', !on);
    /* a new hazard, or an existing one worked: not both */
    $('r-hazard').disabled = on;
    if (on) $('r-hazard').value = '';
    else { hzDrawn.clearLayers(); hzArea = null; $('r-hz-area').innerHTML = s('hzAreaWorked'); }
  });
  $('r-hz-draw').addEventListener('click', function () {
    addingItems = false; I.set($('r-additems'), 'addItems'); drawingHz = true;
    new L.Draw.Polygon(map, drawControl.options.draw.polygon).enable();
  });
  $('r-hz-same').addEventListener('click', function () {
    hzDrawn.clearLayers(); hzArea = null; $('r-hz-area').innerHTML = s('hzAreaWorked');
  });
  map.on(L.Draw.Event.DRAWSTOP, function () { drawingHz = false; }); /* after CREATED, or cancelled */
  map.on(L.Draw.Event.CREATED, function (e) {
    if (creating) { newShape(e.layer); return; } /* a new row's shape, not a report's */
    if (drawingHz) {
      hzDrawn.clearLayers(); e.layer.setStyle(HZ_STYLE); hzDrawn.addLayer(e.layer); hzArea = e.layer;
      $('r-hz-area').innerHTML = s('hzOwn', {n: e.layer.getLatLngs()[0].length});
      activateTab('report');
      return;
    }
    drawn.clearLayers(); drawn.addLayer(e.layer); area = e.layer;
    $('r-area').innerHTML = s('areaDrawn', {n: e.layer.getLatLngs()[0].length});
    activateTab('report');
  });
  map.on(L.Draw.Event.DELETED, function () { area = null; $('r-area').innerHTML = s('noArea'); });
  /* a quality control inspection (of land cleared or surveyed) names the
   * task it inspects: asked only of one */
  function showInspects() { $('r-inspects-box').classList.toggle('hidden', $('r-type').value !== 'qc'); }
  $('r-type').addEventListener('change', showInspects);
  showInspects();
  $('r-draw').addEventListener('click', function () {
    addingItems = false; drawingHz = false; new L.Draw.Polygon(map, drawControl.options.draw.polygon).enable();
  });
  $('r-additems').addEventListener('click', function () {
    addingItems = !addingItems; I.set($('r-additems'), addingItems ? 'stopItems' : 'addItems');
  });
  $('r-clear').addEventListener('click', function () {
    drawn.clearLayers(); area = null; items = []; itemLayer.clearLayers(); renderItems();
    $('r-area').innerHTML = s('noArea');
    hzDrawn.clearLayers(); hzArea = null; $('r-hz-area').innerHTML = s('hzAreaWorked');
  });
  /* ---------------- safe route ---------------- */
  /* routeSeq: which search an answer is for; a new route, Clear and a
   * logout make the one under way stale (its answer came after a logout) */
  var routeLayer = L.layerGroup().addTo(map), routePts = [], routing = false, routeSeq = 0;
  var verdictColour = {low: '#1e8449', moderate: '#d68910', high: '#c0392b', blocked: '#000', unknown: '#7f8c8d'};
  $('route-btn').addEventListener('click', function () {
    routing = true; addingItems = false; routePts = []; routeLayer.clearLayers(); routeSeq++;
    $('route-info').innerHTML = s('routeStart');
  });
  $('route-clear').addEventListener('click', function () {
    routing = false; routePts = []; routeLayer.clearLayers(); routeSeq++;
    $('route-info').innerHTML = s('routeInfo');
  });
  /* the answer is under the layer list: scrolled into the panel's view */
  function routeInView() { var el = $('route-info'); if (el.scrollIntoView) el.scrollIntoView({block: 'nearest'}); }
  function routeClick(ll) {
    ll = ll.wrap(); /* a map panned past 180° gives longitudes beyond it */
    routePts.push(ll);
    L.circleMarker(ll, {radius: 6, color: '#1b4f72', fillOpacity: 1}).addTo(routeLayer);
    if (routePts.length < 2) { $('route-info').innerHTML = s('routeEnd'); return; }
    routing = false;
    $('route-info').innerHTML = s('routeSearching');
    var q = 'api/route?from=' + routePts[0].lng.toFixed(6) + ',' + routePts[0].lat.toFixed(6) +
      '&to=' + routePts[1].lng.toFixed(6) + ',' + routePts[1].lat.toFixed(6) +
      '&avoid_above=' + encodeURIComponent($('route-avoid').value || '1') +
      ($('route-avoid-hazards').checked ? '&avoid_hazards=1' : '');
    var seq = ++routeSeq;
    api('GET', q).then(function (fc) {
      if (seq !== routeSeq) return;
      var r = fc.features[0].properties;
      L.geoJSON(fc, {style: function (f) {
        return f.properties.kind === 'route' ? {color: verdictColour[r.verdict] || '#1b4f72', weight: 4}
          : {color: '#c0392b', weight: 8, opacity: 0.5};
      }, onEachFeature: function (f, l) {
        if (f.properties.kind === 'stretch')
          tip(l, 'routeStretch', {rank: f.properties.rank, from: Math.round(f.properties.from_m), to: Math.round(f.properties.to_m)});
      }}).addTo(routeLayer);
      /* the whole route in view: a detour can leave the view */
      var rb = L.featureGroup(routeLayer.getLayers()).getBounds();
      if (rb.isValid() && !map.getBounds().contains(rb)) map.fitBounds(rb, {padding: [30, 30]});
      $('route-info').innerHTML = s('routeResultH', {verdict: r.verdict, km: r.length_m / 1000, items: Number(r.expected_items),
        none: 100 * r.p_none, hz: (r.hazards_crossed || []).map(function (h) {
          return {ref: h.ref || '', status: h.status, len: Math.round(h.length_m), from: Math.round(h.from_m)};
        })});
      routeInView();
    }).catch(function (e) {
      if (seq !== routeSeq || e.status === 401) return;
      $('route-info').innerHTML = '<span class="bad">' + esc(e.message) + '</span>'; routeInView();
    });
  }
  map.on('click', function (e) {
    if (routing) { routeClick(e.latlng); return; }
    if (!addingItems) return;
    var ll = e.latlng.wrap();
    items.push({category: 'AP', model: '', lon: ll.lng, lat: ll.lat});
    renderItems();
  });
  /* the table of items and their marks on the map, numbered alike (an item
   * taken out of the table stayed on the map) */
  function renderItems() {
    itemLayer.clearLayers();
    items.forEach(function (it, i) {
      tip(L.circleMarker([it.lat, it.lon], {radius: 5, color: '#8e44ad', className: 'report-item'}), 'item', {n: i + 1})
        .addTo(itemLayer);
    });
    var cats = ['AP', 'AT', 'UXO', 'AXO', 'IED', 'SUB', 'other'];
    $('r-items').querySelector('tbody').innerHTML = items.map(function (it, i) {
      return '<tr><td>' + (i + 1) + '</td><td><select data-i="' + i + '" data-k="category">' + cats.map(function (c) {
        return '<option' + (c === it.category ? ' selected' : '') + '>' + c + '</option>'; }).join('') + '</select></td>' +
        '<td><input data-i="' + i + '" data-k="model" size="8" value="' + esc(it.model) + '"></td>' +
        '<td>' + it.lon.toFixed(5) + ', ' + it.lat.toFixed(5) + '</td>' +
        '<td><button type="button" data-del="' + i + '">×</button></td></tr>';
    }).join('');
    Array.prototype.forEach.call($('r-items').querySelectorAll('[data-k]'), function (el) {
      el.addEventListener('change', function () { items[+el.getAttribute('data-i')][el.getAttribute('data-k')] = el.value; });
    });
    Array.prototype.forEach.call($('r-items').querySelectorAll('[data-del]'), function (el) {
      el.addEventListener('click', function () { items.splice(+el.getAttribute('data-del'), 1); renderItems(); });
    });
  }
  $('report-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var props = {};
    ['activity_type', 'ref', 'hazard_id', 'start_date', 'end_date', 'method', 'area_cleared_ha', 'notes'].forEach(function (k) {
      var el = $('report-form').elements[k]; if (el && el.value !== '') props[k] = el.value;
    });
    /* the task a quality control inspection checks: only an inspection's */
    if (props.activity_type === 'qc' && $('r-inspects').value.trim() !== '') props.inspects_id = $('r-inspects').value.trim();
    if (!area) { $('r-msg').innerHTML = '<span class="bad">' + s('drawFirst') + '</span>'; return; }
    if (props.area_cleared_ha !== undefined && !(REAL.test(props.area_cleared_ha.trim()) && Number(props.area_cleared_ha) >= 0)) {
      $('r-msg').innerHTML = '<span class="bad" id="r-bad">' + s('badCleared') + '</span>';
      $('r-cleared').focus(); return;
    }
    var body = {activity: {type: 'Feature', properties: props, geometry: area.toGeoJSON().geometry},
      items: items.map(function (it) {
        var p = {category: it.category}; if (it.model) p.model = it.model;
        return {type: 'Feature', properties: p, geometry: {type: 'Point', coordinates: [it.lon, it.lat]}};
      })};
    if ($('r-newhz').checked) {
      delete props.hazard_id;
      var hp = {hazard_type: $('r-hz-type').value};
      [['name', 'r-hz-name'], ['ordnance', 'r-hz-ordnance'], ['ref', 'r-hz-ref']].forEach(function (kv) {
        var v = $(kv[1]).value.trim(); if (v) hp[kv[0]] = v;
      });
      body.hazard = {type: 'Feature', properties: hp, geometry: hzArea ? hzArea.toGeoJSON().geometry : null};
    }
    $('r-msg').innerHTML = ''; /* the word on the report sent before is not this one's */
    api('POST', 'api/reports', body).then(function (r) {
      $('r-msg').innerHTML = '<span class="ok" id="r-ok">' + s('reportStored', {uuid: r.uuid, n: r.items, hz: !!r.proposes_hazard}) +
        '</span>';
      drawn.clearLayers(); area = null; items = []; itemLayer.clearLayers(); renderItems(); reloadAll(); loadMyReports();
      if (r.proposes_hazard) { clearHazardProposal(); ['r-hz-name', 'r-hz-ordnance', 'r-hz-ref'].forEach(function (k) { $(k).value = ''; }); }
    }).catch(function (e) { $('r-msg').innerHTML = '<span class="bad">' + esc(e.message) + '</span>'; });
  });

  /* ---------------- our reports ---------------- */
  /* the reports of the user's organisation (a field user reads no other's),
   * newest first, with their review state and, for a rejected one, the
   * reviewer's reason (it was only in the change log of an activity hidden
   * from the map). The organisation's imported activities (approved, never
   * reviewed) are not reports and are left out. A click zooms to one. */
  var myrSeq = 0, MYR_EMPTY = function () { return '<p class="hint">' + s('myrHint') + '</p>'; };
  /* The list is asked newest first, a page at a time, up to cap activities
   * at once (each page of 1000 is some 0.5 s and 0.7 MB): what was sent
   * last is always listed, and when the organisation's past holds more
   * (imported activities, years of reports), the list says how many of how
   * many it shows and offers the older ones, cap more a press. */
  var myrLimits = {page: 1000, cap: 2000}, myrAll = [], myrNext = null, myrTotal = 0;
  function loadMyReports(older) {
    if (!me) return;
    var seq = ++myrSeq, all = older ? myrAll.slice() : [], next = older ? myrNext : 0, total = older ? myrTotal : 0;
    var upto = all.length + myrLimits.cap;
    var page = function (offset) {
      return api('GET', 'api/reports?status=all&mine=1&order=newest&limit=' + myrLimits.page + '&offset=' + offset).then(function (fc) {
        all = all.concat(fc.features); total = fc.total; next = fc.next_offset || null;
        return next && all.length < upto ? page(next) : null;
      });
    };
    if (me.organisation) I.set($('myr-title'), 'ourReportsOf', {org: me.organisation}); else I.set($('myr-title'), 'ourReports');
    if (older) $('myr-older').disabled = true;
    page(next).then(function () {
      if (!me || seq !== myrSeq) return; /* logged out, or asked again meanwhile */
      myrAll = all; myrNext = next; myrTotal = total;
      var reps = all.filter(function (f) {
        return f.review || f.properties.status === 'draft' || f.properties.status === 'rejected';
      });
      /* not all listed: said, with a button for the older ones */
      var cut = next ? {n: all.length, total: total} : {};
      var more = !next ? '' : '<p class="hint" id="myr-more">' + s('myrMoreH', {n: all.length, total: total, org: me.organisation || ''}) +
        '<button type="button" id="myr-older"' + I.attrs('myrOlder') + '>' + esc(t('myrOlder')) + '</button></p>';
      var bindMore = function () { if (next) $('myr-older').addEventListener('click', function () { loadMyReports(true); }); };
      $('myr-top').classList.add('hidden');
      if (!reps.length) {
        $('myreports').innerHTML = '<p class="hint" id="myr-empty">' + (!me.organisation ? s('myrNoOrg') :
          next ? s('myrNone', {org: me.organisation, cut: cut}) : s('myrNoneYet', {org: me.organisation})) +
          '</p>' + more;
        bindMore();
        return;
      }
      var n = {draft: 0, approved: 0, rejected: 0};
      reps.forEach(function (f) { n[f.properties.status || 'approved']++; });
      /* said above the form too: the list is below it, out of view */
      $('myr-top').innerHTML = '<a href="#myr-title" id="myr-jump"' + I.attrs('ourReports') + '>' + esc(t('ourReports')) + '</a>: ' +
        s('myrTopH', {rejected: n.rejected, draft: n.draft, cut: cut});
      $('myr-top').classList.remove('hidden');
      $('myreports').innerHTML = '<p class="hint" id="myr-summary">' + s('myrSummary', {n: reps.length, cut: cut, draft: n.draft,
        approved: n.approved, rejected: n.rejected}) + '</p>' +
        reps.map(function (f) {
          var p = f.properties, st = p.status || 'approved', r = f.review;
          var dates = p.start_date && p.end_date && p.start_date !== p.end_date ? p.start_date + ' – ' + p.end_date
            : (p.end_date || p.start_date || '');
          return '<div class="card myr myr-' + esc(st) + '" data-myr="' + esc(f.id) + '" tabindex="0" role="button">' +
            '<span class="st st-' + esc(st) + '"' + I.attrs('st', {st: st}) + '>' + esc(t('st', {st: st})) + '</span> ' +
            '<b>' + s('val', {v: p.activity_type}) + '</b> ' + esc(p.ref || '') + (dates ? ' · ' + esc(dates) : '') +
            '<div class="hint">' + s('sentBy', {who: f.submitted_by || p.author, date: String(p.created || '').slice(0, 10),
              r: r ? r.status : '', by: r ? r.by : '', on: r ? String(r.time || '').slice(0, 10) : ''}) + '</div>' +
            (r && r.reason ? '<div class="why">' + s('why', {rejected: r.status === 'rejected'}) + esc(r.reason) + '</div>' : '') +
            (f.proposes_hazard ? '<div class="newhz-note"><span class="newhz"' + I.attrs('newHazard') + '>' + esc(t('newHazard')) +
              '</span> ' + s('prop', {s: f.proposal_status}) + '</div>' : '') +
            /* a draft sent by mistake: its sender (or a reviewer) takes it back */
            (st === 'draft' && (isAnalyst() || (f.submitted_by && f.submitted_by === me.user)) ?
              '<div class="myr-wd"><button type="button" class="reject" data-withdraw="' + esc(f.id) + '"' + I.attrs('withdraw') + '>' +
              esc(t('withdraw')) + '</button></div>' : '') +
            '<div class="msg"></div></div>';
        }).join('') + more;
      bindMore();
      Array.prototype.forEach.call($('myreports').querySelectorAll('[data-myr]'), function (card) {
        var go = function (ev) { if (!ev.target.closest('.myr-wd')) showMyReport(card); };
        card.addEventListener('click', go);
        card.addEventListener('keydown', function (ev) {
          if (ev.target === card && (ev.key === 'Enter' || ev.key === ' ')) { ev.preventDefault(); go(ev); }
        });
        var wd = card.querySelector('[data-withdraw]');
        if (wd) wd.addEventListener('click', function () { askWithdraw(card); });
      });
    }).catch(function (e) {
      if (seq === myrSeq && e.status !== 401) $('myreports').innerHTML = '<p class="bad">' + esc(e.message) + '</p>';
    });
  }
  /* withdrawing a draft: a reason, then POST api/reports/{id}/withdraw; the
   * change log keeps the report (an analyst can restore it) */
  function askWithdraw(card) {
    var box = card.querySelector('.myr-wd'), id = card.getAttribute('data-myr');
    box.innerHTML = '<form class="myr-wd-form"><label>' + s('withdrawWhy') + ' <input name="reason" class="myr-wd-reason"' +
      I.attr('placeholder', 'withdrawPh') + '></label><div class="row"><button type="submit" class="reject"' + I.attrs('withdrawReport') + '>' +
      esc(t('withdrawReport')) + '</button><button type="button" class="myr-wd-cancel"' + I.attrs('cancel') + '>' + esc(t('cancel')) +
      '</button></div></form>';
    var form = box.querySelector('form'), msg = card.querySelector('.msg');
    form.elements.reason.focus();
    box.querySelector('.myr-wd-cancel').addEventListener('click', function () { loadMyReports(); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var why = form.elements.reason.value.trim();
      if (!why) { msg.innerHTML = '<span class="bad">' + s('reasonNeeded') + '</span>'; return; }
      api('POST', 'api/reports/' + encodeURIComponent(id) + '/withdraw', {reason: why}).then(function (r) {
        $('r-msg').innerHTML = '<span class="ok" id="r-withdrawn">' + s('withdrawn', {uuid: r.uuid, n: r.items}) + '</span>';
        preview.clearLayers(); loadMyReports();
        if (isAnalyst()) loadReview();
      }).catch(function (e) { if (e.status !== 401) msg.innerHTML = '<span class="bad">' + esc(e.message) + '</span>'; });
    });
  }
  /* a report of the list on the map: its area and items (a draft or a
   * rejected one is on no layer), the view fitted to them */
  $('myr-top').addEventListener('click', function (ev) {
    if (ev.target.id !== 'myr-jump') return;
    ev.preventDefault(); $('myr-title').scrollIntoView({block: 'start'});
  });
  function showMyReport(card) {
    var msg = card.querySelector('.msg');
    msg.textContent = '';
    Array.prototype.forEach.call($('myreports').querySelectorAll('.myr.sel'), function (c) { c.classList.remove('sel'); });
    card.classList.add('sel');
    api('GET', 'api/reports/' + encodeURIComponent(card.getAttribute('data-myr'))).then(function (r) {
      if (!me || !card.isConnected) return;
      preview.clearLayers(); preview.addData(r.activity); preview.addData(r.items); addProposal(r);
      var b = preview.getBounds();
      if (b.isValid()) map.fitBounds(b, {maxZoom: 16, padding: [20, 20]});
      else msg.innerHTML = '<span class="hint">' + s('noAreaToShow') + '</span>';
    }).catch(function (e) {
      if (e.status !== 401) msg.innerHTML = '<span class="bad">' + esc(e.message) + '</span>';
    });
  }

  /* ---------------- review queue ---------------- */
  /* The queue is asked again on opening the tab and after each decision. An
   * answer updates the cards in place rather than writing them anew: a card
   * written anew lost the reason being typed on it, and a decision answered
   * after the queue was redrawn said its word on a card no longer shown (the
   * click seemed to do nothing). A card being decided, or decided here since
   * the tab was opened, stays with the word on it; an answer to an older
   * request is not shown. */
  var reviewSeq = 0;
  function reviewCard(f, analyst) {
    var p = f.properties, box = document.createElement('div');
    var btn = function (attrs, key) { return '<button type="button" ' + attrs + I.attrs(key) + '>' + esc(t(key)) + '</button>'; };
    box.innerHTML = '<div class="card" data-report="' + esc(f.id) + '"><b>' + s('val', {v: p.activity_type}) + '</b> ' + esc(p.ref || '') +
      s('cardBy', {org: p.organisation || '', who: f.submitted_by || p.author, when: p.created}) +
      (p.area_cleared_ha ? '<br>' + s('cardCleared', {ha: p.area_cleared_ha}) : '') +
      (f.proposes_hazard ? '<div class="newhz-note"><span class="newhz"' + I.attrs('newHazard') + '>' + esc(t('newHazard')) + '</span> ' +
        s('cardNewHz') + '</div>' : '') +
      '<div class="row">' + btn('data-show="' + esc(f.id) + '"', 'show') +
      (analyst ? btn('class="approve" data-approve="' + esc(f.id) + '"', 'approve') +
        btn('class="reject" data-reject="' + esc(f.id) + '"', 'reject') : '') + '</div>' +
      (analyst ? '<input' + I.attr('placeholder', 'reasonReject') + ' data-reason="' + esc(f.id) + '">' : '') +
      '<div class="msg"></div></div>';
    var card = box.firstChild;
    wireReviewCard(card);
    return card;
  }
  function loadReview(opened) {
    if (!me) return;
    var seq = ++reviewSeq;
    api('GET', 'api/reports?status=draft').then(function (fc) {
      if (!me || seq !== reviewSeq) return; /* logged out, or asked again meanwhile */
      var q = $('review'), had = {}, keep = {}, analyst = me.role === 'analyst' || me.role === 'admin';
      Array.prototype.forEach.call(q.querySelectorAll('.card[data-report]'), function (c) {
        had[c.getAttribute('data-report')] = c;
        if (c.classList.contains('deciding') || (c.classList.contains('answered') && !opened)) keep[c.getAttribute('data-report')] = c;
      });
      var listed = {};
      fc.features.forEach(function (f) { listed[f.id] = true; });
      /* in the queue's order; a card shown already stays where it is (a card
       * moved loses the focus of the reason being typed), and one decided
       * here keeps its place */
      var aside = function (n) {
        while (n && n.nodeType === 1 && keep[n.getAttribute('data-report')] === n && !listed[n.getAttribute('data-report')]) n = n.nextSibling;
        return n;
      };
      var at = null;
      fc.features.forEach(function (f) {
        var c = had[f.id];
        if (c && c.classList.contains('answered') && !keep[f.id]) c = null; /* the tab opened again: a new card */
        if (!c) c = reviewCard(f, analyst);
        keep[f.id] = c;
        var next = aside(at ? at.nextSibling : q.firstChild);
        if (c !== next) q.insertBefore(c, next);
        at = c;
      });
      Array.prototype.slice.call(q.childNodes).forEach(function (c) {
        var id = c.nodeType === 1 && c.getAttribute('data-report');
        if (!id || keep[id] !== c) q.removeChild(c);
      });
      if (!fc.features.length) q.insertAdjacentHTML('beforeend', '<p class="hint" id="review-empty">' + s('noWaiting') + '</p>');
    }).catch(function (e) { if (e.status !== 401 && seq === reviewSeq) $('review').textContent = e.message; });
  }
  /* a report on the map: its area and items in purple, the hazard it
   * proposes in dashed pink (not on the hazards layer until approved) */
  var preview = L.geoJSON(null, {style: function (f) {
    return f.properties && f.properties.proposed_hazard ? Object.assign({className: 'proposed-hazard'}, HZ_STYLE)
      : {color: '#8e44ad', weight: 3};
  }, pointToLayer: function (f, ll) {
    return L.circleMarker(ll, {radius: 6, color: '#8e44ad'}); }}).addTo(map);
  function addProposal(r) {
    var h = r.proposed_hazard;
    if (!h || !h.geometry) return;
    var p = h.properties || {};
    var what = r.proposal_status === 'applied' || r.proposal_status === 'rejected' ? r.proposal_status : 'pending';
    preview.addData({type: 'Feature', geometry: h.geometry, properties: {proposed_hazard: true}});
    var layers = preview.getLayers(), l = layers[layers.length - 1];
    tip(l, 'hzTooltip', {ref: p.ref || p.name || '', type: p.hazard_type || '',
      ha: p.est_area_ha != null ? Number(p.est_area_ha) : null, s: what});
    return l;
  }
  function wireReviewCard(card) {
    var msg = card.querySelector('.msg');
    Array.prototype.forEach.call(card.querySelectorAll('[data-show]'), function (b) {
      b.addEventListener('click', function () {
        msg.textContent = '';
        api('GET', 'api/reports/' + b.getAttribute('data-show')).then(function (r) {
          if (!me) return; /* logged out meanwhile */
          preview.clearLayers(); preview.addData(r.activity); preview.addData(r.items);
          if (addProposal(r)) {
            var p = r.proposed_hazard.properties || {};
            msg.innerHTML = '<span class="newhz-note" id="review-newhz">' + s('approvingH', {ref: p.ref || p.name || '',
              type: p.hazard_type, ha: p.est_area_ha != null ? Number(p.est_area_ha) : null}) + '</span>';
          }
          try { map.fitBounds(preview.getBounds(), {maxZoom: 16}); } catch (e) { /* no geometry */ }
        }).catch(function (e) {
          /* a 401 brings the login form back; anything else is said on the card */
          if (e.status !== 401) msg.innerHTML = '<span class="err">' + esc(e.message) + '</span>';
        });
      });
    });
    ['approve', 'reject'].forEach(function (what) {
      Array.prototype.forEach.call(card.querySelectorAll('[data-' + what + ']'), function (b) {
        b.addEventListener('click', function () {
          var id = b.getAttribute('data-' + what), input = card.querySelector('[data-reason]');
          var reason = input.value;
          if (card.classList.contains('deciding')) return; /* asked already */
          if (what === 'reject' && !reason.trim()) { /* said here, not as the server's JSON hint */
            msg.innerHTML = '<span class="bad">' + s('rejectFirst') + '</span>';
            input.focus();
            return;
          }
          var runs = refreshRuns;
          card.classList.add('deciding');
          api('POST', 'api/reports/' + id + '/' + what, {reason: reason}).then(function (r) {
            /* decided: the card stays, with the word on it, until the tab is opened again */
            card.classList.add('decided', 'answered');
            Array.prototype.forEach.call(card.querySelectorAll('[data-approve], [data-reject]'), function (x) { x.disabled = true; });
            input.readOnly = true;
            msg.innerHTML = '<span class="ok">' + s('decided', {what: what, hz: !!(r && r.created_hazard)}) + '</span>';
            preview.clearLayers(); reloadAll();
            if (r && r.risk_refresh) pollRefresh(runs); /* the approval is new evidence */
          }).catch(function (e) {
            /* refused (decided by another meanwhile, say): the card stays with why */
            if (e.status !== 401) { card.classList.add('answered'); msg.innerHTML = '<span class="bad">' + esc(e.message) + '</span>'; }
          }).then(function () { card.classList.remove('deciding'); loadReview(); });
        });
      });
    });
  }

  /* ---------------- risk map refresh (analysts) ---------------- */
  var refreshTimer = null, refreshRuns = 0;
  function showRefresh(s) {
    var m = $('risk-refresh-msg');
    refreshRuns = s.runs;
    if (s.running || s.queued) m.innerHTML = I.s('refreshing');
    else if (!s.runs) m.innerHTML = I.s('notRefreshed');
    else if (s.ok) m.innerHTML = I.s('refreshed', {finished: s.finished, evidence: s.evidence, hazards: s.hazards_updated,
      seconds: s.seconds, spots: s.spots ? s.spots.labelled : 0, moved: movedMost(s.changes)});
    else m.innerHTML = I.s('refreshFailed', {e: s.error});
  }
  /* what the new evidence did: the hazards whose probability of holding
   * anything moved most (at most five of those the service names), as
   * percentages with a decimal below 10 % */
  function movedMost(changes) {
    return (changes || []).slice(0, 5).map(function (c) {
      return {ref: c.ref || c.uuid.slice(0, 8), a: 100 * c.p_before, da: c.p_before < 0.1 ? 1 : 0,
              b: 100 * c.p_after, db: c.p_after < 0.1 ? 1 : 0};
    });
  }
  /* poll until a run after `before` has finished, then show the new map */
  function pollRefresh(before) {
    clearTimeout(refreshTimer);
    api('GET', 'api/risk/refresh').then(function (s) {
      showRefresh(s);
      if (s.running || s.queued || s.runs <= before) {
        refreshTimer = setTimeout(function () { pollRefresh(before); }, 1000);
        return;
      }
      /* again once each worker has looked at the file (every 2 s) */
      if (s.ok) { loadRiskMap(); setTimeout(loadRiskMap, 2500); reloadAll(); }
    }).catch(function () { /* logged out */ });
  }
  $('risk-refresh-btn').addEventListener('click', function () {
    var before = refreshRuns;
    api('POST', 'api/risk/refresh').then(function () { pollRefresh(before); })
      .catch(function (e) { $('risk-refresh-msg').textContent = e.message; });
  });

  /* ---------------- session ---------------- */
  function setUser(u) {
    if (u || me) sessionNo++; /* answers to what was asked before are of another session */
    me = u;
    sessionHint(!!u);
    clearInterval(riskTimer); riskTimer = null;
    if (!u) {
      /* nothing protected stays on screen or keeps asking */
      clearTimeout(refreshTimer); riskVersion = null; riskAsked = false; showRisk();
      preview.clearLayers(); routeLayer.clearLayers(); routing = false; routeSeq++;
      /* nor what was said of them: the route's verdict and the hazards it
       * enters, the report just stored */
      $('route-info').innerHTML = s('routeInfo');
      $('r-msg').innerHTML = '';
      /* the report and review tabs go with their buttons */
      if (!$('tab-layers').classList.contains('active') && !$('tab-stats').classList.contains('active')) activateTab('layers');
      $('details').innerHTML = '<p class="hint">' + s('detailsHint') + '</p>';
      $('stats').innerHTML = '<p class="hint">' + s('statsHint') + '</p>';
      qcSeq++; eoreSeq++; $('qc').innerHTML = ''; $('eore').innerHTML = ''; eoreMark.clearLayers();
      $('review').innerHTML = '<p class="hint">' + s('reviewHint') + '</p>';
      myrSeq++; reviewSeq++; myrAll = []; myrNext = null; $('myreports').innerHTML = MYR_EMPTY(); I.set($('myr-title'), 'ourReports');
      $('myr-top').classList.add('hidden'); $('myr-top').innerHTML = '';
    }
    $('login').classList.toggle('hidden', !!u);
    $('login-hint').classList.toggle('hidden', !!u);
    drawControl.getContainer().classList.toggle('hidden', !u);
    $('who').classList.toggle('hidden', !u);
    $('who-name').innerHTML = u ? s('who', {user: u.user, role: u.role, org: u.organisation || ''}) : '';
    $('tab-report-btn').classList.toggle('hidden', !u);
    $('tab-review-btn').classList.toggle('hidden', !u);
    $('stats-more').classList.toggle('hidden', !u);
    var analyst = !!u && (u.role === 'analyst' || u.role === 'admin');
    $('risk-refresh').classList.toggle('hidden', !analyst);
    if (analyst) api('GET', 'api/risk/refresh').then(showRefresh).catch(function () {});
    if (!u) {
      readable = {}; writableLayers = {}; fieldsOf = {}; geomOf = {}; defs.forEach(function (d) { groups[d.name].clearLayers(); });
      closeNew(); fillNewLayers(); buildLayerList(); return;
    }
    $('login-msg').textContent = '';
    riskTimer = setInterval(loadRiskMap, 30000);
    /* the statistics tab left open at the logout (or before the login) */
    if ($('tab-stats').classList.contains('active')) loadStats();
    api('GET', 'api/layers').then(function (ls) {
      if (me !== u) return;
      readable = {}; writableLayers = {}; fieldsOf = {}; geomOf = {};
      ls.forEach(function (l) {
        readable[l.name] = true; writableLayers[l.name] = !!l.writable; fieldsOf[l.name] = l.fields || []; geomOf[l.name] = l.geometry;
      });
      fillNewLayers();
      fitToData(ls);
      buildLayerList(); /* loads the layers turned on (a reloadAll too asked each twice) */
      loadRiskMap();
    }).catch(function () {});
  }
  /* The map opens on the demo's place; a database of elsewhere showed an
   * empty map until the user found its data. At the first login of the page
   * the view goes to the data (the layers' bounds), and at a later one only
   * when the view holds none of it. */
  var fittedOnce = false;
  function fitToData(ls) {
    var b = null;
    ls.forEach(function (l) {
      if (!l.bbox) return;
      var lb = L.latLngBounds([l.bbox[1], l.bbox[0]], [l.bbox[3], l.bbox[2]]);
      if (b) b.extend(lb); else b = lb;
    });
    if (b && b.isValid() && (!fittedOnce || !map.getBounds().intersects(b))) {
      quietMove = true; /* Leaflet ends an unanimated move at once */
      map.fitBounds(b, {maxZoom: 15, padding: [20, 20], animate: false});
      quietMove = false;
    }
    fittedOnce = true;
  }
  /* a 401 from any request but the login: back to the login form */
  function sessionLost() {
    if (!me) { sessionHint(false); return; }
    setUser(null);
    $('login-msg').innerHTML = s('sessionEnded');
  }
  /* A login the server is too busy to check (503: it is checking the
   * passwords of other logins, or the database is locked; nothing was
   * checked) is sent again by itself after its Retry-After, saying so, at
   * most LOGIN_RETRIES times. A change to the form (or another press of the
   * button) ends the waiting, so that what is sent is what the form holds;
   * a 429 (too many failed logins) is never sent again by itself. */
  var LOGIN_RETRIES = 5, loginTry = null; /* {n, timer, changed} of the login under way */
  function retrySeconds(v) {
    var s = parseInt(v, 10);
    if (!(s >= 1)) s = 2;                  /* none, or not a number of seconds */
    return Math.min(s, 30);
  }
  function sendLogin(user, pw, n) {
    var mine = loginTry = {n: n, timer: null, changed: false};
    api('POST', 'api/login', {user: user, password: pw}).then(function (r) {
      if (loginTry !== mine) return;       /* sent again since */
      loginTry = null;
      $('login-pass').value = ''; setUser(r);
    }).catch(function (e) {
      if (loginTry !== mine) return;
      if (e.status === 503 && !mine.changed && n < LOGIN_RETRIES) {
        var s = retrySeconds(e.retryAfter);
        $('login-msg').innerHTML = I.s('loginWait', {e: e.message, s: s, n: n + 1, max: LOGIN_RETRIES});
        mine.timer = setTimeout(function () { if (loginTry === mine) sendLogin(user, pw, n + 1); }, s * 1000);
        return;
      }
      loginTry = null;
      if (e.status !== 503) $('login-msg').textContent = e.message;
      else $('login-msg').innerHTML = mine.changed ? I.s('loginChanged', {e: e.message}) : I.s('loginGaveUp', {e: e.message, n: n + 1});
    });
  }
  $('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (loginTry) clearTimeout(loginTry.timer);
    $('login-msg').textContent = '';
    sendLogin($('login-user').value, $('login-pass').value, 0);
  });
  /* typing while a login waits to be sent again: it is not */
  $('login').addEventListener('input', function () {
    if (!loginTry) return;
    loginTry.changed = true;
    if (loginTry.timer === null) return;  /* asked: its answer is awaited */
    clearTimeout(loginTry.timer); loginTry = null;
    $('login-msg').innerHTML = s('loginNotSent');
  });
  /* a draft being written, left to the next user of this browser: gone at a
   * logout (not when a session ends by itself: it is sent after logging in again) */
  function clearDraft() {
    $('report-form').reset(); drawn.clearLayers(); area = null; items = []; itemLayer.clearLayers(); renderItems();
    clearHazardProposal();
    addingItems = false; I.set($('r-additems'), 'addItems'); $('r-area').innerHTML = s('noArea');
  }
  $('logout-btn').addEventListener('click', function () {
    api('POST', 'api/logout').catch(function () {}).then(function () { clearDraft(); setUser(null); });
  });
  /* on load, the session this browser holds: a 401 ends it; a server that
   * does not answer (restarting, unreachable, a 5xx) does not: the page says
   * so and asks again every 3 s, and the session comes back with the server */
  var resumeTimer = null;
  function resume() {
    resumeTimer = null;
    api('GET', 'api/me').then(setUser).catch(function (e) {
      setUser(null);
      if (e.status === 401 || e.status === 403) return;
      sessionHint(true);
      $('login-msg').innerHTML = s('noAnswer', {e: e.message});
      resumeTimer = setTimeout(resume, 3000);
    });
  }
  $('login').addEventListener('submit', function () { clearTimeout(resumeTimer); resumeTimer = null; });
  if (sessionHint()) resume();
  else setUser(null);
  /* a switch of language: the map's tooltips said again (the page's texts
   * are, by web/js/i18n.js) */
  I.onChange(function () {
    leafletTexts();
    map.eachLayer(function (l) {
      if (l.demineTip && l.getTooltip && l.getTooltip()) l.setTooltipContent(I.h(l.demineTip[0], l.demineTip[1]));
    });
  });
  /* (myReports: the list's page and cap, which the browser tests lower) */
  window.demine = {map: map, groups: groups, reload: reloadAll, riskMap: loadRiskMap, myReports: myrLimits};
})();
