/* Service credential pages: grant rows, the public-key field, the revoke dialog, the CSV download.
   Every page works without this script; it only makes them quicker to use. */
(function () {
  "use strict";

  // A grant row offers the permissions of its resource's kind: once a known kind/name is typed,
  // the other kinds' groups are hidden (the server checks the same).
  function syncPermissions(row) {
    var resource = row.querySelector("input[name$='_resource']");
    var select = row.querySelector("select[data-permissions]");
    if (!resource || !select) { return; }
    var kind = resource.value.trim().split("/")[0];
    var groups = select.querySelectorAll("optgroup");
    var known = resource.value.indexOf("/") > 0 && Array.prototype.some.call(groups, function (g) { return g.label === kind; });
    groups.forEach(function (group) {
      var shown = !known || group.label === kind;
      group.hidden = !shown;
      group.disabled = !shown;
    });
  }
  var rows = document.querySelector("[data-grant-rows]");
  if (rows) {
    rows.querySelectorAll("[data-grant-row]").forEach(syncPermissions);
    rows.addEventListener("input", function (event) {
      var row = event.target.closest("[data-grant-row]");
      if (row && /_resource$/.test(event.target.name)) { syncPermissions(row); }
    });
  }

  // "Add another resource": copy the last grant row, numbered one higher, empty.
  var addRow = document.querySelector("[data-add-grant-row]");
  if (rows && addRow) {
    addRow.hidden = false;
    addRow.addEventListener("click", function () {
      var last = rows.querySelector("[data-grant-row]:last-of-type");
      var row = last.cloneNode(true);
      var next = rows.querySelectorAll("[data-grant-row]").length;
      function renumber(value) { return value.replace(/grant_\d+_/, "grant_" + next + "_").replace(/ \d+$/, " " + (next + 1)); }
      row.querySelectorAll("input, select").forEach(function (field) {
        field.name = renumber(field.name);
        field.id = renumber(field.id);
        field.value = "";
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
      });
      row.querySelectorAll("label").forEach(function (label) {
        label.htmlFor = renumber(label.htmlFor);
        label.textContent = renumber(label.textContent);
      });
      row.querySelectorAll(".errorlist").forEach(function (list) { list.remove(); });
      row.querySelectorAll(".field--error").forEach(function (cell) { cell.classList.remove("field--error"); });
      row.querySelectorAll("option").forEach(function (option) { option.selected = false; });
      rows.appendChild(row);
      syncPermissions(row);
      row.querySelector("input").focus();
    });
  }

  // The public key matters only for private_key_jwt: show it when that is chosen.
  var methods = document.querySelectorAll("input[type=radio][name$='auth_method']");
  var keyField = document.querySelector("textarea[name$='public_key']");
  if (methods.length && keyField) {
    var keyBlock = keyField.closest(".field");
    var sync = function () {
      var chosen = document.querySelector("input[type=radio][name$='auth_method']:checked");
      keyBlock.hidden = !(chosen && chosen.value === "private_key_jwt") && !keyField.value;
    };
    methods.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  }

  // Revoke opens a dialog on the page; without <dialog> support the link goes to its own page.
  document.querySelectorAll("[data-open-dialog]").forEach(function (opener) {
    var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    opener.hidden = false;
    var fallback = opener.parentNode.querySelector("[data-dialog-fallback]");
    if (fallback) { fallback.hidden = true; }
    opener.addEventListener("click", function () {
      dialog.showModal();
      var first = dialog.querySelector("input:not([type=hidden])");
      if (first) { first.focus(); }
    });
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (closer) {
      closer.addEventListener("click", function () { dialog.close(); });
    });
  });

  // "Download Client Keys": the CSV is already on the page; it is never fetched or stored again.
  document.querySelectorAll("[data-download-source]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-download-source"));
      var blob = new Blob([source.value], { type: "text/csv;charset=utf-8" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = button.getAttribute("data-download-name");
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    });
  });
})();
