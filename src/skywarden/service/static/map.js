// skywarden web map: live tracks, zones, incidents, recommendation banner, laser hold-fire,
// and a time slider over the stored past. Plain browser JavaScript on Leaflet; every file
// it loads comes from the skywarden service itself (offline basemap, no tiles).
//
// Security (SECURITY.md): every text that comes from data (zone names, callsigns, ids,
// summaries) is rendered as text (textContent, or a DOM node handed to Leaflet), never as
// HTML; the page's Content-Security-Policy forbids inline script besides. The bearer
// token lives only in this module's scope (`token` below): not in sessionStorage, not on
// `window.sw`, not in a URL (the WebSocket carries it as a subprotocol). A reload asks
// for the password again; that is the price of a token no injected script can read.

const CLASS_COLOURS = { drone: "#ff7b72", manned: "#79c0ff", bird: "#7ee787", unknown: "#d2a8ff" };
const ZONE_COLOURS = {
  border_buffer: "#f0883e", airport_surface: "#58a6ff", approach_corridor: "#388bfd",
  departure_corridor: "#1f6feb", restricted: "#f85149", laser_hazard: "#ff0000",
  tfr: "#db61a2", user: "#e3b341",
};
const TAIL_POINTS = 60;
const ACTORS = new Set(["operator", "admin"]);
const STAFF = new Set(["operator", "analyst", "admin"]);

let token = null;  // module scope: unreachable from other scripts
const sw = {
  role: null, name: null, map: null, ws: null,
  live: true, t: null, recvWall: null, speed: 1,
  tracks: new Map(),       // id -> {d, marker, tail, pts}
  replayIncidents: new Map(),
  incidents: new Map(),    // id -> incident row
  recs: new Map(),         // id -> recommendation
  laser: null, layers: {}, batches: 0,
  cursor: null,            // the feed cursor of the last message applied (resume point)
  gaps: 0,                 // snapshots that said history was lost (reconnect too late)
  resumes: 0,              // reconnects that caught up on the missed batches
};
window.sw = sw;  // for tests and the console; it holds no secret

// Data as text: a DOM node Leaflet appends as it is (a string would become innerHTML).
function textNode(text, cls) {
  const el = document.createElement("span");
  if (cls) el.className = cls;
  el.textContent = String(text);
  return el;
}
const knownClass = (cls) => (Object.hasOwn(CLASS_COLOURS, cls) ? cls : "unknown");

const $ = (id) => document.getElementById(id);
const iso = (t) => (t == null ? "" : new Date(Math.round(t) * 1000).toISOString().replace(".000", "").replace("T", " "));

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {}, { Authorization: `Bearer ${token}` });
  const r = await fetch(path, Object.assign({}, opts, { headers }));
  if (r.status === 401) { logout(); throw new Error("logged out"); }
  if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

// ------------------------------------------------------------------ login
$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  const body = new URLSearchParams({ username: $("username").value, password: $("password").value });
  const r = await fetch("/api/token", { method: "POST", body });
  if (!r.ok) { $("login-error").textContent = "Wrong user or password"; return; }
  token = (await r.json()).access_token;
  $("password").value = "";
  start().catch(() => logout());
});
$("logout").addEventListener("click", logout);

function logout() {
  token = null;
  sw.cursor = null;  // the next login (maybe another role) starts from a snapshot
  if (sw.ws) { sw.ws.onclose = null; sw.ws.close(); }
  $("login").classList.remove("hidden");
}

// ------------------------------------------------------------------ start
async function start() {
  const me = await api("/api/me");
  sw.role = me.role; sw.name = me.name;
  $("who").textContent = `${me.name} (${me.role})`;
  $("login").classList.add("hidden");
  const sector = await api("/api/sector");
  $("sector-name").textContent = sector.name || "";
  sw.speed = sector.speed || 1;
  if (!sw.map) initMap(sector);
  setSliderRange(sector.t_range);
  await Promise.all([loadZones(), loadIncidents(), loadRecommendations(),
                     STAFF.has(sw.role) ? loadSensors() : null,
                     STAFF.has(sw.role) ? loadLaser() : null]);
  connect();
}

