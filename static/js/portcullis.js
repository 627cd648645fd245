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
  // Tables: each in its own scrolling box (templates write .table-wrap; this catches any that
  // do not), and each cell labelled with its column's header so phones can stack the rows.
  document.querySelectorAll("main table").forEach(function (table) {
    if (!table.parentNode.classList.contains("table-wrap")) {
      var box = document.createElement("div");
      box.className = "table-wrap";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    if (table.hasAttribute("data-no-stack") || table.querySelector("input, select, textarea")) { return; }
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!headers.length) { return; }
    table.classList.add("stack");
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (cell.tagName === "TD" && headers[index] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", headers[index]);
        }
      });
    });
  });

  // Error summary: the first field in error takes the focus, so keyboard and screen-reader users
  // start where the fix is; the summary's links move focus to each field.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    var form = summary.closest("form") || document;
    var first = form.querySelector("[aria-invalid=true], .field--error input:not([type=hidden]), .field--error select, .field--error textarea");
    (first || summary).focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var field = target.matches("input, select, textarea, button") ? target
        : target.querySelector("input:not([type=hidden]), select, textarea");
      (field || target).focus();
    });
  }

  // Show/Hide for secret inputs: an input stays a password input unless its owner asks.
  document.querySelectorAll("main input[type=password]").forEach(addVisibilityToggle);
  function addVisibilityToggle(input) {
    if (input.parentNode.classList.contains("secret-input")) { return; }
    var box = document.createElement("span");
    box.className = "secret-input";
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.setAttribute("data-toggle-secret", "");
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Show";
    box.appendChild(button);
  }
  // Delegated, so rows copied by "Add row" keep working.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-toggle-secret]");
    if (!button) { return; }
    event.preventDefault();
    var input = button.parentNode.querySelector("input");
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    button.textContent = show ? "Hide" : "Show";
    button.setAttribute("aria-pressed", show ? "true" : "false");
  });

  // Type-to-confirm: <input data-must-match="exact text"> keeps its form's [data-enabled-on-match]
  // button disabled until the text matches (the server checks again).
  document.querySelectorAll("input[data-must-match]").forEach(function (input) {
    var button = input.form && input.form.querySelector("[data-enabled-on-match]");
    if (!button) { return; }
    var sync = function () { button.disabled = input.value !== input.getAttribute("data-must-match"); };
    input.addEventListener("input", sync);
    sync();
  });

  // Confirmation dialogs: <button data-dialog="id" hidden> next to an <a data-dialog-fallback>
  // confirmation page; with <dialog> support the button shows and opens the dialog instead.
  document.querySelectorAll("[data-dialog]").forEach(function (opener) {
    var dialog = document.getElementById(opener.getAttribute("data-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    opener.hidden = false;
    var fallback = opener.parentNode.querySelector("[data-dialog-fallback]");
    if (fallback) { fallback.hidden = true; }
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var first = dialog.querySelector("input:not([type=hidden]), [data-close-dialog]");
      if (first) { first.focus(); }
    });
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (closer) {
      closer.addEventListener("click", function () { dialog.close(); });
    });
  });
})();
