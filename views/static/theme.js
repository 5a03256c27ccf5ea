/*
 * EcoPulse theme, loaded as a blocking script in <head> (no defer): it runs
 * before the first paint, so a page never flashes in the wrong theme. The
 * CSP allows no inline script, hence this tiny file of its own.
 *
 * The theme is the one the user chose with the header's toggle
 * (localStorage "ecopulse-theme": "light" or "dark"), else the system's
 * (prefers-color-scheme). It is set as <html data-theme="…">; the class "js"
 * says scripts run, so the phone menu may hide the navigation behind its
 * button (without scripts the navigation stays open).
 */
(function () {
  'use strict';
  var root = document.documentElement;
  var theme = null;
  try {
    theme = window.localStorage.getItem('ecopulse-theme');
  } catch (e) { /* storage disabled: follow the system */ }
  if (theme !== 'light' && theme !== 'dark') {
    theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  root.setAttribute('data-theme', theme);
  root.classList.add('js');
})();
