/*
 * Theme and header (issue 18). theme.js, a blocking script in <head>, has
 * already set <html data-theme> before the first paint; here the header's
 * toggle switches it, remembers the choice and tells the charts
 * ("ecopulse:theme"), which draw again in the matching ECharts theme. Without
 * a remembered choice the page follows the system's setting as it changes.
 * The menu button opens the navigation on narrow screens.
 */
(function () {
  'use strict';
  var root = document.documentElement;
  var KEY = 'ecopulse-theme';

  // Chart options are built server-side in the light palette; in the dark
  // theme these text and grid colours become their dark-theme twins (the
  // same pairs as app.css's variables). Band and series colours stay.
  var DARK = {
    '#5b6475': '#a3acbd', // muted text
    '#273043': '#e6e9f0', // text
    '#1f2737': '#e6e9f0', // ink
    '#e6e9ef': '#2c3548', // grid lines
    '#ffffff': '#171d2b', // gaps painted in the card's colour
    '#e3f4ea': '#173626'  // the low end of a heat scale
  };

  function isDark() { return root.getAttribute('data-theme') === 'dark'; }

  function darken(v) {
    if (typeof v === 'string') {
      var d = DARK[v.toLowerCase()];
      return d || v;
    }
    if (Array.isArray(v)) {
      return v.map(darken);
    }
    return v;
  }

  // adapt recolours an option for the theme now set, in place: only values
  // of colour keys change, never names or data.
  function adapt(option) {
    if (!isDark()) {
      return;
    }
    option.backgroundColor = 'transparent'; // the card shows through
    (function walk(o) {
      if (Array.isArray(o)) {
        o.forEach(walk);
        return;
      }
      if (!o || typeof o !== 'object') {
        return;
      }
      Object.keys(o).forEach(function (k) {
        if (/color$/i.test(k)) {
          o[k] = darken(o[k]);
        } else {
          walk(o[k]);
        }
      });
    })(option);
  }

  function stored() {
    try {
      var t = window.localStorage.getItem(KEY);
      return t === 'light' || t === 'dark' ? t : null;
    } catch (e) {
      return null;
    }
  }

  function showToggle() {
    Array.prototype.forEach.call(document.querySelectorAll('.theme-toggle'), function (b) {
      b.setAttribute('aria-pressed', isDark() ? 'true' : 'false');
    });
  }

  function apply(theme) {
    if (root.getAttribute('data-theme') === theme) {
      return;
    }
    root.setAttribute('data-theme', theme);
    showToggle();
    try {
      document.dispatchEvent(new CustomEvent('ecopulse:theme', { detail: theme }));
    } catch (e) { /* old browsers: the page is recoloured, charts keep theirs */ }
  }

  window.EcoPulse = window.EcoPulse || {};
  window.EcoPulse.theme = {
    echartsTheme: function () { return isDark() ? 'dark' : null; },
    adapt: adapt,
    chartBackground: function () { return isDark() ? '#171d2b' : '#ffffff'; }
  };

  document.addEventListener('click', function (ev) {
    var t = ev.target && ev.target.closest && ev.target.closest('.theme-toggle, .nav-toggle');
    if (!t) {
      return;
    }
    if (t.classList.contains('theme-toggle')) {
      var next = isDark() ? 'light' : 'dark';
      try {
        window.localStorage.setItem(KEY, next);
      } catch (e) { /* not remembered, still applied */ }
      apply(next);
      return;
    }
    var header = t.closest('.site-header');
    var open = header.classList.toggle('nav-open');
    t.setAttribute('aria-expanded', open ? 'true' : 'false');
  });

  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    var follow = function () {
      if (!stored()) {
        apply(mq.matches ? 'dark' : 'light');
      }
    };
    if (mq.addEventListener) {
      mq.addEventListener('change', follow);
    } else if (mq.addListener) {
      mq.addListener(follow);
    }
  }
  showToggle();
})();

