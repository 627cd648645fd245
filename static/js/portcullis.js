/* Portcullis portal: the little JS it needs. Every page works without it. */
(function () {
  "use strict";

  // Organization switcher: navigate on change.
  document.querySelectorAll("[data-org-select]").forEach(function (select) {
    select.addEventListener("change", function () { window.location.assign(select.value); });
  });

  // Copy buttons: <button data-copy-target="element-id">. Falls back to selecting the text.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) { return; }
      var text = target.value !== undefined ? target.value : target.textContent;
      var done = function () {
        var label = button.textContent;
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { select(target); });
      } else {
        select(target);
        try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
      }
    });
  });

  function select(element) {
    if (element.select) { element.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Confirmation for destructive buttons: <button data-confirm="Delete this?">.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
