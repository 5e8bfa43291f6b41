// /board/<court>: the full-screen venue scoreboard (the native scoreboard window as a page).
"use strict";

(function () {
  var court = CS.lastSegment();
  var root = document.getElementById("board");
  var el = function (id) { return document.getElementById(id); };
  CS.text(el("court"), court);

  function side(key, s, bg, fg) {
    CS.text(el(key + "-name"), CS.name(s) || (key === "blue" ? "Blue" : "Red"));
    CS.text(el(key + "-country"), s.country);
    CS.text(el(key + "-score"), s.score);
    CS.text(el(key + "-gj"), "GJ " + (s.penalties || 0));
    CS.text(el(key + "-wins"), s.rounds_won ? "Rounds " + s.rounds_won : "");
    CS.flag(el(key + "-flag"), s.country);
    el(key).style.background = bg;
    el(key).style.color = fg;
  }

  function render(doc) {
    if (doc.court !== court || !doc.state) { return; }
    var s = doc.state;
    var c = CS.colours(s);
    side("blue", s.blue, c.blueBg, c.blueFg);
    side("red", s.red, c.redBg, c.redFg);
    var m = s.match || {};
    CS.text(el("match"), [m.number ? "Match " + m.number : "", m.phase, m.weight].filter(Boolean).join(" · "));
    CS.text(el("round"), s.round >= 4 ? "Golden round" : s.round ? "Round " + s.round : "");
    CS.text(el("clock"), s.clock);
    el("clock").classList.toggle("running", !!s.clock_running);
    CS.text(el("sub"), s.break_clock ? "Break " + s.break_clock : "");
    var b = CS.banner(s);
    CS.show(el("banner"), !!b);
    if (b) { CS.text(el("banner"), b.text); el("banner").className = "banner " + b.kind; }
    root.dataset.version = String(doc.version);
  }

  CS.live("/api/v1/courts/" + encodeURIComponent(court) + "/live", render, function (up) {
    root.dataset.link = up ? "up" : "down";
    CS.text(el("link"), up ? "" : "reconnecting…");
  });
})();