/*
 * EcoPulse charts. Served from /static/app.js: pages carry no inline script
 * (CSP script-src 'self').
 *
 * Every element with data-chart="ID" is drawn from the JSON data block
 * <script type="application/json" id="ID">, which holds
 *   {"noData": bool, "message": "…", "valueSuffix": "%", "option": {…ECharts option…}}
 * Options are plain data built server-side with go-echarts; no function ever
 * travels as data. Formatters live here and encode text with
 * echarts.format.encodeHTML when they build HTML.
 *
 * When every chart has rendered (or shown why it cannot),
 * window.__chartsReady is set to the number of chart elements and <body>
 * gets the data-ready attribute, for browser tests.
 */
/*
 * The interface's messages in the page's language (the layout's
 * data-messages, from the catalogues), for every part of this file; the
 * English text when one is missing.
 */
var msg = (function () {
  var messages = {};
  try { messages = JSON.parse(document.body.getAttribute('data-messages') || '{}'); } catch (e) { /* none */ }
  return function (key, fallback) {
    return Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : fallback;
  };
})();

(function () {
  'use strict';

  var instances = [];


  function markReady(count) {
    window.__chartsReady = count;
    document.body.setAttribute('data-ready', '');
    try {
      document.dispatchEvent(new CustomEvent('ecopulse:charts-ready', { detail: count }));
    } catch (e) { /* old browsers: the attribute is enough */ }
  }

  function showMessage(el, text, kind) {
    el.textContent = '';
    var p = document.createElement('p');
    p.className = 'chart-message' + (kind ? ' ' + kind : '');
    p.textContent = text; // text, never HTML
    el.appendChild(p);
    el.classList.add('is-empty');
  }

  function readSpec(el) {
    var id = el.getAttribute('data-chart');
    var block = id && document.getElementById(id);
    if (!block) {
      throw new Error('no data block #' + id);
    }
    return JSON.parse(block.textContent);
  }

  function isMissing(v) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      v = v.value;
    }
    return v === null || v === undefined || v === '-' || (typeof v === 'number' && !isFinite(v));
  }

  // hasData reports whether any series has at least one value to draw.
  function hasData(option) {
    var series = option && option.series;
    if (!series) {
      return false;
    }
    if (!Array.isArray(series)) {
      series = [series];
    }
    for (var i = 0; i < series.length; i++) {
      var data = series[i] && series[i].data;
      if (!data || !data.length) {
        continue;
      }
      for (var j = 0; j < data.length; j++) {
        if (!isMissing(data[j])) {
          return true;
        }
      }
    }
    return false;
  }

  function formatValue(v, suffix) {
    if (isMissing(v)) {
      return '—';
    }
    if (typeof v === 'number') {
      v = v.toLocaleString(undefined, { maximumFractionDigits: 4 });
    }
    return echarts.format.encodeHTML(String(v) + (suffix || ''));
  }

  // applyFormatters adds the formatters a spec asks for, as functions
  // written here. ECharts encodes series and item names in its default
  // tooltip; valueFormatter output is encoded above.
  function applyFormatters(spec) {
    var option = spec.option;
    if (window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches) {
      option.animation = false;
    }
    var tooltips = option.tooltip;
    if (!tooltips) {
      tooltips = option.tooltip = { show: true };
    }
    if (!Array.isArray(tooltips)) {
      tooltips = [tooltips];
    }
    tooltips.forEach(function (t) {
      t.confine = true; // keep tooltips inside the chart on small screens
      if (spec.valueSuffix) {
        t.valueFormatter = function (v) { return formatValue(v, spec.valueSuffix); };
      }
    });
  }

  function addDownload(el, chart) {
    var name = el.getAttribute('data-filename') || el.id || 'chart';
    var bar = document.createElement('div');
    bar.className = 'chart-actions';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn-download';
    button.textContent = msg('download_png', 'Download PNG');
    button.addEventListener('click', function () {
      var a = document.createElement('a');
      // The chart as it is drawn now (after a theme change, a new instance).
      var current = echarts.getInstanceByDom(el) || chart;
      a.href = current.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: EcoPulse.theme.chartBackground() });
      a.download = name + '.png';
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
    });
    bar.appendChild(button);
    el.parentNode.insertBefore(bar, el.nextSibling);
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // draw makes el's chart from a freshly read spec in the current theme and
  // runs every hook (links, tooltips, fitting) on it. It returns the chart,
  // or null when the spec could not be drawn (el then says why).
  function draw(el, spec, onFinished) {
    var chart = echarts.init(el, EcoPulse.theme.echartsTheme(), { renderer: 'canvas', locale: document.documentElement.getAttribute('data-echarts-locale') || 'EN' });
    if (onFinished) {
      chart.on('finished', onFinished);
    }
    try {
      applyFormatters(spec);
      EcoPulse.theme.adapt(spec.option);
      chart.setOption(spec.option);
    } catch (e) {
      chart.dispose();
      showMessage(el, msg('chart_failed', 'This chart could not be drawn.'), 'error');
      return null;
    }
    hooks.forEach(function (h) { h(el, chart, spec); });
    return chart;
  }

  // redraw draws every chart again, from its JSON block, in the theme now
  // set: ECharts takes a theme only when a chart is made.
  function redraw() {
    instances = instances.map(function (c) {
      var el = c.getDom();
      c.dispose();
      var chart = draw(el, readSpec(el));
      return chart;
    }).filter(Boolean);
  }

  var hooks = [];
  // onChart registers fn(el, chart, spec), run on every chart drawn and
  // drawn again (a theme change makes new chart instances).
  window.EcoPulse = window.EcoPulse || {};
  window.EcoPulse.onChart = function (fn) {
    hooks.push(fn);
    instances.forEach(function (c) { fn(c.getDom(), c, readSpec(c.getDom())); });
  };

  function init() {
    var elements = Array.prototype.slice.call(document.querySelectorAll('[data-chart]'));
    var total = elements.length;
    var done = 0;
    function settled() {
      done++;
      if (done === total) {
        markReady(total);
      }
    }
    if (total === 0) {
      markReady(0);
      return;
    }

    elements.forEach(function (el) {
      var spec;
      try {
        spec = readSpec(el);
      } catch (e) {
        showMessage(el, msg('chart_unreadable', 'This chart could not be read.'), 'error');
        settled();
        return;
      }
      if (!spec || spec.noData || !spec.option || !hasData(spec.option)) {
        showMessage(el, (spec && spec.message) || msg('no_data', 'No data'), 'no-data');
        settled();
        return;
      }
      if (typeof window.echarts === 'undefined') {
        showMessage(el, msg('no_echarts', 'Charts are unavailable: ECharts was not bundled (run scripts/assets.sh before building).'), 'error');
        settled();
        return;
      }

      el.textContent = ''; // drop the text fallback
      var counted = false;
      function rendered() {
        if (!counted) {
          counted = true;
          el.setAttribute('data-rendered', '');
          settled();
        }
      }
      setTimeout(rendered, 5000); // a chart that never finishes must not block readiness
      var chart = draw(el, spec, rendered);
      if (!chart) {
        rendered();
        return;
      }
      instances.push(chart);
      addDownload(el, chart);
    });

    window.addEventListener('resize', debounce(function () {
      instances.forEach(function (c) { c.resize(); });
    }, 120));
    document.addEventListener('ecopulse:theme', redraw);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

/*
 * Open alerts card (overview). An element with data-alerts-src="URL" is
 * filled from that JSON endpoint (the inbox's: {"alerts": [{rule_label,
 * member, member_name, message, opened_on, url}…], "total"}) with text
 * nodes only, never HTML; each message links to its inbox entry. When done
 * it gets the data-alerts-ready attribute, for browser tests.
 */
(function () {
  'use strict';

  var MAX_SHOWN = 10; // the card lists this many; the count badge has them all

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    return e;
  }

  function fill(box, list, total) {
    box.textContent = '';
    if (!list.length) {
      box.appendChild(el('p', 'muted', msg('no_open_alert', 'No open alert.')));
      return;
    }
    var ul = el('ul', 'alert-list');
    list.slice(0, MAX_SHOWN).forEach(function (a) {
      var li = el('li', 'alert-item');
      li.setAttribute('data-rule', a.rule || '');
      li.appendChild(el('span', 'badge alert-rule', msg('rule.' + a.rule, a.rule_label || a.rule)));
      li.appendChild(document.createTextNode(' '));
      if (a.member) {
        var link = el('a', '', a.member_name || a.member);
        link.href = '/members/' + encodeURIComponent(a.member);
        li.appendChild(link);
        li.appendChild(document.createTextNode(': '));
      }
      if (a.url && a.url.charAt(0) === '/' && a.url.charAt(1) !== '/') {
        var entry = el('a', 'alert-link', a.text || a.message || '');
        entry.href = a.url;
        li.appendChild(entry);
      } else {
        li.appendChild(document.createTextNode(a.text || a.message || ''));
      }
      var opened = a.opened_on || a.first_seen;
      if (opened) {
        li.appendChild(document.createTextNode(' '));
        var since = el('span', 'muted small', msg('since', 'since') + ' ');
        var t = el('time', '', String(opened).replace('T', ' ').replace(/:\d\dZ$/, ' UTC'));
        t.setAttribute('datetime', opened);
        since.appendChild(t);
        li.appendChild(since);
      }
      ul.appendChild(li);
    });
    box.appendChild(ul);
    if (total > MAX_SHOWN) {
      var more = el('p', 'muted small', msg('and_more', 'and {n} more: ').replace('{n}', String(total - Math.min(list.length, MAX_SHOWN))));
      var all = el('a', '', msg('alert_inbox', 'the alert inbox'));
      all.href = '/alerts';
      more.appendChild(all);
      box.appendChild(more);
    }
  }

  function load(box) {
    var url = box.getAttribute('data-alerts-src');
    var card = box.closest('section') || box.parentNode;
    var count = card && card.querySelector('[data-alerts-count]');
    function done() { box.setAttribute('data-alerts-ready', ''); }
    if (!window.fetch) {
      done();
      return;
    }
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) {
          throw new Error('HTTP ' + r.status);
        }
        return r.json();
      })
      .then(function (body) {
        var open = (body && (body.alerts || body.open)) || [];
        var total = body && typeof body.total === 'number' ? body.total : open.length;
        fill(box, open, total);
        if (count) {
          count.textContent = String(total);
          count.hidden = total === 0;
        }
        done();
      })
      .catch(function () {
        box.textContent = '';
        box.appendChild(el('p', 'muted small', msg('alerts_failed', 'Alerts could not be loaded.')));
        done();
      });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-alerts-src]'), load);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