function initMap(sector) {
  const center = sector.center || [31.76, -106.43];
  sw.map = L.map("map", { zoomControl: true, attributionControl: true, preferCanvas: false })
    .setView(center, 10);
  sw.map.attributionControl.setPrefix("Natural Earth · US Census (us-atlas) · OurAirports");
  const pane = (name, z) => { sw.map.createPane(name); sw.map.getPane(name).style.zIndex = z; };
  pane("base", 200); pane("zones", 350); pane("tails", 420); pane("tracks", 450);
  sw.layers.zones = L.layerGroup().addTo(sw.map);
  sw.layers.tracks = L.layerGroup().addTo(sw.map);
  sw.layers.sensors = L.layerGroup().addTo(sw.map);
  sw.layers.hazard = L.layerGroup().addTo(sw.map);
  loadBasemap();
  setInterval(tick, 250);
  setInterval(async () => { if (token) setSliderRange((await api("/api/sector")).t_range); }, 10000);
}

async function loadBasemap() {
  const style = { pane: "base", interactive: false };
  const get = (u) => fetch(u).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const land = await get("/basemap/land.geojson");
  if (land) L.geoJSON(land, Object.assign({ style: { color: "#3b4a3b", weight: 1, fillColor: "#1b2620", fillOpacity: 1 } }, style)).addTo(sw.map);
  const counties = await get("/static/vendor/us-atlas/counties-10m.json");
  if (counties && window.topojson) {
    L.geoJSON(topojson.mesh(counties, counties.objects.counties, (a, b) => a !== b),
      Object.assign({ style: { color: "#2f3d35", weight: 0.6 } }, style)).addTo(sw.map);
  }
  const states = await get("/static/vendor/us-atlas/states-10m.json");
  if (states && window.topojson) {
    L.geoJSON(topojson.mesh(states, states.objects.states, (a, b) => a !== b),
      Object.assign({ style: { color: "#55675a", weight: 1.2 } }, style)).addTo(sw.map);
  }
  const border = await get("/basemap/border.geojson");
  if (border) L.geoJSON(border, Object.assign({ style: { color: "#f0883e", weight: 2.5, dashArray: "6 4" } }, style)).addTo(sw.map);
  const runways = await get("/basemap/runways.geojson");
  if (runways) L.geoJSON(runways, Object.assign({ style: { color: "#c9d1d9", weight: 4 } }, style)).addTo(sw.map);
}

async function loadZones() {
  const fc = await api("/api/zones");
  sw.layers.zones.clearLayers();
  L.geoJSON(fc, {
    pane: "zones",
    style: (f) => ({ color: ZONE_COLOURS[f.properties.kind] || "#e3b341", weight: 1, fillOpacity: 0.06 }),
    onEachFeature: (f, layer) => layer.bindTooltip(textNode(`${f.properties.name} (${f.properties.kind})`)),
  }).addTo(sw.layers.zones);
}

async function loadSensors() {
  const sensors = await api("/api/sensors");
  sw.layers.sensors.clearLayers();
  for (const s of sensors) {
    if (s.lat == null) continue;
    L.circleMarker([s.lat, s.lon], { radius: 4, color: "#8b949e", fillColor: s.status === "ok" ? "#3fb950" : "#6e7681", fillOpacity: 1, weight: 1 })
      .bindTooltip(textNode(`${s.id} · ${s.kind} · ${s.status}`)).addTo(sw.layers.sensors);
  }
}

async function loadLaser() { setLaser(await api("/api/laser/status")); }
async function loadIncidents() {
  for (const i of await api("/api/incidents?limit=200")) sw.incidents.set(i.id, i);
  renderIncidents();
}
async function loadRecommendations() {
  for (const r of await api("/api/recommendations?active=true")) sw.recs.set(r.id, r);
  renderBanner();
}

// ------------------------------------------------------------------ live feed
// On a reconnect the map sends the cursor of the last message it applied
// (`?since=`, not a secret) and the server replays the batches it missed, or sends a
// snapshot with a `gap` marker when they are no longer kept.
function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const since = sw.cursor ? `?since=${encodeURIComponent(sw.cursor)}` : "";
  // the token travels as the second subprotocol: never in a URL or a server log
  const ws = new WebSocket(`${proto}//${location.host}/api/ws${since}`, ["skywarden.bearer", token]);
  sw.ws = ws;
  ws.onmessage = (ev) => {
    if (ws === sw.ws) handle(JSON.parse(ev.data));
  };
  ws.onclose = () => { if (token && ws === sw.ws) setTimeout(connect, 2000); };
}

