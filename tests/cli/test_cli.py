#!/usr/bin/env python3
"""Runs the buffer-oauth binary on the examples of Buffer's guide and on
hostile input, and checks the exit status and the one JSON object on stdout.

Usage: test_cli.py path/to/buffer-oauth
"""
import base64
import hashlib
import json
import re
import subprocess
import sys
import urllib.parse

BINARY = sys.argv[1]
CID = "4e9680c0512f7ed322000000"          # the client_id in Buffer's docs
RU = "https://example.com/back"            # the guide's callback, over HTTPS
CODE = "1/mWot20jTwojsd00jFlaaR45"         # the guide's code
T = "1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"   # a synthetic Buffer-shaped token
API = "https://api.bufferapp.com/1"
GENERIC = ["--authorize-endpoint", "https://auth.example/authorize?x=1",
           "--token-endpoint", "https://auth.example/token", "--api-base", "https://api.example/v2/"]

failures = []
checks = 0


def run(args, stdin=""):
    data = stdin if isinstance(stdin, bytes) else stdin.encode()
    proc = subprocess.run([BINARY, *args], input=data, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def case(name, args, expect_exit=0, errc=None, stdin="", check=None):
    """One invocation. exit 0/1 must print exactly one JSON object on stdout."""
    global checks
    checks += 1
    code, out, err = run(args, stdin)
    problems = []
    if code != expect_exit:
        problems.append(f"exit {code}, want {expect_exit}")
    doc = None
    if expect_exit in (0, 1):
        lines = out.splitlines()
        try:
            if len(lines) != 1:
                raise ValueError(f"{len(lines)} lines")
            doc = json.loads(lines[0])
            if not isinstance(doc, dict):
                raise ValueError("not an object")
        except ValueError as e:
            problems.append(f"stdout is not one JSON object ({e}): {out!r}")
    elif out:
        problems.append(f"usage error printed on stdout: {out!r}")
    if doc is not None:
        if errc is not None and doc.get("errc") != errc:
            problems.append(f"errc {doc.get('errc')!r}, want {errc!r}")
        if expect_exit == 1 and not doc.get("message"):
            problems.append("error without a message")
        if check is not None:
            try:
                check(doc)
            except AssertionError as e:
                problems.append(f"check failed: {e or 'assertion'} in {doc}")
    if problems:
        failures.append(name)
        print(f"FAIL {name}: {'; '.join(problems)}\n     stderr: {err.strip()[:300]}")
    return doc


def eq(a, b):
    assert a == b, f"{a!r} != {b!r}"


def form(body):
    return urllib.parse.parse_qs(body, keep_blank_values=True)


def s256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def header(doc, name):
    values = [v for n, v in doc["headers"] if n.lower() == name.lower()]
    return values[0] if values else None


# ---------------------------------------------------------------- usage (exit 2)
case("no subcommand", [], 2)
case("unknown subcommand", ["frobnicate"], 2)
code, out, _ = run(["--help"])
checks += 1
if code != 0 or "authorize-url" not in out:
    failures.append("help")
    print(f"FAIL help: exit {code}")
case("missing --client-id", ["authorize-url", "--redirect-uri", RU], 2)
case("--state with --no-state", ["authorize-url", "--client-id", CID, "--redirect-uri", RU, "--state", "s", "--no-state"], 2)
case("--pkce with --code-challenge", ["authorize-url", "--client-id", CID, "--redirect-uri", RU, "--pkce", "--code-challenge", "x"], 2)
case("unknown placement", ["attach", "--url", API + "/profiles.json", "--token", T, "--placement", "cookie"], 2)
case("header without colon", ["parse-token", "--header", "no-colon"], 2)
case("status out of range", ["parse-token", "--status", "42"], 2)
case("half a generic provider", ["authorize-url", "--client-id", CID, "--redirect-uri", RU, "--authorize-endpoint", "https://a/x"], 2)
case("--provider generic without endpoints", ["--provider", "generic", "authorize-url", "--client-id", CID, "--redirect-uri", RU], 2)
case("--provider buffer with endpoints", ["--provider", "buffer", *GENERIC, "authorize-url", "--client-id", CID, "--redirect-uri", RU], 2)

# ---------------------------------------------------------------- authorize-url
AUTHZ = ["authorize-url", "--client-id", CID, "--redirect-uri", RU]
case("guide's authorize request, no state", [*AUTHZ, "--no-state"], check=lambda d: (
    eq(d, {"url": "https://bufferapp.com/oauth2/authorize?client_id=4e9680c0512f7ed322000000"
                  "&redirect_uri=https%3A%2F%2Fexample.com%2Fback&response_type=code"})))
case("explicit state", [*AUTHZ, "--state", "xyz"], check=lambda d: (
    eq(d["state"], "xyz"), eq(d["url"].endswith("&response_type=code&state=xyz"), True),
    eq("code_verifier" in d, False), eq("scope=" in d["url"], False)))
first = case("generated state", AUTHZ, check=lambda d: (
    eq(bool(re.fullmatch(r"[A-Za-z0-9_-]{43}", d["state"])), True),
    eq(d["url"].endswith("&state=" + d["state"]), True)))
second = case("generated state again", AUTHZ)
checks += 1
if not first or not second or first["state"] == second["state"]:
    failures.append("state is fresh each time")
    print("FAIL two runs generated the same state")
case("--pkce: verifier printed, its S256 challenge sent", [*AUTHZ, "--pkce"], check=lambda d: (
    eq(bool(re.fullmatch(r"[A-Za-z0-9_-]{43}", d["code_verifier"])), True),
    eq(f"&code_challenge={s256(d['code_verifier'])}&code_challenge_method=S256" in d["url"], True)))
case("--code-challenge passed through", [*AUTHZ, "--no-state", "--code-challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
     check=lambda d: eq(d["url"].endswith("code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"), True))
case("scope encoded", [*AUTHZ, "--no-state", "--scope", "read write"], check=lambda d: eq(d["url"].endswith("&scope=read%20write"), True))
case("loopback redirect URI over http", ["authorize-url", "--client-id", CID, "--redirect-uri", "http://127.0.0.1:8765/callback", "--no-state"])
case("generic provider keeps the endpoint's query", [*GENERIC, *AUTHZ, "--state", "s"],
     check=lambda d: eq(d["url"].startswith("https://auth.example/authorize?x=1&client_id="), True))
case("seed's http callback is refused", ["authorize-url", "--client-id", CID, "--redirect-uri", "http://example.com/back"], 1, "insecure_url")
case("redirect URI with a fragment", ["authorize-url", "--client-id", CID, "--redirect-uri", RU + "#f"], 1, "invalid_redirect_uri")
case("redirect URI with userinfo", ["authorize-url", "--client-id", CID, "--redirect-uri", "https://u@example.com/back"], 1, "invalid_redirect_uri")
case("relative redirect URI", ["authorize-url", "--client-id", CID, "--redirect-uri", "/back"], 1, "invalid_redirect_uri")
case("empty client_id", ["authorize-url", "--client-id", "", "--redirect-uri", RU], 1, "invalid_client_id")
case("client_id with a newline", ["authorize-url", "--client-id", "a\nb", "--redirect-uri", RU], 1, "invalid_client_id")
case("state with a control character", [*AUTHZ, "--state", "a\x01b"], 1, "invalid_character")
case("scope with a quote", [*AUTHZ, "--scope", 'a"b'], 1, "invalid_character")
case("short code challenge", [*AUTHZ, "--code-challenge", "abc"], 1, "invalid_code_verifier")
case("endpoint already has client_id", ["--authorize-endpoint", "https://a.example/x?client_id=1", "--token-endpoint", "https://a.example/t",
                                        "--api-base", "https://a.example/", *AUTHZ], 1, "duplicate_parameter")
case("plain http endpoint", ["--authorize-endpoint", "http://127.0.0.1:9/authorize", "--token-endpoint", "http://127.0.0.1:9/token",
                             "--api-base", "http://127.0.0.1:9/", *AUTHZ], 1, "insecure_url")
case("plain http loopback endpoint with the opt-in", ["--allow-insecure-loopback", "--authorize-endpoint", "http://127.0.0.1:9/authorize",
                                                      "--token-endpoint", "http://127.0.0.1:9/token", "--api-base", "http://127.0.0.1:9/", *AUTHZ])

# ---------------------------------------------------------------- parse-redirect
def redirect(url, *extra, expect_exit=0, errc=None, check=None, name=None):
    return case(name or f"parse-redirect {url}", ["parse-redirect", url, "--redirect-uri", RU, *extra],
                expect_exit, errc, check=check)


def code_is(value):
    return lambda d: eq(d, {"code": value})


redirect(f"{RU}?code={CODE}", "--no-state", check=code_is(CODE), name="guide's redirect (no state sent)")
redirect(f"{RU}?code=1%2FmWot20jTwojsd00jFlaaR45&state=xyz", "--state", "xyz", check=code_is(CODE))
redirect(f"{RU}?code=1%252FmWot&state=xyz", "--state", "xyz", check=code_is("1%2FmWot"), name="decoded once only")
redirect(f"{RU}?state=xyz&code=1%2Fabc", "--state", "xyz", check=code_is("1/abc"))
redirect(f"{RU}?foo=bar&code=1%2Fabc&state=xyz#_=_", "--state", "xyz", check=code_is("1/abc"))
redirect(f"HTTPS://EXAMPLE.COM:443/back?code=1/abc&state=xyz", "--state", "xyz", check=code_is("1/abc"), name="scheme/host case, default port")
redirect(f"{RU}?code=1%2Fabc&state=evil", "--state", "xyz", expect_exit=1, errc="state_mismatch")
redirect(f"{RU}?code=1%2Fabc&state=xyz+", "--state", "xyz", expect_exit=1, errc="state_mismatch")
redirect(f"{RU}?code=1%2Fabc", "--state", "xyz", expect_exit=1, errc="state_missing")
redirect(f"{RU}?code=1%2Fabc&state=", "--state", "xyz", expect_exit=1, errc="state_missing")
redirect(f"{RU}?code=1%2Fabc&state=xyz", expect_exit=1, errc="state_missing", name="neither --state nor --no-state: fail closed")
redirect(f"{RU}?code=1%2Fabc&state=xyz", "--no-state", expect_exit=1, errc="state_mismatch", name="state arrives though none was sent")
redirect(f"{RU}?code=1%2Fabc&state=xyz&state=xyz", "--state", "xyz", expect_exit=1, errc="duplicate_parameter")
redirect(f"{RU}?code=a&code=b&state=xyz", "--state", "xyz", expect_exit=1, errc="duplicate_parameter")
redirect(f"{RU}?code=a&%63ode=b&state=xyz", "--state", "xyz", expect_exit=1, errc="duplicate_parameter")
redirect(f"{RU}?code=&state=xyz", "--state", "xyz", expect_exit=1, errc="missing_code")
redirect(f"{RU}?state=xyz#code=1/abc", "--state", "xyz", expect_exit=1, errc="missing_code")
redirect(f"{RU}?code=1/abc&error=access_denied&state=xyz", "--state", "xyz", expect_exit=1, errc="ambiguous_response")
redirect(f"{RU}?error=access_denied&error_description=The+user+denied+access+to+your+application&state=xyz", "--state", "xyz",
         expect_exit=1, errc="authorization_denied",
         check=lambda d: (eq(d["error"], "access_denied"), eq(d["error_description"], "The user denied access to your application")))
redirect(f"{RU}?error=access_denied", "--state", "xyz", expect_exit=1, errc="state_missing", name="injected error without state")
redirect(f"{RU}?error=redirect_uri_mismatch&state=xyz", "--state", "xyz", expect_exit=1, errc="authorization_error",
         check=lambda d: eq(d["error"], "redirect_uri_mismatch"))
redirect(f"{RU}?error=x&error_description=%22quoted%22&state=xyz", "--state", "xyz", expect_exit=1, errc="malformed_error")
for url in ["http://example.com/back?code=1/abc", "https://example.com.evil.com/back?code=1/abc", "https://example.com:8443/back?code=1/abc",
            "https://example.com/back/?code=1/abc", "https://example.com/Back?code=1/abc", "https://example.com/%62ack?code=1/abc",
            "https://evil.com/back?code=1/abc"]:
    redirect(url, "--no-state", expect_exit=1, errc="redirect_uri_mismatch")
redirect("https://example.com@evil.com/back?code=1/abc", "--no-state", expect_exit=1, errc="invalid_url")
redirect(f"{RU}?code=1/a\nb", "--no-state", expect_exit=1, errc="invalid_url", name="raw LF in the URL")
redirect(f"{RU}?code=1%2", "--no-state", expect_exit=1, errc="bad_percent_encoding")
redirect(f"{RU}?code=1%0Aabc", "--no-state", expect_exit=1, errc="invalid_character")
redirect(f"{RU}?code=%C0%AF", "--no-state", expect_exit=1, errc="invalid_utf8")
redirect(f"{RU}?code=1/abc&iss=https%3A%2F%2Fbufferapp.com", "--no-state", expect_exit=1, errc="iss_unexpected")
redirect(f"{RU}?code=1/abc", "--no-state", "--issuer", "https://bufferapp.com", expect_exit=1, errc="iss_missing")
redirect(f"{RU}?code=1/abc&iss=https%3A%2F%2Fbufferapp.com%2F", "--no-state", "--issuer", "https://bufferapp.com", expect_exit=1, errc="iss_mismatch")
redirect(f"{RU}?code=1/abc&iss=https%3A%2F%2Fbufferapp.com", "--no-state", "--issuer", "https://bufferapp.com", check=code_is("1/abc"))
redirect(f"{RU}?" + "a=1&" * 200 + "code=1/abc", "--no-state", expect_exit=1, errc="too_large")

# ---------------------------------------------------------------- token-request
SWAP = ["token-request", "--client-id", CID, "--client-secret", "s3cr3t", "--redirect-uri", RU]
case("guide's token request: the code keeps its '/'", [*SWAP, "--code", CODE], check=lambda d: (
    eq(d["method"], "POST"), eq(d["url"], "https://api.bufferapp.com/1/oauth2/token.json"),
    eq(header(d, "Content-Type"), "application/x-www-form-urlencoded"), eq(header(d, "Accept"), "application/json"),
    eq(header(d, "Authorization"), None),
    eq(d["body"], "client_id=4e9680c0512f7ed322000000&client_secret=s3cr3t&redirect_uri=https%3A%2F%2Fexample.com%2Fback"
                  "&code=1/mWot20jTwojsd00jFlaaR45&grant_type=authorization_code")))
case("a code cannot smuggle parameters", [*SWAP, "--code", "a&grant_type=password"], check=lambda d: (
    eq(form(d["body"])["grant_type"], ["authorization_code"]), eq(form(d["body"])["code"], ["a&grant_type=password"])))
case("code 1/ab+c= escapes + and =", [*SWAP, "--code", "1/ab+c="], check=lambda d: eq("&code=1/ab%2Bc%3D&" in d["body"], True))
case("code with %2F is sent as %252F, never decoded", [*SWAP, "--code", "1%2Fabc"], check=lambda d: eq("&code=1%252Fabc&" in d["body"], True))
case("secret fully escaped", ["token-request", "--client-id", CID, "--client-secret", "p+q/r=s&t", "--redirect-uri", RU, "--code", CODE],
     check=lambda d: eq(form(d["body"])["client_secret"], ["p+q/r=s&t"]))
case("PKCE verifier", [*SWAP, "--code", CODE, "--code-verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"],
     check=lambda d: eq(form(d["body"])["code_verifier"], ["dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"]))
case("generic provider: HTTP Basic, secret not in the body", [*GENERIC, *SWAP, "--code", CODE], check=lambda d: (
    eq(header(d, "Authorization"), "Basic " + base64.b64encode(f"{CID}:s3cr3t".encode()).decode()),
    eq("client_secret" in d["body"], False), eq(form(d["body"])["code"], [CODE])))
case("empty code", [*SWAP, "--code", ""], 1, "missing_code")
case("code with a newline", [*SWAP, "--code", "1/a\nb"], 1, "invalid_character")
case("short verifier", [*SWAP, "--code", CODE, "--code-verifier", "short"], 1, "invalid_code_verifier")
case("verifier with '+'", [*SWAP, "--code", CODE, "--code-verifier", "a+" * 22], 1, "invalid_code_verifier")
case("http token endpoint", ["--authorize-endpoint", "https://a.example/x", "--token-endpoint", "http://a.example/t",
                             "--api-base", "https://a.example/", *SWAP, "--code", CODE], 1, "insecure_url")
case("token endpoint with a fragment", ["--authorize-endpoint", "https://a.example/x", "--token-endpoint", "https://a.example/t#f",
                                        "--api-base", "https://a.example/", *SWAP, "--code", CODE], 1, "invalid_endpoint")

# ---------------------------------------------------------------- parse-token
def token(name, body, expect_exit=0, errc=None, args=(), check=None):
    return case(f"parse-token {name}", ["parse-token", *args], expect_exit, errc, stdin=body, check=check)


token("Buffer's answer: only access_token, escaped solidus", '{"access_token":"1\\/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"}',
      check=lambda d: eq(d, {"access_token": T, "token_type": "bearer", "leniencies": ["token_type_defaulted"]}))
token("full RFC answer with a null scope", '{"access_token":"1/abc","expires_in":3600,"token_type":"bearer","scope":null}',
      check=lambda d: eq(d, {"access_token": "1/abc", "token_type": "bearer", "expires_in": 3600, "leniencies": ["null_member"]}))
token("RFC 6750 example, Bearer in any case", '{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,'
      '"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"read"}', args=["--header", "Cache-Control: no-store"],
      check=lambda d: eq(d, {"access_token": "mF_9.B5f-4.1JqM", "token_type": "Bearer", "expires_in": 3600,
                             "refresh_token": "tGzv3JOkF0XG5Qx2TlKWIA", "scope": "read", "leniencies": []}))
token("expires_in as a string", '{"access_token":"1/abc","expires_in":"3600"}',
      check=lambda d: (eq(d["expires_in"], 3600), eq("expires_in_string" in d["leniencies"], True)))
token("unknown members ignored", '{"access_token":"1/abc","x":{"y":[1,2,{"z":null}]}}', check=lambda d: eq(d["access_token"], "1/abc"))
token("token_type example", '{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600}', 1, "unsupported_token_type")
token("no access_token", '{"token_type":"bearer"}', 1, "missing_access_token")
token("null access_token", '{"access_token":null}', 1, "missing_access_token")
token("empty access_token", '{"access_token":""}', 1, "missing_access_token")
token("numeric access_token", '{"access_token":1}', 1, "invalid_member_type")
token("error with HTTP 200", '{"error":"invalid_grant"}', 1, "token_error", check=lambda d: eq(d["error"], "invalid_grant"))
token("expired code", '{"error":"invalid_grant","error_description":"The authorization code has expired"}', 1, "token_error",
      args=["--status", "400"], check=lambda d: (eq(d["error_description"], "The authorization code has expired"), eq(d["http_status"], 400)))
token("invalid_client", '{"error":"invalid_client","error_description":"The client credentials are invalid","error_uri":"https://x.example/e"}',
      1, "token_error", args=["--status", "400"], check=lambda d: (eq(d["error"], "invalid_client"), eq(d["error_uri"], "https://x.example/e")))
token("draft-20 description with quotes", '{"error":"invalid_request","error_description":"Missing parameter. \\"code\\" is required"}',
      1, "token_error", args=["--status", "400"], check=lambda d: eq(d["error_description"], 'Missing parameter. "code" is required'))
token("description with a control character", '{"error":"invalid_request","error_description":"a\\u0007b"}', 1, "malformed_error",
      args=["--status", "400"])
token("error with a quote", '{"error":"inv\\"alid"}', 1, "malformed_error", args=["--status", "400"])
token("Buffer envelope", '{"message":"Whoops, it looks like you\'ve posted that one recently.","code":1025,"success":false}', 1, "api_error",
      args=["--status", "400"], check=lambda d: (eq(d["api_code"], 1025), eq(d["error_description"].startswith("Whoops"), True)))
token("both token and error", '{"access_token":"1/abc","error":"x"}', 1, "ambiguous_response")
token("duplicate access_token", '{"access_token":"1/a","access_token":"1/b"}', 1, "duplicate_member")
token("duplicate via escape", '{"access_token":"1/a","access\\u005ftoken":"1/b"}', 1, "duplicate_member")
token("token with a space", '{"access_token":"a b"}', 1, "invalid_token_syntax")
token("token with CRLF", '{"access_token":"a\\r\\nX: y"}', 1, "invalid_token_syntax")
token("token with = inside", '{"access_token":"=a"}', 1, "invalid_token_syntax")
token("negative expires_in", '{"access_token":"1/abc","expires_in":-1}', 1, "invalid_expires_in")
token("fractional expires_in", '{"access_token":"1/abc","expires_in":3600.5}', 1, "invalid_expires_in")
token("HTML error page", "<html>502 Bad Gateway</html>", 1, "not_json", args=["--status", "502"])
token("empty body", "", 1, "empty_body")
token("blank body", " \n\t", 1, "empty_body")
token("truncated JSON", '{"access_token":"1/abc"', 1, "malformed_json")
token("trailing garbage", '{"access_token":"1/abc"} x', 1, "malformed_json")
token("single quotes", "{'access_token':'1/abc'}", 1, "malformed_json")
token("array at the top", "[]", 1, "not_an_object")
token("lone surrogate", '{"access_token":"1/abc","x":"\\ud800"}', 1, "invalid_surrogate")
token("deep nesting", '{"a":' + "[" * 100 + "]" * 100 + "}", 1, "depth_exceeded")
token("over the size limit", '{"access_token":"1/abc","pad":"' + "x" * 70000 + '"}', 1, "too_large")
token("server error without a body we understand", "{}", 1, "http_error", args=["--status", "500"])
token("generic provider requires token_type", '{"access_token":"1/abc"}', 1, "missing_token_type", args=GENERIC)
token("invalid UTF-8", b'{"access_token":"1/abc","x":"\xff"}', 1, "invalid_utf8")

# ---------------------------------------------------------------- attach
ATTACH = ["attach", "--url", API + "/profiles.json", "--token", T]
case("header placement by default", ATTACH, check=lambda d: eq(d, {
    "method": "GET", "url": API + "/profiles.json", "headers": [["Authorization", "Bearer " + T]], "body": ""}))
case("the guide's query example", [*ATTACH, "--placement", "query"], check=lambda d: (
    eq(d["url"], API + "/profiles.json?access_token=" + T), eq(header(d, "Authorization"), None),
    eq(header(d, "Cache-Control"), "no-store")))
case("query placement keeps query and fragment", ["attach", "--url", API + "/x?a=1#f", "--token", T, "--placement", "query"],
     check=lambda d: eq(d["url"], API + "/x?a=1&access_token=" + T + "#f"))
case("body placement", ["attach", "--url", API + "/updates/create.json", "--token", T, "--placement", "body", "--method", "POST",
                        "--body", "text=Hi+there&profile_ids%5B%5D=4eb854340acb04e870000010",
                        "--content-type", "application/x-www-form-urlencoded"],
     check=lambda d: eq(d["body"], "text=Hi+there&profile_ids%5B%5D=4eb854340acb04e870000010&access_token=" + T))
case("body placement on an empty POST sets the form type", ["attach", "--url", API + "/x", "--token", T, "--placement", "body", "--method", "POST"],
     check=lambda d: (eq(d["body"], "access_token=" + T), eq(header(d, "Content-Type"), "application/x-www-form-urlencoded")))
case("token x+y/z in a body", ["attach", "--url", API + "/x", "--token", "x+y/z", "--placement", "body", "--method", "POST", "--body", "a=1",
                              "--content-type", "application/x-www-form-urlencoded"], check=lambda d: eq(d["body"], "a=1&access_token=x%2By/z"))
case("body placement on GET", [*ATTACH, "--placement", "body"], 1, "form_body_not_allowed")
case("body placement on JSON", ["attach", "--url", API + "/x", "--token", T, "--placement", "body", "--method", "POST", "--body", "{}",
                                "--content-type", "application/json"], 1, "form_body_not_allowed")
case("plain http API", ["attach", "--url", "http://api.bufferapp.com/1/x", "--token", T], 1, "insecure_url")
case("look-alike host", ["attach", "--url", "https://api.bufferapp.com.evil.com/1/x", "--token", T], 1, "token_origin_mismatch")
case("other port", ["attach", "--url", "https://api.bufferapp.com:8443/1/x", "--token", T], 1, "token_origin_mismatch")
case("userinfo", ["attach", "--url", "https://api.bufferapp.com@evil.com/1/x", "--token", T], 1, "invalid_url")
case("token already in the query", ["attach", "--url", API + "/x?access_token=1/old", "--token", T], 1, "token_already_present")
for bad in ["a b", "a\r\nX: 1", "=a", "a=b", "", "ä", "a,b"]:
    case(f"token {bad!r}", ["attach", "--url", API + "/x", "--token", bad], 1, "invalid_token_syntax")
case("token a== is b64token", ["attach", "--url", API + "/x", "--token", "a=="])
case("method with a space", [*ATTACH, "--method", "GET X"], 1, "invalid_argument")
case("loopback API with the opt-in", ["--allow-insecure-loopback", "--authorize-endpoint", "http://127.0.0.1:9/a", "--token-endpoint",
                                      "http://127.0.0.1:9/t", "--api-base", "http://127.0.0.1:9/api/",
                                      "attach", "--url", "http://127.0.0.1:9/api/x", "--token", T])

# ---------------------------------------------------------------- deauthorize-request
case("deauthorize", ["deauthorize-request", "--token", T], check=lambda d: eq(d, {
    "method": "POST", "url": API + "/user/deauthorize.json",
    "headers": [["Accept", "application/json"], ["Authorization", "Bearer " + T]], "body": ""}))
case("deauthorize, token in the query", ["deauthorize-request", "--token", T, "--placement", "query"],
     check=lambda d: eq(d["url"], API + "/user/deauthorize.json?access_token=" + T))
case("deauthorize, invalid token", ["deauthorize-request", "--token", "a b"], 1, "invalid_token_syntax")
case("deauthorize, empty token", ["deauthorize-request", "--token", ""], 1, "invalid_token_syntax")
case("deauthorize, provider without the endpoint", [*GENERIC, "deauthorize-request", "--token", T], 1, "invalid_endpoint")

# ---------------------------------------------------------------- demo and login
code, out, err = run(["demo"])
checks += 1
lines = out.splitlines()
summary = json.loads(lines[-1]) if lines else {}
# Before "…(redacted" only a version prefix ("1/", "1%2F") may show; the
# client secret, verifier and state show nothing at all.
shown_prefixes = re.findall(r"([^\s=&?]*)…\(redacted", out)
leaked = [l for l in lines if re.search(r"(=|Bearer |token )1(/|%2F)[A-Za-z0-9]", l)
          or re.search(r"(client_secret|code_verifier|state)=[^(]", l)]
leaked += [p for p in shown_prefixes if p not in ("1/", "1%2F")]
if code != 0 or summary.get("demo") != "ok" or leaked:
    failures.append("demo")
    print(f"FAIL demo: exit {code}, summary {summary}, unredacted lines {leaked}\n{out}{err}")
elif summary["steps"] != ["authorize", "redirect", "token", "profiles", "deauthorize", "refused"]:
    failures.append("demo steps")
    print(f"FAIL demo steps: {summary['steps']}")

case("login gives up when no browser comes back", ["login", "--client-id", CID, "--client-secret", "s3cr3t", "--port", "0", "--timeout", "1"],
     1, "timeout")

print(f"{checks - len(failures)}/{checks} checks passed")
sys.exit(1 if failures else 0)
