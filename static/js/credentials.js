/* Service credential pages: grant rows, the public-key field, the revoke dialog, the CSV download.
   Every page works without this script; it only makes them quicker to use. */
(function () {
  "use strict";

  // Grant rows: a searchable resource tree per row, the permissions of the chosen resource's kind,
  // the roles that apply there (a product's roles on that product and below; only the bound
  // product's roles for a credential bound to one), a trash button with a confirmation, and
  // "Add another resource". The server checks all of it again.
  var grants = document.querySelector("[data-grants]");
  var rows = grants && grants.querySelector("[data-grant-rows]");
  var tree = document.getElementById("resource-tree");
  var boundSelect = document.querySelector("select[data-bound-product]");
  function bound() { return boundSelect ? boundSelect.value : grants.getAttribute("data-bound"); }
  function lineage(option) { return option.getAttribute("data-lineage").split(" › "); }
  function treeOption(value) {
    return tree && Array.prototype.find.call(tree.querySelectorAll("[role=option]"), function (o) { return o.getAttribute("data-value") === value; });
  }
  function showPath(row) {
    var input = row.querySelector("[data-resource-picker]");
    var shown = row.querySelector("[data-resource-path]");
    var option = treeOption(input.value.trim());
    if (shown) { shown.textContent = option ? option.getAttribute("data-names") + " (" + option.getAttribute("data-kind") + ")" : ""; }
    return option;
  }
  function syncRow(row) {
    var option = showPath(row);
    var kind = option ? option.getAttribute("data-kind") : null;
    var select = row.querySelector("select[data-permissions]");
    if (select) {
      select.querySelectorAll("optgroup").forEach(function (group) {
        var shown = !kind || group.label === kind;
        group.hidden = !shown;
        group.disabled = !shown;
      });
    }
    var role = row.querySelector("select[name$='_role']");
    if (!role) { return; }
    var product = bound(), above = option ? lineage(option) : [];
    role.querySelectorAll("option[data-product]").forEach(function (choice) {
      var of = choice.getAttribute("data-product");
      var applies = product ? of === product : (!of || !option || above.indexOf(of) >= 0);
      choice.hidden = !applies;
      choice.disabled = !applies;
      if (!applies && choice.selected) { role.value = ""; }
    });
  }

  // The tree opens under the resource field being typed in; typing filters it (by name, path or
  // kind/name), arrows move, Enter or a click chooses, Escape closes.
  var openFor = null;
  function visibleOptions() { return Array.prototype.filter.call(tree.querySelectorAll("[role=option]"), function (o) { return !o.hidden; }); }
  function filterTree(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean), product = bound(), count = 0;
    tree.querySelectorAll("[role=option]").forEach(function (option) {
      var text = (option.getAttribute("data-names") + " " + option.getAttribute("data-value")).toLowerCase();
      var shown = (!product || lineage(option).indexOf(product) >= 0) && words.every(function (w) { return text.indexOf(w) >= 0; });
      option.hidden = !shown;
      if (shown) { count += 1; }
    });
    tree.querySelector(".resource-tree-empty").hidden = count > 0;
  }
  function setActive(option) {
    tree.querySelectorAll("[aria-selected=true]").forEach(function (o) { o.setAttribute("aria-selected", "false"); });
    if (option) {
      option.setAttribute("aria-selected", "true");
      openFor.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else if (openFor) {
      openFor.removeAttribute("aria-activedescendant");
    }
  }
  function openTree(input) {
    openFor = input;
    input.parentNode.appendChild(tree);
    filterTree(input.value === (input.getAttribute("data-chosen") || "") ? "" : input.value);
    tree.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  function closeTree() {
    if (!openFor) { return; }
    openFor.setAttribute("aria-expanded", "false");
    openFor.removeAttribute("aria-activedescendant");
    tree.hidden = true;
    openFor = null;
  }
  function choose(option) {
    var input = openFor;
    input.value = option.getAttribute("data-value");
    input.setAttribute("data-chosen", input.value);
    closeTree();
    syncRow(input.closest("[data-grant-row]"));
    input.focus();
  }
  function enhancePicker(input) {
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", "resource-tree");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("data-chosen", input.value);
  }
  if (rows && tree) {
    rows.querySelectorAll("[data-resource-picker]").forEach(enhancePicker);
    rows.addEventListener("focusin", function (event) {
      if (event.target.matches("[data-resource-picker]")) { openTree(event.target); }
    });
    rows.addEventListener("focusout", function (event) {
      if (event.target === openFor) { closeTree(); }
    });
    rows.addEventListener("input", function (event) {
      if (!event.target.matches("[data-resource-picker]")) { return; }
      if (openFor !== event.target) { openTree(event.target); }
      filterTree(event.target.value);
      setActive(null);
      syncRow(event.target.closest("[data-grant-row]"));
    });
    rows.addEventListener("keydown", function (event) {
      if (event.target !== openFor) { return; }
      var options = visibleOptions(), current = tree.querySelector("[aria-selected=true]");
      var at = options.indexOf(current);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = event.key === "ArrowDown" ? Math.min(at + 1, options.length - 1) : Math.max(at - 1, 0);
        setActive(options[next] || null);
      } else if (event.key === "Enter" && !tree.hidden) {
        // Enter chooses (the highlighted match, or the only one) instead of submitting the form.
        var pick = current && !current.hidden ? current : (options.length === 1 ? options[0] : null);
        if (pick) { event.preventDefault(); choose(pick); }
      } else if (event.key === "Escape") {
        closeTree();
      }
    });
    // mousedown, not click: the field would lose the focus (and close the tree) before a click.
    tree.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      event.preventDefault();
      if (option) { choose(option); }
    });
    rows.addEventListener("change", function (event) {
      var row = event.target.closest("[data-grant-row]");
      if (row) { syncRow(row); }
    });
  }
  if (rows) { rows.querySelectorAll("[data-grant-row]").forEach(syncRow); }
  if (boundSelect && rows) {
    boundSelect.addEventListener("change", function () { rows.querySelectorAll("[data-grant-row]").forEach(syncRow); });
  }

  // The spare empty row the server adds is the model for "Add another resource"; on a page with
  // rows already filled in it is taken out, so a refused submit shows only what was filled in.
  var addRow = document.querySelector("[data-add-grant-row]");
  var model = rows && rows.querySelector("[data-spare-row]");
  var nextIndex = 0;
  if (rows && model && addRow) {
    model = model.cloneNode(true);
    if (rows.querySelectorAll("[data-grant-row]").length > 1) { rows.querySelector("[data-spare-row]").remove(); }
    // Rows are numbered 0…n-1 by the server: new ones follow.
    nextIndex = rows.querySelectorAll("[data-grant-row]").length;
    addRow.hidden = false;
    addRow.addEventListener("click", function () {
      var row = model.cloneNode(true), index = nextIndex;
      nextIndex += 1;
      function renumber(value) { return value.replace(/grant_\d+_/, "grant_" + index + "_").replace(/ \d+$/, " " + (index + 1)); }
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
      row.querySelectorAll("[data-remove-grant-row]").forEach(function (button) {
        button.setAttribute("aria-label", renumber(button.getAttribute("aria-label")));
      });
      row.querySelectorAll("option").forEach(function (option) { option.selected = false; });
      rows.appendChild(row);
      row.querySelectorAll("[data-resource-picker]").forEach(enhancePicker);
      syncRow(row);
      row.querySelector("[data-resource-picker]").focus();
    });
  }

  // The trash button: a filled-in row is removed after a confirmation, an empty one at once.
  var removeDialog = document.getElementById("remove-grant-dialog");
  var removing = null;
  function removeRow(row) {
    var following = row.nextElementSibling;
    row.remove();
    var focus = following ? following.querySelector("[data-remove-grant-row]") : addRow;
    if (focus) { focus.focus(); }
  }
  if (rows) {
    rows.querySelectorAll("[data-remove-grant-row]").forEach(function (button) { button.hidden = false; });
    if (model) { model.querySelectorAll("[data-remove-grant-row]").forEach(function (button) { button.hidden = false; }); }
    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-grant-row]");
      if (!button) { return; }
      var row = button.closest("[data-grant-row]");
      var resource = row.querySelector("[data-resource-picker]").value.trim();
      var filled = resource || Array.prototype.some.call(row.querySelectorAll("select"), function (s) { return s.value; });
      if (!filled || !removeDialog || typeof removeDialog.showModal !== "function") {
        if (!filled || window.confirm("Remove this grant?")) { removeRow(row); }
        return;
      }
      removing = row;
      var option = treeOption(resource);
      removeDialog.querySelector("[data-remove-what]").textContent = option ? option.getAttribute("data-names") : (resource || "this resource");
      removeDialog.showModal();
      removeDialog.querySelector("[data-close-dialog]").focus();
    });
  }
  if (removeDialog) {
    removeDialog.querySelector("[data-confirm-remove]").addEventListener("click", function () {
      removeDialog.close();
      if (removing) { removeRow(removing); removing = null; }
    });
    removeDialog.querySelectorAll("[data-close-dialog]").forEach(function (closer) {
      closer.addEventListener("click", function () { removeDialog.close(); removing = null; });
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

  // The list's Enabled switch asks first: turning it off stops the credential's tokens at once.
  var switchDialog = document.getElementById("switch-dialog");
  if (switchDialog && typeof switchDialog.showModal === "function") {
    var pending = null;
    var words = {
      disable: ["Disable", "Every access token it holds stops working on the next request, and it gets no new ones until it is enabled again. Nothing is deleted."],
      enable: ["Enable", "It gets access tokens again with its current client keys and grants."]
    };
    document.querySelectorAll("form[data-confirm-switch]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var said = words[form.getAttribute("data-confirm-switch")];
        pending = form;
        switchDialog.querySelector("[data-switch-title]").textContent = said[0] + " “" + form.getAttribute("data-credential") + "”?";
        switchDialog.querySelector("[data-switch-text]").textContent = said[1];
        switchDialog.querySelector("[data-switch-confirm]").textContent = said[0];
        switchDialog.showModal();
        switchDialog.querySelector("[data-close-dialog]").focus();
      });
    });
    switchDialog.querySelector("[data-switch-confirm]").addEventListener("click", function () {
      switchDialog.close();
      if (pending) { pending.submit(); }
    });
    switchDialog.querySelector("[data-close-dialog]").addEventListener("click", function () {
      pending = null;
      switchDialog.close();
    });
  }

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
