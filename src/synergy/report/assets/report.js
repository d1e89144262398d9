/* synergy interactive report: draws the screen overview and each block from embedded data.
   No library, no network: canvas and SVG only (docs/design.md §17). */
(function () {
  'use strict';
  var S = (window.SYNERGY = window.SYNERGY || {});
  var D = null;
  var chunks = {};
  var pending = {};
  var state = { model: null, sortModel: 0, sortDir: -1, page: 0, query: '', status: 'all',
                block: null, panel: 0, smooth: false, well: null, az: -0.7, el: 0.55 };
  var PAGE = 50;
  var NS = 'http://www.w3.org/2000/svg';
  var COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

  S.overview = function (data) { D = data; };
  S.chunk = function (k, blocks) {
    chunks[k] = blocks;
    (pending[k] || []).forEach(function (f) { f(); });
    delete pending[k];
  };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function fmt(x, d) {
    if (x === null || x === undefined || !isFinite(x)) return '–';
    d = d === undefined ? 2 : d;
    return (Math.round(x * Math.pow(10, d)) / Math.pow(10, d)).toFixed(d);
  }
  function fmtDose(x) {
    if (x === null || !isFinite(x)) return '–';
    if (x === 0) return '0';
    var a = Math.abs(x);
    if (a >= 100 && a < 1e5) return x.toFixed(0);
    if (a >= 0.01 && a < 100) return String(Number(x.toPrecision(3)));
    return x.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  }
  function reshape(flat, start, n, m) {
    var out = [];
    for (var r = 0; r < n; r++) out.push(flat.slice(start + r * m, start + (r + 1) * m));
    return out;
  }
  /* a panel's grids, one base64 int16 string: observed, δ of each model, then the
     references of D.refs (tenths of a % point; -32768 = no well) */
  function preparePanels(b) {
    b.panels.forEach(function (p) {
      if (p.O) return;
      if (!p.x) { p.x = b.curves[1].x; p.y = b.curves[0].x; p.label = ''; }
      if (!p.xd) { p.xd = b.drugs[1]; p.yd = b.drugs[0]; }
      var n = p.y.length, m = p.x.length, flat = unpackFlat(p.g), k = 0;
      p.O = reshape(flat, 0, n, m); p.D = {}; p.R = {};
      D.models.forEach(function (mo) { k++; p.D[mo] = reshape(flat, k * n * m, n, m); });
      D.refs.forEach(function (mo) { k++; p.R[mo] = reshape(flat, k * n * m, n, m); });
    });
  }
  function unpackFlat(text) {
    var bin = atob(text), view = new DataView(new ArrayBuffer(bin.length)), out = [];
    for (var i = 0; i < bin.length; i++) view.setUint8(i, bin.charCodeAt(i));
    for (i = 0; i < bin.length / 2; i++) { var v = view.getInt16(2 * i, true); out.push(v === -32768 ? NaN : v / 10); }
    return out;
  }
  /* a band's half-widths, one byte per dose (report/_data.py pack_width) */
  function unpackWidth(text) {
    var bin = atob(text), out = [];
    for (var i = 0; i < bin.length; i++) {
      var k = bin.charCodeAt(i);
      out.push(k === 255 ? NaN : k === 254 ? Infinity : k <= 200 ? k / 2 : 100 * Math.pow(1.1, k - 200));
    }
    return out;
  }
  function explain(word) { return word && D.words[word] ? D.words[word] : (word || '').replace(/_/g, ' '); }
  /* the block status in synergy.status's words; a model status word's severity
     (0 note, 1 warning, 2 failed), the rule that sets the block status */
  function statusWord(code) { return D.block[code] ? D.block[code][0].replace(/_/g, ' ') : 'code ' + code; }
  function modelNote(word) {
    if (!word || word === 'ok') return ['ok', 0];
    var sev = D.severity[word] === undefined ? 1 : D.severity[word];
    return [['note', 'warning', 'failed'][sev] + ': ' + explain(word), sev];
  }

  /* ---------- block data: <script src> chunks (file:// pages may load scripts, not fetch) */
  function loadBlock(index, done) {
    var k = Math.floor(index / D.chunk);
    var ready = function () { done(chunks[k][index - k * D.chunk]); };
    if (chunks[k]) return ready();
    var inline = document.getElementById('chunk-' + k);
    if (inline) { chunks[k] = JSON.parse(inline.textContent); return ready(); }
    if (pending[k]) { pending[k].push(ready); return; }
    pending[k] = [ready];
    var s = el('script', { src: D.dir + '/blocks-' + String(k).padStart(5, '0') + '.js' });
    s.onerror = function () {
      document.getElementById('detail').textContent =
        'The block data (' + s.src + ') is missing: keep the folder beside the page.';
    };
    document.head.appendChild(s);
  }

  /* ---------- overview: histogram, ranked table, top N, flagged */
  function scoreOf(row, m) { return row[5][m][0]; }

  function histogram() {
    var box = document.getElementById('histogram');
    box.innerHTML = '';
    var m = state.sortModel;
    var vals = D.rows.map(function (r) { return scoreOf(r, m); }).filter(function (v) { return v !== null; });
    var W = 560, H = 190, L = 44, B = 34;
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'hist', role: 'img' });
    if (!vals.length) { box.textContent = 'no scores'; return; }
    var lo = Math.min.apply(null, vals.concat([-10])), hi = Math.max.apply(null, vals.concat([10]));
    var nb = Math.min(40, Math.max(8, Math.ceil(Math.sqrt(vals.length))));
    var step = (hi - lo) / nb || 1, counts = new Array(nb).fill(0);
    vals.forEach(function (v) { counts[Math.min(nb - 1, Math.floor((v - lo) / step))]++; });
    var top = Math.max.apply(null, counts);
    var x = function (v) { return L + (W - L - 10) * (v - lo) / (hi - lo); };
    counts.forEach(function (c, j) {
      var h = (H - B - 10) * c / top, mid = lo + (j + 0.5) * step;
      var r = svg('rect', { x: x(lo + j * step) + 0.5, y: H - B - h, width: Math.max(1, x(lo + step) - x(lo) - 1),
        height: h, fill: mid > 10 ? '#d7191c' : mid < -10 ? '#1a9641' : '#9aa7b4' });
      var t = svg('title'); t.textContent = c + ' blocks, score ' + fmt(lo + j * step, 1) + ' to ' + fmt(lo + (j + 1) * step, 1);
      r.appendChild(t); root.appendChild(r);
    });
    [-10, 0, 10].forEach(function (v) {
      root.appendChild(svg('line', { x1: x(v), x2: x(v), y1: 8, y2: H - B, stroke: '#555', 'stroke-dasharray': v ? '3,3' : '' }));
    });
    root.appendChild(svg('line', { x1: L, x2: W - 10, y1: H - B, y2: H - B, stroke: '#333' }));
    for (var k = 0; k <= 5; k++) {
      var v = lo + k * (hi - lo) / 5, t = svg('text', { x: x(v), y: H - B + 14, 'text-anchor': 'middle', class: 'tick' });
      t.textContent = fmt(v, 0); root.appendChild(t);
    }
    var lab = svg('text', { x: (W + L) / 2, y: H - 4, 'text-anchor': 'middle', class: 'axis' });
    lab.textContent = D.labels[D.models[m]] + ' synergy score (% points): red > 10 synergy, green < −10 antagonism';
    root.appendChild(lab);
    var yl = svg('text', { x: 12, y: (H - B) / 2, transform: 'rotate(-90 12 ' + (H - B) / 2 + ')', 'text-anchor': 'middle', class: 'axis' });
    yl.textContent = 'blocks'; root.appendChild(yl);
    box.appendChild(root);
  }

  function filtered() {
    var q = state.query.toLowerCase(), st = state.status;
    var rows = D.rows.filter(function (r) {
      if (st !== 'all' && String(r[3]) !== st) return false;
      if (!q) return true;
      return (r[0] + ' ' + r[1].join(' ') + ' ' + r[2] + ' ' + r[8] + ' ' + D.reasons[r[4]]).toLowerCase().indexOf(q) >= 0;
    });
    var m = state.sortModel, dir = state.sortDir;
    rows.sort(function (a, b) {
      var x = scoreOf(a, m), y = scoreOf(b, m);
      if (x === null) return 1; if (y === null) return -1;
      return dir * (x - y);
    });
    return rows;
  }

  function table() {
    var rows = filtered();
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var body = document.querySelector('#ranked tbody');
    body.innerHTML = '';
    rows.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (r, j) {
      var tr = el('tr', { 'data-index': r[9], class: 'status-row-' + r[3] });
      tr.appendChild(el('td', {}, String(state.page * PAGE + j + 1)));
      var a = el('a', { href: '#block=' + encodeURIComponent(r[0]) }, r[0]);
      var td = el('td', { class: 'text' }); td.appendChild(a); tr.appendChild(td);
      tr.appendChild(el('td', { class: 'text' }, r[1].join(' × ')));
      tr.appendChild(el('td', { class: 'text' }, r[2]));
      D.models.forEach(function (_, mi) {
        var s = r[5][mi], txt = fmt(s[0]);
        if (s[1] !== null && s[2] !== null) txt += ' [' + fmt(s[1]) + ', ' + fmt(s[2]) + ']';
        tr.appendChild(el('td', {}, txt));
      });
      tr.appendChild(el('td', {}, fmt(r[6])));
      tr.appendChild(el('td', { class: 'text' }, r[7].join(' / ')));
      tr.appendChild(el('td', { class: 'text', title: r[8] === 'good' ? 'the single-drug curves fitted well' :
        r[8].split(', ').map(function (w) { return w + ': ' + explain(w); }).join('; ') }, r[8].replace(/_/g, ' ')));
      var st = el('td', { class: 'text status-' + r[3], title: D.reasons[r[4]] }, statusWord(r[3]));
      tr.appendChild(st);
      body.appendChild(tr);
    });
    document.getElementById('page-info').textContent =
      rows.length + ' of ' + D.rows.length + ' blocks · page ' + (state.page + 1) + ' of ' + pages;
  }

  function buildTable() {
    var head = document.querySelector('#ranked thead tr');
    var cols = ['rank', 'block', 'drugs', 'sample'];
    cols.forEach(function (c) { head.appendChild(el('th', { class: 'text' }, c)); });
    D.models.forEach(function (m, mi) {
      var th = el('th', { class: 'sortable', title: 'sort by this score' }, D.labels[m] + ' score ▾');
      th.addEventListener('click', function () {
        state.sortDir = state.sortModel === mi ? -state.sortDir : -1;
        state.sortModel = mi; state.page = 0; table(); histogram();
      });
      head.appendChild(th);
    });
    head.appendChild(el('th', { title: 'most synergistic area of the ranking model' }, 'MSA'));
    head.appendChild(el('th', { class: 'text' }, 'IC50s (' + D.unit + ')'));
    head.appendChild(el('th', { class: 'text' }, 'fit quality'));
    head.appendChild(el('th', { class: 'text' }, 'status'));
    document.getElementById('search').addEventListener('input', function (e) { state.query = e.target.value; state.page = 0; table(); });
    document.getElementById('status-filter').addEventListener('change', function (e) { state.status = e.target.value; state.page = 0; table(); });
    document.getElementById('prev').addEventListener('click', function () { state.page = Math.max(0, state.page - 1); table(); });
    document.getElementById('next').addEventListener('click', function () { state.page++; table(); });
    document.querySelector('#ranked tbody').addEventListener('click', function (e) {
      var tr = e.target.closest('tr');
      if (tr && e.target.tagName !== 'A') location.hash = 'block=' + encodeURIComponent(D.rows.find(function (r) { return r[9] == tr.dataset.index; })[0]);
    });
  }

  function topAndFlagged() {
    var top = document.getElementById('top');
    var n = Math.min(D.top, D.rows.length);
    var ol = el('ol');
    D.rows.slice(0, n).forEach(function (r) {
      var li = el('li');
      li.appendChild(el('a', { href: '#block=' + encodeURIComponent(r[0]) }, r[1].join(' × ') + ' · ' + r[2]));
      li.appendChild(document.createTextNode(' — ' + D.labels[D.models[0]] + ' ' + fmt(r[5][0][0]) + (r[3] ? ' (' + statusWord(r[3]) + ')' : '')));
      ol.appendChild(li);
    });
    top.appendChild(ol);
    var groups = {};
    D.rows.forEach(function (r) { if (r[3] > 0) (groups[r[4]] = groups[r[4]] || []).push(r); });
    var flagged = document.getElementById('flagged');
    var keys = Object.keys(groups).sort(function (a, b) { return groups[b].length - groups[a].length; });
    if (!keys.length) flagged.appendChild(el('p', {}, 'No block was flagged: every score was computed without a warning.'));
    keys.slice(0, 30).forEach(function (k) {
      var g = groups[k], d = el('details');
      d.appendChild(el('summary', {}, g.length + ' block(s) — ' + statusWord(g[0][3]) + ': ' + D.reasons[k]));
      var p = el('p');
      g.slice(0, 40).forEach(function (r) {
        p.appendChild(el('a', { href: '#block=' + encodeURIComponent(r[0]) }, r[0]));
        p.appendChild(document.createTextNode(' '));
      });
      if (g.length > 40) p.appendChild(document.createTextNode('… (search the table for the rest)'));
      d.appendChild(p); flagged.appendChild(d);
    });
  }

  /* ---------- colour maps */
  function deltaColour(v, lim) {
    if (!isFinite(v)) return [217, 217, 217];
    var t = Math.max(-1, Math.min(1, v / lim));
    var stops = t >= 0 ? [[255, 255, 255], [253, 174, 97], [215, 25, 28]] : [[255, 255, 255], [166, 217, 106], [26, 150, 65]];
    var a = Math.abs(t) * 2, i = Math.min(1, Math.floor(a)), f = a - i;
    var c0 = stops[i], c1 = stops[Math.min(2, i + 1)];
    return [0, 1, 2].map(function (k) { return Math.round(c0[k] + (c1[k] - c0[k]) * f); });
  }
  function responseColour(v) {
    if (!isFinite(v)) return [217, 217, 217];
    var t = Math.max(0, Math.min(1, v / 100));
    return [Math.round(255 - 224 * t), Math.round(255 - 150 * t), Math.round(255 - 75 * t)];
  }
  function css(c) { return 'rgb(' + c[0] + ',' + c[1] + ',' + c[2] + ')'; }

  /* bilinear interpolation on the dose-index grid (SynergyFinder's smoothed view) */
  function smooth(grid, f) {
    var n = grid.length, m = grid[0].length, out = [];
    for (var r = 0; r <= (n - 1) * f; r++) {
      var y = r / f, r0 = Math.min(n - 2, Math.floor(y)), fy = y - r0, row = [];
      for (var c = 0; c <= (m - 1) * f; c++) {
        var x = c / f, c0 = Math.min(m - 2, Math.floor(x)), fx = x - c0;
        if (n < 2 || m < 2) { row.push(grid[Math.round(y)][Math.round(x)]); continue; }
        row.push((1 - fy) * ((1 - fx) * grid[r0][c0] + fx * grid[r0][c0 + 1]) +
                 fy * ((1 - fx) * grid[r0 + 1][c0] + fx * grid[r0 + 1][c0 + 1]));
      }
      out.push(row);
    }
    return out;
  }

  function markNonBlank(canvas) {
    var ctx = canvas.getContext('2d'), px = ctx.getImageData(0, 0, canvas.width, canvas.height).data, seen = {};
    for (var i = 0; i < px.length; i += 4 * 7) seen[px[i] + ',' + px[i + 1] + ',' + px[i + 2]] = 1;
    canvas.dataset.colours = Object.keys(seen).length;
  }

  /* ---------- block detail */
  function heatmap(panel, grid, colour, title, key, msa) {
    var n = panel.y.length, m = panel.x.length, wrap = el('div', { class: 'heat' });
    wrap.appendChild(el('div', { class: 'caption' }, title));
    var cell = Math.max(14, Math.min(38, Math.floor(300 / Math.max(n, m))));
    var L = 58, B = 46, canvas = el('canvas', { width: L + m * cell + 8, height: n * cell + B + 6, 'data-kind': key });
    var ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height);
    var drawn = state.smooth && n > 1 && m > 1 ? smooth(grid, 6) : grid, f = drawn.length > n ? 6 : 1;
    var h = n * cell / drawn.length, w = m * cell / drawn[0].length;
    for (var r = 0; r < drawn.length; r++) for (var c = 0; c < drawn[0].length; c++) {
      ctx.fillStyle = css(colour(drawn[r][c]));
      ctx.fillRect(L + c * w, (drawn.length - 1 - r) * h, Math.ceil(w), Math.ceil(h));
    }
    ctx.fillStyle = '#222'; ctx.font = '10px system-ui, sans-serif'; ctx.textAlign = 'center';
    if (f === 1 && cell >= 26) for (r = 0; r < n; r++) for (c = 0; c < m; c++)
      if (isFinite(grid[r][c])) ctx.fillText(fmt(grid[r][c], 0), L + (c + 0.5) * cell, (n - 1 - r + 0.6) * cell);
    for (c = 0; c < m; c++) { ctx.save(); ctx.translate(L + (c + 0.5) * cell, n * cell + 6); ctx.rotate(-0.7); ctx.textAlign = 'right'; ctx.fillText(fmtDose(panel.x[c]), 0, 6); ctx.restore(); }
    ctx.textAlign = 'right';
    for (r = 0; r < n; r++) ctx.fillText(fmtDose(panel.y[r]), L - 4, (n - 1 - r + 0.6) * cell);
    if (msa && msa[0] >= 0 && f === 1) {
      ctx.save(); ctx.setLineDash([5, 3]); ctx.strokeStyle = '#111'; ctx.lineWidth = 2;
      ctx.strokeRect(L + msa[1] * cell, (n - 3 - msa[0]) * cell, 3 * cell, 3 * cell); ctx.restore();
    }
    if (state.well) { ctx.strokeStyle = '#000'; ctx.lineWidth = 2; ctx.strokeRect(L + state.well[1] * cell + 1, (n - 1 - state.well[0]) * cell + 1, cell - 2, cell - 2); }
    function wellAt(e) {  // the canvas may be scaled down to fit a small screen
      var b = canvas.getBoundingClientRect(), sx = canvas.width / b.width, sy = canvas.height / b.height;
      return [n - 1 - Math.floor((e.clientY - b.top) * sy / cell), Math.floor(((e.clientX - b.left) * sx - L) / cell)];
    }
    canvas.addEventListener('mousemove', function (e) {
      var at = wellAt(e), r2 = at[0], c2 = at[1];
      var tip = document.getElementById('tip');
      if (c2 < 0 || c2 >= m || r2 < 0 || r2 >= n) { tip.style.display = 'none'; return; }
      tip.innerHTML = '';
      tip.appendChild(el('div', {}, panel.yd + ' ' + fmtDose(panel.y[r2]) + ' ' + D.unit + ', ' + panel.xd + ' ' + fmtDose(panel.x[c2]) + ' ' + D.unit));
      var o = panel.O[r2][c2];
      tip.appendChild(el('div', {}, 'observed ' + fmt(o, 1) + ' %'));
      D.models.forEach(function (mo) {
        var ref = panel.R[mo] ? panel.R[mo][r2][c2] : NaN, d = panel.D[mo][r2][c2];
        tip.appendChild(el('div', {}, D.labels[mo] + ': reference ' + fmt(ref, 1) + ' %, δ ' + fmt(d, 1)));
      });
      tip.style.display = 'block'; tip.style.left = (e.pageX + 14) + 'px'; tip.style.top = (e.pageY + 10) + 'px';
    });
    canvas.addEventListener('mouseleave', function () { document.getElementById('tip').style.display = 'none'; });
    canvas.addEventListener('click', function (e) {
      var at = wellAt(e), r2 = at[0], c2 = at[1];
      if (c2 >= 0 && c2 < m && r2 >= 0 && r2 < n) { state.well = [r2, c2]; drawBlock(state.block); }
    });
    wrap.appendChild(canvas);
    var ax = el('div', { class: 'small' }, '↑ ' + panel.yd + ' · → ' + panel.xd + ' (' + D.unit + ')');
    wrap.appendChild(ax);
    markNonBlank(canvas);
    return wrap;
  }

  function surface3d(panel, grid, lim, label) {
    var wrap = el('div', { class: 'heat' });
    wrap.appendChild(el('div', { class: 'caption' }, label + ' δ surface — drag to rotate'));
    var canvas = el('canvas', { width: 420, height: 370, id: 'surface', 'data-kind': 'surface3d' });
    wrap.appendChild(canvas);
    var g = state.smooth && grid.length > 1 && grid[0].length > 1 ? smooth(grid, 4) : grid;
    function draw() {
      var ctx = canvas.getContext('2d'), n = g.length, m = g[0].length, W = canvas.width, H = canvas.height;
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, W, H);
      var ca = Math.cos(state.az), sa = Math.sin(state.az), ce = Math.cos(state.el), se = Math.sin(state.el);
      var zl = Math.max(lim, 1);
      function proj(r, c, z) {
        var x = m > 1 ? c / (m - 1) * 2 - 1 : 0, y = n > 1 ? r / (n - 1) * 2 - 1 : 0, zz = isFinite(z) ? z / zl : 0;
        var X = x * ca - y * sa, Y = x * sa + y * ca;
        return [W / 2 + 90 * X, H / 2 + 15 - 90 * (zz * ce * 0.8 - Y * se), Y * ce + zz * se];
      }
      var quads = [];
      for (var r = 0; r < n - 1; r++) for (var c = 0; c < m - 1; c++) {
        var v = [g[r][c], g[r][c + 1], g[r + 1][c + 1], g[r + 1][c]], mean = 0, k = 0;
        v.forEach(function (x) { if (isFinite(x)) { mean += x; k++; } });
        var pts = [proj(r, c, v[0]), proj(r, c + 1, v[1]), proj(r + 1, c + 1, v[2]), proj(r + 1, c, v[3])];
        quads.push({ pts: pts, depth: pts.reduce(function (a, p) { return a + p[2]; }, 0), value: k ? mean / k : NaN });
      }
      // painter's algorithm: the farthest quads first (depth grows towards the viewer)
      quads.sort(function (a, b) { return a.depth - b.depth; });
      var box = [[0, 0, -zl], [0, m - 1, -zl], [n - 1, m - 1, -zl], [n - 1, 0, -zl]].map(function (p) { return proj(p[0], p[1], p[2]); });
      ctx.strokeStyle = '#bbb'; ctx.beginPath(); box.forEach(function (p, i) { ctx[i ? 'lineTo' : 'moveTo'](p[0], p[1]); }); ctx.closePath(); ctx.stroke();
      quads.forEach(function (q) {
        ctx.beginPath(); q.pts.forEach(function (p, i) { ctx[i ? 'lineTo' : 'moveTo'](p[0], p[1]); }); ctx.closePath();
        ctx.fillStyle = css(deltaColour(q.value, lim)); ctx.fill();
        ctx.strokeStyle = 'rgba(60,60,60,0.35)'; ctx.stroke();
      });
      surfaceAxes(ctx, proj, [n, m], [(n - 1) / Math.max(1, grid.length - 1), (m - 1) / Math.max(1, grid[0].length - 1)], zl, lim, panel);
      ctx.textAlign = 'left'; ctx.textBaseline = 'alphabetic'; ctx.fillStyle = '#333'; ctx.font = '11px system-ui, sans-serif';
      ctx.fillText('δ from ' + fmt(-lim, 0) + ' (green) to ' + fmt(lim, 0) + ' (red)', 8, 14);
    }
    var drag = null;
    canvas.addEventListener('mousedown', function (e) { drag = [e.clientX, e.clientY, state.az, state.el]; });
    window.addEventListener('mouseup', function () { drag = null; });
    canvas.addEventListener('mousemove', function (e) {
      if (!drag) return;
      state.az = drag[2] + (e.clientX - drag[0]) / 120;
      state.el = Math.max(-0.2, Math.min(1.5, drag[3] + (e.clientY - drag[1]) / 120));
      draw();
    });
    draw();
    markNonBlank(canvas);
    return wrap;
  }

  /* the 3-D surface's axes: dose ticks and names along the two front edges of its floor,
     a δ axis with ticks at its leftmost corner (size = [rows, cols] of the drawn grid,
     step = drawn grid points per dose) */
  function surfaceAxes(ctx, proj, size, step, zl, lim, panel) {
    var n = size[0], m = size[1], W = ctx.canvas.width, centre = proj((n - 1) / 2, (m - 1) / 2, -zl);
    var placed = [];  // labels drawn so far: a label that would overlap one is left out
    ctx.strokeStyle = '#888'; ctx.fillStyle = '#333'; ctx.textBaseline = 'middle';
    function away(p, d) {
      var dx = p[0] - centre[0], dy = p[1] - centre[1], l = Math.sqrt(dx * dx + dy * dy) || 1;
      return [p[0] + d * dx / l, p[1] + d * dy / l];
    }
    function label(text, p, size, align) {
      ctx.font = size + 'px system-ui, sans-serif';
      var w = ctx.measureText(text).width, x = align === 'right' ? Math.max(w + 2, p[0]) - w / 2 : Math.max(w / 2 + 2, Math.min(W - w / 2 - 2, p[0]));
      var box = [x - w / 2 - 2, x + w / 2 + 2, p[1] - size / 2 - 1, p[1] + size / 2 + 1];
      if (placed.some(function (o) { return box[0] < o[1] && o[0] < box[1] && box[2] < o[3] && o[2] < box[3]; })) return;
      placed.push(box); ctx.textAlign = 'center'; ctx.fillText(text, x, p[1]);
    }
    // the δ axis: a vertical line at the floor's leftmost corner on the screen
    var corners = [[0, 0], [0, m - 1], [n - 1, m - 1], [n - 1, 0]], at = corners[0];
    corners.forEach(function (k) { if (proj(k[0], k[1], 0)[0] < proj(at[0], at[1], 0)[0]) at = k; });
    var bottom = proj(at[0], at[1], -zl), top = proj(at[0], at[1], zl);
    ctx.beginPath(); ctx.moveTo(bottom[0], bottom[1]); ctx.lineTo(top[0], top[1]); ctx.stroke();
    [lim, lim / 2, 0, -lim / 2, -lim].forEach(function (v) {
      var p = proj(at[0], at[1], v);
      ctx.beginPath(); ctx.moveTo(p[0] - 4, p[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
      label(fmt(v, 0), [p[0] - 6, p[1]], 10, 'right');
    });
    label('δ (% points)', [top[0], top[1] - 13], 11);
    // the dose axes along the front edges: of each pair of opposite floor edges, the one
    // lower on the screen; names beyond the tick labels
    var rEdge = proj(0, (m - 1) / 2, -zl)[1] >= proj(n - 1, (m - 1) / 2, -zl)[1] ? 0 : n - 1;
    var cEdge = proj((n - 1) / 2, 0, -zl)[1] >= proj((n - 1) / 2, m - 1, -zl)[1] ? 0 : m - 1;
    label(panel.xd + ' (' + D.unit + ')', away(proj(rEdge, (m - 1) / 2, -zl), 38), 11);
    label(panel.yd + ' (' + D.unit + ')', away(proj((n - 1) / 2, cEdge, -zl), 38), 11);
    var every = Math.ceil(panel.x.length / 5);
    for (var c = 0; c < panel.x.length; c += every) label(fmtDose(panel.x[c]), away(proj(rEdge, c * step[1], -zl), 14), 10);
    every = Math.ceil(panel.y.length / 5);
    for (var r = 0; r < panel.y.length; r += every) label(fmtDose(panel.y[r]), away(proj(r * step[0], cEdge, -zl), 14), 10);
    ctx.canvas.dataset.axes = [panel.yd, panel.xd, 'δ'].join('|');
    ctx.canvas.dataset.axisLabels = placed.length;
  }

  function curvesSvg(b) {
    var W = 300, H = 210, L = 40, B = 36, T = 18, wrap = el('div', { class: 'curves' });
    b.curves.forEach(function (cv, k) {
      var flatY = unpackFlat(cv.y), nrep = cv.x.length ? flatY.length / cv.x.length : 1, all = [0, 100];
      var ys = cv.x.map(function (_, j) { return flatY.slice(j * nrep, (j + 1) * nrep); });
      flatY.forEach(function (v) { if (isFinite(v)) all.push(v); });
      var ylo = Math.min.apply(null, all), yhi = Math.max.apply(null, all), pad = 0.06 * (yhi - ylo);
      ylo -= pad; yhi += pad;
      var pos = cv.x.filter(function (x) { return x > 0; });
      var lo = pos.length ? Math.min.apply(null, pos) : 0.1, hi = pos.length ? Math.max.apply(null, pos) : 10;
      var zero = lo / 3, xl = Math.log10(zero / 1.5), xh = Math.log10(hi * 1.6);
      var X = function (x) { return L + (W - L - 8) * (Math.log10(x > 0 ? x : zero) - xl) / (xh - xl); };
      var Y = function (y) { return T + (H - T - B) * (yhi - Math.max(ylo, Math.min(yhi, y))) / (yhi - ylo); };
      var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'curve', 'data-kind': 'curve' });
      var colour = COLOURS[k % COLOURS.length];
      root.appendChild(svg('rect', { x: L, y: T, width: W - L - 8, height: H - T - B, fill: 'none', stroke: '#999' }));
      [0, 50, 100].forEach(function (v) {
        if (v < ylo || v > yhi) return;
        root.appendChild(svg('line', { x1: L, x2: W - 8, y1: Y(v), y2: Y(v), stroke: '#e3e3e3' }));
        var t = svg('text', { x: L - 4, y: Y(v) + 3, 'text-anchor': 'end', class: 'tick' }); t.textContent = v; root.appendChild(t);
      });
      if (cv.fx) {
        var fy = unpackFlat(cv.fy), a = Math.log(cv.fx[0]), z = Math.log(cv.fx[1]);
        var fxs = fy.map(function (_, j) { return X(Math.exp(a + (z - a) * j / (fy.length - 1))).toFixed(1); });
        if (cv.fb) {  // the 95 % band, clipped to the frame (Y clips) as the static figure's
          var half = unpackWidth(cv.fb), up = [], down = [];
          fy.forEach(function (y, j) {
            if (!isFinite(half[j])) return;
            up.push(fxs[j] + ',' + Y(y + half[j]).toFixed(1));
            down.unshift(fxs[j] + ',' + Y(y - half[j]).toFixed(1));
          });
          if (up.length > 1) {
            var band = svg('path', { d: 'M' + up.concat(down).join('L') + 'Z', fill: colour, 'fill-opacity': 0.18, stroke: 'none', 'data-kind': 'band' });
            var bt = svg('title'); bt.textContent = '95 % confidence band of the fit'; band.appendChild(bt);
            root.appendChild(band);
          }
        }
        var d = fy.map(function (y, j) { return (j ? 'L' : 'M') + fxs[j] + ',' + Y(y).toFixed(1); }).join('');
        root.appendChild(svg('path', { d: d, fill: 'none', stroke: colour, 'stroke-width': 2 }));
      }
      cv.x.forEach(function (x, j) {
        ys[j].forEach(function (v) {
          if (!isFinite(v)) return;
          var c = svg('circle', { cx: X(x), cy: Y(v), r: 3, fill: colour, 'fill-opacity': 0.55 });
          var t = svg('title'); t.textContent = fmtDose(x) + ' ' + D.unit + ': ' + fmt(v, 1) + ' %'; c.appendChild(t);
          root.appendChild(c);
        });
        var t = svg('text', { x: X(x), y: H - B + 12, 'text-anchor': 'middle', class: 'tick' });
        t.textContent = fmtDose(x); if (j % Math.ceil(cv.x.length / 6) === 0) root.appendChild(t);
      });
      var title = svg('text', { x: L, y: 12, class: 'axis' });
      title.textContent = b.drugs[k] + ' alone · IC50 ' + cv.ic50 + ' ' + D.unit; root.appendChild(title);
      var xlab = svg('text', { x: (W + L) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis' });
      xlab.textContent = b.drugs[k] + ' (' + D.unit + ', log scale; 0 at left)'; root.appendChild(xlab);
      wrap.appendChild(root);
    });
    return wrap;
  }

  function barometer(panel, r, c) {
    var n = panel.y.length, m = panel.x.length;
    var obs = panel.O[r][c];
    var marks = D.models.map(function (mo, k) {
      return { name: D.labels[mo], v: panel.R[mo] ? panel.R[mo][r][c] : NaN, colour: COLOURS[(k + 2) % COLOURS.length] };
    }).filter(function (x) { return isFinite(x.v); });
    var all = marks.map(function (x) { return x.v; }).concat([0, 100, isFinite(obs) ? obs : 0]);
    var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all);
    var W = 560, H = 112, L = 20, X = function (v) { return L + (W - 2 * L) * (v - lo) / (hi - lo || 1); };
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'barometer', 'data-kind': 'barometer' });
    var grad = svg('linearGradient', { id: 'bar-grad' });
    [['0%', '#eef2f6'], ['100%', '#1f3b57']].forEach(function (s) { grad.appendChild(svg('stop', { offset: s[0], 'stop-color': s[1] })); });
    var defs = svg('defs'); defs.appendChild(grad); root.appendChild(defs);
    root.appendChild(svg('rect', { x: L, y: 56, width: W - 2 * L, height: 12, fill: 'url(#bar-grad)', rx: 6 }));
    [lo, 0, 50, 100, hi].filter(function (v, k) {
      return k > 0 && k < 4 || Math.min(Math.abs(X(v) - X(0)), Math.abs(X(v) - X(100))) > 36;
    }).forEach(function (v) {
      var t = svg('text', { x: X(v), y: 82, 'text-anchor': 'middle', class: 'tick' }); t.textContent = fmt(v, 0) + ' %'; root.appendChild(t);
    });
    // labels on one row, in the order of their marks, spread apart where references are
    // close and joined to their marks by leaders (which then never cross)
    marks.sort(function (a, b) { return a.v - b.v; });
    var GAP = 8, pos = marks.map(function (mk) { mk.text = mk.name + ' ' + fmt(mk.v, 1); mk.w = 6.4 * mk.text.length + 4; return X(mk.v); });
    for (var i = 1; i < marks.length; i++) pos[i] = Math.max(pos[i], pos[i - 1] + (marks[i - 1].w + marks[i].w) / 2 + GAP);
    for (i = marks.length - 1; i >= 0; i--) {
      var right = i + 1 < marks.length ? pos[i + 1] - (marks[i + 1].w + marks[i].w) / 2 - GAP : W - marks[i].w / 2;
      pos[i] = Math.min(pos[i], right);
    }
    for (i = 0; i < marks.length; i++) pos[i] = Math.max(pos[i], marks[i].w / 2 + (i ? pos[i - 1] + marks[i - 1].w / 2 + GAP : 0));
    marks.forEach(function (mk, k) {
      var x = X(mk.v);
      root.appendChild(svg('path', { d: 'M' + pos[k].toFixed(1) + ',22 L' + pos[k].toFixed(1) + ',28 L' + x.toFixed(1) + ',46 L' + x.toFixed(1) + ',72',
        fill: 'none', stroke: mk.colour, 'stroke-width': 2 }));
      var t = svg('text', { x: pos[k].toFixed(1), y: 17, 'text-anchor': 'middle', class: 'tick', style: 'fill:' + mk.colour, 'data-kind': 'baro-label' });
      t.textContent = mk.text; root.appendChild(t);
    });
    if (isFinite(obs)) {
      root.appendChild(svg('path', { d: 'M' + X(obs) + ',70 l-7,14 l14,0 z', fill: '#000' }));
      var t = svg('text', { x: X(obs), y: 104, 'text-anchor': 'middle', class: 'axis' }); t.textContent = 'observed ' + fmt(obs, 1) + ' %'; root.appendChild(t);
    }
    var wrap = el('div', { class: 'baro' });
    wrap.appendChild(el('div', { class: 'caption' }, 'Barometer at ' + panel.yd + ' ' + fmtDose(panel.y[r]) + ' + ' + panel.xd + ' ' +
      fmtDose(panel.x[c]) + ' ' + D.unit + ' (click a well of a map to move it): observed inhibition against each reference'));
    wrap.appendChild(root);
    return wrap;
  }

  function drawBlock(b) {
    var box = document.getElementById('detail');
    var row = D.rows.find(function (r) { return r[0] === b.id; });
    preparePanels(b);
    box.innerHTML = '';
    box.appendChild(el('h2', { id: 'detail-title' }, b.drugs.join(' × ') + ' · ' + row[2] + ' (block ' + b.id + ')'));
    var st = el('p');
    st.appendChild(el('span', { class: 'status-' + row[3], 'data-kind': 'block-status' }, statusWord(row[3])));
    // a block that is ok may still carry a note (e.g. the Loewe fallback on some wells)
    var reason = D.reasons[row[4]], lead = row[3] === 0 && reason ? ' — note: ' : ' — ';
    st.appendChild(document.createTextNode(lead + (reason || (D.block[row[3]] || ['', ''])[1])));
    box.appendChild(st);
    var t = el('table'), head = el('tr');
    ['model', 'score (% points)', 'CI', 'MSA', 'max δ', 'note'].forEach(function (h, j) { head.appendChild(el('th', { class: j === 0 || j === 5 ? 'text' : '' }, h)); });
    t.appendChild(head);
    D.models.forEach(function (mo, k) {
      var s = row[5][k], x = b.scores[mo], tr = el('tr'), note = modelNote(x[2]);
      [D.labels[mo], fmt(s[0]), s[1] === null ? '–' : '[' + fmt(s[1]) + ', ' + fmt(s[2]) + ']', fmt(x[0]), fmt(x[1]), note[0]]
        .forEach(function (v, j) { tr.appendChild(el('td', { class: j === 5 ? 'text status-' + note[1] : j === 0 ? 'text' : '' }, v)); });
      t.appendChild(tr);
    });
    var wrapT = el('div', { class: 'scroll' }); wrapT.appendChild(t); box.appendChild(wrapT);
    var ft = el('table'), fh = el('tr');
    ['drug', 'IC50 (' + D.unit + ')', '95 % CI', 'slope', 'bottom (%)', 'top (%)', 'fit quality'].forEach(function (h) { fh.appendChild(el('th', {}, h)); });
    ft.appendChild(fh);
    b.curves.forEach(function (cv, k) {
      var tr = el('tr');
      [b.drugs[k], cv.ic50, cv.ci, fmt(cv.p[1]), fmt(cv.p[2], 1), fmt(cv.p[3], 1), cv.fit ? explain(cv.fit) : '–'].forEach(function (v, j) {
        tr.appendChild(el('td', { class: j === 0 || j === 6 ? 'text' : '' }, v));
      });
      ft.appendChild(tr);
    });
    var wrapF = el('div', { class: 'scroll' }); wrapF.appendChild(ft); box.appendChild(wrapF);
    box.appendChild(curvesSvg(b));
    var controls = el('div', { class: 'controls' });
    var msel = el('select', { id: 'model-select' });
    D.models.forEach(function (mo, k) { var o = el('option', { value: k }, D.labels[mo]); if (k === state.model) o.selected = true; msel.appendChild(o); });
    msel.addEventListener('change', function () { state.model = +msel.value; drawBlock(b); });
    controls.appendChild(document.createTextNode('model ')); controls.appendChild(msel);
    if (b.panels.length > 1) {
      var psel = el('select', { id: 'panel-select' });
      b.panels.forEach(function (p, k) { var o = el('option', { value: k }, p.label); if (k === state.panel) o.selected = true; psel.appendChild(o); });
      psel.addEventListener('change', function () { state.panel = +psel.value; state.well = null; drawBlock(b); });
      controls.appendChild(document.createTextNode(' slice ')); controls.appendChild(psel);
    }
    var sm = el('input', { type: 'checkbox', id: 'smooth' }); sm.checked = state.smooth;
    sm.addEventListener('change', function () { state.smooth = sm.checked; drawBlock(b); });
    var lab = el('label'); lab.appendChild(sm); lab.appendChild(document.createTextNode(' smoothed (bilinear between wells, as SynergyFinder\'s interpolated plots)'));
    controls.appendChild(lab);
    box.appendChild(controls);
    var panel = b.panels[Math.min(state.panel, b.panels.length - 1)], mo = D.models[state.model];
    var n = panel.y.length, m = panel.x.length;
    var delta = panel.D[mo], lim = 10;
    delta.forEach(function (rw) { rw.forEach(function (v) { if (isFinite(v)) lim = Math.max(lim, Math.abs(v)); }); });
    var figs = el('div', { class: 'figs' });
    figs.appendChild(heatmap(panel, panel.O, responseColour, 'observed inhibition (%)', 'observed'));
    if (panel.R[mo]) figs.appendChild(heatmap(panel, panel.R[mo], responseColour, D.labels[mo] + ' reference (%)', 'reference'));
    var msa = b.panels.length === 1 && b.scores[mo].length > 4 ? b.scores[mo].slice(3, 5) : null;
    var dmap = heatmap(panel, delta, function (v) { return deltaColour(v, lim); }, D.labels[mo] + ' δ (% points)', 'delta', msa);
    if (msa && msa[0] >= 0) dmap.appendChild(el('div', { class: 'small' }, 'dashed box: most synergistic area (MSA), the 3 × 3 wells where δ averages highest: ' + fmt(b.scores[mo][0])));
    figs.appendChild(dmap);
    figs.appendChild(surface3d(panel, delta, lim, D.labels[mo]));
    box.appendChild(figs);
    if (!state.well || state.well[0] >= n || state.well[1] >= m) {
      var best = [Math.min(1, n - 1), Math.min(1, m - 1)], bv = -Infinity;
      delta.forEach(function (rw, r) { rw.forEach(function (v, c) { if (r > 0 && c > 0 && isFinite(v) && v > bv) { bv = v; best = [r, c]; } }); });
      state.well = best;
    }
    box.appendChild(barometer(panel, state.well[0], state.well[1]));
    // what the browser laid out: barometer labels that overlap (0 expected)
    var boxes = Array.prototype.map.call(box.querySelectorAll('[data-kind="baro-label"]'), function (t) { return t.getBoundingClientRect(); }), over = 0;
    boxes.forEach(function (a, i) { boxes.slice(i + 1).forEach(function (b2) { if (a.left < b2.right && b2.left < a.right && a.top < b2.bottom && b2.top < a.bottom) over++; }); });
    document.body.dataset.labelOverlaps = over;
    document.body.dataset.block = b.id;
  }

  function showBlock(id) {
    var row = D.rows.find(function (r) { return r[0] === id; }) || D.rows[0];
    if (!row) return;
    loadBlock(row[9], function (b) {
      if (state.block !== b) { state.well = null; state.panel = 0; }
      state.block = b; drawBlock(b);
      if (location.hash.indexOf('block=') >= 0) document.getElementById('detail').scrollIntoView();
    });
  }

  function route() {
    var h = decodeURIComponent(location.hash.replace(/^#/, ''));
    if (h.indexOf('block=') === 0) showBlock(h.slice(6));
  }

  function start() {
    window.addEventListener('error', function (e) {
      var box = document.getElementById('errors');
      if (box) box.textContent += (e.message || String(e)) + '\n';
    });
    state.model = 0;
    // a shared link may carry a search (#q=venetoclax) or a status filter (#status=2)
    var h = decodeURIComponent(location.hash.replace(/^#/, ''));
    if (h.indexOf('q=') === 0) state.query = h.slice(2);
    if (h.indexOf('status=') === 0) state.status = h.slice(7);
    histogram(); buildTable();
    document.getElementById('search').value = state.query;
    document.getElementById('status-filter').value = state.status;
    table(); topAndFlagged();
    window.addEventListener('hashchange', route);
    if (location.hash.indexOf('block=') >= 0) route();
    else if (D.rows.length) showBlock(D.rows[0][0]);
    document.body.dataset.firstRenderMs = Math.round(performance.now());
    document.body.dataset.overflow = document.documentElement.scrollWidth > window.innerWidth + 1 ? '1' : '0';
    document.body.dataset.ready = '1';
  }
  S.start = start;
})();
