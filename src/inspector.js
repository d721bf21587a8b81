"use strict";
const $ = (id) => document.getElementById(id);
let entries = [];
let selected = null;

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function target(e) {
  const p = e.params || {};
  return p.user_id || p.username || p.id || "";
}

function isError(e) { return e.outcome !== "ok"; }

function renderList() {
  const t0 = performance.now();
  const call = $("f-call").value, caller = $("f-caller").value.trim(), outcome = $("f-outcome").value;
  const shown = entries.filter((e) =>
    (!call || e.call === call) &&
    (!caller || (e.caller || "") === caller) &&
    (!outcome || (outcome === "ok") !== isError(e)));
  const body = document.createDocumentFragment();
  for (let i = shown.length - 1; i >= 0; i--) {
    const e = shown[i];
    const tr = document.createElement("tr");
    tr.className = (isError(e) ? "error" : "ok") + (selected === e.id ? " selected" : "");
    const idCell = document.createElement("td");
    const b = document.createElement("button");
    b.className = "row"; b.type = "button"; b.textContent = "#" + e.id;
    b.setAttribute("aria-label", "Show request " + e.id);
    b.onclick = () => { selected = e.id; showDetail(e); renderList(); };
    idCell.appendChild(b); tr.appendChild(idCell);
    cell(tr, e.time); cell(tr, e.method); cell(tr, e.call); cell(tr, e.caller);
    cell(tr, target(e)); cell(tr, e.outcome, "outcome"); cell(tr, e.duration_us);
    body.appendChild(tr);
  }
  const tbody = $("requests").tBodies[0];
  tbody.replaceChildren(body);
  $("count").textContent = "(" + shown.length + " of " + entries.length + ")";
  document.body.dataset.renderMs = Math.round(performance.now() - t0);
}

function fillRows(table, rows) {
  const frag = document.createDocumentFragment();
  for (const r of rows) {
    const tr = document.createElement("tr");
    for (const v of r) cell(tr, v);
    frag.appendChild(tr);
  }
  table.tBodies[0].replaceChildren(frag);
}

function showDetail(e) {
  $("detail-empty").hidden = true;
  $("detail-body").hidden = false;
  $("detail-h").textContent = "Request #" + e.id + ": " + e.method + " " + e.path;
  fillRows($("d-params"), Object.keys(e.params || {}).map((k) => [k, e.params[k], (e.sources || {})[k] || ""]));
  const x = e.explanation;
  $("d-explain").hidden = !x;
  if (x) {
    $("d-verdict").textContent = x.verdict;
    $("d-order").textContent = x.order.map((p) => p[0] + "=" + p[1]).join(", ") || "(none sent)";
    $("d-string").textContent = x.string;
  }
  const ch = e.changes || [];
  $("d-changes-box").hidden = ch.length === 0;
  fillRows($("d-changes"), ch.map((c) => [c.column, c.old == null ? "" : c.old, c.new == null ? "" : c.new]));
  const a = e.answer || {};
  $("d-status").textContent = "HTTP " + a.status + " · " + (a.content_type || "") + (a.content_disposition ? " · " + a.content_disposition : "");
  $("d-answer").textContent = a.body || "";
}

// The journal comes in pages: each poll asks for what is newer than the last entry seen, page
// after page; what the journal no longer holds (rolled out, or cleared elsewhere) is dropped.
const KEEP = 5000;
let lastId = 0;
function take(j) {
  entries = entries.filter((e) => e.id >= j.first_id);
  for (const e of j.requests || []) entries.push(e);
  if (entries.length > KEEP) entries.splice(0, entries.length - KEEP);
  if (entries.length) lastId = entries[entries.length - 1].id;
  return j.next != null;
}

async function poll() {
  try {
    for (let pages = 0; pages < 50; pages++) {
      const r = await fetch("/_morbox/requests?after=" + lastId);
      if (!r.ok || !take(await r.json())) break;
    }
    renderList();
    if (selected != null) {
      const e = entries.find((x) => x.id === selected);
      if (e) showDetail(e);
    }
  } catch (err) { $("count").textContent = "(server not answering)"; }
}

async function loadCalls() {
  const r = await fetch("/_morbox/openapi.json");
  const doc = await r.json();
  const names = [...new Set(Object.keys(doc.paths).filter((p) => p.startsWith("/billing/api/")).map((p) => p.slice(13)))].sort();
  for (const sel of [$("f-call"), $("wb-call")]) {
    for (const n of names) {
      const o = document.createElement("option"); o.value = n; o.textContent = n; sel.appendChild(o);
    }
  }
  $("wb-call").value = "user_details_get";
}

