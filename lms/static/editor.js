/* Progressive enhancement of the assignment editor: word count, preview and draft autosave. */
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) { return; }
  var area = form.querySelector("textarea[name=body]");
  var status = document.getElementById("editor-status");
  var previewBox = form.querySelector(".preview");
  var previewBody = form.querySelector(".preview-body");
  var token = form.querySelector("input[name=csrf_token]").value;
  var lastSaved = area.value;
  var timer = null;

  function words(text) {
    return text.split(/\s+/).filter(function (w) { return /[\p{L}\p{N}]/u.test(w); }).length;
  }
  function post(url, body) {
    var data = new FormData();
    data.append("body", body);
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }
  function showCount(extra) {
    var label = (status.dataset.words || "Words: {n}").replace("{n}", words(area.value));
    status.textContent = label + (extra ? " · " + extra : "");
  }
  function autosave() {
    if (area.value === lastSaved) { return; }
    var text = area.value;
    post(form.dataset.autosave, text).then(function () {
      lastSaved = text;
      showCount(status.dataset.saved || "draft saved");
    }).catch(function () { showCount(status.dataset.unsaved || "not saved yet"); });
  }
  function preview() {
    post(form.dataset.preview, area.value).then(function (data) {
      // The server returns HTML already sanitised by the same allowlist as every page.
      previewBody.innerHTML = data.html;
      previewBox.hidden = false;
    }).catch(function () {});
  }
  area.addEventListener("input", function () {
    showCount();
    clearTimeout(timer);
    timer = setTimeout(function () { autosave(); preview(); }, 1500);
  });
  var previewButton = document.createElement("button");
  previewButton.type = "button";
  previewButton.className = "button";
  previewButton.textContent = status.dataset.previewLabel || "Preview";
  previewButton.addEventListener("click", preview);
  form.insertBefore(previewButton, form.querySelector("button[name=action]"));
  setInterval(autosave, 20000);
})();
