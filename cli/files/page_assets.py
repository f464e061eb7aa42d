"""The HTML audit report's own style sheet and script, written into every page (nothing is
fetched). The script builds a line's panel (its forecast bridge, history and notes) from
the page's embedded data when the line is first opened, and shows data only as text."""

STYLE = """
:root { --fig: 9.2rem; --ink: #1b1b1b; --muted: #505050; --rule: #c8c8c8; --accent: #0b4f8a;
  --bad: #a4161a; --good: #1e6b2a; --band: #f3f5f8; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); margin: 0 auto; padding: 0 1.5rem 3rem; max-width: 96rem; }
h1 { font-size: 1.45rem; margin: 1.2rem 0 .2rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
header p { margin: 0 0 .6rem; color: var(--muted); }
nav a { margin-right: .8rem; color: var(--accent); }
button { font: inherit; color: var(--accent); background: #fff; border: 1px solid var(--accent);
  border-radius: 4px; padding: .1rem .5rem; cursor: pointer; }
a:focus-visible, button:focus-visible, summary:focus-visible {
  outline: 3px solid #f0a202; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; background: #fff; padding: .3rem; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.hint { color: var(--muted); font-size: .9rem; }
.tree { overflow-x: auto; }
.row { display: grid; grid-template-columns: minmax(14rem, 1fr) repeat(6, var(--fig)) 2.2rem;
  align-items: baseline; gap: 0 .4rem; padding: .12rem 0; border-bottom: 1px solid #eee;
  min-width: 72rem; }
.row .name { padding-left: calc(var(--d, 0) * 1.3rem + 1.1rem); overflow-wrap: anywhere; }
.row .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.row.head { font-weight: 600; border-bottom: 2px solid var(--ink); }
.row.head .n { white-space: normal; }
.row.total { font-weight: 700; border-top: 2px solid var(--ink); }
summary.row { cursor: pointer; list-style: none; font-weight: 600; }
summary.row::-webkit-details-marker { display: none; }
summary.row .name::before { content: "\\25B8"; display: inline-block; width: 1.1rem;
  margin-left: -1.1rem; }
details[open] > summary.row .name::before { content: "\\25BE"; }
.row:hover { background: var(--band); }
.tools { padding: .15rem 0 .15rem calc(var(--d, 0) * 1.3rem + 1.1rem); }
.more { padding: 0 .35rem; line-height: 1.2; }
.panel { margin: .3rem 0 .8rem calc(var(--d, 0) * 1.3rem + 1.1rem); padding: .4rem .8rem;
  border-left: 4px solid var(--accent); background: var(--band); max-width: 90rem; }
.panel table, table.checks { border-collapse: collapse; margin: .2rem 0 .6rem; }
.panel th, .panel td, table.checks th, table.checks td { border-bottom: 1px solid var(--rule);
  padding: .15rem .5rem; text-align: left; vertical-align: top; }
.panel td.n, .panel th.n { text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
.panel tfoot td { font-weight: 700; border-top: 2px solid var(--ink); }
.ok { color: var(--good); font-weight: 600; }
.fail { color: var(--bad); font-weight: 700; }
.neg { color: var(--bad); }
.who { color: var(--muted); }
figure { margin: 1rem 0; max-width: 100%; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
dl.made { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.made dd { margin: 0; overflow-wrap: anywhere; }
@media print {
  nav, .tools, .more, .skip, .hint button { display: none !important; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  .row { min-width: 0; break-inside: avoid; }
  .panel { break-inside: avoid; }
}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("prognos-data").textContent);
  var T = data.texts, S = data.strings, lines = data.lines;
  var MINUS = data.lang === "sv" ? "\u2212" : "-";
  var children = null, byLine = null, byPosition = null;

  function kids() {
    if (!children) {
      children = lines.map(function () { return []; });
      lines.forEach(function (line, i) { if (line[2] >= 0) children[line[2]].push(i); });
    }
    return children;
  }
  function subtree(i) {
    var out = [], stack = [i];
    while (stack.length) {
      var j = stack.pop(), k = kids()[j];
      out.push(j);
      for (var n = k.length - 1; n >= 0; n--) stack.push(k[n]);
    }
    return out;
  }
  function indexEvents() {
    if (byLine) return;
    byLine = lines.map(function () { return []; });
    byPosition = new Map();
    data.events.forEach(function (e) {
      if (e[0] >= 0) byLine[e[0]].push(e);
      byPosition.set(e[1], e);
    });
  }
  function grouped(digits) { return digits.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0"); }
  function kr(ore) {
    var a = Math.abs(ore), whole = Math.floor(a / 100), cents = a % 100;
    return (ore < 0 ? MINUS : "") + grouped(String(whole)) + "," + (cents < 10 ? "0" : "") + cents;
  }
  function month(index) {
    var m = index % 12 + 1;
    return Math.floor(index / 12) + "-" + (m < 10 ? "0" : "") + m;
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function table(headers, numeric) {
    var t = el("table"), head = el("thead"), tr = el("tr");
    headers.forEach(function (h, n) {
      var th = el("th", h, numeric[n] ? "n" : "");
      th.scope = "col";
      tr.appendChild(th);
    });
    head.appendChild(tr);
    t.appendChild(head);
    t.appendChild(el("tbody"));
    return t;
  }
  function addRow(body, cells, numeric) {
    var tr = el("tr");
    cells.forEach(function (c, n) { tr.appendChild(el("td", c, numeric[n] ? "n" : "")); });
    body.appendChild(tr);
    return tr;
  }
  function text(index) { return index >= 0 ? S[index] : ""; }

  function bridge(i) {
    var leaves = subtree(i).filter(function (j) { return lines[j][3] === 1; });
    var wanted = new Set(leaves), opening = 0, groups = new Map();
    leaves.forEach(function (j) { opening += data.opening[j] || 0; });
    data.changes.forEach(function (c) {
      if (!wanted.has(c[0])) return;
      var key = c[1] + ":" + c[2], g = groups.get(key);
      if (!g) { g = { month: c[1], first: c[3], delta: 0 }; groups.set(key, g); }
      g.delta += c[4];
      if (c[3] < g.first) g.first = c[3];
    });
    var steps = Array.from(groups.values())
      .filter(function (g) { return g.delta !== 0; })
      .sort(function (a, b) { return a.month - b.month || a.first - b.first; });
    return { opening: opening, steps: steps };
  }

  function renderBridge(panel, i) {
    var b = bridge(i), numeric = [0, 0, 0, 1, 1, 1, 0, 0];
    panel.appendChild(el("h3", T.bridge + " " + data.year + ": " + data.year + "-01 \u2192 " + data.asOf));
    if (!b.steps.length) panel.appendChild(el("p", T.no_steps));
    var t = table([T.month, T.line, T.kind, T.before, T.delta, T.after, T.user, T.reason], numeric);
    t.className = "bridge";
    var body = t.tBodies[0], running = b.opening, total = 0;
    b.steps.forEach(function (g) {
      var e = byPosition.get(g.first) || [];
      var tr = addRow(body, [month(g.month), e[0] >= 0 ? lines[e[0]][0] : "",
        data.kinds[e[2]] || e[2] || "", kr(running), kr(g.delta), kr(running + g.delta),
        text(e[4]), text(e[8])], numeric);
      tr.dataset.delta = String(g.delta);
      if (g.delta < 0) tr.cells[4].classList.add("neg");
      running += g.delta;
      total += g.delta;
    });
    var foot = el("tfoot");
    addRow(foot, [T.change_total, "", "", kr(b.opening), kr(total), kr(running), "", ""], numeric);
    t.appendChild(foot);
    t.dataset.opening = String(b.opening);
    t.dataset.closing = String(running);
    t.dataset.change = String(total);
    panel.appendChild(t);
    panel.appendChild(el("p", T.opening + " " + kr(b.opening) + " \u2192 " + T.closing + " " +
      data.asOf + " " + kr(running)));
  }

  function renderHistory(panel, i) {
    panel.appendChild(el("h3", T.history));
    var events = [];
    subtree(i).forEach(function (j) {
      byLine[j].forEach(function (e) { events.push(e); });
    });
    events.sort(function (a, b) { return a[1] - b[1]; });
    if (!events.length) { panel.appendChild(el("p", T.no_history)); return; }
    var numeric = [1, 0, 0, 0, 0, 0, 1, 0, 0];
    var t = table([T.position, T.recorded_at, T.user, T.kind, T.line, T.month, T.amount,
      T.ref, T.reason], numeric);
    t.className = "history";
    var body = t.tBodies[0], shown = 0;
    function more(count) {
      var end = Math.min(events.length, shown + count);
      for (; shown < end; shown++) {
        var e = events[shown];
        var tr = addRow(body, ["#" + e[1], e[3].slice(0, 16).replace("T", " "), text(e[4]),
          data.kinds[e[2]] || e[2], e[0] >= 0 ? lines[e[0]][0] : "", e[5] || "",
          e[6] === null ? "" : kr(e[6]), e[7] || "", text(e[8])], numeric);
        tr.dataset.position = String(e[1]);
        tr.title = e[9];
      }
    }
    more(SHOWN_FIRST);
    panel.appendChild(t);
    if (shown < events.length) {
      var button = el("button", T.show_all + " (" + events.length + ")");
      button.type = "button";
      button.addEventListener("click", function () { more(events.length); button.remove(); });
      panel.appendChild(button);
    }
  }

  function renderNotes(panel, i) {
    panel.appendChild(el("h3", T.notes));
    var wanted = new Set(subtree(i));
    var found = data.notes.filter(function (n) { return wanted.has(n[0]); });
    if (!found.length) { panel.appendChild(el("p", T.no_notes)); return; }
    var list = el("ul");
    found.forEach(function (n) {
      var item = el("li");
      item.appendChild(el("strong", (n[0] >= 0 ? lines[n[0]][0] : "") + ", " + n[2] + ": "));
      item.appendChild(document.createTextNode(n[3] + " "));
      item.appendChild(el("span", "(" + n[4] + ", " + n[5].slice(0, 16).replace("T", " ") + ", #" + n[1] + ")", "who"));
      list.appendChild(item);
    });
    panel.appendChild(list);
  }

  function toggle(button) {
    var i = Number(button.dataset.i), panel = document.getElementById("p" + i);
    var opening = button.getAttribute("aria-expanded") !== "true";
    if (opening && !panel.dataset.done) {
      indexEvents();
      renderBridge(panel, i);
      renderHistory(panel, i);
      renderNotes(panel, i);
      panel.dataset.done = "1";
    }
    panel.hidden = !opening;
    button.setAttribute("aria-expanded", opening ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.more") : null;
    if (button) toggle(button);
  });
  function all(open) {
    document.querySelectorAll("details.line").forEach(function (d) { d.open = open; });
  }
  document.getElementById("expand-all").addEventListener("click", function () { all(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { all(false); });
  var before = null;
  window.addEventListener("beforeprint", function () {
    before = Array.from(document.querySelectorAll("details.line")).map(function (d) { return d.open; });
    all(true);
  });
  window.addEventListener("afterprint", function () {
    if (!before) return;
    document.querySelectorAll("details.line").forEach(function (d, n) { d.open = before[n]; });
    before = null;
  });
})();
""".replace("SHOWN_FIRST", "300")
