/* Printable documents (templates/print/base.html): show the print button and print on click.
   Without JavaScript the button stays hidden and the page says to use the browser's print
   function. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
