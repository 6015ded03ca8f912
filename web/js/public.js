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
         zone: 'Təhlükəli ərazi', error: 'Xəta: cavab alınmadı'},
    en: {title: 'Is this place dangerous?',
         intro: 'Tap or click a place on the map: we will tell you how close it is to a known dangerous area.',
         rules: 'Safety rules',
         legend: 'Red areas: places where mines and unexploded ordnance may be (with a safety margin).',
         emergency: 'Emergency', distance: 'Distance to the nearest dangerous area, about', m: 'm',
         zone: 'Dangerous area', error: 'Error: no answer'}
  };
  var lang = (navigator.language || '').slice(0, 2) === 'en' ? 'en' : 'az';
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
    document.getElementById('messages').innerHTML = messages.filter(function (m) {
      return m.id === 'touch' || m.id === 'signs'; }).map(function (m) { return '<li>' + esc(m[l]) + '</li>'; }).join('');
    if (last) show(last);
  }
  document.getElementById('lang-az').addEventListener('click', function () { setLang('az'); });
  document.getElementById('lang-en').addEventListener('click', function () { setLang('en'); });

  var map = L.map('map').setView([39.9, 46.9], 11);
  L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {maxZoom: 18, attribution: '&copy; OpenStreetMap'}).addTo(map);
  var zones = L.geoJSON(null, {style: {color: '#922b21', weight: 2, fillColor: '#e74c3c', fillOpacity: 0.45},
    onEachFeature: function (f, l) { l.bindTooltip(function () { return T[lang].zone; }); }}).addTo(map);
  fetch('api/public/danger').then(function (r) { return r.json(); }).then(function (fc) {
    zones.addData(fc);
    if (fc.features.length) map.fitBounds(zones.getBounds(), {maxZoom: 14});
  });
  fetch('api/public/messages').then(function (r) { return r.json(); }).then(function (m) { messages = m; setLang(lang); });
  var marker = null;
  function show(r) {
    var el = document.getElementById('answer');
    el.className = 'answer ' + r.level;
    el.innerHTML = esc(r.message[lang]) + (r.distance_m !== null && r.level !== 'danger'
      ? '<br><span class="small">' + esc(T[lang].distance) + ' ' + esc(r.distance_m) + ' ' + T[lang].m + '</span>' : '');
  }
  map.on('click', function (e) {
    if (marker) map.removeLayer(marker);
    marker = L.circleMarker(e.latlng, {radius: 7, color: '#1b4f72'}).addTo(map);
    fetch('api/public/check?lon=' + e.latlng.lng.toFixed(6) + '&lat=' + e.latlng.lat.toFixed(6))
      .then(function (r) { return r.json(); }).then(function (r) { last = r; show(r); })
      .catch(function () { document.getElementById('answer').textContent = T[lang].error; });
  });
  setLang(lang);
})();