/*
 * Sessions: every state-changing request carries the CSRF token the server
 * put in the ep_csrf cookie (forms get a hidden field on submit, fetch calls
 * can read it with EcoPulse.csrf()). The header shows who is logged in.
 */
(function () {
  'use strict';
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)ep_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : '';
  }
  window.EcoPulse = window.EcoPulse || {};
  window.EcoPulse.csrf = csrf;

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form || (form.method || '').toLowerCase() !== 'post') return;
    var field = form.querySelector('input[name="csrf"]');
    if (!field) {
      field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'csrf';
      form.appendChild(field);
    }
    if (!field.value) field.value = csrf();
  }, true);

  // Destructive forms say so in data-confirm: the browser asks before they
  // are sent (the CSP forbids inline onsubmit handlers). Without JS the
  // form is sent as it is: the server's audit log still records it.
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var msg = form && form.getAttribute && form.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  function showViewer() {
    var box = document.getElementById('whoami');
    if (!box || !window.fetch) return;
    fetch('/api/v1/me', { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (me) {
      if (!me) return;
      var who = document.createElement('span');
      who.className = 'whoami-name';
      who.textContent = me.name + ' · ' + me.role; // textContent: never HTML
      var form = document.createElement('form');
      form.method = 'post';
      form.action = '/logout';
      var button = document.createElement('button');
      button.type = 'submit';
      button.textContent = msg('log_out', 'Log out');
      form.appendChild(button);
      box.appendChild(who);
      var account = document.createElement('a');
      account.href = '/account/password';
      account.className = 'whoami-account';
      account.textContent = msg('account', 'Account');
      box.appendChild(account);
      if (me.role === 'admin') { // the server checks the role again on every admin route
        var admin = document.createElement('a');
        admin.href = '/admin/users';
        admin.className = 'whoami-admin';
        admin.textContent = msg('admin', 'Admin');
        box.appendChild(admin);
      }
      box.appendChild(form);
      box.hidden = false;
    }).catch(function () {});
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', showViewer);
  } else {
    showViewer();
  }
})();

