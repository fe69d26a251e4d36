/* dhkit dashboard: the indicator picker and the two-group comparison. Vanilla JS, no
   library, no network: the data come from assets/data.js and the page's own JSON. */
(function () {
  "use strict";
  function picker(form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var sel = form.querySelector("select");
      window.location.href = form.getAttribute("data-base") + sel.value + ".html";
    });
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function fill(sel, options, keep) {
    var old = keep ? sel.value : null;
    sel.textContent = "";
    options.forEach(function (o) {
      var opt = el("option", o[1]);
      opt.value = o[0];
      sel.appendChild(opt);
    });
    if (old !== null && options.some(function (o) { return o[0] === old; })) sel.value = old;
  }
  function compare() {
    var form = document.getElementById("compare");
    if (!form || !window.DHKIT_DATA) return;
    var L = JSON.parse(document.getElementById("labels").textContent);
    var D = window.DHKIT_DATA, S = L.strings;
    var ind = document.getElementById("c-ind"), dom = document.getElementById("c-dom");
    var a = document.getElementById("c-a"), b = document.getElementById("c-b");
    var out = document.getElementById("c-out");
    var fmt = new Intl.NumberFormat(L.lang, {minimumFractionDigits: 1, maximumFractionDigits: 1});
    var fmtp = new Intl.NumberFormat(L.lang, {minimumFractionDigits: 3, maximumFractionDigits: 3});
    fill(ind, L.indicators.map(function (x) { return [x[0] + "|" + x[1], x[2]]; }));
    fill(dom, L.domains.map(function (d) { return [d[0], d[1]]; }));
    var wanted = window.location.hash.slice(1);
    if (wanted) {
      var hit = L.indicators.filter(function (x) { return x[0] === wanted; })[0];
      if (hit) ind.value = hit[0] + "|" + hit[1];
    }
    function levels() {
      var d = L.domains.filter(function (x) { return x[0] === dom.value; })[0];
      fill(a, d[2], true);
      fill(b, d[2], true);
      if (a.value === b.value && d[2].length > 1) b.value = d[2][1][0];
    }
    function show() {
      var key = ind.value + "|" + dom.value;
      out.textContent = "";
      var t = el("table", undefined, "est");
      var head = el("tr");
      [S.level, S.estimate_pct, S.ci, S.n].forEach(function (h, i) {
        var th = el("th", h, i ? "num" : ""); th.scope = "col"; head.appendChild(th);
      });
      var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
      var body = el("tbody");
      [a, b].forEach(function (sel) {
        var id = D.rows[key + "|" + sel.value];
        var c = L.cells[String(id)] || ["–", "", ""];
        var tr = el("tr");
        var th = el("th", sel.options[sel.selectedIndex].text); th.scope = "row";
        tr.appendChild(th);
        [c[0], c[1], String(c[2])].forEach(function (v) { tr.appendChild(el("td", v, "num")); });
        body.appendChild(tr);
      });
      t.appendChild(body);
      out.appendChild(t);
      var cur = L.indicators.filter(function (x) { return x[0] + "|" + x[1] === ind.value; })[0];
      if (cur && cur[3]) out.appendChild(el("p", cur[3], "base"));
      if (a.value === b.value) { out.appendChild(el("p", S.same_group)); return; }
      var sign = 1, p = D.pairs[key + "|" + a.value + "|" + b.value];
      if (p === undefined) { p = D.pairs[key + "|" + b.value + "|" + a.value]; sign = -1; }
      if (p === null || p === undefined || p[0] === null) {
        out.appendChild(el("p", S.hidden_pair)); return;
      }
      out.appendChild(el("p", S.difference + ": " + fmt.format(sign * p[0] * 100)));
      if (p[1] === null) { out.appendChild(el("p", S.untestable, "sig")); return; }
      out.appendChild(el("p", S.p_value + ": " + fmtp.format(p[1])));
      out.appendChild(el("p", p[2] ? S.significant : S.not_significant, "sig"));
    }
    dom.addEventListener("change", function () { levels(); show(); });
    [ind, a, b].forEach(function (s) { s.addEventListener("change", show); });
    levels();
    show();
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-picker]"), picker);
    compare();
  });
})();
