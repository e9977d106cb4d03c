/* Atelier's video player: light rendition on slow connections, quality switch, status polling,
   and time-stamped comments (markers on a timeline, a list that seeks, add/edit/delete). */
(function () {
  "use strict";
  if (window.atelierPlayer) { return; }  // the partial may be included more than once
  window.atelierPlayer = true;

  function slowConnection() {
    var connection = navigator.connection || navigator.mozConnection || navigator.webkitConnection;
    if (!connection) { return null; }
    if (connection.saveData) { return "240p"; }
    var type = connection.effectiveType || "";
    if (type === "slow-2g" || type === "2g") { return "240p"; }
    if (type === "3g" || (connection.downlink && connection.downlink < 1.5)) { return "360p"; }
    return "fast";
  }

  function formatMoment(seconds) {
    var whole = Math.floor(seconds);
    var h = Math.floor(whole / 3600);
    var m = Math.floor((whole % 3600) / 60);
    var s = whole % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  function chooseDefault(select) {
    var speed = slowConnection();
    var options = Array.prototype.slice.call(select.options);
    var wanted = null;
    if (speed === "240p" || speed === "360p") {
      var limit = parseInt(speed, 10);
      options.forEach(function (o) { if (parseInt(o.dataset.label, 10) <= limit) { wanted = o; } });
      wanted = wanted || options[0];
    } else if (speed === "fast") {
      wanted = options[options.length - 1];
    }
    return wanted;  // null: keep the server's choice (360p) when the browser does not tell
  }

  function switchTo(video, url) {
    if (video.currentSrc && video.currentSrc.indexOf(url) !== -1) { return; }
    var at = video.currentTime;
    var playing = !video.paused;
    video.src = url;
    video.addEventListener("loadedmetadata", function restore() {
      video.removeEventListener("loadedmetadata", restore);
      if (at) { video.currentTime = at; }
      if (playing) { video.play().catch(function () {}); }
    });
  }

  function request(root, method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.status === 204 ? null : response.json();
    });
  }

  function setUp(root) {
    var video = root.querySelector(".media-video");
    if (!video) { pollStatus(root); return; }
    var select = root.querySelector(".media-quality");
    if (select) {
      var preferred = chooseDefault(select);
      if (preferred && !preferred.selected) { preferred.selected = true; switchTo(video, preferred.value); }
      select.addEventListener("change", function () { switchTo(video, select.value); });
    }
    var comments = [];
    var list = root.querySelector(".comment-list");
    var timeline = root.querySelector(".media-timeline");
    var form = root.querySelector(".comment-form");
    var commentUrl = function (id) { return root.dataset.commentUrl.replace(/0$/, String(id)); };

    function seek(at) {
      video.currentTime = at;
      video.play().catch(function () {});
      video.focus();
    }

    function render() {
      list.replaceChildren();
      if (!comments.length) {
        var empty = document.createElement("li");
        empty.className = "empty";
        empty.textContent = root.dataset.labelEmpty;
        list.appendChild(empty);
      }
      comments.forEach(function (c) {
        var item = document.createElement("li");
        item.dataset.id = c.id;
        var time = document.createElement("button");
        time.type = "button";
        time.className = "comment-time";
        time.textContent = c.label;
        time.setAttribute("aria-label", root.dataset.labelJump.replace("{t}", c.label));
        time.addEventListener("click", function () { seek(c.at); });
        var body = document.createElement("span");
        body.className = "comment-body";
        body.textContent = c.body;
        var author = document.createElement("span");
        author.className = "meta";
        author.textContent = " — " + c.author;
        item.append(time, " ", body, author);
        if (c.can_edit) {
          item.append(" ", button(root.dataset.labelEdit, function () { edit(item, c); }),
            " ", button(root.dataset.labelDelete, function () { remove(c); }));
        }
        list.appendChild(item);
      });
      renderMarkers();
    }

    function renderMarkers() {
      if (!timeline) { return; }
      timeline.replaceChildren();
      var duration = video.duration;
      if (!duration || !isFinite(duration)) { return; }
      comments.forEach(function (c) {
        var marker = document.createElement("button");
        marker.type = "button";
        marker.className = "media-marker";
        marker.tabIndex = -1;  // the list is the keyboard and screen-reader route
        marker.title = c.label + " " + c.body;
        // CSSOM positioning is allowed by the Content-Security-Policy, style attributes are not.
        marker.style.insetInlineStart = Math.min(100, (100 * c.at) / duration) + "%";
        marker.addEventListener("click", function () { seek(c.at); });
        timeline.appendChild(marker);
      });
    }

    function button(text, handler) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = text;
      b.addEventListener("click", handler);
      return b;
    }

    function load() {
      return request(root, "GET", root.dataset.commentsUrl).then(function (data) {
        comments = data.comments;
        render();
      });
    }

    function edit(item, c) {
      var area = document.createElement("textarea");
      area.value = c.body;
      area.setAttribute("aria-label", root.dataset.labelEdit);
      area.className = "comment-edit";
      var save = button(root.dataset.labelSave, function () {
        request(root, "PATCH", commentUrl(c.id), { body: area.value }).then(load, showError);
      });
      var cancel = button(root.dataset.labelCancel, render);
      item.replaceChildren(area, save, " ", cancel);
      area.focus();
    }

    function remove(c) {
      if (!window.confirm(root.dataset.labelConfirm)) { return; }
      request(root, "DELETE", commentUrl(c.id)).then(load, showError);
    }

    function showError() {
      var box = root.querySelector(".comment-error");
      if (box) { box.textContent = root.dataset.labelError; box.hidden = false; }
    }

    video.addEventListener("loadedmetadata", renderMarkers);
    if (form) {
      var atField = form.querySelector(".comment-at");
      var follow = function () { atField.value = formatMoment(video.currentTime); };
      video.addEventListener("timeupdate", follow);
      video.addEventListener("seeked", follow);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = form.querySelector(".comment-text");
        request(root, "POST", root.dataset.commentsUrl, { at: video.currentTime, body: text.value })
          .then(function () {
            text.value = "";
            root.querySelector(".comment-error").hidden = true;
            return load();
          }, showError);
      });
    }
    load().catch(function () { /* the server-rendered list stays */ });
  }

  function pollStatus(root) {
    var status = root.dataset.status;
    if (status === "rejected" || status === "failed" || status === "ready") { return; }
    var text = root.querySelector(".media-status-text");
    var bar = root.querySelector(".media-status-bar");
    function tick() {
      fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (text) { text.textContent = data.message; }
          if (bar) { bar.value = data.progress; }
          // Reload once it ends ready or failed: the server renders the player or the retry button.
          if (data.status === "ready" || data.status === "failed") { window.location.reload(); return; }
          if (!data.finished) { setTimeout(tick, 3000); }
        })
        .catch(function () { setTimeout(tick, 6000); });
    }
    setTimeout(tick, 2000);
  }

  function start() {
    document.querySelectorAll(".media-player").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
