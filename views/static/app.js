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
    button.textContent = 'Download PNG';
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
        showMessage(el, 'This chart could not be read.', 'error');
        settled();
        return;
      }
      if (!spec || spec.noData || !spec.option || !hasData(spec.option)) {
        showMessage(el, (spec && spec.message) || 'No data', 'no-data');
        settled();
        return;
      }
      if (typeof window.echarts === 'undefined') {
        showMessage(el, 'Charts are unavailable: ECharts was not bundled (run scripts/assets.sh before building).', 'error');
        settled();
        return;
      }

      el.textContent = ''; // drop the text fallback
      var chart = echarts.init(el, null, { renderer: 'canvas' });
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
        showMessage(el, 'This chart could not be drawn.', 'error');
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
