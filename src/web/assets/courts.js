// /courts: every court of this courtside at a glance, from one live stream of all courts.
"use strict";

(function () {
  var grid = document.getElementById("courts");
  var cards = {};

  function card(court) {
    if (cards[court]) { return cards[court]; }
    var c = document.createElement("div");
    c.className = "card";
    c.dataset.court = court;
    var q = encodeURIComponent(court);
    c.innerHTML = '<h2><b class="court"></b><span class="clock"></span></h2>' +
      '<div class="row blue"><span class="sw"></span><img alt="" hidden><span class="n"></span><span class="s">0</span></div>' +
      '<div class="row red"><span class="sw"></span><img alt="" hidden><span class="n"></span><span class="s">0</span></div>' +
      '<div class="links"><a href="/board/' + q + '">board</a><a href="/overlay/' + q + '">overlay</a>' +
      '<a href="/api/v1/courts/' + q + '/state">state</a></div>';
    c.querySelector(".court").textContent = court;
    var names = Object.keys(cards).concat([court]).sort();
    cards[court] = c;
    var next = names[names.indexOf(court) + 1];
    grid.insertBefore(c, next ? cards[next] : null);
    CS.show(document.getElementById("none"), false);
    return c;
  }

  function row(c, key, s, bg) {
    var r = c.querySelector(".row." + key);
    CS.text(r.querySelector(".n"), CS.name(s) || (key === "blue" ? "Blue" : "Red"));
    CS.text(r.querySelector(".s"), s.score);
    CS.flag(r.querySelector("img"), s.country);
    r.querySelector(".sw").style.background = bg;
  }

  CS.live("/api/v1/live", function (doc) {
    if (!doc.state) { return; }
    var c = card(doc.court);
    var s = doc.state;
    var col = CS.colours(s);
    row(c, "blue", s.blue, col.blueBg);
    row(c, "red", s.red, col.redBg);
    CS.text(c.querySelector(".clock"), (s.round ? CS.roundLabel(s.round) + " " : "") + s.clock + (s.winner ? " · ended" : ""));
    c.dataset.version = String(doc.version);
  }, function () {});
})();
