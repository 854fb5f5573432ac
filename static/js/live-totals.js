/* Totals that follow what is typed, before the form is saved. Progressive: without this script
   the page shows the totals the server computed when the form was last saved; the server stays
   the judge of every amount when the form is sent. No inline script, no eval: CSP-safe.

   Described by data- attributes (docs/architecture.md, "Public page patterns"):

   on inputs of the form
     data-sum="NAME; NAME if ID; NAME if ID=VALUE"
       the input's amount (whole yen as people type it: full-width digits, commas, ¥, 円) adds
       to total NAME; with "if ID" only while the checkbox ID is ticked, with "if ID=VALUE" only
       while the control ID has that value. An amount the server would refuse counts as 0.

   on the element that holds the outputs, [data-live-totals]
     data-derive="NAME = A - B; NAME = A + B; NAME = share A"
       totals computed from others, in order. "share A" is A × the rate, rounded down to
       data-share-round yen, at most the cap (subsidies/money.py's eligible_amount), with the
       rate ("1/2") and the cap from the data-rate and data-cap of the option chosen in the
       <select> named by data-share-from; with no rate there, the total is undefined.

   inside it
     data-total="NAME"       shows total NAME (¥ grouping as 1,234,567)
     data-param="rate|cap"   shows the chosen option's rate or cap
     data-show-if="EXPR"     shown only while EXPR holds: "NAME" (defined), or "A OP B" with
                             OP one of == != > < >= <= and A, B names or whole numbers
     data-live-text="…"      replaces the element's text once the script runs (a heading
                             "totals of the saved budget" becomes "totals as you type")
*/
(function () {
  "use strict";

  var MAX_TYPED_YEN = 100000000; // muroran_kyodo.lib.fields.MAX_TYPED_YEN

  function yen(text) {
    var t = (text || "").normalize("NFKC").replace(/\\/g, "").replace(/[,\s¥￥円]/g, "");
    if (t === "") return 0;
    var whole = /^(\d+)(\.0*)?$/.exec(t);
    if (!whole) return 0;
    var amount = parseInt(whole[1], 10);
    return amount > MAX_TYPED_YEN ? 0 : amount;
  }

  function grouped(amount) {
    return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // floor(a / b) for whole numbers, exact (a stays far below 2^53 for amounts typed here).
  function floorDiv(a, b) {
    var q = Math.floor(a / b);
    if ((q + 1) * b <= a) q += 1;
    if (q * b > a) q -= 1;
    return q;
  }

  function parseSums(text) {
    return (text || "")
      .split(";")
      .map(function (part) {
        var m = /^\s*(\w+)(?:\s+if\s+([^=\s]+)(?:=(\S*))?)?\s*$/.exec(part);
        return m && { name: m[1], control: m[2] || null, value: m[3] };
      })
      .filter(Boolean);
  }

  function applies(sum) {
    if (!sum.control) return true;
    var control = document.getElementById(sum.control);
    if (!control) return false;
    if (sum.value === undefined) return control.checked === true;
    return control.value === sum.value;
  }

  function chosenOption(select) {
    return select && select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
  }

  function setUp(container) {
    var form = container.closest("form") || document;
    var inputs = Array.prototype.slice.call(form.querySelectorAll("[data-sum]"));
    var select = document.getElementById(container.getAttribute("data-share-from") || "");
    var round = parseInt(container.getAttribute("data-share-round") || "1", 10) || 1;
    var derive = (container.getAttribute("data-derive") || "")
      .split(";")
      .map(function (part) {
        var m = /^\s*(\w+)\s*=\s*(?:share\s+(\w+)|(\w+)\s*([-+])\s*(\w+))\s*$/.exec(part);
        return m && { name: m[1], share: m[2], a: m[3], op: m[4], b: m[5] };
      })
      .filter(Boolean);

    function params() {
      var option = chosenOption(select);
      var rate = option && /^(\d+)\/(\d+)$/.exec(option.getAttribute("data-rate") || "");
      var cap = option && option.getAttribute("data-cap");
      if (!rate || cap === null) return null;
      return { num: +rate[1], den: +rate[2], cap: parseInt(cap, 10), label: rate[0] };
    }

    function compute() {
      var totals = {};
      inputs.forEach(function (input) {
        parseSums(input.getAttribute("data-sum")).forEach(function (sum) {
          if (!(sum.name in totals)) totals[sum.name] = 0;
          if (applies(sum)) totals[sum.name] += yen(input.value);
        });
      });
      var p = params();
      derive.forEach(function (d) {
        if (d.share) {
          if (p && d.share in totals) {
            var rounded = floorDiv(totals[d.share] * p.num, p.den * round) * round;
            totals[d.name] = Math.min(p.cap, rounded);
          }
        } else if (d.a in totals && d.b in totals) {
          totals[d.name] = d.op === "-" ? totals[d.a] - totals[d.b] : totals[d.a] + totals[d.b];
        }
      });
      return { totals: totals, params: p };
    }

    function value(token, totals) {
      if (/^-?\d+$/.test(token)) return parseInt(token, 10);
      return token in totals ? totals[token] : undefined;
    }

    function holds(expr, totals) {
      var m = /^\s*(\S+)\s*(==|!=|>=|<=|>|<)\s*(\S+)\s*$/.exec(expr);
      if (!m) return value(expr.trim(), totals) !== undefined;
      var a = value(m[1], totals);
      var b = value(m[3], totals);
      if (a === undefined || b === undefined) return false;
      switch (m[2]) {
        case "==": return a === b;
        case "!=": return a !== b;
        case ">": return a > b;
        case "<": return a < b;
        case ">=": return a >= b;
        default: return a <= b;
      }
    }

    function show() {
      var result = compute();
      var totals = result.totals;
      container.querySelectorAll("[data-total]").forEach(function (out) {
        var name = out.getAttribute("data-total");
        if (name in totals) out.textContent = grouped(totals[name]);
      });
      container.querySelectorAll("[data-param]").forEach(function (out) {
        if (!result.params) return;
        var which = out.getAttribute("data-param");
        if (which === "rate") out.textContent = result.params.label;
        if (which === "cap") out.textContent = grouped(result.params.cap);
      });
      container.querySelectorAll("[data-show-if]").forEach(function (el) {
        el.hidden = !holds(el.getAttribute("data-show-if"), totals);
      });
    }

    form.addEventListener("input", show);
    form.addEventListener("change", show);
    document.querySelectorAll("[data-live-text]").forEach(function (el) {
      el.textContent = el.getAttribute("data-live-text");
    });
    container.setAttribute("data-live-totals-ready", "");
    show();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-totals]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