/*
 * Member links and item tooltips (members, member and network pages).
 *
 * A chart's JSON block may say
 *   "links": "member"  — a clicked data item (or graph node) with a "slug"
 *                        field opens /members/<slug>; the slug must look like
 *                        one (lower-case letters, digits, dashes) and is
 *                        passed through encodeURIComponent, so a crafted value
 *                        can never lead elsewhere;
 *   "tooltip": "info"  — tooltips are written from each item's "tip" (title)
 *                        and "info" ([[label, value]…]) fields, every piece
 *                        encoded with echarts.format.encodeHTML.
 * This runs on every chart drawn (EcoPulse.onChart), again when a theme
 * change draws it anew; it adds behaviour only to blocks that ask for it.
 */
(function () {
  'use strict';

  var SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

  function memberURL(slug) {
    if (typeof slug !== 'string' || !SLUG.test(slug)) {
      return null;
    }
    return '/members/' + encodeURIComponent(slug);
  }

  function infoTooltip(p) {
    var enc = echarts.format.encodeHTML;
    var d = (p && p.data) || {};
    var title = typeof d.tip === 'string' ? d.tip : String((p && p.name) || '');
    var html = '<strong>' + enc(title) + '</strong>';
    if (Array.isArray(d.info)) {
      d.info.forEach(function (row) {
        if (Array.isArray(row) && row.length === 2) {
          html += '<br>' + enc(String(row[0])) + ': ' + enc(String(row[1]));
        }
      });
    }
    return html;
  }

  // setTooltipFormatter gives a drawn chart's tooltip a formatter without a
  // new setOption: an update would run a force layout again and move every
  // node of the network under the pointer. ECharts reads the formatter from
  // the tooltip model each time it shows a tooltip.
  function setTooltipFormatter(chart, fn) {
    var model = chart.getModel && chart.getModel();
    var tooltip = model && model.getComponent && model.getComponent('tooltip');
    if (tooltip && tooltip.option) {
      tooltip.option.formatter = fn;
    } else {
      chart.setOption({ tooltip: { formatter: fn } });
    }
  }

  // wire gives one drawn chart the behaviour its block asks for.
  function wire(el, chart, spec) {
    if (!spec) {
      return;
    }
    if (spec.tooltip === 'info') {
      setTooltipFormatter(chart, infoTooltip);
    }
    if (spec.links === 'member') {
      el.classList.add('chart-linked');
      chart.on('click', function (p) {
        var url = memberURL(p && p.data && p.data.slug);
        if (url) {
          window.location.assign(url);
        }
      });
    }
  }

  if (typeof window.echarts !== 'undefined' && window.EcoPulse && window.EcoPulse.onChart) {
    window.EcoPulse.onChart(wire);
  }
})();

