// /overlay/<court>: a transparent broadcast overlay. Options: ?layout=bar|corner,
// ?scale=0.25–4 (1 = sized for 1080p, 2 = 4K), ?theme=dark|light|colour, ?blue=#hex, ?red=#hex.
"use strict";

(function () {
  var court = CS.lastSegment();
  var root = document.getElementById("overlay");
  var layout = CS.param("layout", "bar");
  if (["bar", "corner"].indexOf(layout) < 0) { layout = "bar"; }
  var theme = CS.param("theme", "dark");
  if (["dark", "light", "colour"].indexOf(theme) < 0) { theme = "dark"; }
  var scale = parseFloat(CS.param("scale", "1"));
  if (!(scale >= 0.25 && scale <= 4)) { scale = 1; }
  root.className = "overlay layout-" + layout + " theme-" + theme;
  document.documentElement.style.setProperty("--s", String(scale));

  var el = function (id) { return document.getElementById(id); };

  function side(key, s, bg, fg) {
    CS.text(el(key + "-name"), CS.name(s));
    CS.text(el(key + "-score"), s.score);
    CS.text(el(key + "-gj"), s.penalties ? "GJ " + s.penalties : "");
    CS.show(el(key + "-gj"), s.penalties > 0);
    CS.flag(el(key + "-flag"), s.country);
    var box = el(key);
    box.style.setProperty("--bg", bg);
    box.style.setProperty("--fg", fg);
  }

  function render(doc) {
    if (doc.court !== court || !doc.state) { return; }
    var s = doc.state;
    var c = CS.colours(s);
    side("blue", s.blue, c.blueBg, c.blueFg);
    side("red", s.red, c.redBg, c.redFg);
    root.style.setProperty("--blue-bg", c.blueBg);
    root.style.setProperty("--red-bg", c.redBg);
    CS.text(el("round"), CS.roundLabel(s.round));
    CS.text(el("clock"), s.break_clock ? "Break " + s.break_clock : s.clock);
    el("clock").classList.toggle("running", !!s.clock_running);
    var b = CS.banner(s);
    var banner = el("banner");
    CS.show(banner, !!b);
    if (b) { CS.text(banner, b.text); banner.className = "banner " + b.kind; }
    // Nothing before the first match is loaded: an empty overlay stays fully transparent.
    root.classList.toggle("empty", !CS.name(s.blue) && !CS.name(s.red) && !s.round);
    root.dataset.version = String(doc.version);
  }

  CS.live("/api/v1/courts/" + encodeURIComponent(court) + "/live", render, function (up) {
    root.dataset.link = up ? "up" : "down";
  });
})();
