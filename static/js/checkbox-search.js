/* A search box over a list of checkboxes (muroran_kyodo.lib.widgets.SearchableCheckboxSelectMultiple).

   Progressive: without this script every checkbox is listed and the search box stays hidden.
   With it, the box appears; typing hides the choices whose text (label, detail, keywords in
   data-search-text) does not contain every word typed. Full-width and half-width letters and
   digits, upper and lower case, katakana and hiragana are treated alike. Ticked choices stay
   shown, so what is chosen is never hidden. Enter in the box does not send the form.
   A status line (aria-live) says how many choices are shown. No inline script: CSP-safe. */
(function () {
  "use strict";

  function fold(text) {
    var folded = (text || "").normalize("NFKC").toLowerCase();
    // Katakana → hiragana, so "ミナト" finds "みなと" and the other way round.
    return folded.replace(/[\u30a1-\u30f6]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0x60);
    });
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return String(values[key]);
    });
  }

  function setUp(widget) {
    var box = widget.querySelector("[data-checkbox-search-box]");
    var input = box && box.querySelector("input[type=search]");
    var status = widget.querySelector("[data-checkbox-search-status]");
    var choices = Array.prototype.slice.call(widget.querySelectorAll("[data-search-text]"));
    if (!input || choices.length === 0) return;
    var texts = choices.map(function (choice) {
      return fold(choice.getAttribute("data-search-text"));
    });

    function filter() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      var matched = 0;
      choices.forEach(function (choice, n) {
        var ticked = choice.querySelector("input:checked") !== null;
        var match = words.every(function (word) {
          return texts[n].indexOf(word) !== -1;
        });
        choice.hidden = !(match || ticked);
        if (match) matched += 1;
        if (!choice.hidden) shown += 1;
      });
      if (!status) return;
      if (words.length === 0) {
        status.textContent = "";
      } else if (matched === 0) {
        status.textContent = widget.getAttribute("data-text-none") || "";
      } else {
        status.textContent = format(widget.getAttribute("data-text-count") || "", {
          shown: shown,
          total: choices.length,
        });
      }
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    box.hidden = false;
    filter();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-checkbox-search]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
