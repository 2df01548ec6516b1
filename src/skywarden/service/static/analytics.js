// skywarden analytics page: the report's figures and tables for analysts, read from the
// store through /api/analytics (the Stats record) and /api/analytics/figures (the
// report's own PNG figures as data: URIs, which the page's img-src policy allows).
//
// Security (SECURITY.md): as on the map, every string from data (sector names, airports,
// incident kinds, method texts, notes) is set as textContent, never as HTML, and the
// bearer token lives only in this module's scope. A reload asks for the password again.

let token = null;  // module scope: unreachable from other scripts
const $ = (id) => document.getElementById(id);
const iso = (t) => (t == null ? "?" : new Date(Math.round(t) * 1000).toISOString().replace(".000", ""));
const fmt = (v, digits = 0) => Number(v).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sa = { loaded: false, stats: null };
const TOP_HOTSPOTS = 15;  // as in the report (report/html.py)
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
window.sa = sa;  // for tests and the console; it holds no secret

async function api(path) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (r.status === 401) { logout(); throw new Error("logged out"); }
  if (!r.ok) throw new Error(`${r.status} ${(await r.json().catch(() => ({}))).detail || ""}`);
  return r.json();
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  const body = new URLSearchParams({ username: $("username").value, password: $("password").value });
  const r = await fetch("/api/token", { method: "POST", body });
  if (!r.ok) { $("login-error").textContent = "Wrong user or password"; return; }
  token = (await r.json()).access_token;
  $("password").value = "";
  start().catch((e) => { $("status").textContent = `Could not load the statistics: ${e.message}`; });
});
$("logout").addEventListener("click", logout);

function logout() {
  token = null;
  $("login").classList.remove("hidden");
}

// One table row of texts; numbers right-aligned.
function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    if (typeof c === "number") { td.className = "n"; td.textContent = fmt(c); } else td.textContent = String(c);
    tr.append(td);
  }
  return tr;
}

function fill(id, rows) {
  $(id).replaceChildren(...rows.map(row));
}

const byValue = (obj) => Object.entries(obj || {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

async function start() {
  const me = await api("/api/me");
  $("who").textContent = `${me.name} (${me.role})`;
  $("login").classList.add("hidden");
  $("status").textContent = "Loading the statistics…";
  const [stats, figs] = await Promise.all([api("/api/analytics"), api("/api/analytics/figures")]);
  sa.stats = stats;
  $("period").textContent = `${iso(stats.period.start)} to ${iso(stats.period.end)}`;
  fill("counts-body", stats.counts.map((c) => [c.rule, c.count, c.method]));
  fill("direction-body", byValue(stats.breakdown.by_direction));
  fill("sector-body", byValue(stats.breakdown.by_sector));
  fill("kinds-body", byValue(stats.incidents_by_kind));
  const top = [...stats.hotspots].sort((a, b) => b.count - a.count || (a.cell < b.cell ? -1 : 1)).slice(0, TOP_HOTSPOTS);
  fill("hotspots-body", top.map((h) => [h.cell, h.count, `${h.lat.toFixed(4)}, ${h.lon.toFixed(4)}`]));
  const week = stats.breakdown.by_weekday || {};
  fill("weekday-body", WEEKDAYS.filter((d) => d in week).map((d) => [d, week[d]]));
  fill("pauses-body", stats.runway_pauses.map((p) => [p.airport, Math.round(p.minutes * 10) / 10]));
  const c = stats.coverage;
  if (c) {
    const widest = Math.max(0, ...c.sets.map((s) => s.share));
    $("coverage-text").textContent =
      `The border is ${fmt(c.border_km)} km long; the widest sensor set reaches ${fmt(100 * widest, 1)}% of it. ` +
      `Counted ${fmt(c.counted)} incursions; estimated ${fmt(c.estimated)} in all ` +
      `(${fmt(100 * c.confidence)}% interval ${fmt(c.low)} to ${fmt(c.high)}), so about ${fmt(c.unseen)} not seen.`;
    fill("coverage-body", c.sets.map((s) => [s.name, `${fmt(100 * s.share, 1)}%`, fmt(s.mean_p_detect, 2)]));
    $("coverage-method").textContent = [c.method, ...(c.assumptions || [])].join(" ");
  } else {
    $("coverage-text").textContent = "No coverage model: the store has no sensor layout to model.";
    $("coverage-body").closest("table").hidden = true;
  }
  $("notes-list").replaceChildren(...(stats.notes || []).map((n) => {
    const li = document.createElement("li"); li.textContent = n; return li;
  }));
  for (const [name, uri] of Object.entries(figs.figures)) {
    const img = $(`fig-${name}`);
    if (img && uri.startsWith("data:image/png;base64,")) img.src = uri;
  }
  $("status").textContent = `Statistics of the store, counted by rule “${stats.rule}”.`;
  sa.loaded = true;
}