const cursorSeq = (c) => (typeof c === "string" ? c.split("-") : null);

function handle(msg) {
  if (msg.type === "resume") { sw.resumes += 1; return; }  // missed batches follow, then live
  if (msg.type === "batch" && sw.cursor && msg.cursor) {
    // a batch number that jumps: batches were dropped (a slow link); resume from ours
    const [epoch, seq] = cursorSeq(sw.cursor);
    const [e2, s2] = cursorSeq(msg.cursor);
    if (epoch === e2 && Number(s2) !== Number(seq) + 1) { sw.ws.close(); return; }
  }
  if (msg.gap) sw.gaps += 1;
  if (typeof msg.cursor === "string") sw.cursor = msg.cursor;
  sw.batches += 1;
  if (msg.t != null && sw.live) {
    sw.t = msg.t; sw.recvWall = Date.now() / 1000;
    const sl = $("slider");  // the stored past grows with every scan
    if (sl.disabled) setSliderRange([msg.t, msg.t]); else if (msg.t > Number(sl.max)) setSliderRange([Number(sl.min), msg.t]);
  }
  if (msg.type === "snapshot") { for (const id of [...sw.tracks.keys()]) removeTrack(id); }
  const fields = msg.track_fields || [];
  for (const row of msg.tracks || []) upsertTrack(fromRow(fields, row));
  for (const id of msg.ended || []) removeTrack(id);
  for (const i of msg.incidents || []) sw.incidents.set(i.id, i);
  for (const id of msg.withdrawn || []) sw.incidents.delete(id);
  for (const r of msg.recommendations || []) sw.recs.set(r.id, r);
  if (msg.laser) setLaser(msg.laser);
  if ((msg.incidents || []).length || (msg.withdrawn || []).length) renderIncidents();
  renderBanner();
  $("track-count").textContent = `${sw.tracks.size} tracks`;
}

function fromRow(fields, row) {
  // tracks arrive as rows of the fields named in the message (compact on the wire)
  const d = {};
  fields.forEach((f, i) => { d[f] = row[i]; });
  d.velocity = [d.ve, d.vn, d.vu];
  return d;
}

function upsertTrack(d) {
  let tr = sw.tracks.get(d.track);
  const ll = [d.lat, d.lon];
  const colour = CLASS_COLOURS[d.cls] || CLASS_COLOURS.unknown;
  if (!tr) {
    const marker = L.circleMarker(ll, { pane: "tracks", radius: 6, color: "#0d1117", weight: 1, fillColor: colour, fillOpacity: 0.95, className: `track track-${knownClass(d.cls)}` });
    const text = textNode(label(d));
    marker.bindTooltip(text, { permanent: true, direction: "right", className: "track-label", offset: [6, 0] });
    const tail = L.polyline([ll], { pane: "tails", color: colour, weight: 2, opacity: 0.6, className: "tail" });
    tr = { d, marker, tail, text, pts: [ll] };
    sw.tracks.set(d.track, tr);
    if (sw.live) { tail.addTo(sw.layers.tracks); marker.addTo(sw.layers.tracks); }
  } else {
    tr.pts.push(ll);
    if (tr.pts.length > TAIL_POINTS) tr.pts.shift();
    tr.marker.setLatLng(ll);
    tr.marker.setStyle({ fillColor: colour });
    tr.text.textContent = label(d);
    tr.tail.setLatLngs(tr.pts);
    tr.tail.setStyle({ color: colour });
  }
  tr.d = d;
}

function label(d) {
  const alt = Math.round(d.alt_m);
  return `${d.callsign || d.track} · ${d.cls} · ${alt} m`;
}

function removeTrack(id) {
  const tr = sw.tracks.get(id);
  if (!tr) return;
  sw.layers.tracks.removeLayer(tr.marker);
  sw.layers.tracks.removeLayer(tr.tail);
  sw.tracks.delete(id);
}

