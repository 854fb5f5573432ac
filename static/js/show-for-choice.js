/* Parts of a form that apply to some answers of a radio group only.

   <fieldset data-show-for="NAME:VALUE VALUE …"> is shown while the radio button of the group
   NAME that is checked has one of the VALUEs, and hidden otherwise (the partner registration:
   the group fields for 家族・グループ and 団体, not for 個人).

   Progressive: without this script every fieldset is shown, and its legend says when it
   applies; the server ignores what does not apply to the answer chosen, so hidden fields are
   still sent but not used. With no radio of that group checked, everything stays shown.
   No inline script: CSP-safe. */
(function () {
  "use strict";

  function setUp(form) {
    var parts = Array.prototype.slice.call(form.querySelectorAll("[data-show-for]"));
    if (parts.length === 0) return;

    function update() {
      parts.forEach(function (part) {
        var spec = part.getAttribute("data-show-for") || "";
        var colon = spec.indexOf(":");
        if (colon < 0) return;
        var name = spec.slice(0, colon);
        var values = spec.slice(colon + 1).split(/\s+/).filter(Boolean);
        var checked = null;
        Array.prototype.forEach.call(form.elements, function (el) {
          if (el.name === name && el.type === "radio" && el.checked) checked = el;
        });
        part.hidden = checked !== null && values.indexOf(checked.value) === -1;
      });
    }

    form.addEventListener("change", update);
    update();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
