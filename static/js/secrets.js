/* Secrets pages: file drop zones, the certificate's expiry preview, key/value rows.
   Everything works without this script; it only makes the forms easier to use. */
(function () {
  "use strict";

  function showFileName(zone, input) {
    var out = zone.querySelector("[data-dropzone-file]");
    if (out) {
      out.textContent = input.files && input.files.length ? "Selected: " + input.files[0].name : "";
    }
  }

  function setUpDropZone(zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dropzone--over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dropzone--over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) { return; }
      var transfer = new DataTransfer();
      transfer.items.add(files[0]);
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    input.addEventListener("change", function () {
      showFileName(zone, input);
      clearServerError(input);
    });
  }

  /* A newly chosen file makes the server's message about the previous one stale: clear it. */
  function clearServerError(input) {
    var field = input.closest(".field");
    if (!field) { return; }
    field.classList.remove("field--error");
    field.querySelectorAll(".errorlist").forEach(function (list) { list.remove(); });
    input.removeAttribute("aria-invalid");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && !/_error$/.test(id);
    });
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); } else { input.removeAttribute("aria-describedby"); }
  }

  /* Key/value "Registration Method": show the rows or the file input, whichever is chosen. */
  function setUpRegistrationMethod(form) {
    var radios = form.querySelectorAll("input[type=radio][data-registration-method]");
    var rows = form.querySelector("#field-pairs");
    var file = form.querySelector("#field-pairs_file");
    if (!radios.length || !rows || !file) { return; }
    function sync() {
      var chosen = form.querySelector("input[type=radio][data-registration-method]:checked");
      var byFile = chosen && chosen.value === "file";
      rows.hidden = byFile;
      file.hidden = !byFile;
    }
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    // A file chosen or dropped means the file method, whichever radio was on.
    var fileInput = file.querySelector("input[type=file]");
    var fileRadio = form.querySelector("input[type=radio][data-registration-method][value=file]");
    if (fileInput && fileRadio) {
      fileInput.addEventListener("change", function () {
        if (fileInput.files && fileInput.files.length) { fileRadio.checked = true; sync(); }
      });
    }
    sync();
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* The certificate is public: send it alone (never the key) to read its expiry. */
  function setUpCertificatePreview(form) {
    var url = form.getAttribute("data-certificate-info-url");
    var input = form.querySelector("[data-certificate-input]");
    var preview = form.querySelector("[data-certificate-preview]");
    var problem = form.querySelector("[data-certificate-error]");
    if (!url || !input || !preview) { return; }
    input.addEventListener("change", function () {
      preview.hidden = true;
      if (problem) { problem.hidden = true; }
      if (!input.files || !input.files.length) { return; }
      var body = new FormData();
      body.append("certificate", input.files[0]);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form) }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          preview.querySelector("[data-certificate-expiry]").textContent = result.data.expires_on;
          preview.querySelector("[data-certificate-subject]").textContent =
            "Subject: " + result.data.subject + " · Issuer: " + result.data.issuer;
          preview.hidden = false;
        } else if (problem) {
          problem.textContent = result.data.error;
          problem.hidden = false;
        }
      }).catch(function () { /* the server checks the certificate again on submit */ });
    });
  }

  function setUpPairs(container) {
    var add = container.parentNode.querySelector("[data-add-row]");
    function rows() { return container.querySelectorAll("[data-pair-row]"); }
    container.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (!button) { return; }
      var row = button.closest("[data-pair-row]");
      if (rows().length > 1) {
        row.parentNode.removeChild(row);
      } else {
        row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      }
    });
    if (add) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var all = rows();
        var row = all[all.length - 1].cloneNode(true);
        row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        container.appendChild(row);
        row.querySelector("input").focus();
      });
    }
  }

  document.querySelectorAll("[data-dropzone]").forEach(setUpDropZone);
  document.querySelectorAll("form[data-certificate-info-url]").forEach(setUpCertificatePreview);
  document.querySelectorAll("[data-pairs]").forEach(setUpPairs);
  document.querySelectorAll("form.secret-form").forEach(setUpRegistrationMethod);
})();
