/* Portcullis portal: the little JS it needs. Every page works without it. */
(function () {
  "use strict";

  // Organization switcher: navigate on change (without JS, a "Switch" link goes to the chooser).
  document.querySelectorAll("[data-org-select]").forEach(function (select) {
    select.addEventListener("change", function () { window.location.assign(select.value); });
  });

  // A read-only secret field selects all of itself on focus, so Ctrl+C works without the button.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
    field.addEventListener("click", function () { field.select(); });
  });

  // Copy buttons: <button data-copy-target="element-id">. Falls back to selecting the text.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var label = button.textContent;
    var status = document.querySelector("[data-copy-status]");
    function say(text) { if (status) { status.textContent = text; } }
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) { return; }
      var text = target.value !== undefined ? target.value : target.textContent;
      function done() {
        button.textContent = "Copied";
        say("Copied to the clipboard.");
        setTimeout(function () { button.textContent = label; }, 1500);
      }
      function fallback() {
        select(target);
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        if (copied) { done(); } else { say("Selected: press Ctrl+C (⌘C on a Mac) to copy."); }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
  });

  function select(element) {
    if (element.select) { element.focus(); element.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Extra confirmation for destructive buttons: <button data-confirm="Delete this?">.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
