// Charts: any element with data-chart holds an ECharts option as JSON.
function eduqCharts(root) {
  (root || document).querySelectorAll('[data-chart]').forEach(function (el) {
    if (el.dataset.done) return;
    el.dataset.done = '1';
    var chart = echarts.init(el);
    chart.setOption(JSON.parse(el.dataset.chart));
    window.addEventListener('resize', function () { chart.resize(); });
  });
}
document.addEventListener('DOMContentLoaded', function () { eduqCharts(); });
document.addEventListener('htmx:afterSettle', function (e) { eduqCharts(e.target); });
// Every htmx request carries the CSRF token of the page.
document.addEventListener('htmx:configRequest', function (e) {
  var m = document.querySelector('meta[name="csrf-token"]');
  if (m) e.detail.headers['X-CSRF-Token'] = m.content;
});
// Print buttons (the CSP forbids javascript: links and inline handlers).
document.addEventListener('click', function (e) {
  if (e.target.closest && e.target.closest('[data-print]')) { e.preventDefault(); window.print(); }
});
// A form marked data-autosubmit reloads as soon as one of its fields changes (the roll page's
// date: the list shown is always the day's own).
document.addEventListener('change', function (e) {
  var f = e.target.closest && e.target.closest('form[data-autosubmit]');
  if (f) f.submit();
});
// Refusals and row errors replace the target too (htmx leaves the screen unchanged on 4xx/5xx
// by default, which looks like nothing happened).
document.addEventListener('htmx:beforeSwap', function (e) {
  if (e.detail.xhr && e.detail.xhr.status >= 400) { e.detail.shouldSwap = true; e.detail.isError = false; }
});
