// storyline web app: open cited spans beside the summary, and refresh an open story when it changes.
// Every article text is inserted with textContent, never as HTML.
(function () {
  "use strict";

  function codePointSlice(text, start, end) {
    // Python offsets count code points; JavaScript strings count UTF-16 units.
    var chars = Array.from(text);
    return [chars.slice(0, start).join(""), chars.slice(start, end).join(""), chars.slice(end).join("")];
  }

  function timeElement(iso) {
    // The pages' convention (output/times.py): the time in UTC, labelled, the source's own clock in the tooltip.
    var when = new Date(iso);
    var el = document.createElement("time");
    if (isNaN(when.getTime())) { el.textContent = iso; return el; }
    var utc = when.toISOString();
    var offset = /[+-]\d\d:\d\d$/.test(iso) ? iso.slice(-6) : "+00:00";
    el.setAttribute("datetime", iso);
    el.textContent = utc.slice(11, 19) === "00:00:00" && offset === "+00:00"
      ? utc.slice(0, 10) : utc.slice(0, 10) + " " + utc.slice(11, 16) + " UTC";
    if (offset !== "+00:00" && offset !== "-00:00") {
      el.title = iso.slice(0, 10) + " " + iso.slice(11, 16) + " local time (UTC" +
        offset.replace("-", "\u2212") + ")";
    }
    return el;
  }

  function showCitation(link) {
    var reader = document.getElementById("reader");
    if (!reader) { return false; }
    var id = link.getAttribute("data-article");
    var start = parseInt(link.getAttribute("data-start"), 10);
    var end = parseInt(link.getAttribute("data-end"), 10);
    fetch("/api/articles/" + encodeURIComponent(id), { headers: { accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("article " + id + ": HTTP " + r.status); } return r.json(); })
      .then(function (article) {
        var parts = codePointSlice(article.text, start, end);
        var box = document.getElementById("reader-text");
        box.textContent = "";
        box.appendChild(document.createTextNode(parts[0]));
        var mark = document.createElement("mark");
        mark.id = "reader-cited";
        mark.className = "cited";
        mark.textContent = parts[1];
        box.appendChild(mark);
        box.appendChild(document.createTextNode(parts[2]));
        var title = document.getElementById("reader-title");
        title.textContent = "";
        var open = document.createElement("a");
        open.href = link.getAttribute("href");
        open.textContent = article.title || article.id;
        title.appendChild(open);
        var meta = document.getElementById("reader-meta");
        meta.textContent = article.source || "";
        if (article.published) {
          meta.appendChild(document.createTextNode(article.source ? " · " : ""));
          meta.appendChild(timeElement(article.published));
        }
        reader.hidden = false;
        reader.parentElement.classList.add("reading");
        document.querySelectorAll(".cite.active").forEach(function (el) { el.classList.remove("active"); });
        link.classList.add("active");
        mark.scrollIntoView({ block: "center" });
      })
      .catch(function (err) { window.location.href = link.getAttribute("href"); console.error(err); });
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.cite") : null;
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && showCitation(link)) {
      event.preventDefault();
    }
    if (event.target.id === "reader-close") {
      var reader = document.getElementById("reader");
      reader.hidden = true;
      reader.parentElement.classList.remove("reading");
    }
  });

  function poll(story) {
    var id = story.getAttribute("data-story-id");
    var seconds = parseFloat(story.getAttribute("data-poll"));
    if (!(seconds > 0)) { return; }
    window.setInterval(function () {
      fetch("/api/stories/" + encodeURIComponent(id) + "/version", { headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (info) {
          if (!info || String(info.version) === story.getAttribute("data-version")) { return null; }
          return fetch("/stories/" + encodeURIComponent(id) + "/live").then(function (r) {
            if (!r.ok) { return; }
            return r.text().then(function (html) {
              // server-rendered with autoescaping: the same markup as a full page load
              document.getElementById("story-body").innerHTML = html;
              story.setAttribute("data-version", r.headers.get("x-story-version") || String(info.version));
              var note = document.getElementById("live-note");
              note.textContent = "Updated " + new Date().toISOString().slice(11, 16) + " UTC: new articles or a new summary.";
              note.hidden = false;
            });
          });
        })
        .catch(function (err) { console.warn("storyline: polling failed", err); });
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var story = document.getElementById("story");
    if (story) { poll(story); }
    var cited = document.getElementById("cited");
    if (cited) { cited.scrollIntoView({ block: "center" }); }
  });
})();
