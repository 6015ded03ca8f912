/* SPDX-License-Identifier: MIT
 * i18n.js -- the staff web map's own texts (web/index.html, web/js/app.js)
 * in English and Azerbaijani, the choice of language and its switch. Loaded
 * before app.js, as window.demineI18n. A text the page writes is marked
 * with its key (data-i18n, and its values in data-i18n-a), so that the
 * EN/AZ switch says it again in the other language where it stands, forms
 * half filled in and all. What the server says (its JSON `error` texts) and
 * the data (refs, names, field names) are shown as they are.
 */
'use strict';
window.demineI18n = (function () {
  /* Azerbaijani values of the data's lists, as the XLSForm labels them
   * (src/lib/io/form.c, values[]): the same thing has the same name in the
   * forms, the public map and here. */
  var VAL_AZ = {national: 'Milli qurum', ngo: 'Qeyri-hökumət təşkilatı', commercial: 'Kommersiya şirkəti',
    military: 'Hərbi qurum', un: 'BMT', other: 'Digər', unknown: 'Məlum deyil',
    SHA: 'Şübhəli təhlükəli ərazi (SHA)', CHA: 'Təsdiqlənmiş təhlükəli ərazi (CHA)', open: 'Açıq',
    partly_released: 'Qismən azad edilib', closed: 'Bağlanıb', handed_over: 'Təhvil verilib',
    AP: 'Piyada əleyhinə mina (AP)', AT: 'Tank əleyhinə mina (AT)', UXO: 'Partlamamış hərbi sursat (UXO)',
    AXO: 'Tərk edilmiş partlayıcı sursat (AXO)', IED: 'Əldəqayırma partlayıcı qurğu (IED)',
    SUB: 'Kaset sursatının elementi (SUB)', A: 'A: tam etibarlı', B: 'B: adətən etibarlı',
    C: 'C: kifayət qədər etibarlı', D: 'D: adətən etibarsız', E: 'E: etibarsız',
    F: 'F: etibarlılığı qiymətləndirilə bilməz', M1: 'M1: yoxlanılmış', M4: 'M4: bildirilmiş',
    nts: 'Qeyri-texniki tədqiqat', ts: 'Texniki tədqiqat', clearance: 'Təmizləmə',
    eod: 'Partlayıcı sursatın zərərsizləşdirilməsi (EOD)', bac: 'Döyüş ərazisinin təmizlənməsi',
    completion: 'Tamamlanma', handover: 'Təhvil', qc: 'Keyfiyyətə nəzarət (təmizləmədən sonra yoxlama)', manual: 'Əl ilə', mechanical: 'Mexaniki',
    dogs: 'Mina axtaran itlər', drone: 'Dron', magnetometer: 'Maqnitometr', visual: 'Vizual',
    interview: 'Müsahibə', records: 'Sənədlər', draft: 'Qaralama', approved: 'Təsdiqlənib',
    rejected: 'Rədd edilib', cancelled: 'Ləğv edilib', reduced: 'Azaldılıb', cleared: 'Təmizlənib',
    armed: 'Döyüş vəziyyətində', unarmed: 'Döyüş vəziyyətində deyil', damaged: 'Zədələnib',
    destroyed_in_situ: 'Yerində məhv edilib', removed: 'Götürülüb', demolished: 'Partladılıb',
    stored: 'Anbara verilib', female: 'Qadın', male: 'Kişi', child: 'Uşaq', adult: 'Yetkin', elderly: 'Yaşlı',
    civilian: 'Mülki şəxs', deminer: 'Minaaxtaran', killed: 'Həlak olub', injured: 'Yaralanıb', road: 'Yol',
    track: 'Cığır', building: 'Bina', house: 'Ev', bridge: 'Körpü', cemetery: 'Qəbiristanlıq', river: 'Çay',
    canal: 'Kanal', settlement: 'Yaşayış məntəqəsi', front_line: 'Cəbhə xətti', military_position: 'Hərbi mövqe',
    farmland: 'Əkin sahəsi', pasture: 'Otlaq', irrigation: 'Suvarma', school: 'Məktəb',
    infrastructure: 'İnfrastruktur', accident: 'Hadisə', item: 'Tapılmış sursat', suspected: 'Şübhəli yer',
    report: 'Məlumat', detection: 'Aşkarlama', rgb: 'RGB kamera', multispectral: 'Multispektral kamera',
    thermal: 'Termal kamera', gpr: 'Yeraltı radar (GPR)', lidar: 'Lidar', yes: 'Bəli', no: 'Xeyr', 'true': 'Bəli',
    'false': 'Xeyr',
    /* the change log's operations, the users' roles, a route's verdicts */
    insert: 'yaradılıb', update: 'dəyişdirilib', 'delete': 'silinib', restore: 'bərpa edilib',
    analyst: 'analitik', admin: 'inzibatçı', field: 'sahə işçisi', viewer: 'baxış', low: 'az', moderate: 'orta',
    high: 'yüksək', blocked: 'bağlı',
    /* the ways of giving risk education (eore_sessions.delivery) */
    session: 'İctimai sessiya', door_to_door: 'Ev-ev gəzərək', community_leaders: 'İcma liderləri vasitəsilə',
    media: 'Media (radio, televiziya, sosial şəbəkələr)'};
  /* a field's values named apart from the same value of another field
   * (a session held at a school is not a school of layer features) */
  var FIELD_VAL_AZ = {delivery: {session: 'İctimai sessiya', school: 'Məktəbdə', door_to_door: 'Ev-ev gəzərək',
    community_leaders: 'İcma liderləri vasitəsilə', media: 'Media (radio, televiziya, sosial şəbəkələr)', other: 'Digər'}};
  /* the layers' titles in Azerbaijani (src/lib/io/form.c, titles_az[]) */
  var LAYER_AZ = {organisations: 'Təşkilatlar', districts: 'Rayonlar', hazards: 'Təhlükəli ərazilər',
    hazard_status: 'Təhlükəli ərazilərin vəziyyət dəyişiklikləri', activities: 'Fəaliyyətlər',
    activity_hazards: 'Fəaliyyətlə təhlükəli ərazinin əlaqəsi', release_areas: 'Azad edilmiş ərazilər',
    items: 'Tapılmış partlayıcı sursat', accidents: 'Mina hadisələri', victims: 'Zərərçəkənlər',
    eore_sessions: 'Partlayıcı sursat təhlükəsi barədə maarifləndirmə sessiyaları',
    records: 'Mina sahələrinin sənədləri', record_rows: 'Mina sahəsi sənədinin sıraları',
    record_mines: 'Mina sahəsi sənədinin minaları', features: 'Xəritə obyektləri', events: 'Sübut nöqtələri',
    sensors: 'Sensorlar', sensor_rates: 'Sursat növünə görə sensor göstəriciləri', flights: 'Sensor uçuşları',
    detections: 'Sensor aşkarlamaları', plan: 'Plan', plan_tasks: 'Planın tapşırıqları'};

  /* A text is a string, its values put in at {name} ({name:2} a number with
   * 2 decimals, {name:p2} with 2 significant digits, {name:n} a number as it
   * is, each with the language's decimal sign), or a function of the values
   * (a, x): x.e escapes a value when the text is HTML, x.n formats a number
   * as above, x.v names a value of the data, x.t is another text. Keys
   * ending in "H" are HTML (their values escaped). English is word for word
   * what the page said before it had a second language.
   *
   * The Azerbaijani wording awaits review by a native speaker (terms taken
   * from web/js/public.js and from the XLSForm labels of src/lib/io/form.c). */
  var T = {
    en: {
      title: 'demine — mine action map',
      sub: 'mine action information and risk map',
      user: 'user', password: 'password', login: 'Log in', logout: 'Log out', publink: 'Public danger map',
      langSwitch: 'Language of the page',
      tabLayers: 'Map', tabStats: 'Statistics', tabReport: 'Field report', tabReview: 'Review',
      layers: 'Layers', legend: 'Legend',
      lgSha: 'SHA (suspected)', lgCha: 'CHA (confirmed)', lgPartly: 'partly released', lgClosed: 'closed / handed over',
      lgProposed: 'hazard proposed in a report (shown with it)', lgCancelled: 'cancelled', lgReduced: 'reduced',
      lgCleared: 'cleared', lgItem: 'item found', lgAccident: 'accident', lgRecord: 'minefield record',
      lgEore: 'risk education session',
      safeRoute: 'Safe route', routeBtn: 'Route: tap or click two points', clear: 'Clear',
      routeAvoid: 'Avoid cells above p =', routeAvoidHz: 'keep out of hazards in force',
      routeInfo: 'Press the button, then tap or click the start and the end on the map.',
      routeStart: 'Tap or click the start point.', routeEnd: 'Now tap or click the end point.',
      routeSearching: 'Searching the least dangerous route...',
      routeStretch: 'dangerous stretch {rank}: {from}-{to} m',
      routeResultH: function (a, x) {
        return '<b>' + x.v(a.verdict) + '</b> ' + 'danger: ' + x.n(a.km, 2) + ' km, expected items met ' +
          x.n(a.items, 'p2') + ', probability of meeting none ' + x.n(a.none, 2) + '%' +
          (a.hz && a.hz.length ? '<br><span class="bad">Enters ' + a.hz.map(function (h) {
            return x.e(h.ref || 'a hazard without a reference') + ' (' + x.e(String(h.status).replace(/_/g, ' ')) + ', ' +
              h.len + ' m inside, from ' + h.from + ' m)';
          }).join(', ') + '</span>' : '');
      },
      newRow: 'New row', newLayerAria: 'layer of the new row', newBtn: 'New',
      deletedRows: 'Deleted rows', show: 'Show', hide: 'Hide', deletedHint: 'rows deleted and not put back, newest first',
      detailsHint: 'Tap or click a feature for its details and history.',
      statsHint: 'Log in to see statistics.',
      fieldReport: 'Field report', activity: 'Activity',
      actNts: 'non-technical survey', actTs: 'technical survey', actClearance: 'clearance', actEod: 'EOD spot task',
      actBac: 'battle area clearance', actQc: 'quality control (post-clearance inspection)',
      taskRef: 'Task reference', hazardRefOrId: 'Hazard (ref or id)',
      inspects: 'Task inspected', inspectsPh: 'ref or id of the clearance or survey',
      newHz: 'This is a new suspected area: propose it as a hazard',
      newHzHint: 'It goes on the hazards map only when an analyst approves the report.',
      hzName: 'Hazard name', hzNamePh: 'e.g. Upper orchard', hzType: 'Hazard type',
      hzSha: 'SHA (suspected: indirect evidence)', hzCha: 'CHA (confirmed: direct evidence)',
      hzOrdnance: 'Ordnance suspected', hzOrdnancePh: 'e.g. AP,AT', hzRef: 'Hazard reference',
      hzRefPh: 'if the authority gave one', hzDraw: 'Draw its polygon', hzSame: 'Same as the area worked',
      hzAreaWorked: 'Its polygon: the area worked.', hzOwn: 'Its own polygon drawn ({n} corners).',
      startDate: 'Start date', endDate: 'End date', method: 'Method', cleared: 'Cleared (ha)', clearedPh: 'e.g. 2.5',
      notes: 'Notes',
      reportStepsH: '1. Draw the area worked with the polygon tool on the map.<br>\n        2. Press "Add items", then tap or click the map where items were found.',
      drawArea: 'Draw area', addItems: 'Add items', stopItems: 'Stop adding items', noArea: 'No area drawn.',
      areaDrawn: 'Area drawn ({n} corners).',
      thCategory: 'category', thModel: 'model', thLonLat: 'lon, lat', item: 'item {n}',
      submit: 'Submit report', ourReports: 'Our reports', ourReportsOf: 'Our reports ({org})',
      myrHint: 'Your organisation\'s reports, their review and, for a rejected one, why.',
      riskMap: 'Risk map', riskRefresh: 'Refresh risk map', reviewQueue: 'Review queue',
      reviewHint: 'Reports waiting for an analyst.',
      osmOnline: '(when online)', riskAttr: 'risk map',
      riskLegendH: '<b>Risk map</b><div class="hint">chance that a cell of the map holds an item ' +
        '(clear: below 0.01 %)</div>',
      pct: function (a, x) { return x.n(a.x, 'n') + ' %'; },
      loginHintH: '<b>Log in</b> (top right) to see the hazard areas, surveys and clearance, finds, accidents ' +
        'and the risk map.<br>Returning residents: the <a href="public.html">public danger map</a> shows where not to go.',
      osm: 'OpenStreetMap (needs internet)', riskTiles: 'Risk map (tiles)', afterLogin: '(after login)',
      noneYet: '(none yet)',
      L_hazards: 'Hazards (SHA/CHA)', L_release_areas: 'Land released', L_activities: 'Activities',
      L_items: 'Items found', L_accidents: 'Accidents', L_records: 'Minefield records',
      L_features: 'Roads, settlements', L_plan: 'Plan', L_eore_sessions: 'Risk education sessions',
      /* a layer's name where the page shows it: as it is in English */
      layer: function (a) { return a.sp ? String(a.l).replace(/_/g, ' ') : String(a.l); },
      /* a value of the data where the page shows it: as it is in English */
      val: function (a) { return a.sp ? String(a.v).replace(/_/g, ' ') : String(a.v); },
      edit: 'Edit', 'delete': 'Delete', whyRisk: 'Why this risk', history: 'History', loading: 'loading…',
      hazardReport: 'Completion report and handover certificate (PDF)',
      explainH: function (a, x) {
        return 'At its centre: p ' + x.n(a.p, 'p2') + ' per ' + x.e(a.cell) + ' m cell, ' + x.n(a.ih, 'p2') + ' items/ha.';
      },
      histNone: '(none)', histBy: '{t} by {who}',
      saved: 'Saved.', created: function (a) { return 'Created' + (a.ref ? ' ' + a.ref : '') + '.'; },
      restored: function (a) { return 'Restored' + (a.ref ? ' ' + a.ref : '') + '.'; },
      position: 'Position (WGS 84, decimal degrees)', lon: 'lon', lat: 'lat',
      lonTitle: 'longitude, -180 to 180 (east positive)', latTitle: 'latitude, -90 to 90 (north positive)',
      pick: 'Pick on the map', reasonChange: 'Reason for the change *', reasonChangePh: 'e.g. site visit 2025-06-02',
      save: 'Save', cancel: 'Cancel', reason: 'Reason *',
      badInt: '{f}: a whole number, e.g. 12.', badReal: '{f}: a number, with a point for decimals, e.g. 1.5.',
      badLon: 'lon: a longitude is a number of degrees from -180 to 180.',
      badLat: 'lat: a latitude is a number of degrees from -90 to 90.',
      nothingChanged: 'Nothing changed.', reasonNeeded: 'A reason is needed: it goes to the change log with your name.',
      editConflict: function (a) {
        var what = a.l === 'activities' ? 'activity' : String(a.l).replace(/s$/, '').replace(/_/g, ' ');
        return 'This ' + what + ' was changed by someone else since you opened it: ' +
          'it has been reloaded as it is now. Check their change and make yours again.';
      },
      pointAt: 'Point at {x}, {y}.', lineDrawn: 'Line drawn ({n} points).', polyDrawn: 'Polygon drawn ({n} corners).',
      yes: 'yes', no: 'no', refPh: 'ref or id of the row',
      drawPolygon: 'Draw polygon', drawLine: 'Draw line', placePoint: 'Place point',
      newOf: function (a) { return 'New ' + String(a.l).replace(/_/g, ' '); },
      drawIt: 'Draw it on the map.', placeIt: 'Tap or click its place on the map.',
      drawItEnd: 'Draw it on the map; a double click ends it.',
      newReasonPh: 'e.g. reported by phone by the district office',
      deleteAskH: '<b>Delete this row?</b> The change log keeps its last values, your name and the reason.',
      deleteReasonPh: 'e.g. entered twice, see H-12',
      deletedH: function (a, x) {
        return 'Deleted ' + x.e(a.l) + ' ' + x.e(a.uuid) + ' (the change log keeps it). ';
      },
      undo: 'Undo', deleteConflict: 'This row was changed by someone else since: it has been read again.',
      noDeleted: 'No deleted rows.', whenBy: '{t} by {who}', restore: 'Restore', more: 'More ({n})',
      restoreReasonPh: 'e.g. deleted by mistake',
      none: 'none',
      hazardAreaRemaining: 'hazard area remaining', landReleased: 'land released', shareReleased: 'share released',
      ha: function (a, x) { return x.n(a.x, 'n') + ' ha'; },
      pctOf: function (a, x) { return x.n(a.x, 'n') + ' %'; },
      stByType: 'Remaining area by type (ha)', stHzByStatus: 'Hazards by status (count)',
      stAreaByStatus: 'Remaining area by status (ha)', stReleased: 'Land released by outcome (ha)',
      stItems: 'Items found by category', stCasualties: 'Accident casualties by year',
      stReports: 'Reports by review state', computed: 'computed {t}',
      /* the statistics' quality control (GET /api/qc) and risk education
       * (GET /api/eore) */
      qcH: 'Quality control', eoreH: 'Risk education',
      notShown: 'Not shown; the server says:',
      nd: function (a, x) { return x.n(a.x, a.d); },
      qcOwn: 'Your organisation\'s inspections ({org}) alone.',
      qcNone: 'No inspection yet.',
      qcSummary: function (a) {
        return a.n + ' inspection' + (a.n === 1 ? '' : 's') + ', ' + a.t + ' task' + (a.t === 1 ? '' : 's') + ' inspected';
      },
      qcOrg: 'organisation', qcMethod: 'method', qcTasks: 'tasks inspected', qcFailed: 'failed', qcHa: 'ha',
      qcFound: 'found', qcMissed: 'missed', qcDefault: 'default', qcP: 'measured p (90\u00a0%)',
      qcCi: function (a, x) { return '(' + x.n(a.lo, 3) + '\u2013' + x.n(a.hi, 3) + ')'; },
      qcMeans: 'p: the share of the items there that a search finds. Inspectors searched again part of the land each ' +
        'task released: found, the items the task found there; missed, those the inspectors found (a task that missed ' +
        'any failed). The measured p starts at the method\'s default, worth {k} items (more for a method that rarely ' +
        'misses: a fifth of a miss), and moves with each; the 90 % ' +
        'interval is where it lies with 90 % certainty. The risk map uses it for that organisation\'s cleared land.',
      qcUnattributed: function (a) {
        return a.n + ' inspection' + (a.n === 1 ? '' : 's') + ' naming no task and overlapping no land released: not counted.';
      },
      qcOutside: function (a) {
        return a.n + ' item' + (a.n === 1 ? '' : 's') + ' found by inspections outside the land of the tasks inspected: ' +
          'not counted as missed.';
      },
      eoreSummary: function (a) {
        return 'Settlements near danger: ' + a.near + ' of ' + a.all + '; ' +
          (a.since ? 'reached since ' + a.since + ': ' + a.reached + '; ' : '') + 'not reached: ' + a.not + ', with ' +
          a.people + ' people.';
      },
      eoreSessions: function (a) {
        return a.n ? 'Sessions: ' + a.n + ' recorded, ' + a.m + ' since ' + a.since + '.' : 'No session recorded yet.';
      },
      eoreAllReached: 'Every settlement near danger was reached since {since}.',
      eoreNoDanger: 'No settlement lies within {km:n} km of open hazards or recent civilian accidents.',
      eoreFirst: function (a) {
        return 'Not reached' + (a.n < a.of ? ', the first ' + a.n + ' of ' + a.of : '') + ', by people x danger';
      },
      eoreRank: '#', eoreName: 'settlement', eorePeople: 'people', eoreDanger: 'danger',
      eoreAcc: 'accidents (killed/injured)', eoreLast: 'last session', eoreNever: 'never',
      eoreHow: function (a, x) {
        return (a.by === 'remaining_ha' ? 'danger (no risk map yet): remaining hectares of the hazards within '
          : 'danger: expected items (risk map) of the hazards within ') + x.n(a.km, 'n') + ' km + ' + x.n(a.w, 'n') +
          ' per civilian accident after ' + a.after + '; people: those living there and those returning.';
      },
      eoreClick: 'Tap or click a settlement to see it on the map.',
      eoreNoPlace: '{name} has no place on the map (no geometry).',
      eoreTip: '{name} (rank {rank}): {people} people, not reached',
      drawFirst: 'Draw the area worked first.',
      badCleared: 'Cleared (ha): a number of hectares, with a point for decimals, e.g. 2.5.',
      reportStored: function (a) {
        return 'Report ' + a.uuid + ' stored as a draft (' + a.n + ' items)' +
          (a.hz ? ' with the new hazard it proposes' : '') + '; an analyst will review it.';
      },
      myrCut: function (a) { return a.n ? ' among the newest ' + a.n + ' of ' + a.total + ' activities' : ''; },
      myrMoreH: function (a, x) {
        return 'Listed: the newest ' + x.e(a.n) + ' of the ' + x.e(a.total) + ' activities of ' +
          x.e(a.org || 'your organisation') + ' and the reports among them; the ' + x.e(a.total - a.n) +
          ' older ones are not. ';
      },
      myrOlder: 'List older ones',
      myrNoOrg: 'Your account names no organisation: the review queue lists every report.',
      myrNone: function (a, x) { return 'No reports of ' + a.org + x.t('myrCut', a.cut) + '.'; },
      myrNoneYet: 'No reports of {org} yet.',
      myrTopH: function (a, x) {
        return (a.rejected ? '<span class="bad">' + x.e(a.rejected) + ' rejected</span>, ' : '') + x.e(a.draft) +
          ' awaiting review' + x.e(x.t('myrCut', a.cut)) + '.';
      },
      myrSummary: function (a, x) {
        return a.n + ' report' + (a.n > 1 ? 's' : '') + x.t('myrCut', a.cut) + ': ' + a.draft + ' awaiting review, ' +
          a.approved + ' approved, ' + a.rejected + ' rejected. Tap or click one to see it on the map.';
      },
      st: function (a) { return a.st === 'draft' ? 'awaiting review' : a.st; },
      sentBy: function (a, x) {
        return 'sent by ' + a.who + ' ' + a.date + (a.r ? '; ' + x.t('val', {v: a.r}) + ' by ' + a.by + ' ' + a.on : '');
      },
      why: function (a) { return a.rejected ? 'Reason: ' : 'Note: '; },
      newHazard: 'new hazard',
      prop: function (a) {
        return {pending: 'proposed: created when the report is approved', applied: 'created on approval',
                rejected: 'not created (report rejected)'}[a.s] || 'proposed';
      },
      withdraw: 'Withdraw', withdrawWhy: 'Why withdraw it? *', withdrawPh: 'e.g. sent for the wrong field',
      withdrawReport: 'Withdraw report',
      withdrawn: function (a) {
        return 'Report ' + a.uuid + ' withdrawn (' + a.n + ' item' + (a.n === 1 ? '' : 's') + ' with it).';
      },
      noAreaToShow: 'This report has no area to show.',
      cardBy: function (a, x) { return ' — ' + a.org + ', by ' + a.who + ' ' + a.when; },
      cardCleared: function (a, x) { return 'cleared ' + a.ha + ' ha'; },
      cardNewHz: 'proposed: approving the report creates it (Show draws it in dashed pink).',
      approve: 'Approve', reject: 'Reject', reasonReject: 'reason (needed to reject)', noWaiting: 'No reports waiting.',
      hzTooltip: function (a, x) {
        return 'New hazard ' + x.e(a.ref) + ' (' + x.e(a.type) + (a.ha != null ? ', ' + x.n(a.ha, 2) + ' ha' : '') +
          '): ' + x.t('prop', {s: a.s});
      },
      approvingH: function (a, x) {
        return 'Approving creates the hazard ' + x.e(a.ref || '(no reference)') + ' (' + x.e(a.type) + ', ' +
          (a.ha != null ? x.n(a.ha, 2) + ' ha' : 'area unknown') + '), drawn in dashed pink.';
      },
      rejectFirst: 'Write the reason for the rejection first: the field user reads it.',
      decided: function (a) {
        return a.what + 'd' + (a.hz ? ': the hazard it proposed is created' : '');
      },
      refreshing: 'Refreshing the risk map from the evidence as it is now…',
      notRefreshed: 'Not refreshed since the service started.',
      refreshed: function (a, x) {
        return 'Refreshed ' + a.finished + ': ' + a.evidence + ' evidence items, ' + a.hazards + ' hazards changed, ' +
          x.n(a.seconds, 1) + ' s' + (a.spots ? '; recalibrated on ' + a.spots + ' checked spots' : '') + '.' +
          (a.moved && a.moved.length ? ' Moved most (probability of holding anything): ' + a.moved.map(function (c) {
            return c.ref + ' ' + x.n(c.a, c.da) + '% \u2192 ' + x.n(c.b, c.db) + '%';
          }).join(', ') + '.' : '');
      },
      refreshFailed: 'Not refreshed (the previous map is still shown): {e}',
      who: function (a, x) { return a.user + ' (' + x.t('val', {v: a.role}) + (a.org ? ', ' + a.org : '') + ')'; },
      sessionEnded: 'Your session has ended: log in again.',
      loginWait: '{e} \u2014 sending it again in {s} s ({n} of {max}); a change to the form stops this.',
      loginChanged: '{e} \u2014 not sent again: the form was changed; press Log in to send it.',
      loginGaveUp: '{e} \u2014 sent {n} times; press Log in to try again.',
      loginNotSent: 'Not sent again: the form was changed. Press Log in to send it.',
      noAnswer: 'The server does not answer ({e}): trying again…',
      /* Leaflet's zoom buttons and Leaflet.draw's toolbars and tooltips (its
       * L.drawLocal), as Leaflet says them in English: those the page uses */
      zoomIn: 'Zoom in', zoomOut: 'Zoom out',
      drPolygon: 'Draw a polygon', drCancelTitle: 'Cancel drawing', drCancel: 'Cancel',
      drFinishTitle: 'Finish drawing', drFinish: 'Finish', drUndoTitle: 'Delete last point drawn',
      drUndo: 'Delete last point', drPolyStart: 'Click to start drawing shape.',
      drPolyCont: 'Click to continue drawing shape.', drPolyEnd: 'Click first point to close this shape.',
      drLineStart: 'Click to start drawing line.', drLineCont: 'Click to continue drawing line.',
      drLineEnd: 'Click last point to finish line.', drMarkerStart: 'Click map to place marker.',
      drCrossH: '<strong>Error:</strong> shape edges cannot cross!',
      edEdit: 'Edit layers', edEditNone: 'No layers to edit', edRemove: 'Delete layers', edRemoveNone: 'No layers to delete',
      edSaveTitle: 'Save changes', edSave: 'Save', edCancelTitle: 'Cancel editing, discards all changes', edCancel: 'Cancel',
      edClearAllTitle: 'Clear all layers', edClearAll: 'Clear All', edTip: 'Drag handles or markers to edit features.',
      edTipSub: 'Click cancel to undo changes.', rmTip: 'Click on a feature to remove.'
    },
    az: {
      title: 'demine — minatəmizləmə xəritəsi',
      sub: 'minatəmizləmə məlumatları və risk xəritəsi',
      user: 'istifadəçi', password: 'şifrə', login: 'Daxil ol', logout: 'Çıxış', publink: 'İctimai təhlükə xəritəsi',
      langSwitch: 'Səhifənin dili',
      tabLayers: 'Xəritə', tabStats: 'Statistika', tabReport: 'Sahə hesabatı', tabReview: 'Baxış',
      layers: 'Qatlar', legend: 'Şərti işarələr',
      lgSha: 'SHA (şübhəli)', lgCha: 'CHA (təsdiqlənmiş)', lgPartly: 'qismən azad edilib',
      lgClosed: 'bağlanıb / təhvil verilib',
      lgProposed: 'hesabatda təklif edilmiş təhlükəli ərazi (hesabatla birgə göstərilir)', lgCancelled: 'ləğv edilib',
      lgReduced: 'azaldılıb', lgCleared: 'təmizlənib', lgItem: 'tapılmış sursat', lgAccident: 'mina hadisəsi',
      lgRecord: 'mina sahəsinin sənədi', lgEore: 'maarifləndirmə sessiyası',
      safeRoute: 'Təhlükəsiz yol', routeBtn: 'Yol: iki nöqtəyə toxunun və ya klikləyin', clear: 'Sil',
      routeAvoid: 'Ehtimalı bundan yüksək xanalardan yan keç: p =',
      routeAvoidHz: 'qüvvədə olan təhlükəli ərazilərə girmə',
      routeInfo: 'Düyməni basın, sonra xəritədə başlanğıc və son nöqtəyə toxunun və ya klikləyin.',
      routeStart: 'Başlanğıc nöqtəsinə toxunun və ya klikləyin.', routeEnd: 'İndi son nöqtəyə toxunun və ya klikləyin.',
      routeSearching: 'Ən az təhlükəli yol axtarılır...',
      routeStretch: 'təhlükəli hissə {rank}: {from}-{to} m',
      routeResultH: function (a, x) {
        return 'Təhlükə: <b>' + x.v(a.verdict) + '</b>; ' + x.n(a.km, 2) + ' km, yolda gözlənilən sursat ' +
          x.n(a.items, 'p2') + ', heç birinə rast gəlməmək ehtimalı ' + x.n(a.none, 2) + '%' +
          (a.hz && a.hz.length ? '<br><span class="bad">Keçdiyi təhlükəli ərazilər: ' + a.hz.map(function (h) {
            return x.e(h.ref || 'nömrəsiz təhlükəli ərazi') + ' (' + x.v(h.status) + ', içində ' + h.len +
              ' m, ' + h.from + ' m-dən başlayaraq)';
          }).join(', ') + '</span>' : '');
      },
      newRow: 'Yeni sətir', newLayerAria: 'yeni sətrin qatı', newBtn: 'Yeni',
      deletedRows: 'Silinmiş sətirlər', show: 'Göstər', hide: 'Gizlət',
      deletedHint: 'silinmiş və geri qaytarılmamış sətirlər, ən yenisi əvvəldə',
      detailsHint: 'Təfərrüatlarını və tarixçəsini görmək üçün obyektə toxunun və ya klikləyin.',
      statsHint: 'Statistikanı görmək üçün daxil olun.',
      fieldReport: 'Sahə hesabatı', activity: 'Fəaliyyət',
      actNts: 'qeyri-texniki tədqiqat', actTs: 'texniki tədqiqat', actClearance: 'təmizləmə',
      actEod: 'partlayıcı sursatın zərərsizləşdirilməsi (EOD)', actBac: 'döyüş ərazisinin təmizlənməsi',
      actQc: 'keyfiyyətə nəzarət (təmizləmədən sonra yoxlama)',
      taskRef: 'Tapşırığın nömrəsi', hazardRefOrId: 'Təhlükəli ərazi (nömrə və ya id)',
      inspects: 'Yoxlanılan tapşırıq', inspectsPh: 'təmizləmə və ya tədqiqatın nömrəsi və ya id-si',
      newHz: 'Bu, yeni şübhəli ərazidir: onu təhlükəli ərazi kimi təklif et',
      newHzHint: 'O, təhlükəli ərazilər xəritəsinə yalnız analitik hesabatı təsdiqlədikdə düşür.',
      hzName: 'Təhlükəli ərazinin adı', hzNamePh: 'məs. Yuxarı bağ', hzType: 'Təhlükəli ərazinin növü',
      hzSha: 'SHA (şübhəli: dolayı sübut)', hzCha: 'CHA (təsdiqlənmiş: birbaşa sübut)',
      hzOrdnance: 'Şübhə edilən sursat', hzOrdnancePh: 'məs. AP,AT', hzRef: 'Təhlükəli ərazinin nömrəsi',
      hzRefPh: 'qurum nömrə veribsə', hzDraw: 'Onun poliqonunu çək', hzSame: 'İşlənən ərazi ilə eyni',
      hzAreaWorked: 'Poliqonu: işlənən ərazi.', hzOwn: 'Öz poliqonu çəkilib ({n} künc).',
      startDate: 'Başlama tarixi', endDate: 'Bitmə tarixi', method: 'Üsul', cleared: 'Təmizlənmiş sahə (ha)',
      clearedPh: 'məs. 2.5', notes: 'Qeydlər',
      reportStepsH: '1. İşlənən ərazini xəritədə poliqon aləti ilə çəkin.<br>\n        2. «Sursat əlavə et» düyməsini ' +
        'basın, sonra xəritədə sursat tapılan yerlərə toxunun və ya klikləyin.',
      drawArea: 'Ərazini çək', addItems: 'Sursat əlavə et', stopItems: 'Sursat əlavəsini dayandır',
      noArea: 'Ərazi çəkilməyib.', areaDrawn: 'Ərazi çəkilib ({n} künc).',
      thCategory: 'növ', thModel: 'model', thLonLat: 'uzunluq, enlik', item: 'sursat {n}',
      submit: 'Hesabatı göndər', ourReports: 'Hesabatlarımız', ourReportsOf: 'Hesabatlarımız ({org})',
      myrHint: 'Təşkilatınızın hesabatları, onlara baxış və rədd edilənlərin səbəbi.',
      riskMap: 'Risk xəritəsi', riskRefresh: 'Risk xəritəsini yenilə', reviewQueue: 'Baxış növbəsi',
      reviewHint: 'Analitikin baxışını gözləyən hesabatlar.',
      osmOnline: '(internet olduqda)', riskAttr: 'risk xəritəsi',
      riskLegendH: '<b>Risk xəritəsi</b><div class="hint">xəritənin xanasında sursat olması ehtimalı ' +
        '(0,01 %-dən aşağı: rəngsiz)</div>',
      pct: function (a, x) { return x.n(a.x, 'n') + ' %'; },
      loginHintH: 'Təhlükəli əraziləri, tədqiqat və təmizləmə işlərini, tapıntıları, hadisələri və risk xəritəsini ' +
        'görmək üçün <b>daxil olun</b> (yuxarıda sağda).<br>Geri qayıdan sakinlər: hara getməmək lazım olduğunu ' +
        '<a href="public.html">ictimai təhlükə xəritəsi</a> göstərir.',
      osm: 'OpenStreetMap (internet lazımdır)', riskTiles: 'Risk xəritəsi (kafellər)', afterLogin: '(daxil olduqdan sonra)',
      noneYet: '(hələ yoxdur)',
      L_hazards: 'Təhlükəli ərazilər (SHA/CHA)', L_release_areas: 'Azad edilmiş ərazilər', L_activities: 'Fəaliyyətlər',
      L_items: 'Tapılmış sursat', L_accidents: 'Mina hadisələri', L_records: 'Mina sahələrinin sənədləri',
      L_features: 'Yollar, yaşayış məntəqələri', L_plan: 'Plan',
      L_eore_sessions: 'Partlayıcı sursat təhlükəsi barədə maarifləndirmə sessiyaları',
      layer: function (a) { return LAYER_AZ[a.l] || String(a.l).replace(/_/g, ' '); },
      val: function (a) {
        return (a.f && FIELD_VAL_AZ[a.f] && FIELD_VAL_AZ[a.f][a.v]) || VAL_AZ[a.v] || String(a.v).replace(/_/g, ' ');
      },
      edit: 'Düzəliş et', 'delete': 'Sil', whyRisk: 'Niyə bu risk', history: 'Tarixçə', loading: 'yüklənir…',
      hazardReport: 'Tamamlanma hesabatı və təhvil-təslim aktı (PDF)',
      explainH: function (a, x) {
        return 'Mərkəzində: ' + x.e(a.cell) + ' m-lik xana üçün p ' + x.n(a.p, 'p2') + ', hektara ' + x.n(a.ih, 'p2') +
          ' sursat.';
      },
      histNone: '(yoxdur)', histBy: '{t}, {who}',
      saved: 'Yadda saxlanıldı.', created: function (a) { return 'Yaradıldı' + (a.ref ? ': ' + a.ref : '') + '.'; },
      restored: function (a) { return 'Bərpa edildi' + (a.ref ? ': ' + a.ref : '') + '.'; },
      position: 'Mövqe (WGS 84, onluq dərəcələr)', lon: 'uzunluq', lat: 'enlik',
      lonTitle: 'uzunluq, -180-dən 180-dək (şərq müsbət)', latTitle: 'enlik, -90-dan 90-dək (şimal müsbət)',
      pick: 'Xəritədə seç', reasonChange: 'Dəyişikliyin səbəbi *', reasonChangePh: 'məs. 2025-06-02 yerində baxış',
      save: 'Yadda saxla', cancel: 'Ləğv et', reason: 'Səbəb *',
      badInt: '{f}: tam ədəd, məs. 12.', badReal: '{f}: ədəd, onluq hissə nöqtə ilə, məs. 1.5.',
      badLon: 'uzunluq: -180 ilə 180 arasında dərəcə.',
      badLat: 'enlik: -90 ilə 90 arasında dərəcə.',
      nothingChanged: 'Heç nə dəyişməyib.', reasonNeeded: 'Səbəb lazımdır: o, adınızla birgə dəyişiklik jurnalına yazılır.',
      editConflict: 'Siz açandan bəri bu sətri başqası dəyişib: o, indiki halı ilə yenidən yükləndi. ' +
        'Onların dəyişikliyini yoxlayın və öz dəyişikliyinizi yenidən edin.',
      pointAt: 'Nöqtə: {x}, {y}.', lineDrawn: 'Xətt çəkilib ({n} nöqtə).', polyDrawn: 'Poliqon çəkilib ({n} künc).',
      yes: 'bəli', no: 'xeyr', refPh: 'sətrin nömrəsi (ref) və ya id-si',
      drawPolygon: 'Poliqon çək', drawLine: 'Xətt çək', placePoint: 'Nöqtə qoy',
      newOf: function (a) { return 'Yeni sətir: ' + (LAYER_AZ[a.l] || String(a.l).replace(/_/g, ' ')); },
      drawIt: 'Onu xəritədə çəkin.', placeIt: 'Xəritədə onun yerinə toxunun və ya klikləyin.',
      drawItEnd: 'Onu xəritədə çəkin; iki dəfə klik onu bitirir.',
      newReasonPh: 'məs. rayon ofisi telefonla bildirib',
      deleteAskH: '<b>Bu sətir silinsin?</b> Dəyişiklik jurnalı onun son qiymətlərini, adınızı və səbəbi saxlayır.',
      deleteReasonPh: 'məs. iki dəfə daxil edilib, bax: H-12',
      deletedH: function (a, x) {
        return 'Silindi: ' + x.e(LAYER_AZ[a.l] || a.l) + ' ' + x.e(a.uuid) + ' (dəyişiklik jurnalı onu saxlayır). ';
      },
      undo: 'Geri qaytar', deleteConflict: 'Bu sətri başqası dəyişib: o, yenidən oxundu.',
      noDeleted: 'Silinmiş sətir yoxdur.', whenBy: '{t}, {who}', restore: 'Bərpa et', more: 'Daha çox ({n})',
      restoreReasonPh: 'məs. səhvən silinib',
      none: 'yoxdur',
      hazardAreaRemaining: 'qalan təhlükəli sahə', landReleased: 'azad edilmiş ərazi', shareReleased: 'azad edilmiş pay',
      ha: function (a, x) { return x.n(a.x, 'n') + ' ha'; },
      pctOf: function (a, x) { return x.n(a.x, 'n') + ' %'; },
      stByType: 'Növə görə qalan sahə (ha)', stHzByStatus: 'Vəziyyətə görə təhlükəli ərazilər (say)',
      stAreaByStatus: 'Vəziyyətə görə qalan sahə (ha)', stReleased: 'Nəticəyə görə azad edilmiş ərazi (ha)',
      stItems: 'Növə görə tapılmış sursat', stCasualties: 'İllər üzrə hadisələrdə zərərçəkənlər',
      stReports: 'Baxış vəziyyətinə görə hesabatlar', computed: 'hesablanıb: {t}',
      qcH: 'Keyfiyyətə nəzarət', eoreH: 'Partlayıcı sursat təhlükəsi barədə maarifləndirmə',
      notShown: 'Göstərilmir; serverin cavabı:',
      nd: function (a, x) { return x.n(a.x, a.d); },
      qcOwn: 'Yalnız təşkilatınızın ({org}) yoxlamaları.',
      qcNone: 'Hələ yoxlama yoxdur.',
      qcSummary: '{n} yoxlama, {t} yoxlanılmış tapşırıq',
      qcOrg: 'təşkilat', qcMethod: 'üsul', qcTasks: 'yoxlanılmış tapşırıq', qcFailed: 'uğursuz', qcHa: 'ha',
      qcFound: 'tapılıb', qcMissed: 'gözdən qaçıb', qcDefault: 'standart', qcP: 'ölçülmüş p (90\u00a0%)',
      qcCi: function (a, x) { return '(' + x.n(a.lo, 3) + '\u2013' + x.n(a.hi, 3) + ')'; },
      qcMeans: 'p: axtarışın oradakı sursatdan tapdığı pay. Müfəttişlər hər tapşırığın azad etdiyi ərazinin bir hissəsini ' +
        'yenidən axtarıb: tapılıb — tapşırığın orada tapdığı sursat; gözdən qaçıb — müfəttişlərin tapdığı sursat (birini ' +
        'belə buraxan tapşırıq uğursuz sayılır). Ölçülmüş p üsulun standart dəyərindən ({k} sursat çəkisində; nadir hallarda ' +
        'buraxan üsul üçün daha çox: bir buraxılışın beşdə biri) başlayır və ' +
        'hər biri ilə dəyişir; 90 % intervalı onun 90 % ehtimalla olduğu aralıqdır. Risk xəritəsi onu həmin təşkilatın ' +
        'təmizlədiyi ərazi üçün istifadə edir.',
      qcUnattributed: '{n} yoxlama heç bir tapşırıq göstərmir və azad edilmiş ərazi ilə kəsişmir: sayılmayıb.',
      qcOutside: 'Yoxlamaların yoxlanılmış tapşırıqların ərazisindən kənarda tapdığı {n} sursat gözdən qaçmış sayılmayıb.',
      eoreSummary: function (a) {
        return 'Təhlükəyə yaxın yaşayış məntəqələri: ' + a.all + ' məntəqədən ' + a.near + '; ' +
          (a.since ? a.since + ' tarixindən bəri maarifləndirmə çatıb: ' + a.reached + '; ' : '') + 'çatmayıb: ' + a.not +
          ', onlarda ' + a.people + ' nəfər.';
      },
      eoreSessions: function (a) {
        return a.n ? 'Sessiyalar: ' + a.n + ' qeydə alınıb, onlardan ' + a.m + ' — ' + a.since + ' tarixindən bəri.'
          : 'Hələ sessiya qeydə alınmayıb.';
      },
      eoreAllReached: 'Təhlükəyə yaxın bütün yaşayış məntəqələrinə {since} tarixindən bəri maarifləndirmə çatıb.',
      eoreNoDanger: '{km:n} km daxilində açıq təhlükəli ərazi və ya son mülki hadisə olan yaşayış məntəqəsi yoxdur.',
      eoreFirst: function (a) {
        return 'Maarifləndirmə çatmayanlar' + (a.n < a.of ? ', ' + a.of + ' məntəqədən ilk ' + a.n : '') +
          ', əhali x təhlükəyə görə';
      },
      eoreRank: '#', eoreName: 'yaşayış məntəqəsi', eorePeople: 'əhali', eoreDanger: 'təhlükə',
      eoreAcc: 'hadisələr (həlak/yaralı)', eoreLast: 'son sessiya', eoreNever: 'heç vaxt',
      eoreHow: function (a, x) {
        return (a.by === 'remaining_ha' ? 'təhlükə (risk xəritəsi hələ yoxdur): ' + x.n(a.km, 'n') +
          ' km daxilindəki təhlükəli ərazilərin qalan hektarları' : 'təhlükə: ' + x.n(a.km, 'n') +
          ' km daxilindəki təhlükəli ərazilərdə gözlənilən sursat (risk xəritəsi)') + ' + ' + a.after +
          ' tarixindən sonrakı hər mülki hadisəyə görə ' + x.n(a.w, 'n') + '; əhali: orada yaşayanlar və qayıdanlar.';
      },
      eoreClick: 'Xəritədə görmək üçün yaşayış məntəqəsinə toxunun və ya klikləyin.',
      eoreNoPlace: '{name} üçün xəritədə yer yoxdur (həndəsəsi yoxdur).',
      eoreTip: '{name} (sıra: {rank}): {people} nəfər, maarifləndirmə çatmayıb',
      drawFirst: 'Əvvəlcə işlənən ərazini çəkin.',
      badCleared: 'Təmizlənmiş sahə (ha): hektar sayı, onluq hissə nöqtə ilə, məs. 2.5.',
      reportStored: function (a) {
        return 'Hesabat ' + a.uuid + ' qaralama kimi saxlanıldı (' + a.n + ' sursat)' +
          (a.hz ? ', təklif etdiyi yeni təhlükəli ərazi ilə birgə' : '') + '; ona analitik baxacaq.';
      },
      myrCut: function (a) { return a.n ? ' (' + a.total + ' fəaliyyətdən ən yeni ' + a.n + ' arasında)' : ''; },
      myrMoreH: function (a, x) {
        return 'Siyahıda: ' + x.e(a.org || 'təşkilatınızın') + ' ' + x.e(a.total) + ' fəaliyyətindən ən yeni ' + x.e(a.n) +
          ' və onların arasındakı hesabatlar; daha köhnə ' + x.e(a.total - a.n) + ' fəaliyyət göstərilmir. ';
      },
      myrOlder: 'Köhnələri göstər',
      myrNoOrg: 'Hesabınızda təşkilat göstərilməyib: baxış növbəsi bütün hesabatları göstərir.',
      myrNone: function (a, x) { return a.org + ' hesabatı yoxdur' + x.t('myrCut', a.cut) + '.'; },
      myrNoneYet: '{org} hələ hesabat göndərməyib.',
      myrTopH: function (a, x) {
        return (a.rejected ? '<span class="bad">' + x.e(a.rejected) + ' rədd edilib</span>, ' : '') + x.e(a.draft) +
          ' baxış gözləyir' + x.e(x.t('myrCut', a.cut)) + '.';
      },
      myrSummary: function (a, x) {
        return a.n + ' hesabat' + x.t('myrCut', a.cut) + ': ' + a.draft + ' baxış gözləyir, ' + a.approved +
          ' təsdiqlənib, ' + a.rejected + ' rədd edilib. Xəritədə görmək üçün birinə toxunun və ya klikləyin.';
      },
      st: function (a) { return a.st === 'draft' ? 'baxış gözləyir' : (VAL_AZ[a.st] || a.st); },
      sentBy: function (a, x) {
        return 'göndərən: ' + a.who + ' ' + a.date + (a.r ? '; ' + x.t('val', {v: a.r}) + ': ' + a.by + ' ' + a.on : '');
      },
      why: function (a) { return a.rejected ? 'Səbəb: ' : 'Qeyd: '; },
      newHazard: 'yeni təhlükəli ərazi',
      prop: function (a) {
        return {pending: 'təklif edilib: hesabat təsdiqlənəndə yaradılacaq', applied: 'təsdiqlənəndə yaradılıb',
                rejected: 'yaradılmayıb (hesabat rədd edilib)'}[a.s] || 'təklif edilib';
      },
      withdraw: 'Geri çək', withdrawWhy: 'Niyə geri çəkirsiniz? *', withdrawPh: 'məs. səhv sahə üçün göndərilib',
      withdrawReport: 'Hesabatı geri çək',
      withdrawn: function (a) { return 'Hesabat ' + a.uuid + ' geri çəkildi (onunla birgə ' + a.n + ' sursat).'; },
      noAreaToShow: 'Bu hesabatın göstəriləcək ərazisi yoxdur.',
      cardBy: function (a) { return ' — ' + a.org + ', göndərən: ' + a.who + ' ' + a.when; },
      cardCleared: function (a) { return 'təmizlənib: ' + a.ha + ' ha'; },
      cardNewHz: 'təklif edilib: hesabatın təsdiqi onu yaradır («Göstər» onu çəhrayı qırıq xətlə çəkir).',
      approve: 'Təsdiqlə', reject: 'Rədd et', reasonReject: 'səbəb (rədd etmək üçün lazımdır)',
      noWaiting: 'Gözləyən hesabat yoxdur.',
      hzTooltip: function (a, x) {
        return 'Yeni təhlükəli ərazi ' + x.e(a.ref) + ' (' + x.e(a.type) + (a.ha != null ? ', ' + x.n(a.ha, 2) + ' ha' : '') +
          '): ' + x.t('prop', {s: a.s});
      },
      approvingH: function (a, x) {
        return 'Təsdiq təhlükəli ərazini yaradır: ' + x.e(a.ref || '(nömrəsiz)') + ' (' + x.e(a.type) + ', ' +
          (a.ha != null ? x.n(a.ha, 2) + ' ha' : 'sahəsi məlum deyil') + '), çəhrayı qırıq xətlə çəkilib.';
      },
      rejectFirst: 'Əvvəlcə rədd etmənin səbəbini yazın: sahə işçisi onu oxuyur.',
      decided: function (a) {
        return (a.what === 'approve' ? 'təsdiqlənib' : 'rədd edilib') + (a.hz ? ': təklif etdiyi təhlükəli ərazi yaradıldı' : '');
      },
      refreshing: 'Risk xəritəsi sübutların indiki halına görə yenilənir…',
      notRefreshed: 'Xidmət başlayandan bəri yenilənməyib.',
      refreshed: function (a, x) {
        return 'Yeniləndi ' + a.finished + ': ' + a.evidence + ' sübut, ' + a.hazards + ' təhlükəli ərazi dəyişdi, ' +
          x.n(a.seconds, 1) + ' san' + (a.spots ? '; ' + a.spots + ' yoxlanılmış nöqtə ilə yenidən kalibrlənib' : '') + '.' +
          (a.moved && a.moved.length ? ' Ən çox dəyişənlər (nəsə olması ehtimalı): ' + a.moved.map(function (c) {
            return c.ref + ' ' + x.n(c.a, c.da) + '% \u2192 ' + x.n(c.b, c.db) + '%';
          }).join(', ') + '.' : '');
      },
      refreshFailed: 'Yenilənməyib (əvvəlki xəritə göstərilir): {e}',
      who: function (a, x) { return a.user + ' (' + x.t('val', {v: a.role}) + (a.org ? ', ' + a.org : '') + ')'; },
      sessionEnded: 'Sessiyanız bitib: yenidən daxil olun.',
      loginWait: '{e} \u2014 {s} san sonra yenidən göndəriləcək ({n}/{max}); formada dəyişiklik bunu dayandırır.',
      loginChanged: '{e} \u2014 yenidən göndərilmədi: forma dəyişdirilib; göndərmək üçün «Daxil ol» düyməsini basın.',
      loginGaveUp: '{e} \u2014 {n} dəfə göndərildi; yenidən cəhd etmək üçün «Daxil ol» düyməsini basın.',
      loginNotSent: 'Yenidən göndərilmədi: forma dəyişdirilib. Göndərmək üçün «Daxil ol» düyməsini basın.',
      noAnswer: 'Server cavab vermir ({e}): yenidən cəhd edilir…',
      zoomIn: 'Yaxınlaşdır', zoomOut: 'Uzaqlaşdır',
      drPolygon: 'Poliqon çək', drCancelTitle: 'Çəkməni ləğv et', drCancel: 'Ləğv et',
      drFinishTitle: 'Çəkməni bitir', drFinish: 'Bitir', drUndoTitle: 'Son çəkilən nöqtəni sil',
      drUndo: 'Son nöqtəni sil', drPolyStart: 'Poliqonu çəkməyə başlamaq üçün toxunun və ya klikləyin.',
      drPolyCont: 'Çəkməyə davam etmək üçün toxunun və ya klikləyin.',
      drPolyEnd: 'Poliqonu bağlamaq üçün birinci nöqtəyə toxunun və ya klikləyin.',
      drLineStart: 'Xətti çəkməyə başlamaq üçün toxunun və ya klikləyin.',
      drLineCont: 'Xətti çəkməyə davam etmək üçün toxunun və ya klikləyin.',
      drLineEnd: 'Xətti bitirmək üçün son nöqtəyə toxunun və ya klikləyin.',
      drMarkerStart: 'Nöqtə qoymaq üçün xəritəyə toxunun və ya klikləyin.',
      drCrossH: '<strong>Xəta:</strong> tərəflər bir-birini kəsə bilməz!',
      edEdit: 'Çəkilənə düzəliş et', edEditNone: 'Düzəliş ediləcək fiqur yoxdur', edRemove: 'Çəkiləni sil',
      edRemoveNone: 'Silinəcək fiqur yoxdur', edSaveTitle: 'Dəyişiklikləri yadda saxla', edSave: 'Yadda saxla',
      edCancelTitle: 'Düzəlişi ləğv et, bütün dəyişikliklər atılır', edCancel: 'Ləğv et',
      edClearAllTitle: 'Çəkilənlərin hamısını sil', edClearAll: 'Hamısını sil',
      edTip: 'Düzəliş etmək üçün künc nöqtələrini sürüşdürün.',
      edTipSub: 'Dəyişiklikləri geri qaytarmaq üçün «Ləğv et» düyməsini basın.',
      rmTip: 'Silmək üçün fiqura toxunun və ya klikləyin.'
    }
  };

  function esc(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  /* The language: that of the link (?lang=az), else the one chosen last in
   * this browser (shared with the public map), else the browser's first of
   * the two, else English. Unlike the public map (Azerbaijani by default,
   * for residents), the staff map falls back to English: its users include
   * the international staff of the operators, the server's messages, the
   * data's field names and the documentation are in English, and a browser
   * that asks for neither language is more likely theirs than a national
   * officer's, who has az in the browser or picks AZ once. */
  function saved() { try { return window.localStorage.getItem('demine.lang'); } catch (e) { return null; } }
  var lang = ((/[?&]lang=(az|en)(?:&|$)/i.exec(window.location.search) || [])[1] || '').toLowerCase() || saved();
  if (lang !== 'az' && lang !== 'en') {
    lang = 'en';
    var prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < prefs.length; i++) {
      var p2 = String(prefs[i]).slice(0, 2).toLowerCase();
      if (p2 === 'az' || p2 === 'en') { lang = p2; break; }
    }
  }

  /* a number for reading: d decimals, 'p2' significant digits or 'n' as it
   * is; a decimal comma in Azerbaijani (what is typed into the forms keeps
   * its point: the server reads that) */
  function num(x, d) {
    var v = Number(x);
    if (x === null || x === undefined || x === '' || isNaN(v)) return String(x === null || x === undefined ? '' : x);
    var s = d === 'n' || d === undefined ? String(v) : /^p\d$/.test(d) ? v.toPrecision(+d.slice(1)) : v.toFixed(+d);
    return lang === 'az' ? s.replace('.', ',') : s;
  }
  function text(key, a, html) {
    var e = T[lang][key];
    if (e === undefined) e = T.en[key];
    if (e === undefined) return key;
    a = a || {};
    var ex = html ? esc : function (v) { return v === null || v === undefined ? '' : String(v); };
    var x = {e: ex, n: function (v, d) { return ex(num(v, d)); }, v: function (v) { return ex(text('val', {v: v})); },
             t: function (k, b) { return text(k, b); }};
    if (typeof e === 'function') return e(a, x);
    return e.replace(/\{(\w+)(?::(\w+))?\}/g, function (m, k, d) {
      var v = a[k] === undefined || a[k] === null ? '' : a[k];
      return ex(d ? num(v, d) : v);
    });
  }
  var isHtml = function (key) { return /H$/.test(key); };
  /* the text of key, as text (t) or as HTML (h: a key ending in H keeps its
   * markup, its values escaped; any other is escaped whole) */
  function t(key, a) { return text(key, a, false); }
  function h(key, a) { return isHtml(key) ? text(key, a, true) : esc(text(key, a, false)); }
  /* the attributes that mark an element as showing key with values a */
  function attrs(key, a) {
    return ' data-i18n="' + esc(key) + '"' + (a ? ' data-i18n-a="' + esc(JSON.stringify(a)) + '"' : '');
  }
  /* a span saying key, marked to be said again in another language */
  function s(key, a) { return '<span' + attrs(key, a) + '>' + h(key, a) + '</span>'; }
  /* an element's content as key says it, marked */
  function set(el, key, a) {
    el.setAttribute('data-i18n', key);
    if (a) el.setAttribute('data-i18n-a', JSON.stringify(a)); else el.removeAttribute('data-i18n-a');
    if (isHtml(key)) el.innerHTML = h(key, a); else el.textContent = t(key, a);
  }
  /* an attribute (placeholder, title, aria-label) as key says it, marked */
  function attr(name, key, a) {
    return ' ' + name + '="' + esc(t(key, a)) + '" data-i18n-' + name + '="' + esc(key) + '"' +
      (a ? ' data-i18n-' + name + '-a="' + esc(JSON.stringify(a)) + '"' : '');
  }
  var ATTRS = ['placeholder', 'title', 'aria-label'];
  function args(el, name) {
    var j = el.getAttribute(name);
    try { return j ? JSON.parse(j) : undefined; } catch (e) { return undefined; }
  }
  /* everything marked under root said in the language now chosen */
  function apply(root) {
    root = root || document;
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n]'), function (el) {
      var key = el.getAttribute('data-i18n'), a = args(el, 'data-i18n-a');
      if (isHtml(key)) el.innerHTML = h(key, a); else el.textContent = t(key, a);
    });
    ATTRS.forEach(function (n) {
      Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-' + n + ']'), function (el) {
        el.setAttribute(n, t(el.getAttribute('data-i18n-' + n), args(el, 'data-i18n-' + n + '-a')));
      });
    });
  }
  /* Leaflet's own texts in the language: Leaflet.draw's table (L.drawLocal,
   * changed in place: it reads it as it draws) and the zoom buttons' titles
   * of maps made from now on. A control already on the map keeps the titles
   * it was made with until the page says them again (app.js, at a switch).
   * What the page never shows (the toolbar's line, marker, rectangle and
   * circle buttons, the rectangle's and circle's tooltips) keeps Leaflet's
   * English.
   * In Azerbaijani a drawn area's size has a decimal comma, as elsewhere. */
  function leaflet() {
    var L = window.L;
    if (!L) return;
    if (L.Control && L.Control.Zoom) {
      L.Control.Zoom.prototype.options.zoomInTitle = t('zoomIn');
      L.Control.Zoom.prototype.options.zoomOutTitle = t('zoomOut');
    }
    var d = L.drawLocal;
    if (!d) return;
    var tb = d.draw.toolbar, hd = d.draw.handlers, et = d.edit.toolbar, eh = d.edit.handlers;
    tb.actions.title = t('drCancelTitle'); tb.actions.text = t('drCancel');
    tb.finish.title = t('drFinishTitle'); tb.finish.text = t('drFinish');
    tb.undo.title = t('drUndoTitle'); tb.undo.text = t('drUndo');
    tb.buttons.polygon = t('drPolygon');
    hd.polygon.tooltip.start = t('drPolyStart'); hd.polygon.tooltip.cont = t('drPolyCont'); hd.polygon.tooltip.end = t('drPolyEnd');
    hd.polyline.tooltip.start = t('drLineStart'); hd.polyline.tooltip.cont = t('drLineCont'); hd.polyline.tooltip.end = t('drLineEnd');
    hd.polyline.error = h('drCrossH'); hd.marker.tooltip.start = t('drMarkerStart');
    /* a line or polygon tool takes its error's words when it is made: the
     * words its tools share (Leaflet.draw 1.0.4) */
    if (L.Draw && L.Draw.Polyline) L.Draw.Polyline.prototype.options.drawError.message = hd.polyline.error;
    et.buttons.edit = t('edEdit'); et.buttons.editDisabled = t('edEditNone');
    et.buttons.remove = t('edRemove'); et.buttons.removeDisabled = t('edRemoveNone');
    et.actions.save.title = t('edSaveTitle'); et.actions.save.text = t('edSave');
    et.actions.cancel.title = t('edCancelTitle'); et.actions.cancel.text = t('edCancel');
    et.actions.clearAll.title = t('edClearAllTitle'); et.actions.clearAll.text = t('edClearAll');
    eh.edit.tooltip.text = t('edTip'); eh.edit.tooltip.subtext = t('edTipSub'); eh.remove.tooltip.text = t('rmTip');
    d.format = lang === 'az' ? {numeric: {delimiters: {thousands: '', decimal: ','}}} : undefined;
  }
  var listeners = [];
  function show() {
    document.documentElement.lang = lang;
    document.title = t('title');
    leaflet();
    ['en', 'az'].forEach(function (l) {
      var b = document.getElementById('lang-' + l);
      if (b) { b.classList.toggle('active', l === lang); b.setAttribute('aria-pressed', l === lang ? 'true' : 'false'); }
    });
    apply(document);
    listeners.forEach(function (f) { f(lang); });
  }
  /* the switch: the choice kept for this browser (and the public map), and
   * the link's ?lang= made the same, so that a reload keeps it */
  function choose(l) {
    if (l !== 'az' && l !== 'en') return;
    lang = l;
    try { window.localStorage.setItem('demine.lang', l); } catch (e) { /* no storage: this visit only */ }
    if (/[?&]lang=/i.test(window.location.search) && window.history && window.history.replaceState) {
      var q = window.location.search.replace(/([?&]lang=)[^&]*/i, '$1' + l);
      window.history.replaceState(window.history.state, '', window.location.pathname + q + window.location.hash);
    }
    show();
  }
  function wire() {
    ['en', 'az'].forEach(function (l) {
      var b = document.getElementById('lang-' + l);
      if (b) b.addEventListener('click', function () { choose(l); });
    });
    show();
  }
  return {
    t: t, h: h, s: s, set: set, attr: attr, attrs: attrs, apply: apply, num: num, esc: esc, wire: wire,
    choose: choose, lang: function () { return lang; },
    onChange: function (f) { listeners.push(f); },
    T: T
  };
})();
