// Filters the case table by API, status, tag and text. Reads only data- attributes.
(function () {
  var api = document.getElementById('f-api');
  var status = document.getElementById('f-status');
  var tag = document.getElementById('f-tag');
  var search = document.getElementById('f-text');
  var shown = document.getElementById('shown');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#case-table tbody tr'));
  function apply() {
    var a = api.value, s = status.value, t = tag.value.toLowerCase();
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var n = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (!a || d.api === a) && (!s || d.status === s) &&
        (!t || d.tags.split(' ').indexOf(t) >= 0) &&
        words.every(function (w) { return d.text.indexOf(w) >= 0; });
      row.classList.toggle('hidden', !ok);
      if (ok) { n += 1; }
    });
    shown.textContent = n + ' of ' + rows.length + ' cases shown';
  }
  [api, status, tag].forEach(function (el) { el.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  apply();
})();