/*
 * Force graphs (the network) fit their chart. A force layout spreads as
 * far as its forces take it, whatever the chart's size: on a phone the
 * graph would run off the canvas. Once laid out, the graph is zoomed out
 * (never in) and centred so that every node, and the room its label needs
 * on the right, is inside the chart; then it can be zoomed and panned
 * (roam). It fits again when the window is resized.
 */
(function () {
  'use strict';

  // The graph's labels are cut at 110 px (views/network.go), on a narrow
  // chart (a phone) at 64 px, and drawn 5 px from their node.
  var LABEL_WIDTH = 110;
  var LABEL_WIDTH_NARROW = 64;
  var NARROW = 600;
  var MARGIN = 10;

  function forceGraph(chart) {
    var model = chart.getModel && chart.getModel();
    var s = model && model.getSeriesByIndex(0);
    if (!s || s.subType !== 'graph' || s.get('layout') !== 'force' || !s.coordinateSystem) {
      return null;
    }
    return s;
  }

  // bounds is the box of the nodes' centres in layout coordinates, the
  // largest node radius and whether any node is labelled.
  function bounds(s) {
    var data = s.getData();
    var b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity, r: 0, labels: false };
    data.each(function (i) {
      var p = data.getItemLayout(i);
      if (!p || !isFinite(p[0]) || !isFinite(p[1])) {
        return;
      }
      b.minX = Math.min(b.minX, p[0]);
      b.maxX = Math.max(b.maxX, p[0]);
      b.minY = Math.min(b.minY, p[1]);
      b.maxY = Math.max(b.maxY, p[1]);
      var size = data.getItemVisual(i, 'symbolSize');
      b.r = Math.max(b.r, (Array.isArray(size) ? size[0] : +size || 0) / 2);
      b.labels = b.labels || !!data.getItemModel(i).get(['label', 'show']);
    });
    return isFinite(b.minX) ? b : null;
  }

  function fit(chart) {
    var s = forceGraph(chart);
    var b = s && bounds(s);
    var rect = s && s.coordinateSystem.getViewRect && s.coordinateSystem.getViewRect();
    if (!b || !rect) {
      return;
    }
    var labelWidth = rect.width < NARROW ? LABEL_WIDTH_NARROW : LABEL_WIDTH;
    var padL = b.r + MARGIN;
    var padR = b.r + MARGIN + (b.labels ? labelWidth + 8 : 0);
    var padY = b.r + MARGIN;
    var w = Math.max(b.maxX - b.minX, 1);
    var h = Math.max(b.maxY - b.minY, 1);
    var zoom = Math.min(1, (rect.width - padL - padR) / w, (rect.height - 2 * padY) / h);
    zoom = Math.max(zoom, 0.05);
    // The layout point shown at the chart's centre: the box's centre,
    // moved left by half the label room.
    var cx = (b.minX + b.maxX) / 2 + (padR - padL) / 2 / zoom;
    var cy = (b.minY + b.maxY) / 2;
    // No animation: the graph is where it is drawn at once (a click, or a
    // test, finds each node where its layout says).
    chart.setOption({ series: [{ center: [cx, cy], zoom: zoom, animation: false, label: { width: labelWidth } }] });
  }

  function fitAgainOnResize(chart) {
    var timer = null;
    window.addEventListener('resize', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!chart.isDisposed()) {
          fit(chart);
        }
      }, 200);
    });
  }

  if (typeof window.echarts !== 'undefined' && window.EcoPulse && window.EcoPulse.onChart) {
    window.EcoPulse.onChart(function (el, chart) {
      if (forceGraph(chart)) {
        fit(chart);
        fitAgainOnResize(chart);
      }
    });
  }
  window.EcoPulse = window.EcoPulse || {};
  window.EcoPulse.fitGraph = fit;
})();

