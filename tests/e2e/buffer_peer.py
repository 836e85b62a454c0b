#!/usr/bin/python3
"""A Buffer-shaped OAuth 2.0 authorization and API server for the end-to-end
tests, built on the server half of oauthlib (WebApplicationServer plus a
RequestValidator written here), served over HTTPS by http.server.

What it imitates from Buffer's v1 API (see Buffer's authentication guide):
  GET  /oauth2/authorize          consent page (form POST: decision=allow|deny)
  POST /1/oauth2/token.json       code swap, client_id/client_secret in the body;
                                  answers only {"access_token": "1/..."}
  GET|POST /1/user.json           token in the Authorization header, the form
                                  body or the query; 403 code 1001 otherwise
  POST /1/user/deauthorize.json   revokes the token

Codes look like "1/<random>", live --code-ttl seconds (30 by default, like
Buffer), work once (a reused code also revokes the token it gave), and are
refused when the token request carries them percent-encoded ("1%2F...").

Run it with Debian's interpreter (/usr/bin/python3), which has oauthlib:
  buffer_peer.py --cert C --key K --port-file F --client-id ID \
                 --client-secret S --redirect-uri U [--code-ttl 2]
It listens on 127.0.0.1 on a free port and writes that port to --port-file
once it accepts connections.
"""

import argparse
import hmac
import html
import json
import os
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from oauthlib import common
from oauthlib.oauth2 import RequestValidator, WebApplicationServer
from oauthlib.oauth2.rfc6749 import errors


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that refuses our certificate ends the handshake: expected.
        if os.environ.get('BUFFER_PEER_LOG'):
            super().handle_error(request, client_address)


class Client:
    def __init__(self, client_id):
        self.client_id = client_id


class BufferValidator(RequestValidator):
    """One registered application, codes and tokens kept in memory."""

    def __init__(self, client_id, client_secret, redirect_uri, code_ttl):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.code_ttl = code_ttl
        self.lock = threading.Lock()
        self.codes = {}          # code -> dict(client_id, redirect_uri, issued, used, tokens)
        self.tokens = {}         # access token -> dict(active, code)

    # -- authorization endpoint ------------------------------------------
    def validate_client_id(self, client_id, request, *args, **kwargs):
        return client_id == self.client_id

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        return redirect_uri == self.redirect_uri

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        return self.redirect_uri

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == 'code'

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        return not scopes  # Buffer has no scopes

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return []

    def is_pkce_required(self, client_id, request):
        return False  # Buffer's v1 API predates PKCE

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        with self.lock:
            self.codes[code['code']] = {
                'client_id': client_id,
                'redirect_uri': request.redirect_uri,
                'issued': time.monotonic(),
                'used': False,
                'tokens': [],
            }

    def get_code_challenge(self, code, request):
        return None

    # -- token endpoint ----------------------------------------------------
    def client_authentication_required(self, request, *args, **kwargs):
        return True

    def authenticate_client(self, request, *args, **kwargs):
        ok = (request.client_id == self.client_id and request.client_secret is not None and
              hmac.compare_digest(request.client_secret.encode(), self.client_secret.encode()))
        if ok:
            request.client = Client(self.client_id)
        return ok

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        return False  # confidential client only

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type == 'authorization_code'

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        with self.lock:
            entry = self.codes.get(code)
            if entry is None or entry['client_id'] != client_id:
                return False
            if entry['used']:
                # RFC 6749 §4.1.2: a second use revokes what the first gave.
                for t in entry['tokens']:
                    self.tokens[t]['active'] = False
                return False
            if time.monotonic() - entry['issued'] >= self.code_ttl:
                return False
        request.user = 'peer-user'
        request.scopes = []
        return True

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        with self.lock:
            entry = self.codes.get(code)
            return entry is not None and entry['redirect_uri'] == redirect_uri

    def save_bearer_token(self, token, request, *args, **kwargs):
        with self.lock:
            self.tokens[token['access_token']] = {'active': True, 'code': request.code}
            if request.code in self.codes:
                self.codes[request.code]['tokens'].append(token['access_token'])

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        with self.lock:
            if code in self.codes:
                self.codes[code]['used'] = True

    def rotate_refresh_token(self, request):
        return False

    # -- resource endpoint -------------------------------------------------
    def validate_bearer_token(self, token, scopes, request):
        with self.lock:
            entry = self.tokens.get(token)
            return entry is not None and entry['active']

    def revoke(self, token):
        with self.lock:
            entry = self.tokens.get(token)
            if entry is None or not entry['active']:
                return False
            entry['active'] = False
            return True


ENCODED_CODE = re.compile(rb'(^|&)code=1%2[fF]')


