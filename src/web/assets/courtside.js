// courtside live client: one connection per page (WebSocket, Server-Sent Events as fallback),
// the full state on connect and every change after it. Pages never poll.
"use strict";

var CS = (function () {
  function lastSegment() {
    var parts = location.pathname.split("/");
    return decodeURIComponent(parts[parts.length - 1] || "");
  }

  function param(name, fallback) {
    var v = new URLSearchParams(location.search).get(name);
    return v === null || v === "" ? fallback : v;
  }

  // Connect to `path`; `onState(doc)` for every state document, `onLink(up)` on (dis)connect.
  function live(path, onState, onLink) {
    var wsFailures = 0;
    var useSse = !("WebSocket" in window) || param("transport", "") === "sse";
    var delay = 250;

    function deliver(text) {
      var doc;
      try { doc = JSON.parse(text); } catch (e) { return; }
      onState(doc);
    }

    function again() {
      delay = Math.min(delay * 2, 4000);
      setTimeout(connect, delay);
    }

    function connect() {
      if (useSse) {
        var es = new EventSource(path);
        es.addEventListener("state", function (ev) { deliver(ev.data); });
        es.onopen = function () { delay = 250; onLink(true); };
        // EventSource reconnects by itself (the server sends `retry: 1000`).
        es.onerror = function () { onLink(false); };
        return;
      }
      var proto = location.protocol === "https:" ? "wss:" : "ws:";
      var ws = new WebSocket(proto + "//" + location.host + path);
      var opened = false;
      ws.onopen = function () { opened = true; wsFailures = 0; delay = 250; onLink(true); };
      ws.onmessage = function (ev) { deliver(ev.data); };
      ws.onclose = function () {
        onLink(false);
        // A proxy or an old embedded browser that cannot open WebSockets: use SSE.
        if (!opened && ++wsFailures >= 2) { useSse = true; }
        again();
      };
    }
    connect();
  }

  // Set text only when it changed (no layout work for unchanged parts).
  function text(el, value) {
    var v = value === undefined || value === null ? "" : String(value);
    if (el && el.textContent !== v) { el.textContent = v; }
  }

  function show(el, visible) {
    if (el && el.hidden === visible) { el.hidden = !visible; }
  }

  // A flag image for a country code; hidden when there is none.
  function flag(img, code) {
    if (!img) { return; }
    var c = (code || "").trim();
    if (!/^[A-Za-z0-9]{2,10}$/.test(c)) { img.hidden = true; img.removeAttribute("src"); img.dataset.code = ""; return; }
    if (img.dataset.code === c) { return; }
    img.dataset.code = c;
    img.hidden = false;
    img.onerror = function () { img.hidden = true; };
    img.src = "/flags/" + encodeURIComponent(c) + ".svg";
  }

  function hex(value, fallback) {
    return /^#[0-9a-fA-F]{6}$/.test(value || "") ? value : fallback;
  }

  // Athlete colours: from `mch` (the match), or the page's ?blue= / ?red= overrides.
  function colours(state) {
    var c = (state.match && state.match.colors) || {};
    return {
      blueBg: hex(param("blue", ""), hex(c.blue_bg, "#1f4fd1")),
      blueFg: hex(c.blue_fg, "#ffffff"),
      redBg: hex(param("red", ""), hex(c.red_bg, "#d12b2b")),
      redFg: hex(c.red_fg, "#ffffff")
    };
  }

  function roundLabel(round) {
    if (!round) { return ""; }
    return round >= 4 ? "GR" : "R" + round;
  }

  function name(side) {
    return side.long_name || side.short_name || "";
  }

  // The banner line: winner, tie, challenge, injury, timeout (in that order), or "".
  function banner(state) {
    var who = function (a) {
      if (a === "blue") { return name(state.blue) || "Blue"; }
      if (a === "red") { return name(state.red) || "Red"; }
      return a === "referee" ? "Referee" : a;
    };
    if (state.winner) {
      return { kind: "winner " + state.winner, text: "Winner: " + who(state.winner) + (state.decision ? " (" + state.decision + ")" : "") };
    }
    if (state.tie) { return { kind: "tie", text: "Tie" + (state.decision ? " (" + state.decision + ")" : "") }; }
    if (state.challenge) {
      return { kind: "challenge", text: "Video review: " + who(state.challenge.by) + (state.challenge.status ? " — " + state.challenge.status : "") };
    }
    if (state.injury && state.injury.visible) { return { kind: "injury", text: "Injury time " + state.injury.clock }; }
    if (state.timeout) { return { kind: "timeout", text: "Time-out " + state.timeout.clock }; }
    return null;
  }

  return { lastSegment: lastSegment, param: param, live: live, text: text, show: show, flag: flag,
           colours: colours, roundLabel: roundLabel, name: name, banner: banner };
})();
