"""The gateway's own pages: the front page, and the index of service APIs."""

from __future__ import annotations

from flask import jsonify, render_template_string

from akta.web.app import create_app

FRONT_PAGE = """<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Akta</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .3rem}</style></head>
<body><h1>Akta</h1>
<p lang="da">Sags- og dokumentarkiv. <span lang="nb">Sak- og arkivsystem.</span>
<span lang="en">Case and document archive.</span></p>
<h2>API</h2><ul>{% for name in services %}
<li><a href="/api/{{ name }}/openapi.json">/api/{{ name }}/</a></li>{% endfor %}</ul>
</body></html>"""


def create_gateway_app(services: list[str], readiness_checks=None):
    app = create_app("gateway", "Akta gateway", readiness_checks or {})

    @app.get("/", doc_ui=False)
    def front_page():
        return render_template_string(FRONT_PAGE, services=services)

    @app.get("/api/", doc_ui=False)
    def api_index():
        return jsonify(
            services=[
                {"name": name, "url": f"/api/{name}/", "openapi": f"/api/{name}/openapi.json"}
                for name in services
            ]
        )

    return app
