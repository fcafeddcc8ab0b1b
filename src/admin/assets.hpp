// The admin's stylesheet and script, served from /admin/assets/. The script is a file of its
// own (never inline) so that the admin's Content-Security-Policy can forbid inline script;
// every page works without it, it only adds the live preview, autosave and image insertion.
#pragma once

#include <string_view>

namespace carnet::admin::assets {

inline constexpr std::string_view k_css = R"(*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d1d1f;background:#f6f6f4}
a{color:#1a4f8b}
.bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1rem;background:#1d2a3a;color:#fff}
.bar a{color:#fff;text-decoration:none}.bar a:hover,.bar a:focus{text-decoration:underline}
.bar .blog{font-weight:700;margin-right:1rem}
.bar nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem;flex:1}
.bar .switch summary{cursor:pointer}.bar .switch ul{position:absolute;background:#1d2a3a;margin:0;padding:.5rem 1rem;list-style:none}
.logout{display:flex;gap:.5rem;align-items:center}
main{max-width:80rem;margin:0 auto;padding:1rem}
.notice{background:#e5f4e8;padding:.5rem 1rem;border-left:4px solid #2d7a3e}
.error{background:#fbe9e7;padding:.5rem 1rem;border-left:4px solid #b3261e}
input,select,textarea,button{font:inherit}
input:not([type=checkbox]):not([type=file]),select,textarea{width:100%;padding:.4rem;border:1px solid #999;border-radius:3px;background:#fff}
.filters,.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
.filters input,.filters select,.inline input,.inline select{width:auto}
button{padding:.4rem 1rem;border:1px solid #1a4f8b;background:#1a4f8b;color:#fff;border-radius:3px;cursor:pointer}
.danger button{background:#b3261e;border-color:#b3261e}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}
.counts{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0}.counts li{background:#fff;padding:1rem;border-radius:4px;min-width:10rem}
.counts strong{display:block;font-size:2rem}
.chart svg{width:100%;height:auto;background:#fff}
.write{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
@media (max-width:60rem){.write{grid-template-columns:1fr}}
.preview{background:#fff;padding:0 1rem;border:1px solid #ddd;overflow:auto;max-height:40rem}
.preview img{max-width:100%;height:auto}
.media-picker ul,.media-grid{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0}
.media-grid li{display:flex;flex-direction:column;max-width:12rem;word-break:break-all}
.diff pre{margin:0;white-space:pre-wrap}.diff .del{background:#fbe9e7}.diff .ins{background:#e5f4e8}
.login{max-width:24rem}
)";

inline constexpr std::string_view k_js = R"((function () {
  "use strict";
  var form = document.getElementById("editor");
  var body = document.getElementById("body");
  if (!form || !body) return;
  var csrf = form.querySelector("input[name=csrf]").value;
  var preview = document.getElementById("preview");

  function post(url, data) {
    data.append("csrf", csrf);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "Accept": "application/json" } });
  }

  // Live preview: the server renders the text through the same code as the public page.
  var previewTimer = null;
  function refreshPreview() {
    var data = new FormData();
    data.append("source", body.value);
    post(body.dataset.previewUrl, data).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null) preview.innerHTML = html;
    }).catch(function () {});
  }
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 300);
  }
  body.addEventListener("input", schedulePreview);

  function insertAtCursor(text) {
    var start = body.selectionStart, end = body.selectionEnd;
    var before = body.value.slice(0, start), after = body.value.slice(end);
    var glue = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    body.value = before + glue + text + "\n\n" + after;
    body.selectionStart = body.selectionEnd = (before + glue + text).length + 2;
    body.focus();
    dirty = true;
    schedulePreview();
  }
  document.querySelectorAll("[data-insert]").forEach(function (button) {
    button.addEventListener("click", function () { insertAtCursor(button.dataset.insert); });
  });

  var upload = document.getElementById("upload");
  if (upload) {
    upload.addEventListener("change", function () {
      if (!upload.files.length) return;
      var data = new FormData();
      data.append("file", upload.files[0]);
      post(body.dataset.uploadUrl, data).then(function (response) {
        return response.json();
      }).then(function (answer) {
        if (answer.markdown) insertAtCursor(answer.markdown);
        else if (answer.error) alert(answer.error);
        upload.value = "";
      });
    });
  }

  // Autosave: drafts are saved every few seconds while they change.
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  var status = document.getElementById("autosave-status");
  if (form.dataset.autosaveUrl) {
    setInterval(function () {
      if (!dirty) return;
      dirty = false;
      var data = new FormData(form);
      data.delete("csrf");
      post(form.dataset.autosaveUrl, data).then(function (response) {
        if (!response.ok) { dirty = true; return; }
        return response.json().then(function (answer) {
          if (status && answer.saved) status.textContent = answer.saved;
        });
      }).catch(function () { dirty = true; });
    }, 5000);
  }
})();
)";

}  // namespace carnet::admin::assets
