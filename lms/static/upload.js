/* Atelier's resumable uploader: a small tus 1.0 client (creation, HEAD, PATCH) with retries.
   The upload address is kept in localStorage per file, so a reload or a new visit resumes. */
(function () {
  "use strict";
  var form = document.getElementById("uploader");
  if (!form || !window.XMLHttpRequest || !window.File) { return; }

  var TUS = "1.0.0";
  var input = document.getElementById("video-file");
  var startButton = document.getElementById("upload-start");
  var box = form.querySelector(".upload-progress");
  var bar = document.getElementById("upload-bar");
  var text = document.getElementById("upload-text");
  var eta = document.getElementById("upload-eta");
  var errorBox = document.getElementById("upload-error");
  var done = document.getElementById("upload-done");
  var chunkSize = parseInt(form.dataset.chunkSize, 10) || 2097152;
  var maxBytes = parseInt(form.dataset.maxBytes, 10) || Infinity;
  var csrf = form.dataset.csrf;
  var RETRY_DELAYS = [1, 2, 4, 8, 15, 30];

  function label(name, values) {
    var template = form.dataset[name] || "";
    Object.keys(values || {}).forEach(function (key) {
      template = template.replace("{" + key + "}", values[key]);
    });
    return template;
  }

  function storageKey(file) {
    return "atelier-upload:" + [file.name, file.size, file.lastModified, file.type].join("|");
  }

  function remember(file, state) {
    try { localStorage.setItem(storageKey(file), JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  function recall(file) {
    try { return JSON.parse(localStorage.getItem(storageKey(file)) || "null"); } catch (e) { return null; }
  }

  function forget(file) {
    try { localStorage.removeItem(storageKey(file)); } catch (e) { /* ignore */ }
  }

  function base64(value) {
    var bytes = new TextEncoder().encode(value);
    var binary = "";
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary);
  }

  // One XHR as a promise; resolves with the request whatever its status, rejects on network loss.
  function request(method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url, true);
      xhr.setRequestHeader("Tus-Resumable", TUS);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      Object.keys(headers || {}).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      xhr.timeout = 120000;
      if (onProgress && xhr.upload) {
        xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      }
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = function () { reject(new Error("network")); };
      xhr.ontimeout = function () { reject(new Error("timeout")); };
      xhr.onabort = function () { reject(new Error("abort")); };
      xhr.send(body === undefined ? null : body);
    });
  }

  function wait(seconds) {
    return new Promise(function (resolve) {
      var timer = setTimeout(finish, seconds * 1000);
      function finish() {
        clearTimeout(timer);
        window.removeEventListener("online", finish);
        resolve();
      }
      // Coming back online retries at once instead of waiting out the delay.
      window.addEventListener("online", finish);
    });
  }

  function errorMessage(xhr) {
    try { return JSON.parse(xhr.responseText).message || ""; } catch (e) { return ""; }
  }

  function Refused(message) { this.message = message; }

  // Speed over the last seconds, for a remaining-time estimate that follows the connection.
  var samples = [];
  function showProgress(file, sent) {
    var percent = Math.floor((100 * sent) / file.size);
    bar.value = percent;
    bar.textContent = percent + "%";
    text.textContent = label("labelUploading", { p: percent });
    var now = Date.now();
    samples.push([now, sent]);
    while (samples.length > 2 && now - samples[0][0] > 10000) { samples.shift(); }
    var first = samples[0];
    var speed = (sent - first[1]) / Math.max((now - first[0]) / 1000, 0.001);
    if (samples.length > 2 && speed > 0) {
      eta.textContent = label("labelRemaining", { t: formatDuration((file.size - sent) / speed) });
    }
  }

  function formatDuration(seconds) {
    seconds = Math.max(1, Math.round(seconds));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes ? minutes + " min " + (rest < 10 ? "0" : "") + rest + " s" : rest + " s";
  }

  function create(file) {
    return request("POST", form.dataset.endpoint, {
      "Upload-Length": String(file.size),
      "Upload-Metadata": "filename " + base64(file.name) + ",filetype " + base64(file.type || "")
    }).then(function (xhr) {
      if (xhr.status !== 201) { throw new Refused(errorMessage(xhr) || xhr.status); }
      var state = JSON.parse(xhr.responseText);
      remember(file, state);
      return state;
    });
  }

  function askOffset(state) {
    return request("HEAD", state.upload_url).then(function (xhr) {
      if (xhr.status === 404 || xhr.status === 403) { return null; }
      if (xhr.status !== 200) { throw new Error("head " + xhr.status); }
      return parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
    });
  }

  function sendChunk(file, state, offset) {
    var end = Math.min(offset + chunkSize, file.size);
    return request(
      "PATCH",
      state.upload_url,
      { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
      file.slice(offset, end),
      function (loaded) { showProgress(file, offset + loaded); }
    ).then(function (xhr) {
      if (xhr.status === 204) { return parseInt(xhr.getResponseHeader("Upload-Offset"), 10); }
      if (xhr.status === 409 || xhr.status >= 500) { throw new Error("retry " + xhr.status); }
      throw new Refused(errorMessage(xhr) || xhr.status);
    });
  }

  async function upload(file) {
    var state = recall(file);
    var offset = null;
    var failures = 0;
    while (true) {
      try {
        if (state && offset === null) {
          offset = await askOffset(state);
          if (offset === null) { forget(file); state = null; continue; }
          if (offset > 0) { text.textContent = label("labelResumed", { p: Math.floor((100 * offset) / file.size) }); }
        }
        if (!state) { state = await create(file); offset = 0; }
        if (offset >= file.size) { return state; }
        offset = await sendChunk(file, state, offset);
        failures = 0;
      } catch (error) {
        if (error instanceof Refused) { throw error; }
        // Lost connection or a busy server: wait, then ask where the server stands.
        var delay = RETRY_DELAYS[Math.min(failures, RETRY_DELAYS.length - 1)];
        failures += 1;
        text.textContent = label("labelRetrying", { s: delay });
        await wait(delay);
        offset = null;
        if (!state) { offset = 0; }
      }
    }
  }

  function finished(file, state) {
    forget(file);
    bar.value = 100;
    eta.textContent = "";
    text.textContent = label("labelProcessing");
    var back = form.dataset.returnTo;
    if (back) {
      window.location.assign(back + (back.indexOf("?") >= 0 ? "&" : "?") + "media_item=" + state.item_id);
      return;
    }
    pollStatus(state);
  }

  function pollStatus(state) {
    fetch(state.status_url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        text.textContent = status.message;
        if (status.status === "processing") { bar.value = status.progress; }
        if (!status.finished) { setTimeout(function () { pollStatus(state); }, 3000); return; }
        var link = document.createElement("a");
        link.href = status.player_url;
        link.className = "button primary";
        link.textContent = label("labelWatch");
        done.replaceChildren(link);
        done.hidden = false;
        startButton.disabled = false;
      })
      .catch(function () { setTimeout(function () { pollStatus(state); }, 5000); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = input.files && input.files[0];
    if (!file) { input.focus(); return; }
    errorBox.hidden = true;
    done.hidden = true;
    if (file.size > maxBytes) {
      errorBox.textContent = label("labelTooLarge");
      errorBox.hidden = false;
      return;
    }
    startButton.disabled = true;
    box.hidden = false;
    samples = [];
    upload(file).then(function (state) { finished(file, state); }, function (error) {
      errorBox.textContent = label("labelFailed") + " " + (error.message || "");
      errorBox.hidden = false;
      forget(file);
      startButton.disabled = false;
    });
  });
})();