def make_handler(server, validator, port, max_body=64 * 1024):
    origin = 'https://127.0.0.1:%d' % port

    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        server_version = 'buffer-peer'

        def setup(self):
            self.request.do_handshake()  # deferred from accept, see main()
            super().setup()

        def log_message(self, fmt, *args):
            if os.environ.get('BUFFER_PEER_LOG'):
                sys.stderr.write('buffer_peer: ' + (fmt % args) + '\n')

        def send(self, status, body=b'', content_type='application/json', headers=None):
            if isinstance(body, str):
                body = body.encode('utf-8')
            self.send_response(status)
            if body:
                self.send_header('Content-Type', content_type)
            for name, value in (headers or {}).items():
                if name.lower() != 'content-type':
                    self.send_header(name, value)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def send_json(self, status, obj, headers=None):
            self.send(status, json.dumps(obj), 'application/json', headers)

        def read_body(self):
            length = int(self.headers.get('Content-Length') or 0)
            if length > max_body:
                raise ValueError('body too large')
            return self.rfile.read(length) if length else b''

        def uri(self):
            return origin + self.path

        def do_GET(self):
            self.route('GET')

        def do_POST(self):
            self.route('POST')

        def route(self, method):
            try:
                body = self.read_body()
            except ValueError:
                self.send_json(413, {'error': 'invalid_request'})
                return
            path = urlsplit(self.path).path
            if path == '/oauth2/authorize':
                self.authorize(method, body)
            elif path == '/1/oauth2/token.json' and method == 'POST':
                self.token(body)
            elif path == '/1/user.json':
                self.user(method, body)
            elif path == '/1/user/deauthorize.json' and method == 'POST':
                self.deauthorize(body)
            else:
                self.send_json(404, {'success': False, 'code': 404, 'error': 'Not found.'})

        def headers_dict(self):
            return {k: v for k, v in self.headers.items()}

        # GET shows the consent page; POST carries the user's decision.
        def authorize(self, method, body):
            try:
                scopes, credentials = server.validate_authorization_request(
                    self.uri(), 'GET', None, self.headers_dict())
            except errors.FatalClientError as e:
                self.send(400, 'authorization refused: %s' % e.description, 'text/plain')
                return
            except errors.OAuth2Error as e:
                target = common.add_params_to_uri(e.redirect_uri or validator.redirect_uri, e.twotuples)
                self.send(302, headers={'Location': target})
                return
            if method == 'GET':
                action = html.escape(self.path, quote=True)
                page = ('<!doctype html><title>Authorize</title>'
                        '<form method="post" action="%s">'
                        '<button type="submit" name="decision" value="allow">Allow</button>'
                        '<button type="submit" name="decision" value="deny">Deny</button>'
                        '</form>' % action)
                self.send(200, page, 'text/html; charset=utf-8')
                return
            decision = dict(parse_qsl(body.decode('ascii', 'replace'))).get('decision')
            if decision != 'allow':
                e = errors.AccessDeniedError(description='the user declined the authorization request',
                                             state=credentials.get('state'))
                target = common.add_params_to_uri(credentials['redirect_uri'], e.twotuples)
                self.send(302, headers={'Location': target})
                return
            headers, _, status = server.create_authorization_response(
                self.uri(), 'GET', None, self.headers_dict(), scopes=scopes, credentials=None)
            self.send(status, headers=headers)

        def token(self, body):
            # Buffer: "the code parameter must not be url encoded". Checked on
            # the raw bytes, before oauthlib decodes the form.
            if ENCODED_CODE.search(body):
                self.send_json(400, {'error': 'invalid_grant',
                                     'error_description': 'the code must be sent as 1/..., not percent-encoded'},
                               {'Cache-Control': 'no-store'})
                return
            headers, text, status = server.create_token_response(
                self.uri(), 'POST', body.decode('utf-8', 'replace'), self.headers_dict())
            doc = json.loads(text) if text else {}
            if status == 200 and 'access_token' in doc:
                doc = {'access_token': doc['access_token']}  # all Buffer sends
            self.send_json(status, doc, headers)

        def bearer(self, method, body):
            valid, _ = server.verify_request(self.uri(), method, body.decode('utf-8', 'replace'),
                                             self.headers_dict())
            return valid

        def token_of(self, method, body):
            auth = self.headers.get('Authorization', '')
            parts = auth.split()
            if len(parts) == 2 and parts[0].lower() == 'bearer':
                return parts[1]
            params = parse_qsl(urlsplit(self.path).query) + parse_qsl(body.decode('utf-8', 'replace'))
            for name, value in params:
                if name == 'access_token':
                    return value
            return None

        def refuse(self):
            self.send_json(403, {'success': False, 'code': 1001, 'error': 'Access token required.'})

        def user(self, method, body):
            if not self.bearer(method, body):
                self.refuse()
                return
            self.send_json(200, {'id': '4f0c0a06512f7ef214000000', 'name': 'Peer User',
                                 'timezone': 'Europe/London'}, {'Cache-Control': 'private'})

        def deauthorize(self, body):
            if not self.bearer('POST', body):
                self.refuse()
                return
            validator.revoke(self.token_of('POST', body))
            self.send_json(200, {'success': True, 'message': 'Access revoked.'})

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cert', required=True)
    ap.add_argument('--key', required=True)
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--client-id', required=True)
    ap.add_argument('--client-secret', required=True)
    ap.add_argument('--redirect-uri', required=True)
    ap.add_argument('--code-ttl', type=float, default=30.0)
    ap.add_argument('--max-life', type=float, default=600.0,
                    help='exit after this many seconds even if nobody stops us')
    args = ap.parse_args()

    validator = BufferValidator(args.client_id, args.client_secret, args.redirect_uri, args.code_ttl)
    server = WebApplicationServer(validator, token_generator=lambda request: '1/' + common.generate_token(32))
    # Buffer's codes look like 1/mWot20jTwojsd00jFlaaR45.
    server.auth_grant.register_code_modifier(
        lambda grant, token_handler, request: dict(grant, code='1/' + grant['code']))

    httpd = QuietServer(('127.0.0.1', 0), None)
    port = httpd.server_address[1]
    httpd.RequestHandlerClass = make_handler(server, validator, port)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    # The handshake runs in the handler thread, so a stalled client cannot
    # block the accept loop.
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)

    timer = threading.Timer(args.max_life, lambda: os._exit(3))
    timer.daemon = True
    timer.start()
    parent = os.getppid()

    def orphan_watch():  # the driver died without stopping us: stop too
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(4)

    threading.Thread(target=orphan_watch, daemon=True).start()

    tmp = args.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % port)
    os.replace(tmp, args.port_file)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
