/* What went wrong with a passkey, told to the person instead of the browser's console.

   allauth's WebAuthn script (mfa/js/webauthn.js) reports a failed ceremony — signing in with a
   passkey, adding one, confirming with one — as a cancelable "allauth.error" event on the
   document, and writes it to the console only when nobody handles it. This script handles it:
   it shows a message where the site shows its other messages (the top of <main>), as an alert,
   and takes the focus there. The texts come translated from the server, as data attributes of
   this script's own tag (templates/mfa/webauthn/snippets/scripts.html):

     data-not-allowed  the person cancelled, the time ran out, or this device has no passkey
                       for this site (the browser does not say which, on purpose)
     data-exists       adding: this authenticator already holds a passkey of this account
     data-failed       anything else (the server unreachable, a security error)

   No inline script: CSP-safe. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) return;
  var texts = script.dataset;

  function messageFor(exception) {
    var name = exception && exception.name;
    if (name === "NotAllowedError" || name === "AbortError") return texts.notAllowed;
    if (name === "InvalidStateError") return texts.exists;
    return texts.failed;
  }

  function show(text) {
    var main = document.getElementById("main") || document.body;
    var message = document.getElementById("passkey-error");
    if (!message) {
      var region = document.createElement("div");
      region.className = "messages";
      message = document.createElement("p");
      message.id = "passkey-error";
      message.className = "message message--error";
      message.setAttribute("role", "alert");
      message.tabIndex = -1;
      region.appendChild(message);
      main.insertBefore(region, main.firstChild);
    }
    message.textContent = text;
    message.focus();
  }

  document.addEventListener("allauth.error", function (event) {
    var tags = (event.detail && event.detail.tags) || [];
    if (tags.indexOf("webauthn") === -1) return;
    event.preventDefault();
    show(messageFor(event.detail.exception));
  });
})();
