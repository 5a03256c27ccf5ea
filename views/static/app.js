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
      a.href = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
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
      var chart = echarts.init(el, null, { renderer: 'canvas', locale: document.documentElement.getAttribute('data-echarts-locale') || 'EN' });
      var counted = false;
      function rendered() {
        if (!counted) {
          counted = true;
          el.setAttribute('data-rendered', '');
          settled();
        }
      }
      chart.on('finished', rendered);
      setTimeout(rendered, 5000); // a chart that never finishes must not block readiness
      try {
        applyFormatters(spec);
        chart.setOption(spec.option);
      } catch (e) {
        chart.dispose();
        showMessage(el, msg('chart_failed', 'This chart could not be drawn.'), 'error');
        rendered();
        return;
      }
      instances.push(chart);
      addDownload(el, chart);
    });

    window.addEventListener('resize', debounce(function () {
      instances.forEach(function (c) { c.resize(); });
    }, 120));
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
      li.appendChild(el('span', 'badge alert-rule', a.rule_label || a.rule));
      li.appendChild(document.createTextNode(' '));
      if (a.member) {
        var link = el('a', '', a.member_name || a.member);
        link.href = '/members/' + encodeURIComponent(a.member);
        li.appendChild(link);
        li.appendChild(document.createTextNode(': '));
      }
      if (a.url && a.url.charAt(0) === '/' && a.url.charAt(1) !== '/') {
        var entry = el('a', 'alert-link', a.message || '');
        entry.href = a.url;
        li.appendChild(entry);
      } else {
        li.appendChild(document.createTextNode(a.message || ''));
      }
      var opened = a.opened_on || a.first_seen;
      if (opened) {
        li.appendChild(document.createTextNode(' '));
        var since = el('span', 'muted small', 'since ');
        var t = el('time', '', String(opened).replace('T', ' ').replace(/:\d\dZ$/, ' UTC'));
        t.setAttribute('datetime', opened);
        since.appendChild(t);
        li.appendChild(since);
      }
      ul.appendChild(li);
    });
    box.appendChild(ul);
    if (total > MAX_SHOWN) {
      var more = el('p', 'muted small', 'and ' + (total - Math.min(list.length, MAX_SHOWN)) + ' more: ');
      var all = el('a', '', 'the alert inbox');
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
      account.textContent = msg('password', 'Password');
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
 * This runs once the charts above are drawn; it adds behaviour only to
 * blocks that ask for it.
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

  function readBlock(el) {
    var block = document.getElementById(el.getAttribute('data-chart') || '');
    if (!block) {
      return null;
    }
    try {
      return JSON.parse(block.textContent);
    } catch (e) {
      return null;
    }
  }

  function wire() {
    if (typeof window.echarts === 'undefined') {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), function (el) {
      var spec = readBlock(el);
      var chart = echarts.getInstanceByDom(el);
      if (!spec || !chart) {
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
    });
  }

  if (document.body && document.body.hasAttribute('data-ready')) {
    wire();
  } else {
    document.addEventListener('ecopulse:charts-ready', wire);
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
    var msg = '';
    if (v !== '') {
      if (!realDay(v)) {
        msg = 'Enter a date as YYYY-MM-DD, e.g. 2026-06-30.';
      } else if (input.dataset.min && v < input.dataset.min) {
        msg = 'The earliest date here is ' + input.dataset.min + '.';
      } else if (input.dataset.max && v > input.dataset.max) {
        msg = 'The latest date here is ' + input.dataset.max + '.';
      }
    }
    input.setCustomValidity(msg);
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
      if (!input.title) input.title = 'A date as YYYY-MM-DD';
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