function wbParams() {
  const params = {};
  for (const line of $("wb-params").value.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) params[line.slice(0, i).trim()] = line.slice(i + 1);
  }
  return params;
}

let lastBody = null;
async function compute() {
  const r = await fetch("/_morbox/hash", { method: "POST", headers: { "Content-Type": "application/json", "X-Morbox": "1" },
    body: JSON.stringify({ call: $("wb-call").value, params: wbParams() }) });
  const j = await r.json();
  if (!r.ok) { $("wb-out").hidden = true; $("wb-result").textContent = j.error; lastBody = null; return null; }
  $("wb-out").hidden = false;
  $("wb-order").textContent = j.order.map((p) => p[0] + "=" + p[1]).join(", ") || "(none sent)";
  $("wb-string").textContent = j.string;
  $("wb-hash").textContent = j.hash;
  $("wb-curl").textContent = "curl -d '" + j.body + "' http://" + location.host + "/billing/api/" + j.call;
  lastBody = j.body;
  return j;
}

async function send() {
  const j = await compute();
  if (!j) return;
  // A hash given among the parameters is sent as given (to see how morbox answers a wrong one).
  const given = wbParams().hash;
  const body = given == null ? j.body : j.body.replace(/hash=[^&]*$/, "hash=" + encodeURIComponent(given));
  const r = await fetch("/billing/api/" + j.call, { method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: body });
  $("wb-result").textContent = "Sent " + j.call + ": HTTP " + r.status + ". It is in the list.";
  await poll();
}

async function loadState() {
  const r = await fetch("/_morbox/state");
  const j = await r.json();
  fillRows($("users"), (j.users || []).map((u) => [u.id, u.username, u.usertype, u.owner_id, u.balance, u.blocked]));
  fillRows($("settings"), (j.settings || []).map((s) => [s.owner_id, s.name, s.value, s.default == null ? "(not read by morbox)" : s.default]));
}

async function kit(path, label) {
  const r = await fetch(path, { method: "POST", headers: { "X-Morbox": "1" } });
  const j = await r.json();
  $("state-msg").textContent = label + ": " + j.status + (j.ms != null ? " (" + j.ms.toFixed(1) + " ms)" : "");
  await loadState();
}

$("f-call").onchange = renderList;
$("f-outcome").onchange = renderList;
$("f-caller").oninput = renderList;
$("clear").onclick = async () => {
  await fetch("/_morbox/requests", { method: "DELETE", headers: { "X-Morbox": "1" } });
  selected = null; entries = []; lastId = 0; await poll();
};
$("filters").onsubmit = (ev) => ev.preventDefault();
$("wb").onsubmit = (ev) => { ev.preventDefault(); compute(); };
$("wb-send").onclick = send;
$("snapshot").onclick = () => kit("/_morbox/snapshot", "Snapshot");
$("reset").onclick = () => kit("/_morbox/reset", "Reset");

// ?sync=1 reads the journal before the page has loaded (a synchronous request), so that a
// script-less snapshot of the page (a headless browser's DOM dump) holds it, timed in real time.
if (new URLSearchParams(location.search).get("sync") === "1") {
  for (let pages = 0; pages < 50; pages++) {
    const x = new XMLHttpRequest();
    x.open("GET", "/_morbox/requests?after=" + lastId, false);
    x.send();
    if (!take(JSON.parse(x.responseText))) break;
  }
  renderList();
}

(async () => {
  await loadCalls();
  // A link may fill the workbench (?wb_call=NAME&wb_params=NAME%3DVALUE%0A…), never more:
  // computing and sending take a click, so that no page elsewhere can sign or send through it.
  const q = new URLSearchParams(location.search);
  if (q.get("wb_call")) {
    $("wb-call").value = q.get("wb_call");
    $("wb-params").value = q.get("wb_params") || "";
    $("wb-result").textContent = "Filled from the link: press Compute hash or Send.";
  }
  await Promise.all([poll(), loadState()]);
  const sel = q.get("select");
  if (sel) { const e = entries.find((x) => String(x.id) === sel); if (e) { selected = e.id; showDetail(e); renderList(); } }
  setInterval(poll, 1000);
  setInterval(loadState, 5000);
  document.body.dataset.ready = "1";
})();