/*
 * Tables on phones are cards (app.css): each cell is labelled with its
 * column's heading, copied here into data-label (text only).
 */
(function () {
  'use strict';
  function label(table) {
    var heads = table.tHead && table.tHead.rows[0];
    if (!heads) {
      return;
    }
    var names = Array.prototype.map.call(heads.cells, function (th) {
      return (th.textContent || '').replace(/[▲▼↑↓]/g, '').trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (cell.colSpan === 1 && names[col] && !cell.hasAttribute('data-label')) {
            cell.setAttribute('data-label', names[col]);
          }
          col += cell.colSpan;
        });
      });
    });
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('main table'), label);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

/*
 * Agreement form (/projects/new, /projects/:slug/edit). "Add a party" and
 * "Add a milestone" ([data-add-row]) copy the last row of their list with
 * its fields emptied; "Remove" ([data-remove-row]) takes a row out, so its
 * fields are no longer sent (a removed milestone made in EcoPulse is
 * deleted on save). The last row of a list is emptied instead of removed,
 * to keep a row to copy. No HTML is built from data.
 */
(function () {
  'use strict';

  function clearRow(row) {
    Array.prototype.forEach.call(row.querySelectorAll('input, textarea'), function (f) { f.value = ''; });
    Array.prototype.forEach.call(row.querySelectorAll('select'), function (s) {
      Array.prototype.slice.call(s.options).forEach(function (o) {
        if (/\(unknown\)$/.test(o.textContent)) { s.removeChild(o); }
      });
      s.selectedIndex = 0;
    });
    Array.prototype.forEach.call(row.querySelectorAll('.source-badge'), function (b) { b.parentNode.removeChild(b); });
  }

  document.addEventListener('click', function (ev) {
    var target = ev.target;
    if (!target || !target.closest) return;
    var add = target.closest('[data-add-row]');
    if (add) {
      ev.preventDefault();
      var list = add.parentNode.querySelector('[data-rows]');
      var last = list && list.lastElementChild;
      if (!last) return;
      var row = last.cloneNode(true);
      clearRow(row);
      list.appendChild(row);
      var first = row.querySelector('select, input:not([type="hidden"])');
      if (first) first.focus();
      return;
    }
    var remove = target.closest('[data-remove-row]');
    if (remove) {
      ev.preventDefault();
      var r = remove.closest('.form-row');
      if (!r) return;
      if (r.parentNode.children.length > 1) {
        r.parentNode.removeChild(r);
      } else {
        clearRow(r);
      }
    }
  });
})();