// ------------------------------------------------------------------ incidents
function renderIncidents() {
  const order = { open: 0, acknowledged: 1, resolved: 2 };
  const source = sw.live ? sw.incidents : sw.replayIncidents;
  const list = [...source.values()].sort((a, b) =>
    order[a.state] - order[b.state] || b.severity - a.severity || b.t_open - a.t_open);
  const ul = $("incidents");
  ul.replaceChildren();
  for (const i of list) ul.appendChild(incidentItem(i));
  const open = list.filter((i) => i.state === "open").length;
  $("incident-count").textContent = `${open} open / ${list.length}`;
}

function incidentItem(i) {
  const li = document.createElement("li");
  li.className = "incident";
  li.dataset.id = i.id;
  li.dataset.state = i.state;
  const head = document.createElement("div");
  head.className = "head";
  head.append(
    textNode(`${i.id} · sev ${i.severity}${i.shared ? " · shared" : ""}`, "id"),
    textNode(i.state, "state"),
  );
  const summary = document.createElement("div");
  summary.className = "summary";
  summary.textContent = `${i.summary} · opened ${iso(i.t_open)}`;
  li.append(head, summary);
  li.addEventListener("click", (ev) => {
    if (ev.target.tagName === "BUTTON" || ev.target.tagName === "INPUT") return;
    if (i.lat != null) sw.map.panTo([i.lat, i.lon]);
  });
  if (!ACTORS.has(sw.role) || !sw.live) return li;  // replay is read-only
  const actions = document.createElement("div");
  actions.className = "actions";
  const button = (text, cls, fn) => {
    const b = document.createElement("button");
    b.textContent = text; b.className = cls; b.type = "button";
    b.addEventListener("click", fn);
    actions.appendChild(b);
  };
  if (i.state === "open") button("Acknowledge", "ack", () => act(i.id, "acknowledge"));
  if (i.state !== "resolved") {
    const input = document.createElement("input");
    input.placeholder = "comment"; input.className = "comment";
    actions.appendChild(input);
    button("Resolve", "resolve", () => {
      if (!input.value.trim()) { input.focus(); input.placeholder = "a comment is needed"; return; }
      act(i.id, "resolve", { comment: input.value });
    });
  }
  button(i.shared ? "Unshare" : "Share", "share", () => act(i.id, "share", { shared: !i.shared }));
  li.appendChild(actions);
  return li;
}

async function act(id, action, body) {
  const opts = { method: "POST" };
  if (body) { opts.body = JSON.stringify(body); opts.headers = { "Content-Type": "application/json" }; }
  const row = await api(`/api/incidents/${encodeURIComponent(id)}/${action}`, opts);
  sw.incidents.set(row.id, Object.assign({}, sw.incidents.get(row.id), row));
  renderIncidents();
  renderBanner();
}

// ------------------------------------------------------------------ banner, laser, clock
function simNow() {
  if (sw.t == null) return Date.now() / 1000;
  return sw.t + (Date.now() / 1000 - sw.recvWall) * (sw.live ? sw.speed : 0);
}

function currentRecommendation() {
  const now = simNow();
  const active = [...sw.recs.values()].filter((r) => r.t_issued <= now && now < r.t_expires);
  active.sort((a, b) => b.t_issued - a.t_issued);
  return active[0] || null;
}

function renderBanner() {
  const banner = $("banner");
  const rec = currentRecommendation();
  const open = [...sw.incidents.values()].filter((i) => i.state === "open").length;
  if (!rec && !open) { banner.classList.add("hidden"); banner.dataset.state = "none"; return; }
  banner.classList.remove("hidden");
  const inc = rec && rec.incident ? sw.incidents.get(rec.incident) : null;
  banner.dataset.state = inc ? inc.state : open ? "open" : "acknowledged";
  banner.dataset.open = String(open);
  const what = rec
    ? `${rec.action.replace(/_/g, " ").toUpperCase()}${rec.airport ? " " + rec.airport : ""}${rec.runways && rec.runways.length ? " rwy " + rec.runways.join(", ") : ""}`
    : "NO MEASURE IN FORCE";
  const ack = open ? ` · ${open} incident${open > 1 ? "s" : ""} to acknowledge` : " · all incidents acknowledged";
  $("banner-action").textContent = what + (inc ? ` (incident ${inc.id} ${inc.state})` : "") + ack;
  const reasons = rec ? rec.reasons : [];
  $("banner-reasons").textContent = reasons.slice(0, 2).join("; ") + (reasons.length > 2 ? ` (+${reasons.length - 2} more)` : "");
  $("banner-reasons").title = reasons.join("\n");
  banner.dataset.reevaluate = rec ? String(rec.t_reevaluate) : "";
}

