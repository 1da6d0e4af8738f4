"""Real mode: the gateway forwards /api/<service>/… to the service, streaming both ways."""

from __future__ import annotations

import httpx
from werkzeug.wrappers import Request, Response

from akta.web.problems import PROBLEM_JSON
from akta_gateway.app import forwarded_for

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailers", "transfer-encoding", "upgrade", "host", "content-length",
}


class ServiceProxy:
    """A WSGI app for one service's prefix, forwarding each request to `base_url`."""

    def __init__(self, base_url: str, client: httpx.Client) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client

    def __call__(self, environ, start_response):
        request = Request(environ)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-Prefix"] = request.script_root
        headers.update(forwarded_for(environ))
        # The scheme the browser used: the ingress's word for it when there is one, else ours.
        headers["X-Forwarded-Proto"] = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
        url = f"{self.base_url}{request.path}"
        try:
            upstream = self.client.send(
                self.client.build_request(
                    request.method, url, params=request.query_string.decode(), headers=headers,
                    content=request.stream if request.content_length or request.headers.get("Transfer-Encoding") else None,
                ),
                stream=True,
            )
        except httpx.HTTPError as error:
            body = f'{{"type":"about:blank","title":"Bad Gateway","status":502,"detail":"{type(error).__name__}"}}'
            return Response(body, status=502, mimetype=PROBLEM_JSON)(environ, start_response)
        response_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP]
        response = Response(_stream_and_close(upstream), status=upstream.status_code, headers=response_headers)
        return response(environ, start_response)


def _stream_and_close(upstream: httpx.Response):
    try:
        yield from upstream.iter_raw()
    finally:
        upstream.close()


def proxies(service_urls: dict[str, str]) -> dict[str, ServiceProxy]:
    """A proxy per service, by name."""
    client = httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0))
    return {name: ServiceProxy(url, client) for name, url in service_urls.items()}
