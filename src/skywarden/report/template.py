"""The report page's Jinja2 template (kept in a module, so no package-data is needed).

Rendered only by :func:`skywarden.report.html.render_html`, with autoescape on: every
string from data goes through it escaped. The page's own Content-Security-Policy
(``default-src 'none'``, images from ``data:`` only, no script at all) is a second
line: a file opened from disk runs nothing and fetches nothing, even if a future edit
marks some text ``|safe`` by mistake.
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{{ v.title }}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 62em;
       color: #1b1f24; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid #ccd; padding: .25em .6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .8em 0; }
figure img { max-width: 100%; }
figcaption { color: #555; font-size: .9em; }
.meta { color: #555; }
.role { display: inline-block; padding: .1em .5em; border-radius: .3em; background: #eee; }
.withheld { background: #fff4e5; border: 1px solid #f0b36b; padding: .6em 1em; }
.method { color: #333; max-width: 48em; }
</style>
</head>
<body>
{% macro fig(name) %}
{% if name in figs %}
<figure id="fig-{{ name }}"><img alt="{{ figs[name][0] }}" src="{{ figs[name][1] }}">
<figcaption>{{ figs[name][0] }}</figcaption></figure>
{% endif %}
{% endmacro %}
<header>
<h1>{{ v.title }}</h1>
<p class="meta">Source <code>{{ v.source }}</code> &middot; {{ v.period }}
&middot; <span class="role">{{ v.role }} version</span> &middot; skywarden {{ v.version }}
&middot; made {{ made }}</p>
{% if v.withheld %}
<p class="withheld" id="withheld">Withheld from this version by the partner redaction:
{{ v.withheld | join(", ") }}.</p>
{% endif %}
</header>

<section id="counts">
<h2>Counts</h2>
<table>
<tr><th>rule</th><th>count</th><th>method</th></tr>
{% for c in v.counts %}
<tr><td>{{ c.rule }}</td><td class="n">{{ "{:,}".format(c.count) }}{% for part in c.set_apart() %}
<br><small>+ {{ part }}, not counted</small>{% endfor %}</td>
<td class="method">{{ c.method }}</td></tr>
{% endfor %}
</table>
{% if v.identified %}
<p id="identified">{{ "{:,}".format(v.identified) }} of the counted incursions broadcast
Remote ID (cooperative drones that name their operator).</p>
{% endif %}
{% if v.per_direction %}
<table>
<tr><th>direction</th><th>incursions</th></tr>
{% for b in v.per_direction %}
<tr><td>{{ b.label }}</td><td class="n">{{ "{:,.0f}".format(b.value) }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% if v.per_sector %}
<table>
<tr><th>sector</th><th>incursions</th></tr>
{% for b in v.per_sector %}
<tr><td>{{ b.label }}</td><td class="n">{{ "{:,.0f}".format(b.value) }}</td></tr>
{% endfor %}
</table>
{% endif %}
</section>

<section id="coverage">
<h2>Coverage</h2>
{% if v.coverage %}
{% set c = v.coverage %}
<p>The border is {{ "{:,.0f}".format(c.border_km) }} km long; the widest sensor set reaches
<strong>{{ "%.1f" | format(100 * c.seen_share) }}%</strong> of it, with a mean detection
probability of {{ "%.2f" | format(c.p_detect_mean) }} along the whole line.
Counted <strong>{{ "{:,}".format(c.counted) }}</strong> incursions; estimated
<strong>{{ "{:,.0f}".format(c.total) }}</strong> in all
({{ "%.0f" | format(100 * c.confidence) }}% interval {{ "{:,.0f}".format(c.low) }} to
{{ "{:,.0f}".format(c.high) }}), so about {{ "{:,.0f}".format(c.unseen) }} not seen.</p>
<table>
<tr><th>sensor set</th><th>share of the border in reach</th><th>mean P(detect)</th></tr>
{% for s in c.sets %}
<tr><td>{{ s.name }}</td><td class="n">{{ "%.1f" | format(100 * s.share) }}%</td>
<td class="n">{{ "%.2f" | format(s.p_detect) }}</td></tr>
{% endfor %}
</table>
<p class="method">{{ c.method }}</p>
{% if c.assumptions %}
<ul class="method">
{% for a in c.assumptions %}<li>{{ a }}</li>
{% endfor %}
</ul>
{% endif %}
{{ fig("coverage") }}
{% elif v.coverage_withheld %}
<p class="withheld">The coverage model is withheld from this version.</p>
{% else %}
<p>No coverage model: the source has no sensor layout to model.</p>
{% endif %}
</section>

<section id="hotspots">
<h2>Hot spots</h2>
{{ fig("hotspots") }}
{% if v.hotspots %}
<table>
<tr><th>H3 cell</th><th>incursions</th><th>centre (lat, lon)</th></tr>
{% for h in top_hotspots %}
<tr><td><code>{{ h.cell }}</code></td><td class="n">{{ h.count }}</td>
<td>{{ "%.4f, %.4f" | format(h.lat, h.lon) }}</td></tr>
{% endfor %}
</table>
{% endif %}
</section>

<section id="time">
<h2>Time</h2>
{{ fig("per_day") }}
{{ fig("per_hour") }}
{% if v.per_weekday %}
<table>
<tr><th>day of week (UTC)</th>{% for b in v.per_weekday %}<th>{{ b.label }}</th>{% endfor %}</tr>
<tr><td>incursions</td>{% for b in v.per_weekday %}
<td class="n">{{ "{:,.0f}".format(b.value) }}</td>{% endfor %}</tr>
</table>
{% endif %}
</section>

<section id="incidents">
<h2>Incidents by kind</h2>
{{ fig("incidents") }}
<table>
<tr><th>kind</th><th>incidents</th></tr>
{% for b in v.incidents_by_kind %}
<tr><td>{{ b.label }}</td><td class="n">{{ "{:,.0f}".format(b.value) }}</td></tr>
{% endfor %}
{% if v.drops is not none %}
<tr><td>drops (events)</td><td class="n">{{ v.drops }}</td></tr>
{% endif %}
{% if v.loiters is not none %}
<tr><td>loiters (events)</td><td class="n">{{ v.loiters }}</td></tr>
{% endif %}
</table>
</section>

<section id="runway-pauses">
<h2>Runway-pause minutes per airport</h2>
{{ fig("runway_pauses") }}
<table>
<tr><th>airport</th><th>minutes</th></tr>
{% for b in v.runway_pause_min %}
<tr><td>{{ b.label }}</td><td class="n">{{ "{:,.1f}".format(b.value) }}</td></tr>
{% endfor %}
</table>
</section>
{% if v.notes %}
<section id="notes">
<h2>Notes</h2>
<ul>
{% for n in v.notes %}<li>{{ n }}</li>
{% endfor %}
</ul>
</section>
{% endif %}
</body>
</html>
"""