/*
 * Dates read YYYY-MM-DD. A browser draws <input type="date"> in its own
 * locale (mm/dd/yyyy in the US) while every page, export and API speaks ISO
 * dates, so each date input becomes a text input that takes and shows
 * YYYY-MM-DD: a pattern, a placeholder, and a check of the day itself and of
 * the bounds the page gave (min, max) kept as data-min and data-max. The
 * value sent is the text typed, as the server expects; without this script
 * the browser's own date input sends the same ISO value.
 */
(function () {
  'use strict';

  var ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

  function realDay(v) {
    if (!ISO_DAY.test(v)) return false;
    var d = new Date(v + 'T00:00:00Z');
    return !isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }

  // check sets the input's validity message (the form is not sent while
  // it has one) from its value and bounds.
  function check(input) {
    var v = input.value.trim();
    var problem = '';
    if (v !== '') {
      if (!realDay(v)) {
        problem = msg('date_format', 'Enter a date as YYYY-MM-DD, e.g. 2026-06-30.');
      } else if (input.dataset.min && v < input.dataset.min) {
        problem = msg('date_min', 'The earliest date here is {day}.').replace('{day}', input.dataset.min);
      } else if (input.dataset.max && v > input.dataset.max) {
        problem = msg('date_max', 'The latest date here is {day}.').replace('{day}', input.dataset.max);
      }
    }
    input.setCustomValidity(problem);
  }

  function isoDates() {
    var inputs = document.querySelectorAll('input[type="date"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var value = input.value;
      if (input.min) input.dataset.min = input.min;
      if (input.max) input.dataset.max = input.max;
      input.removeAttribute('min');
      input.removeAttribute('max');
      input.type = 'text';
      input.value = value;
      input.setAttribute('pattern', '\\d{4}-\\d{2}-\\d{2}');
      input.setAttribute('placeholder', 'YYYY-MM-DD');
      input.setAttribute('inputmode', 'numeric');
      input.setAttribute('maxlength', '10');
      input.setAttribute('autocomplete', 'off');
      input.setAttribute('data-iso-date', '');
      if (!input.title) input.title = msg('date_title', 'A date as YYYY-MM-DD');
      check(input);
    }
  }

  // Delegated, so rows a form adds later (copies of a row) are checked too.
  document.addEventListener('input', function (ev) {
    var t = ev.target;
    if (t && t.matches && t.matches('input[data-iso-date]')) check(t);
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', isoDates);
  } else {
    isoDates();
  }
})();

/*
 * Range sliders (the network's minimum K): the <output> beside a slider
 * shows its value as it moves; a slider marked data-autosubmit sends its
 * form when let go, so its value lands in the URL (?min_k=). Without
 * scripts the form's button sends it.
 */
(function () {
  'use strict';
  function output(input) {
    var label = input.closest('label');
    return label && label.querySelector('[data-range-value]');
  }
  document.addEventListener('input', function (ev) {
    var t = ev.target;
    if (t && t.type === 'range') {
      var out = output(t);
      if (out) {
        out.textContent = t.value;
      }
    }
  });
  document.addEventListener('change', function (ev) {
    var t = ev.target;
    if (t && t.type === 'range' && t.hasAttribute('data-autosubmit') && t.form) {
      if (t.form.requestSubmit) {
        t.form.requestSubmit();
      } else {
        t.form.submit();
      }
    }
  });
})();