function setLaser(l) {
  sw.laser = l;
  const el = $("laser");
  const state = (l && l.state) || "NONE";
  el.dataset.state = state;
  el.className = `laser ${state === "NONE" ? "none" : state}`;
  // a HOLD says why on the map itself (fail-closed reasons: stale input, a failed stage)
  const why = state === "HOLD" && l.reasons && l.reasons.length ? ` · ${l.reasons[0]}` : "";
  el.textContent = state === "NONE" ? "LASER —" : `LASER ${state}${why}`;
  el.title = l && l.reasons ? l.reasons.join("; ") : "laser hold-fire";
  sw.layers.hazard.clearLayers();
  if (l && l.hazard) {
    L.geoJSON(l.hazard, { pane: "zones", style: { color: state === "HOLD" ? "#f85149" : "#3fb950", weight: 2, fillOpacity: 0.15 } })
      .addTo(sw.layers.hazard);
  }
}

function tick() {
  const now = simNow();
  $("clock").textContent = sw.t == null ? "" : `${iso(now)}${sw.live ? "" : " (replay)"}`;
  const re = Number($("banner").dataset.reevaluate || 0);
  if (re) {
    const s = Math.max(0, Math.round(re - now));
    $("banner-countdown").textContent = `re-evaluate in ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  } else {
    $("banner-countdown").textContent = "";
  }
}

// ------------------------------------------------------------------ time slider (replay)
function setSliderRange(range) {
  if (!range) return;
  const s = $("slider");
  const atEnd = Number(s.value) >= Number(s.max) - 1;
  s.min = Math.floor(range[0]); s.max = Math.ceil(range[1]);
  s.disabled = false;
  if (sw.live || atEnd) s.value = s.max;
}

$("slider").addEventListener("change", async () => {
  // Replay: the stored picture at time t (tracks with their last minute, incidents opened
  // by then); the live feed keeps arriving underneath and comes back with "live".
  const t = Number($("slider").value);
  sw.live = false;
  $("live").checked = false;
  $("slider-time").textContent = iso(t);
  const [pts, history, incidents] = await Promise.all([
    api(`/api/tracks?at=${t}`),
    STAFF.has(sw.role) ? api(`/api/tracks/history?t0=${t - 60}&t1=${t}&limit=20000`) : [],
    api(`/api/incidents?t1=${t}&limit=200`),
  ]);
  sw.layers.tracks.clearLayers();
  const tails = new Map();
  for (const p of history) {
    if (!tails.has(p.track)) tails.set(p.track, { cls: p.cls, pts: [] });
    tails.get(p.track).pts.push([p.lat, p.lon]);
  }
  for (const [, tail] of tails) {
    L.polyline(tail.pts, { pane: "tails", color: CLASS_COLOURS[tail.cls] || CLASS_COLOURS.unknown, weight: 2, opacity: 0.6, className: "tail replay" })
      .addTo(sw.layers.tracks);
  }
  for (const d of pts) {
    const colour = CLASS_COLOURS[d.cls] || CLASS_COLOURS.unknown;
    L.circleMarker([d.lat, d.lon], { pane: "tracks", radius: 6, color: "#0d1117", weight: 1, fillColor: colour, fillOpacity: 0.95, className: "track replay" })
      .bindTooltip(textNode(label(d)), { permanent: true, direction: "right", className: "track-label", offset: [6, 0] })
      .addTo(sw.layers.tracks);
  }
  sw.replayIncidents = new Map(incidents.map((i) => [i.id, i]));
  renderIncidents();
  sw.t = t; sw.recvWall = Date.now() / 1000;
});

$("live").addEventListener("change", () => {
  sw.live = $("live").checked;
  sw.layers.tracks.clearLayers();
  if (sw.live) {
    for (const tr of sw.tracks.values()) { tr.tail.addTo(sw.layers.tracks); tr.marker.addTo(sw.layers.tracks); }
    $("slider").value = $("slider").max;
    $("slider-time").textContent = "";
  }
  renderIncidents();
});

