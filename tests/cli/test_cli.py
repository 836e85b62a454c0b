#!/usr/bin/env python3
"""Runs the buffer-oauth binary on the examples of Buffer's guide and on
hostile input, and checks the exit status, the one JSON object on stdout, and
that no secret given on the command line shows where it should not.

Usage: test_cli.py path/to/buffer-oauth
"""
import base64
import hashlib
import http.server
import json
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BINARY = sys.argv[1]
CID = "4e9680c0512f7ed322000000"          # the client_id in Buffer's docs
RU = "https://example.com/back"            # the guide's callback, over HTTPS
CODE = "1/mWot20jTwojsd00jFlaaR45"         # the guide's code
SECRET = "ObkisRtIsdEm9Ja7xghZVwEc3EvoMX9r"  # a synthetic client secret
T = "1/txTTje1v7gZzdnAmEc7hOHBIKZpOccDB"   # a synthetic Buffer-shaped token
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636's example
API = "https://api.bufferapp.com/1"
GENERIC = ["--authorize-endpoint", "https://auth.example/authorize?x=1",
           "--token-endpoint", "https://auth.example/token", "--api-base", "https://api.example/v2/"]

SECRET_OPTIONS = ("--client-secret", "--token", "--code", "--code-verifier", "--refresh-token")
WINDOW = 8        # no run of this many characters of a secret may show
DISTINCTIVE = 16  # a shorter secret could show by chance, so no test uses one

CONFIG_HOME = tempfile.TemporaryDirectory()
os.environ["XDG_CONFIG_HOME"] = CONFIG_HOME.name  # login saves its token: never in the user's own file

failures = []
checks = 0
invocations_with_secrets = 0


def report(name, problems, err=""):
    global checks
    checks += 1
    if problems:
        failures.append(name)
        print(f"FAIL {name}: {'; '.join(problems)}\n     stderr: {err.strip()[:300]}")


def secret_values(args):
    """(option, value) for each secret option in argv, as --opt value or --opt=value."""
    found = []
    for i, arg in enumerate(args):
        option, equals, value = arg.partition("=")
        if option in SECRET_OPTIONS and (equals or i + 1 < len(args)):
            found.append((option, value if equals else args[i + 1]))
    return found


def without_member(out, member):
    """stdout without the JSON member `member`; all of it unless it is one JSON object."""
    try:
        doc = json.loads(out)
    except ValueError:
        return out
    if member is None or not isinstance(doc, dict):
        return out
    doc.pop(member, None)
    return json.dumps(doc, ensure_ascii=False)


def leaks_in(where, text, label, secret):
    runs = [secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1) if secret[i:i + WINDOW] in text]
    return [f"{label} shows in {where} ({len(runs)} of its {WINDOW}-character runs, e.g. {runs[0]!r})"] if runs else []


LEGACY = ["--provider", "buffer-legacy"]
ENDPOINT_OPTIONS = ("--authorize-endpoint", "--token-endpoint", "--api-base")


def as_legacy(args):
    """Most cases follow Buffer's original guide, so they run with the legacy
    profile unless they name a provider or its endpoints."""
    named = any(a.partition("=")[0] in ("--provider", *ENDPOINT_OPTIONS) for a in args)
    return args if named or not args or args[0] == "--help" else [*LEGACY, *args]


def run(args, stdin="", prints=None, secrets=(), browser=None, as_given=False, env=None):
    """Runs the binary once: every invocation goes through here. Returns the
    exit status, stdout, stderr and the leaks, places where WINDOW characters
    of a secret show. A secret option's value may show only in the stdout
    member `prints` names for that option ({"--client-secret": "body"});
    `secrets`, other secrets of the run such as a misspelled option's value,
    nowhere. `browser`, given the running process, returns the stderr it read.
    `as_given` skips as_legacy: the binary's own default provider is used.
    `env`: environment variables to set for this run."""
    global invocations_with_secrets
    data = stdin if isinstance(stdin, bytes) else stdin.encode()
    # Unbuffered, so that what `browser` reads line by line is not also read ahead.
    proc = subprocess.Popen([BINARY, *(args if as_given else as_legacy(args))], bufsize=0, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    err_read = browser(proc) if browser else b""
    out, err = proc.communicate(data, timeout=60)
    out, err = out.decode(), (err_read + err).decode()
    given = [(option, value) for option, value in [*secret_values(args), *(("secret", s) for s in secrets)] if value]
    invocations_with_secrets += bool(given)
    leaks = []
    for option, value in given:
        if len(value) < DISTINCTIVE:
            raise ValueError(f"{option} {value!r}: too short to tell a leak from chance")
        label = f"{option} {value[:4]}..."
        leaks += leaks_in("stdout", without_member(out, (prints or {}).get(option)), label, value)
        leaks += leaks_in("stderr", err, label, value)
    return proc.returncode, out, err, leaks


def case(name, args, expect_exit=0, errc=None, stdin="", check=None, prints=None, secrets=(), stderr_says=None, browser=None,
         env=None, stderr_lacks=None):
    """One invocation. exit 0/1 must print exactly one JSON object on stdout."""
    code, out, err, problems = run(args, stdin, prints, secrets, browser, env=env)
    if stderr_lacks is not None and stderr_lacks in err:
        problems.append(f"stderr says {stderr_lacks!r}")
    if code != expect_exit:
        problems.append(f"exit {code}, want {expect_exit}")
    if stderr_says is not None and stderr_says not in err:
        problems.append(f"stderr does not say {stderr_says!r}")
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
            except (AssertionError, KeyError, IndexError, TypeError) as e:
                problems.append(f"check failed: {e or 'assertion'} in {doc}")
    report(name, problems, err)
    return doc


def eq(a, b):
    assert a == b, f"{a!r} != {b!r}"


def form(body):
    return urllib.parse.parse_qs(body, keep_blank_values=True)


def s256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def without(args, option):
    """args without `option` and its value."""
    i = args.index(option)
    return [*args[:i], *args[i + 2:]]


def with_value(args, option, value):
    """args with `value` given to `option` instead."""
    i = args.index(option)
    return [*args[:i + 1], value, *args[i + 2:]]


def header(doc, name):
    values = [v for n, v in doc["headers"] if n.lower() == name.lower()]
    return values[0] if values else None


# ---------------------------------------------------------------- usage (exit 2)
case("no subcommand", [], 2)
case("unknown subcommand", ["frobnicate"], 2)
def help_case(name, args, mentions):
    code, out, err, problems = run(args)
    if code != 0 or mentions not in out:
        problems.append(f"exit {code}, or the help does not mention {mentions!r}")
    report(name, problems, err)


help_case("help", ["--help"], "authorize-url")
case("missing --client-id", ["authorize-url", "--redirect-uri", RU], 2)
case("--state with --no-state", ["authorize-url", "--client-id", CID, "--redirect-uri", RU, "--state", "s", "--no-state"], 2)
case("--pkce with --code-challenge", ["authorize-url", "--client-id", CID, "--redirect-uri", RU, "--pkce", "--code-challenge", "x"], 2)
case("unknown placement", ["attach", "--url", API + "/profiles.json", "--token", T, "--placement", "cookie"], 2)
case("header without colon", ["parse-token", "--header", "no-colon"], 2)
case("status out of range", ["parse-token", "--status", "42"], 2)
case("a generic provider without the endpoint the subcommand sends to", ["token-request", "--client-id", CID, "--redirect-uri", RU,
     "--code", CODE, "--authorize-endpoint", "https://a/x"], 2, secrets=[CODE],
     stderr_says="a generic provider has no endpoints built in: token-request needs --token-endpoint URL")
case("--provider generic without endpoints", ["--provider", "generic", "authorize-url", "--client-id", CID, "--redirect-uri", RU], 2,
     stderr_says="authorize-url needs --authorize-endpoint URL\n")
case("a generic provider's login needs all three endpoints", ["--token-endpoint", "https://a/t", "login", "--client-id", CID], 2,
     stderr_says="login needs --authorize-endpoint URL and --api-base URL, or --discover ISSUER")
case("authorize-url asks only for the authorize endpoint", ["authorize-url", "--client-id", CID, "--redirect-uri", RU,
                                                             "--authorize-endpoint", "https://a.example/x", "--state", "s"],
     check=lambda d: eq(d["url"].startswith("https://a.example/x?client_id="), True))
case("token-request asks only for the token endpoint", ["--token-endpoint", "https://a.example/t", "token-request", "--client-id", CID,
                                                         "--client-secret", SECRET, "--redirect-uri", RU, "--code", CODE],
     prints={"--code": "body", "--client-secret": "headers"},
     check=lambda d: eq(d["url"], "https://a.example/t"))
case("attach asks only for the API base", ["--api-base", "https://api.example/v2/", "attach", "--url", "https://api.example/v2/me",
                                           "--token", T], prints={"--token": "headers"},
     check=lambda d: eq(header(d, "Authorization"), "Bearer " + T))
case("parse-token with --provider generic needs no endpoint", ["--provider", "generic", "parse-token"],
     stdin='{"access_token":"1/abc","token_type":"bearer"}', check=lambda d: eq(d["access_token"], "1/abc"))
case("--provider buffer with endpoints", ["--provider", "buffer", *GENERIC, "authorize-url", "--client-id", CID, "--redirect-uri", RU], 2,
     stderr_says="--provider buffer has its own endpoints")

# ---------------------------------------------------------------- authorize-url
AUTHZ = ["authorize-url", "--client-id", CID, "--redirect-uri", RU]
case("guide's authorize request, no state: refused, nothing would stop CSRF", [*AUTHZ, "--no-state"], 1,
     "csrf_protection_missing")
case("guide's authorize request, no state, PKCE instead", [*AUTHZ, "--no-state", "--code-challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
     check=lambda d: eq(d, {"url": "https://bufferapp.com/oauth2/authorize?client_id=4e9680c0512f7ed322000000"
                                   "&redirect_uri=https%3A%2F%2Fexample.com%2Fback&response_type=code"
                                   "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"}))
case("explicit state", [*AUTHZ, "--state", "xyz"], check=lambda d: (
    eq(d["state"], "xyz"), eq(d["url"].endswith("&response_type=code&state=xyz"), True),
    eq("code_verifier" in d, False), eq("scope=" in d["url"], False)))
first = case("generated state", AUTHZ, check=lambda d: (
    eq(bool(re.fullmatch(r"[A-Za-z0-9_-]{43}", d["state"])), True),
    eq(d["url"].endswith("&state=" + d["state"]), True)))
second = case("generated state again", AUTHZ)
report("state is fresh each time",
       ["two runs generated the same state"] if not first or not second or first["state"] == second["state"] else [])
case("--pkce: verifier printed, its S256 challenge sent", [*AUTHZ, "--pkce"], check=lambda d: (
    eq(bool(re.fullmatch(r"[A-Za-z0-9_-]{43}", d["code_verifier"])), True),
    eq(f"&code_challenge={s256(d['code_verifier'])}&code_challenge_method=S256" in d["url"], True)))
case("--code-challenge passed through", [*AUTHZ, "--no-state", "--code-challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
     check=lambda d: eq(d["url"].endswith("code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"), True))
case("scope encoded", [*AUTHZ, "--state", "s", "--scope", "read write"], check=lambda d: eq(d["url"].endswith("&scope=read%20write"), True))
case("loopback redirect URI over http", ["authorize-url", "--client-id", CID, "--redirect-uri", "http://127.0.0.1:8765/callback", "--state", "s"])
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


redirect(f"{RU}?code={CODE}", "--no-state", "--pkce", check=code_is(CODE), name="guide's redirect (no state sent, PKCE used)")
redirect(f"{RU}?code={CODE}", "--no-state", expect_exit=1, errc="csrf_protection_missing", name="no state and no PKCE: refused")
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
redirect(f"{RU}?code=1%2Fabc&state=xyz", "--no-state", "--pkce", expect_exit=1, errc="state_mismatch", name="state arrives though none was sent")
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
    redirect(url, "--no-state", "--pkce", expect_exit=1, errc="redirect_uri_mismatch")
redirect("https://example.com@evil.com/back?code=1/abc", "--no-state", "--pkce", expect_exit=1, errc="invalid_url")
redirect(f"{RU}?code=1/a\nb", "--no-state", "--pkce", expect_exit=1, errc="invalid_url", name="raw LF in the URL")
redirect(f"{RU}?code=1%2", "--no-state", "--pkce", expect_exit=1, errc="bad_percent_encoding")
redirect(f"{RU}?code=1%0Aabc", "--no-state", "--pkce", expect_exit=1, errc="invalid_character")
redirect(f"{RU}?code=%C0%AF", "--no-state", "--pkce", expect_exit=1, errc="invalid_utf8")
redirect(f"{RU}?code=1/abc&iss=https%3A%2F%2Fbufferapp.com", "--no-state", "--pkce", expect_exit=1, errc="iss_unexpected")
redirect(f"{RU}?code=1/abc", "--no-state", "--pkce", "--issuer", "https://bufferapp.com", expect_exit=1, errc="iss_missing")
redirect(f"{RU}?code=1/abc&iss=https%3A%2F%2Fbufferapp.com%2F", "--no-state", "--pkce", "--issuer", "https://bufferapp.com", expect_exit=1, errc="iss_mismatch")
redirect(f"{RU}?code=1/abc&iss=https%3A%2F%2Fbufferapp.com", "--no-state", "--pkce", "--issuer", "https://bufferapp.com", check=code_is("1/abc"))
redirect(f"{RU}?" + "a=1&" * 200 + "code=1/abc", "--no-state", "--pkce", expect_exit=1, errc="too_large")

# ---------------------------------------------------------------- token-request
SWAP = ["token-request", "--client-id", CID, "--client-secret", SECRET, "--redirect-uri", RU]
IN_BODY = {"--client-secret": "body", "--code": "body", "--code-verifier": "body"}
case("guide's token request: the code keeps its '/'", [*SWAP, "--code", CODE], prints=IN_BODY, check=lambda d: (
    eq(d["method"], "POST"), eq(d["url"], "https://api.bufferapp.com/1/oauth2/token.json"),
    eq(header(d, "Content-Type"), "application/x-www-form-urlencoded"), eq(header(d, "Accept"), "application/json"),
    eq(header(d, "Authorization"), None),
    eq(d["body"], f"client_id=4e9680c0512f7ed322000000&client_secret={SECRET}&redirect_uri=https%3A%2F%2Fexample.com%2Fback"
                  "&code=1/mWot20jTwojsd00jFlaaR45&grant_type=authorization_code")))
case("a code cannot smuggle parameters", [*SWAP, "--code", CODE + "&grant_type=password"], prints=IN_BODY, check=lambda d: (
    eq(form(d["body"])["grant_type"], ["authorization_code"]), eq(form(d["body"])["code"], [CODE + "&grant_type=password"])))
case("code ending +c= escapes + and =", [*SWAP, "--code", CODE + "+c="], prints=IN_BODY,
     check=lambda d: eq(f"&code={CODE}%2Bc%3D&" in d["body"], True))
case("a code still percent-encoded is refused with the fix", [*SWAP, "--code", "1%2F" + CODE[2:]], 2,
     stderr_says="--code: the code looks percent-encoded; pass it decoded (1/...)")
case("a percent-encoded code without Buffer's prefix", [*SWAP, "--code", "abcdefgh%3D" + CODE[2:]], 2,
     stderr_says="the code looks percent-encoded; pass it decoded, as parse-redirect prints it")
case("a lone % in a code is no escape", [*SWAP, "--code", CODE + "%zz"], prints=IN_BODY,
     check=lambda d: eq(form(d["body"])["code"], [CODE + "%zz"]))
case("secret fully escaped", [*with_value(SWAP, "--client-secret", SECRET + "+q/r=s&t"), "--code", CODE], prints=IN_BODY, check=lambda d: eq(form(d["body"])["client_secret"], [SECRET + "+q/r=s&t"]))
case("PKCE verifier", [*SWAP, "--code", CODE, "--code-verifier", VERIFIER], prints=IN_BODY,
     check=lambda d: eq(form(d["body"])["code_verifier"], [VERIFIER]))
case("generic provider: HTTP Basic, secret in neither body nor plain text", [*GENERIC, *SWAP, "--code", CODE],
     prints={"--code": "body"}, check=lambda d: (
         eq(header(d, "Authorization"), "Basic " + base64.b64encode(f"{CID}:{SECRET}".encode()).decode()),
         eq("client_secret" in d["body"], False), eq(form(d["body"])["code"], [CODE])))
case("empty code", [*SWAP, "--code", ""], 1, "missing_code")
case("code with a newline", [*SWAP, "--code", CODE + "\nX: 1"], 1, "invalid_character")
case("verifier one character short", [*SWAP, "--code", CODE, "--code-verifier", VERIFIER[:42]], 1, "invalid_code_verifier")
case("verifier with '+'", [*SWAP, "--code", CODE, "--code-verifier", VERIFIER[:20] + "+" + VERIFIER[21:]], 1, "invalid_code_verifier")
case("http token endpoint", ["--authorize-endpoint", "https://a.example/x", "--token-endpoint", "http://a.example/t",
                             "--api-base", "https://a.example/", *SWAP, "--code", CODE], 1, "insecure_url")
case("token endpoint with a fragment", ["--authorize-endpoint", "https://a.example/x", "--token-endpoint", "https://a.example/t#f",
                                        "--api-base", "https://a.example/", *SWAP, "--code", CODE], 1, "invalid_endpoint")

# ---------------------------------------------------------------- parse-token
def token(name, body, expect_exit=0, errc=None, args=(), check=None):
    return case(f"parse-token {name}", ["parse-token", *args], expect_exit, errc, stdin=body, check=check)


token("Buffer's answer: only access_token, escaped solidus", '{"access_token":"%s"}' % T.replace("/", "\\/"),
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
case("header placement by default", ATTACH, prints={"--token": "headers"}, check=lambda d: eq(d, {
    "method": "GET", "url": API + "/profiles.json", "headers": [["Authorization", "Bearer " + T]], "body": ""}))
case("the guide's query example", [*ATTACH, "--placement", "query"], prints={"--token": "url"}, check=lambda d: (
    eq(d["url"], API + "/profiles.json?access_token=" + T), eq(header(d, "Authorization"), None),
    eq(header(d, "Cache-Control"), "no-store")))
case("query placement keeps query and fragment", ["attach", "--url", API + "/x?a=1#f", "--token", T, "--placement", "query"],
     prints={"--token": "url"}, check=lambda d: eq(d["url"], API + "/x?a=1&access_token=" + T + "#f"))
case("body placement", ["attach", "--url", API + "/updates/create.json", "--token", T, "--placement", "body", "--method", "POST",
                        "--body", "text=Hi+there&profile_ids%5B%5D=4eb854340acb04e870000010",
                        "--content-type", "application/x-www-form-urlencoded"], prints={"--token": "body"},
     check=lambda d: eq(d["body"], "text=Hi+there&profile_ids%5B%5D=4eb854340acb04e870000010&access_token=" + T))
case("body placement on an empty POST sets the form type", ["attach", "--url", API + "/x", "--token", T, "--placement", "body", "--method", "POST"],
     prints={"--token": "body"}, check=lambda d: (eq(d["body"], "access_token=" + T), eq(header(d, "Content-Type"), "application/x-www-form-urlencoded")))
case("token ending +y/z in a body", ["attach", "--url", API + "/x", "--token", T + "+y/z", "--placement", "body", "--method", "POST",
                                    "--body", "a=1", "--content-type", "application/x-www-form-urlencoded"],
     prints={"--token": "body"}, check=lambda d: eq(d["body"], f"a=1&access_token={T}%2By/z"))
case("body placement on GET", [*ATTACH, "--placement", "body"], 1, "form_body_not_allowed")
case("body placement on JSON", ["attach", "--url", API + "/x", "--token", T, "--placement", "body", "--method", "POST", "--body", "{}",
                                "--content-type", "application/json"], 1, "form_body_not_allowed")
case("plain http API", ["attach", "--url", "http://api.bufferapp.com/1/x", "--token", T], 1, "insecure_url")
case("look-alike host", ["attach", "--url", "https://api.bufferapp.com.evil.com/1/x", "--token", T], 1, "token_origin_mismatch")
case("other port", ["attach", "--url", "https://api.bufferapp.com:8443/1/x", "--token", T], 1, "token_origin_mismatch")
case("userinfo", ["attach", "--url", "https://api.bufferapp.com@evil.com/1/x", "--token", T], 1, "invalid_url")
case("token already in the query", ["attach", "--url", API + "/x?access_token=1/old", "--token", T], 1, "token_already_present")
for what, bad in [("a space", T + " x"), ("CRLF", T + "\r\nX: 1"), ("= first", "=" + T), ("= inside", T[:10] + "=" + T[10:]),
                  ("empty", ""), ("non-ASCII", "ä" + T), ("a comma", T + "," + T)]:
    case(f"token with {what}", ["attach", "--url", API + "/x", "--token", bad], 1, "invalid_token_syntax")
case("token ending == is b64token", ["attach", "--url", API + "/x", "--token", T + "=="], prints={"--token": "headers"})
case("method with a space", [*ATTACH, "--method", "GET X"], 1, "invalid_argument")
case("loopback API with the opt-in", ["--allow-insecure-loopback", "--authorize-endpoint", "http://127.0.0.1:9/a", "--token-endpoint",
                                      "http://127.0.0.1:9/t", "--api-base", "http://127.0.0.1:9/api/",
                                      "attach", "--url", "http://127.0.0.1:9/api/x", "--token", T], prints={"--token": "headers"})

# ---------------------------------------------------------------- deauthorize-request
case("deauthorize", ["deauthorize-request", "--token", T], prints={"--token": "headers"}, check=lambda d: eq(d, {
    "method": "POST", "url": API + "/user/deauthorize.json",
    "headers": [["Accept", "application/json"], ["Authorization", "Bearer " + T]], "body": ""}))
case("deauthorize, token in the query", ["deauthorize-request", "--token", T, "--placement", "query"], prints={"--token": "url"},
     check=lambda d: eq(d["url"], API + "/user/deauthorize.json?access_token=" + T))
case("deauthorize, invalid token", ["deauthorize-request", "--token", T + " x"], 1, "invalid_token_syntax")
case("deauthorize, empty token", ["deauthorize-request", "--token", ""], 1, "invalid_token_syntax")
case("deauthorize, provider without the endpoint", [*GENERIC, "deauthorize-request", "--token", T], 1, "invalid_endpoint")

# ---------------------------------------------------------------- discovery (RFC 8414, OpenID Connect)
CURRENT = ["--provider", "buffer"]
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
RFC8414_DOC = (FIXTURES / "buffer-oauth-authorization-server.json").read_text()
OIDC_DOC = (FIXTURES / "buffer-openid-configuration.json").read_text()
AUTH = "https://auth.buffer.com"
ACCEPT_JSON = [["Accept", "application/json"]]


def get_of(url):
    return lambda d: eq(d, {"method": "GET", "url": url, "headers": ACCEPT_JSON, "body": ""})


case("metadata-request: Buffer's RFC 8414 document by default", [*CURRENT, "metadata-request"],
     check=get_of(AUTH + "/.well-known/oauth-authorization-server"))
case("metadata-request --oidc", [*CURRENT, "metadata-request", "--oidc"], check=get_of(AUTH + "/.well-known/openid-configuration"))
case("metadata-request: RFC 8414 puts the well-known name before the issuer's path",
     [*CURRENT, "metadata-request", "--issuer", "https://as.example/tenant1/"],
     check=get_of("https://as.example/.well-known/oauth-authorization-server/tenant1"))
case("metadata-request --oidc appends to the issuer's path", [*CURRENT, "metadata-request", "--oidc", "--issuer", "https://as.example/tenant1"],
     check=get_of("https://as.example/tenant1/.well-known/openid-configuration"))
case("metadata-request: the global --issuer serves too", [*CURRENT, "--issuer", "https://as.example", "metadata-request"],
     check=get_of("https://as.example/.well-known/oauth-authorization-server"))
case("metadata-request, legacy: it has no issuer, --issuer is needed", ["metadata-request"], 2, stderr_says="--issuer")
case("metadata-request, legacy with --issuer", ["metadata-request", "--issuer", AUTH],
     check=get_of(AUTH + "/.well-known/oauth-authorization-server"))
case("metadata-request, plain http issuer", [*CURRENT, "metadata-request", "--issuer", "http://as.example"], 1, "insecure_url")
case("metadata-request, loopback http issuer with the opt-in", [*CURRENT, "--allow-insecure-loopback", "metadata-request", "--issuer",
                                                                "http://127.0.0.1:3000"],
     check=get_of("http://127.0.0.1:3000/.well-known/oauth-authorization-server"))
case("metadata-request, issuer with a query", [*CURRENT, "metadata-request", "--issuer", AUTH + "?x=1"], 1, "invalid_endpoint")


def metadata(name, args, doc, expect_exit=0, errc=None, check=None):
    return case(f"parse-metadata {name}", [*args, "parse-metadata"], expect_exit, errc, stdin=doc, check=check)


BUFFER_ENDPOINTS = {"authorize_endpoint": AUTH + "/auth", "token_endpoint": AUTH + "/token", "revocation_endpoint": AUTH + "/token/revocation",
                    "registration_endpoint": AUTH + "/reg"}
metadata("Buffer's RFC 8414 document over buffer: a public-only provider", CURRENT, RFC8414_DOC, check=lambda d: eq(d, {
    "name": "buffer", **BUFFER_ENDPOINTS, "deauthorize_endpoint": None, "api_base": "https://api.buffer.com/", "issuer": AUTH,
    "authentication": "client_secret_post", "public_clients": True, "confidential_clients": False, "pkce": True, "pkce_required": True,
    "api": "graphql"}))
metadata("Buffer's OpenID document over buffer: public and confidential clients", CURRENT, OIDC_DOC, check=lambda d: (
    eq(d["public_clients"], True), eq(d["confidential_clients"], True), eq(d["authentication"], "client_secret_post"),
    eq({k: d[k] for k in BUFFER_ENDPOINTS}, BUFFER_ENDPOINTS), eq(d["issuer"], AUTH)))
metadata("Buffer's OpenID document over buffer-legacy keeps legacy's API and deauthorize endpoint", ["--issuer", AUTH], OIDC_DOC,
         check=lambda d: (eq(d["name"], "buffer-legacy"), eq(d["api"], "buffer_v1"), eq(d["api_base"], API + "/"),
                          eq(d["deauthorize_endpoint"], API + "/user/deauthorize.json"), eq(d["pkce"], True), eq(d["pkce_required"], False),
                          eq(d["token_endpoint"], AUTH + "/token")))
metadata("another issuer's document", [*CURRENT, "--issuer", "https://as.example"], RFC8414_DOC, 1, "metadata_issuer_mismatch")
case("parse-metadata --issuer after the subcommand", [*CURRENT, "parse-metadata", "--issuer", "https://as.example"], 1,
     "metadata_issuer_mismatch", stdin=RFC8414_DOC)
case("parse-metadata --issuer for another issuer's own document", [*CURRENT, "parse-metadata", "--issuer", "https://as.example"],
     stdin=RFC8414_DOC.replace('"issuer": "https://auth.buffer.com"', '"issuer": "https://as.example"'),
     check=lambda d: (eq(d["issuer"], "https://as.example"), eq(d["token_endpoint"], AUTH + "/token")))
metadata("issuer differs by a trailing slash", [*CURRENT, "--issuer", AUTH + "/"], RFC8414_DOC, 1, "metadata_issuer_mismatch")
metadata("without iss support the issuer is not required on redirects", CURRENT,
         RFC8414_DOC.replace('"authorization_response_iss_parameter_supported": true', '"authorization_response_iss_parameter_supported": false'),
         check=lambda d: eq(d["issuer"], None))
metadata("no S256 for a provider that requires PKCE", CURRENT, RFC8414_DOC.replace('["S256"]', '["plain"]'), 1, "pkce_not_supported")
metadata("no token endpoint", CURRENT, RFC8414_DOC.replace('"token_endpoint"', '"x_token_endpoint"'), 1, "missing_member")
metadata("plain http revocation endpoint", CURRENT, RFC8414_DOC.replace("https://auth.buffer.com/token/revocation", "http://auth.buffer.com/r"),
         1, "insecure_url")
case("parse-metadata, HTTP 404", [*CURRENT, "parse-metadata", "--status", "404"], 1, "http_error", stdin="<html>Not Found</html>")
metadata("an HTML page", CURRENT, "<html></html>", 1, "not_json")
metadata("legacy without --issuer", [], RFC8414_DOC, 2)

# ---------------------------------------------------------------- registration (RFC 7591)
LOOPBACK = "http://127.0.0.1/callback"
REG = [*CURRENT, "registration-request", "--redirect-uri", LOOPBACK]
case("registration-request: the reference's native client", [*REG, "--client-name", "My CLI", "--scope", "posts:read offline_access"],
     check=lambda d: eq(d, {"method": "POST", "url": AUTH + "/reg",
                            "headers": [["Content-Type", "application/json"], ["Accept", "application/json"]],
                            "body": '{"redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none",'
                                    '"grant_types":["authorization_code","refresh_token"],"response_types":["code"],'
                                    '"application_type":"native","client_name":"My CLI","scope":"posts:read offline_access"}'}))
case("registration-request, two redirect URIs, a UTF-8 name", [*REG, "--redirect-uri", "http://[::1]:8765/cb", "--client-name", 'Ünï "cli"'],
     check=lambda d: (eq(json.loads(d["body"])["redirect_uris"], [LOOPBACK, "http://[::1]:8765/cb"]),
                      eq(json.loads(d["body"])["client_name"], 'Ünï "cli"')))
case("registration-request, legacy has no registration endpoint", ["registration-request", "--redirect-uri", LOOPBACK], 1, "invalid_endpoint")
case("registration-request, --registration-endpoint", [*CURRENT, "--registration-endpoint", "https://as.example/register", *REG[2:]],
     check=lambda d: eq(d["url"], "https://as.example/register"))
case("registration-request, plain http --registration-endpoint", [*CURRENT, "--registration-endpoint", "http://as.example/r", *REG[2:]],
     1, "insecure_url")
case("registration-request, an https redirect URI", [*CURRENT, "registration-request", "--redirect-uri", RU], 1, "invalid_redirect_uri")
case("registration-request, http://localhost", [*CURRENT, "registration-request", "--redirect-uri", "http://localhost/cb"], 1, "insecure_url")
case("registration-request, a redirect URI twice", [*REG, "--redirect-uri", LOOPBACK], 1, "invalid_redirect_uri")
case("registration-request, scope with a quote", [*REG, "--scope", 'a"b'], 1, "invalid_character")
case("registration-request without --redirect-uri", [*CURRENT, "registration-request"], 2)

RAT = "reg-access-token-5f2b8e0c9d1a4b7e"    # a synthetic registration_access_token
CLIENT_SECRET = "issued-secret-9a8b7c6d5e4f3a2b1c"
PARSE_REG = [*CURRENT, "parse-registration", "--redirect-uri", LOOPBACK]
case("parse-registration: the secret printed, the registration_access_token redacted", PARSE_REG, secrets=[RAT],
     stdin=json.dumps({"client_id": "cli-4f1e", "client_secret": CLIENT_SECRET, "client_secret_expires_at": 0,
                       "registration_access_token": RAT, "registration_client_uri": AUTH + "/reg/cli-4f1e",
                       "redirect_uris": [LOOPBACK], "token_endpoint_auth_method": "none"}),
     check=lambda d: eq(d, {"client_id": "cli-4f1e", "client_secret": CLIENT_SECRET, "client_secret_expires_at": 0,
                            "registration_client_uri": AUTH + "/reg/cli-4f1e", "registration_access_token": "[redacted, 33 bytes]"}))
case("parse-registration: a public client", PARSE_REG, stdin='{"client_id":"cli-4f1e","token_endpoint_auth_method":"none"}',
     check=lambda d: eq(d, {"client_id": "cli-4f1e"}))
case("parse-registration: refused", [*PARSE_REG, "--status", "400"], 1, "registration_refused",
     stdin='{"error":"invalid_redirect_uri","error_description":"redirect_uris must be loopback"}',
     check=lambda d: (eq(d["error"], "invalid_redirect_uri"), eq(d["http_status"], 400)))
case("parse-registration: 429 with Retry-After", [*PARSE_REG, "--status", "429", "--header", "Retry-After: 120"], 1, "rate_limited",
     check=lambda d: eq(d["retry_after"], 120))
case("parse-registration: HTTP 200 is not a registration", [*PARSE_REG, "--status", "200"], 1, "http_error", stdin='{"client_id":"x"}')
case("parse-registration: no client_id", PARSE_REG, 1, "missing_member", stdin='{"client_secret":"%s"}' % CLIENT_SECRET)
case("parse-registration: other redirect URIs registered", PARSE_REG, 1, "redirect_uri_mismatch",
     stdin='{"client_id":"x","redirect_uris":["http://127.0.0.1/other"]}')
case("parse-registration without --redirect-uri", [*CURRENT, "parse-registration"], 2, stdin='{"client_id":"x"}')

# ---------------------------------------------------------------- revocation (RFC 7009)
REFRESH_T = "rt-Kq3vZ8mN1pW6xY2sD4fG7hJ9"  # a synthetic refresh token
REVOKE = [*CURRENT, "revocation-request", "--token", REFRESH_T, "--token-type-hint", "refresh_token", "--client-id", CID]
case("revocation-request: a public client", REVOKE, prints={"--token": "body"}, check=lambda d: eq(d, {
    "method": "POST", "url": AUTH + "/token/revocation",
    "headers": [["Content-Type", "application/x-www-form-urlencoded"], ["Accept", "application/json"]],
    "body": f"client_id={CID}&token={REFRESH_T}&token_type_hint=refresh_token"}))
case("revocation-request: a confidential client posts its secret", [*REVOKE, "--client-secret", SECRET],
     prints={"--token": "body", "--client-secret": "body"},
     check=lambda d: eq(form(d["body"]), {"client_id": [CID], "client_secret": [SECRET], "token": [REFRESH_T], "token_type_hint": ["refresh_token"]}))
case("revocation-request: no hint", without(REVOKE, "--token-type-hint"), prints={"--token": "body"},
     check=lambda d: eq("token_type_hint" in d["body"], False))
case("revocation-request, legacy has no revocation endpoint", REVOKE[2:], 1, "invalid_endpoint")
case("revocation-request, generic provider with --revocation-endpoint: HTTP Basic",
     [*GENERIC, "--revocation-endpoint", "https://auth.example/revoke", *REVOKE[2:], "--client-secret", SECRET],
     prints={"--token": "body"}, check=lambda d: (
         eq(d["url"], "https://auth.example/revoke"),
         eq(header(d, "Authorization"), "Basic " + base64.b64encode(f"{CID}:{SECRET}".encode()).decode())))
case("revocation-request, a token with a newline", with_value(REVOKE, "--token", REFRESH_T + "\nX: 1"), 1, "invalid_token_syntax")
case("revocation-request, unknown hint", with_value(REVOKE, "--token-type-hint", "id_token"), 2)
case("revocation-request without --client-id", without(REVOKE, "--client-id"), 2)

case("parse-revocation: HTTP 200, empty body", [*CURRENT, "parse-revocation"], check=lambda d: eq(d, {"revoked": True}))
case("parse-revocation: unsupported_token_type", [*CURRENT, "parse-revocation", "--status", "400"], 1, "token_error",
     stdin='{"error":"unsupported_token_type"}', check=lambda d: eq(d["error"], "unsupported_token_type"))
case("parse-revocation: 503 with a Retry-After date", [*CURRENT, "parse-revocation", "--status", "503",
                                                      "--header", "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT"], 1, "rate_limited",
     check=lambda d: (eq(d["retry_after_date"], "Sun, 06 Nov 1994 08:49:37 GMT"), eq("retry_after" in d, False)))
case("parse-revocation: 429 with Retry-After", [*CURRENT, "parse-revocation", "--status", "429", "--header", "Retry-After: 5"], 1,
     "rate_limited", check=lambda d: eq(d["retry_after"], 5))
case("parse-revocation, header without a colon", [*CURRENT, "parse-revocation", "--header", "Retry-After 5"], 2)

# ---------------------------------------------------------------- refresh (RFC 6749 §6)
NEW_REFRESH_T = "rt-Lm4nB8vC2xZ6aS1dF5gH9jK3"
REFRESH_REQ = [*CURRENT, "refresh-request", "--refresh-token", REFRESH_T, "--client-id", CID]
case("refresh-request: a public client", REFRESH_REQ, prints={"--refresh-token": "body"}, check=lambda d: (
    eq(d["url"], AUTH + "/token"), eq(header(d, "Authorization"), None),
    eq(form(d["body"]), {"client_id": [CID], "grant_type": ["refresh_token"], "refresh_token": [REFRESH_T]})))
case("refresh-request: narrower scope", [*REFRESH_REQ, "--scope", "account:read"], prints={"--refresh-token": "body"},
     check=lambda d: eq(form(d["body"])["scope"], ["account:read"]))
case("refresh-request, generic provider: HTTP Basic", [*GENERIC, *REFRESH_REQ[2:], "--client-secret", SECRET],
     prints={"--refresh-token": "body"}, check=lambda d: (
         eq(header(d, "Authorization"), "Basic " + base64.b64encode(f"{CID}:{SECRET}".encode()).decode()),
         eq("client_secret" in d["body"], False)))
case("refresh-request, a refresh token with a newline", with_value(REFRESH_REQ, "--refresh-token", REFRESH_T + "\nX: 1"), 1,
     "invalid_token_syntax")
case("refresh-request without --refresh-token", without(REFRESH_REQ, "--refresh-token"), 2)
case("refresh-request without --client-id", without(REFRESH_REQ, "--client-id"), 2)

PARSE_REFRESH = [*CURRENT, "parse-refresh", "--refresh-token", REFRESH_T]
case("parse-refresh: a new refresh token came, rotated", PARSE_REFRESH, secrets=[NEW_REFRESH_T],
     stdin=json.dumps({"access_token": T, "token_type": "Bearer", "expires_in": 3600, "refresh_token": NEW_REFRESH_T}),
     prints={"secret": "refresh_token"}, check=lambda d: (
         eq(d["refresh_token"], NEW_REFRESH_T), eq(d["refresh_token_rotated"], True), eq(d["expires_in"], 3600)))
case("parse-refresh: no refresh token in the answer, the previous one kept", PARSE_REFRESH, prints={"--refresh-token": "refresh_token"},
     stdin=json.dumps({"access_token": T, "token_type": "Bearer"}), check=lambda d: (
         eq(d["refresh_token"], REFRESH_T), eq(d["refresh_token_rotated"], False)))
case("parse-refresh: the same refresh token again, not rotated", PARSE_REFRESH, prints={"--refresh-token": "refresh_token"},
     stdin=json.dumps({"access_token": T, "token_type": "Bearer", "refresh_token": REFRESH_T}),
     check=lambda d: eq(d["refresh_token_rotated"], False))
case("parse-refresh: invalid_grant", [*PARSE_REFRESH, "--status", "400"], 1, "token_error",
     stdin='{"error":"invalid_grant","error_description":"grant request is invalid"}', check=lambda d: eq(d["error"], "invalid_grant"))
case("parse-refresh: a 429 is rate_limited whatever its body, so a session holds off", [*PARSE_REFRESH, "--status", "429"], 1, "rate_limited",
     stdin='{"error":"slow_down"}', check=lambda d: eq(d["http_status"], 429))

# ---------------------------------------------------------------- parse-api-response (GraphQL and v1)
def api(name, args, body, expect_exit=0, errc=None, check=None):
    return case(f"parse-api-response {name}", [*args[:2], "parse-api-response", *args[2:]], expect_exit, errc, stdin=body, check=check)


def graphql_error(code=None, message="Not allowed", **extensions):
    ext = {"code": code, **extensions} if code else {}
    return json.dumps({"data": None, "errors": [{"message": message, **({"extensions": ext} if ext else {})}]})


api("GraphQL data", CURRENT, '{"data":{"account":{"id":"5f2b"}}}', check=lambda d: eq(d, {"ok": True}))
api("GraphQL UNAUTHORIZED under HTTP 200", CURRENT, graphql_error("UNAUTHORIZED"), 1, "token_rejected",
    check=lambda d: eq(d["api_error_code"], "UNAUTHORIZED"))
api("anonymous request: 401 UNAUTHENTICATED", [*CURRENT, "--status", "401"],
    graphql_error("UNAUTHENTICATED", "An authentication JWT or Access Token is required"), 1, "token_rejected")
api("429 RATE_LIMIT_EXCEEDED with Retry-After and window", [*CURRENT, "--status", "429", "--header", "Retry-After: 900"],
    graphql_error("RATE_LIMIT_EXCEEDED", "Too many requests", window="15m"), 1, "rate_limited",
    check=lambda d: (eq(d["retry_after"], 900), eq(d["rate_limit_window"], "15m"), eq(d["api_error_code"], "RATE_LIMIT_EXCEEDED"),
                     eq(d["http_status"], 429)))
for code in ["FORBIDDEN", "NOT_FOUND", "UNEXPECTED"]:
    api(f"GraphQL {code}", CURRENT, graphql_error(code), 1, "api_error", check=lambda d, code=code: eq(d["api_error_code"], code))
api("a query limit: no extensions.code", CURRENT, graphql_error(message="Query is too complex"), 1, "api_error",
    check=lambda d: (eq("api_error_code" in d, False), eq(d["error_description"], "Query is too complex")))
api("GraphQL without data or errors", CURRENT, "{}", 1, "missing_member")
api("HTML 502", [*CURRENT, "--status", "502"], "<html>Bad Gateway</html>", 1, "http_error")
api("v1 answer on legacy", LEGACY, '[{"id":"4eb854340acb04e870000010"}]', check=lambda d: eq(d, {"ok": True}))
api("v1 envelope on legacy", [*LEGACY, "--status", "403"], '{"success":false,"code":1001,"message":"Access token required."}', 1,
    "token_rejected", check=lambda d: eq(d["api_code"], 1001))
api("v1 429 on legacy: the v1 check reads no rate limit", [*LEGACY, "--status", "429", "--header", "Retry-After: 60"], "{}", 1,
    "http_error", check=lambda d: eq(d["http_status"], 429))
case("parse-api-response, status out of range", [*CURRENT, "parse-api-response", "--status", "600"], 2)

# ---------------------------------------------------------------- demo and login
code, out, err, problems = run(["demo"])  # as_legacy: --provider buffer-legacy
lines = out.splitlines()
summary = json.loads(lines[-1]) if lines else {}
# Before "[redacted, N bytes]" only a version prefix ("1/", "1%2F") may show;
# the client secret, verifier and state show nothing at all.
shown_prefixes = re.findall(r"([^\s=&?]*)\[redacted, \d+ bytes\]", out)
leaked = [l for l in lines if re.search(r"(=|Bearer |token )1(/|%2F)[A-Za-z0-9]", l)
          or re.search(r"(client_secret|code_verifier|state)=[^\[]", l)]
leaked += [p for p in shown_prefixes if p not in ("", "1/", "1%2F")]
redacted_codes = re.findall(r"(?:code=|Bearer |access token )1(?:/|%2F)\[redacted, \d+ bytes\]", out)
if len(redacted_codes) < 4:  # redirect, token body, token answer, and the call after revocation
    leaked.append(f"only {len(redacted_codes)} redacted codes and tokens shown with their version prefix")
if code != 0 or summary.get("demo") != "ok" or leaked:
    problems.append(f"exit {code}, summary {summary}, unredacted lines {leaked}\n{out}")
elif summary["steps"] != ["authorize", "redirect", "token", "profiles", "deauthorize", "refused"]:
    problems.append(f"steps {summary['steps']}")
elif summary.get("api") != "legacy":
    problems.append(f"api {summary.get('api')!r}, want 'legacy'")
report("demo", problems, err)

CURRENT_STEPS = ["authorize", "redirect", "token", "graphql", "refresh", "revoke", "refused", "reuse"]
# The current API's codes and tokens have no prefix: every one is redacted whole.
SECRET_SHOWN = re.compile(r"\b(code|state|code_verifier|refresh_token|token|access_token)=(?!\[redacted)"
                          r"|(Bearer|access token|refresh token) [A-Za-z0-9_-]{20}")
for name, args, as_given in [("demo --provider buffer", ["demo", "--provider", "buffer"], False),
                             ("demo with no provider: the current API", ["demo"], True)]:
    code, out, err, problems = run(args, as_given=as_given)
    lines = out.splitlines()
    summary = json.loads(lines[-1]) if lines else {}
    leaked = [l for l in lines if SECRET_SHOWN.search(l)]
    redacted = len(re.findall(r"\[redacted, 43 bytes\]", out))
    if redacted != 14:  # state and code twice each, the verifier, 2 access tokens, 2 Bearer headers, 5 refresh tokens
        leaked.append(f"only {redacted} redacted values")
    for shown in ["prompt=consent", "code_challenge_method=S256", "iss=", "scope=account%3Aread%20offline_access",
                  "invalid_grant", '"UNAUTHORIZED"', "token_rejected"]:
        if shown not in out:
            problems.append(f"{shown!r} not shown")
    if "client_secret" in out:
        problems.append("a public client sent a client_secret")
    if code != 0 or summary.get("demo") != "ok" or leaked:
        problems.append(f"exit {code}, summary {summary}, unredacted lines {leaked}\n{out}")
    elif summary["steps"] != CURRENT_STEPS or summary.get("api") != "current":
        problems.append(f"steps {summary['steps']}, api {summary.get('api')!r}")
    report(name, problems, err)
case("demo --provider generic", ["--provider", "generic", "demo"], 2, stderr_says="--provider buffer-legacy")
case("demo against given endpoints", [*GENERIC, "demo"], 2, stderr_says="--provider buffer-legacy")

LOGIN = ["login", "--client-id", CID, "--client-secret", SECRET, "--port", "0", "--timeout", "1"]
case("login gives up when no browser comes back", LOGIN, 1, "timeout")
case("login with a newline in the secret, no browser", with_value(LOGIN, "--client-secret", SECRET + "\nX"), 1, "timeout")
case("login without --client-id", without(LOGIN, "--client-id"), 2)
case("login, a port that is no number", with_value(LOGIN, "--port", "x"), 2)
case("login, empty client_id", with_value(LOGIN, "--client-id", ""), 1, "invalid_client_id")
case("login as a public client: no secret needed", ["--provider", "buffer", *without(LOGIN, "--client-secret")], 1, "timeout")
case("login, buffer-legacy without a secret", ["--provider", "buffer-legacy", *without(LOGIN, "--client-secret")], 2,
     stderr_says="--client-secret")
case("login --register with a client_id", [*LOGIN, "--register"], 2)
case("login --cacert that does not exist", ["--cacert", "/nonexistent/ca.pem", *LOGIN], 2, stderr_says="--cacert")
case("login --cacert that is a folder", ["--cacert", "/", *LOGIN], 2, stderr_says="--cacert")
case("login, --api-base alone", ["--api-base", "https://a.example/", *LOGIN], 2, stderr_says="--discover")
case("login --discover with an endpoint", ["--discover", "https://a.example", "--token-endpoint", "https://a.example/t",
                                           *LOGIN], 2)
case("login --discover, plain http issuer", ["--discover", "http://a.example", *LOGIN], 1, "insecure_url")
case("login, plain http authorize endpoint", ["--authorize-endpoint", "http://a.example/x", "--token-endpoint", "https://a.example/t",
                                              "--api-base", "https://a.example/", *LOGIN], 1, "insecure_url")


class TokenEndpoint(http.server.BaseHTTPRequestHandler):
    """Answers every POST with the server's `answer`: (status, JSON body),
    and every GET, an API call, with the first of `api` (the last one stays)."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send(*self.server.answer)

    def do_GET(self):
        self.server.authorizations.append(self.headers.get("Authorization", ""))
        self.send(*(self.server.api.pop(0) if len(self.server.api) > 1 else self.server.api[0]))

    def send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


def approving_browser(code, state=None, code_name="code", strays=()):
    """Reads login's stderr up to the authorization URL, then comes back to
    its redirect_uri with `code` and the state (or `state`), as the provider
    would send the user. `code_name` is the parameter name as it is written
    in the redirect's query. Before that it sends `strays`, states that are
    not the login's (None: no state at all). The HTTP status of each request
    is kept in the returned function's `statuses`."""
    def visit(url):
        try:
            return urllib.request.urlopen(url, timeout=30).status
        except urllib.error.HTTPError as e:
            return e.code

    def approve(proc):
        read = b""
        while line := proc.stderr.readline():
            read += line
            if line.startswith(b"http"):
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(line.decode().strip()).query)
                callback = query["redirect_uri"][0] + f"?{code_name}=" + urllib.parse.quote(code, safe="")
                for stray in strays:
                    approve.statuses.append(visit(callback + ("&" + urllib.parse.urlencode({"state": stray}) if stray else "")))
                if state != "":
                    approve.statuses.append(visit(callback + "&" + urllib.parse.urlencode({"state": state or query["state"][0]})))
                break
        return read
    approve.statuses = []
    return approve


provider = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TokenEndpoint)
threading.Thread(target=provider.serve_forever, daemon=True).start()
LOCAL = f"http://127.0.0.1:{provider.server_port}"
LOCAL_LOGIN = ["--allow-insecure-loopback", "--authorize-endpoint", LOCAL + "/authorize", "--token-endpoint", LOCAL + "/token",
               "--api-base", LOCAL + "/", *with_value(LOGIN, "--timeout", "30")]
REFRESH = "1/yQe4Nw8LcV2bR6tKz9PfH3mJd7sA5gUx"
provider.answer = (200, {"access_token": T, "token_type": "bearer", "refresh_token": REFRESH})
case("login the whole way: token and refresh token redacted", LOCAL_LOGIN, secrets=[CODE, T, REFRESH], browser=approving_browser(CODE),
     check=lambda d: eq(d["token_type"], "bearer"))
case("login, the code under a percent-encoded name (c%6Fde=): taken, and never shown", LOCAL_LOGIN, secrets=[CODE, T, REFRESH],
     browser=approving_browser(CODE, code_name="c%6Fde"), stderr_says="Redirect received: ", check=lambda d: (
         eq(d["access_token"], "1/[redacted, 32 bytes]"), eq(d["refresh_token"], "1/[redacted, 32 bytes]")))
stray_then_real = approving_browser(CODE, strays=["forged-state-of-an-attacker", None])
case("login: requests to the callback without its state are answered 400 and ignored, then the real one logs in", LOCAL_LOGIN,
     secrets=[CODE, T, REFRESH], browser=stray_then_real, stderr_says="Ignored a request without this login's state",
     check=lambda d: (eq(stray_then_real.statuses, [400, 400, 200]), eq(d["token_type"], "bearer")))
strays_only = approving_browser(CODE, state="", code_name="c%6Fde", strays=["forged-state-of-an-attacker"])
case("login, c%6Fde= with a state that is not ours: ignored, the code never shown, the login waits until its timeout",
     with_value(LOCAL_LOGIN, "--timeout", "2"), 1, "timeout", secrets=[CODE], browser=strays_only,
     stderr_says="c%6Fde=1%2F[redacted, 23 bytes]", check=lambda d: eq(strays_only.statuses, [400]))
provider.answer = (400, {"error": "invalid_client", "error_description": "The client credentials are invalid"})
case("login the whole way, the provider refuses the client", LOCAL_LOGIN, 1, "token_error", secrets=[CODE],
     browser=approving_browser(CODE))
# ---------------------------------------------------------------- the credentials file: login, call, refresh, logout
CREDS = os.path.join(CONFIG_HOME.name, "kept", "credentials")
STORED = ["--credentials", CREDS, "--client-secret", SECRET]  # the login's client has a secret: never stored
T2, REFRESH2 = "1/Zb7Xq2Lw9Nc4Vt6Rm1Ks8Hd3Jf5Gp0Ya", "1/Pq8Wn3Ez6Ry1Tu4Io7Ap2Sd5Fg9Hj0Kl"
TOKENS = [T, REFRESH, T2, REFRESH2]
CALL = ["call", LOCAL + "/profiles.json", *STORED]
REJECTED = (403, {"success": False, "code": 1001, "message": "Access token required."})
provider.authorizations, provider.api = [], [(200, {"id": "4eb854340acb04e870000010"})]


def answer_tokens(access, refresh, expires_in=3600):
    provider.answer = (200, {"access_token": access, "token_type": "bearer", "refresh_token": refresh, "expires_in": expires_in})


def stored_lines():
    return pathlib.Path(CREDS).read_text().splitlines()


def stored_generation():
    return int(urllib.parse.parse_qs(stored_lines()[0][len("boc1."):])["generation"][0])


def kept(name, args, expect_exit=0, errc=None, check=None):
    return case(name, args, expect_exit, errc, secrets=TOKENS, check=check)


answer_tokens(T, REFRESH, expires_in=1)
LOGIN_KEPT = [*LOCAL_LOGIN, "--revocation-endpoint", LOCAL + "/revoke", "--credentials", CREDS]
case("login --credentials: the token saved, generation 0", LOGIN_KEPT, secrets=[CODE, *TOKENS], browser=approving_browser(CODE),
     check=lambda d: (eq(d["credentials"], CREDS), eq(d["generation"], 0)))
client = json.loads(stored_lines()[1])
report("login --credentials: mode 0600 in a 0700 folder; the second line describes the client, no secret", [
    problem for problem, bad in [
        (f"file mode {stat.S_IMODE(os.stat(CREDS).st_mode):o}", stat.S_IMODE(os.stat(CREDS).st_mode) != 0o600),
        (f"folder mode {stat.S_IMODE(os.stat(os.path.dirname(CREDS)).st_mode):o}", stat.S_IMODE(os.stat(os.path.dirname(CREDS)).st_mode) != 0o700),
        ("no boc1 first line", not stored_lines()[0].startswith("boc1.generation=0&")),
        (f"client line {client}", client["client_id"] != CID or client["confidential"] is not True
         or client["provider"]["token_endpoint"] != LOCAL + "/token" or client["provider"]["revocation_endpoint"] != LOCAL + "/revoke"),
        ("the client secret stored", SECRET in pathlib.Path(CREDS).read_text())] if bad])

time.sleep(1.1)  # the 1 s token is due
answer_tokens(T2, REFRESH2)
kept("call: the token due, refreshed and stored before the call", CALL, check=lambda d: (
    eq(d, {"status": 200, "body": {"id": "4eb854340acb04e870000010"}, "refreshed": True, "generation": 1}),
    eq(provider.authorizations[-1], "Bearer " + T2), eq(stored_generation(), 1)))
kept("call again: the stored token, no refresh", CALL, check=lambda d: (eq(d["refreshed"], False), eq(d["generation"], 1)))
provider.api = [(200, {"pad": "x" * 70000})]
kept("call: an answer over the 64 KiB cap is too_large", CALL, 1, "too_large",
     check=lambda d: eq("the limit is 65536" in d["message"], True))
provider.api = [(200, {"id": "4eb854340acb04e870000010"})]
kept("call without the login's client secret", CALL[:4], 1, "client_secret_required")
answer_tokens(T, REFRESH)
provider.api = [REJECTED, (200, {"id": "y"})]
kept("call: the API rejects the token, one refresh and a retry", CALL, check=lambda d: (
    eq(d["body"], {"id": "y"}), eq(d["refreshed"], True), eq(d["generation"], 2), eq(provider.authorizations[-2:], ["Bearer " + T2, "Bearer " + T])))
provider.api = [REJECTED]
kept("call: rejected again after the refresh it forced: no loop", CALL, 1, "token_rejected", check=lambda d: eq(stored_generation(), 3))
answer_tokens(T2, REFRESH2)
kept("refresh: forced and stored", ["refresh", *STORED], check=lambda d: eq(d, {"generation": 4, "refreshed": True, "rotated": True}))
provider.answer = (400, {"error": "invalid_grant", "error_description": "grant request is invalid"})
kept("refresh: the grant is gone", ["refresh", *STORED], 1, "reauthorization_required",
     check=lambda d: (eq(d["error"], "invalid_grant"), eq(stored_generation(), 4)))
kept("call --data and --json together", [*CALL, "--data", "a=1", "--json", "{}"], 2)
kept("call without a URL", CALL[:1] + CALL[2:], 2)

os.chmod(CREDS, 0o640)
kept("call: a credentials file others may read is refused", CALL, 1, "credentials_unsafe", check=lambda d: eq(CREDS in d["message"], True))
os.chmod(CREDS, 0o600)
saved = pathlib.Path(CREDS).read_text()
for name, text, errc in [("corrupt", "boc1.generation=x\n{}\n", "corrupt_credentials"), ("of another version", "boc2.generation=0\n{}\n", "unsupported_credentials"),
                         ("with a client line that is not login's", saved.splitlines()[0] + "\n{}\n", "corrupt_credentials")]:
    pathlib.Path(CREDS).write_text(text)
    kept(f"call: a credentials file {name}", CALL, 1, errc)
pathlib.Path(CREDS).write_text(saved)

provider.answer = (200, {})
kept("logout: the refresh token revoked (RFC 7009), the file deleted", ["logout", *STORED],
     check=lambda d: (eq(d, {"revoked": True}), eq(os.path.exists(CREDS), False)))
kept("call after logout", CALL, 1, "not_logged_in")
kept("refresh after logout", ["refresh", *STORED], 1, "not_logged_in")

answer_tokens(T, REFRESH, expires_in=1)
case("login again into the deleted file", LOGIN_KEPT, secrets=[CODE, *TOKENS], browser=approving_browser(CODE), check=lambda d: eq(d["generation"], 0))
time.sleep(1.1)
answer_tokens(T2, REFRESH2)
os.environ["BUFFER_OAUTH_TEST_CRASH_AFTER_REFRESH"] = "1"
kept("the test hook: a call that got a rotated refresh token dies before storing it", CALL, 99,
     check=None)
del os.environ["BUFFER_OAUTH_TEST_CRASH_AFTER_REFRESH"]
report("the test hook left the file as it was", [] if stored_generation() == 0 and urllib.parse.parse_qs(stored_lines()[0])["refresh_token"] == [REFRESH]
       else ["file changed"])

provider.shutdown()
provider.server_close()
case("login, the token endpoint is gone", LOCAL_LOGIN, 1, "transport_error", secrets=[CODE], browser=approving_browser(CODE))

# ---------------------------------------------------------------- secrets stay out of errors
# run() checks every invocation for secrets; these add the usage and
# protocol errors around each option that carries one.
def joined(args):
    """args with every secret option written --opt=value."""
    out = []
    for arg in args:
        if out and out[-1] in SECRET_OPTIONS:
            out[-1] += "=" + arg
        else:
            out.append(arg)
    return out


FULL_SWAP = [*SWAP, "--code", CODE, "--code-verifier", VERIFIER]
TAKING_SECRETS = [FULL_SWAP, ATTACH, ["deauthorize-request", "--token", T], LOGIN, [*REVOKE, "--client-secret", SECRET]]
for args in TAKING_SECRETS:
    option, value = secret_values(args)[-1]
    for spelling, given in [("--opt value", args), ("--opt=value", joined(args))]:
        case(f"{args[0]} {spelling} with an unknown flag", [*given, "--bogus"], 2, stderr_says="--bogus")
        case(f"{args[0]} {spelling} with {option} twice", [*given, option, value], 2)
        case(f"{args[0]} {spelling} with {option}'s value again, as a stray argument", [*given, value], 2)

NOT_TAKING_SECRETS = [(["demo"], "--client-secret", SECRET), (["parse-token"], "--token", T),
                      (AUTHZ, "--code-verifier", VERIFIER), (["parse-redirect", f"{RU}?code=x", "--redirect-uri", RU, "--no-state"], "--code", CODE),
                      (FULL_SWAP, "--token", T), (ATTACH, "--client-secret", SECRET),
                      (["deauthorize-request", "--token", T], "--code", CODE), (LOGIN, "--code-verifier", VERIFIER),
                      (REG, "--client-secret", SECRET), ([*CURRENT, "parse-api-response"], "--token", T),
                      ([*CURRENT, "metadata-request"], "--token", T), (REVOKE, "--code", CODE)]
for args, option, value in NOT_TAKING_SECRETS:
    for spelling, given in [("--opt value", [option, value]), ("--opt=value", [f"{option}={value}"])]:
        case(f"{args[0]} does not take {option} ({spelling})", [*args, *given], 2, stderr_says=option)
for dashed in ["-" + VERIFIER[1:], "--" + VERIFIER[2:]]:
    case(f"a verifier starting {dashed[:2]} where one is taken", with_value(FULL_SWAP, "--code-verifier", dashed), prints=IN_BODY,
         check=lambda d: eq(form(d["body"])["code_verifier"], [dashed]))
    case(f"a verifier starting {dashed[:2]} where none is", [*AUTHZ, "--code-verifier", dashed], 2)
case("misspelled --code-verifier", [*SWAP, "--code", CODE, "--code-verfier", VERIFIER], 2, secrets=[VERIFIER],
     stderr_says="--code-verfier")
case("a secret option before the subcommand", ["--token", T, *FULL_SWAP], 2, stderr_says="--token")
case("unknown subcommand with a token", ["frobnicate", "--token", T], 2)
case("no subcommand, only a token", ["--token", T], 2)
help_case("--help after the secrets", [*FULL_SWAP, "--help"], "--client-secret")

case("token-request without --client-id", without(FULL_SWAP, "--client-id"), 2)
case("token-request, the token endpoint is no URL", ["--authorize-endpoint", "https://a.example/x", "--token-endpoint", "not-a-url",
                                                     "--api-base", "https://a.example/", *FULL_SWAP], 1, "invalid_endpoint")
for redirect_uri, errc in [("http://example.com/back", "insecure_url"), (RU + "#f", "invalid_redirect_uri")]:
    case(f"token-request, redirect URI {redirect_uri}", with_value(FULL_SWAP, "--redirect-uri", redirect_uri), 1, errc)
case("attach without --url", without(ATTACH, "--url"), 2)
case("attach, a URL that is no URL", ["attach", "--url", "not a url", "--token", T], 1, "invalid_url")
case("attach, the token already in the URL", ["attach", "--url", f"{API}/x?access_token={T}", "--token", T], 1, "token_already_present")
case("deauthorize-request, plain http endpoint", ["--deauthorize-endpoint", "http://evil.example/x", "deauthorize-request", "--token", T],
     1, "insecure_url")

# ---------------------------------------------------------------- secrets from a file or the environment
SECRETS_DIR = tempfile.TemporaryDirectory()


def secret_file(name, text):
    path = os.path.join(SECRETS_DIR.name, name)
    pathlib.Path(path).write_bytes(text.encode())
    return path


SWAP_NO_SECRET = ["token-request", "--client-id", CID, "--redirect-uri", RU, "--code", CODE]
SECRET_IN_BODY = {"secret": "body", "--code": "body"}
ON_ARGV = "on the command line can be read by other local users"


def secret_is(value):
    return lambda d: eq(form(d["body"])["client_secret"], [value])


case("--client-secret-file: its line, the newline dropped, no warning", [*SWAP_NO_SECRET, "--client-secret-file", secret_file("s", SECRET + "\n")],
     secrets=[SECRET], prints=SECRET_IN_BODY, check=secret_is(SECRET), stderr_lacks="--client-secret " + ON_ARGV)
case("--client-secret-file: a CRLF line ending dropped too", [*SWAP_NO_SECRET, "--client-secret-file", secret_file("crlf", SECRET + "\r\n")],
     secrets=[SECRET], prints=SECRET_IN_BODY, check=secret_is(SECRET))
case("--client-secret-file: only the line ending is dropped", [*SWAP_NO_SECRET, "--client-secret-file", secret_file("sp", " " + SECRET + " \n")],
     secrets=[SECRET], prints=SECRET_IN_BODY, check=secret_is(" " + SECRET + " "))
case("--client-secret-file -: read from stdin", [*SWAP_NO_SECRET, "--client-secret-file", "-"], stdin=SECRET + "\n",
     secrets=[SECRET], prints=SECRET_IN_BODY, check=secret_is(SECRET))
case("$BUFFER_OAUTH_CLIENT_SECRET", SWAP_NO_SECRET, env={"BUFFER_OAUTH_CLIENT_SECRET": SECRET}, secrets=[SECRET], prints=SECRET_IN_BODY,
     check=secret_is(SECRET), stderr_lacks="--client-secret " + ON_ARGV)
case("--client-secret on the command line: a warning that names the safer ways", [*SWAP, "--code", CODE], prints=IN_BODY,
     stderr_says="warning: --client-secret " + ON_ARGV + " and stays in shell history; use --client-secret-file or "
                 "$BUFFER_OAUTH_CLIENT_SECRET instead")
case("--client-secret and --client-secret-file: refused, both named", [*SWAP, "--code", CODE, "--client-secret-file", secret_file("s2", SECRET)],
     2, stderr_says="--client-secret and --client-secret-file both give the client secret: keep one")
case("--client-secret-file and $BUFFER_OAUTH_CLIENT_SECRET: refused, both named", [*SWAP_NO_SECRET, "--client-secret-file", secret_file("s3", SECRET)],
     2, env={"BUFFER_OAUTH_CLIENT_SECRET": SECRET}, secrets=[SECRET],
     stderr_says="--client-secret-file and $BUFFER_OAUTH_CLIENT_SECRET both give the client secret: keep one (unset BUFFER_OAUTH_CLIENT_SECRET)")
case("--client-secret, its file and its variable: refused", [*SWAP, "--code", CODE, "--client-secret-file", secret_file("s4", SECRET)],
     2, env={"BUFFER_OAUTH_CLIENT_SECRET": SECRET}, stderr_says="--client-secret, --client-secret-file and $BUFFER_OAUTH_CLIENT_SECRET all give")
case("--client-secret-file that is a folder", [*SWAP_NO_SECRET, "--client-secret-file", SECRETS_DIR.name], 2,
     stderr_says="--client-secret-file: cannot read")
case("--client-secret-file naming a pipe, as a shell's <(...) does", [*SWAP_NO_SECRET, "--client-secret-file", "/dev/stdin"],
     stdin=SECRET + "\n", secrets=[SECRET], prints=SECRET_IN_BODY, check=secret_is(SECRET))
case("--client-secret-file that cannot be read", [*SWAP_NO_SECRET, "--client-secret-file", "/nonexistent/secret"], 2,
     stderr_says="--client-secret-file: cannot read /nonexistent/secret")
case("two secrets from stdin", [*CURRENT, "revocation-request", "--token-file", "-", "--client-id", CID, "--client-secret-file", "-"], 2,
     stdin=SECRET + "\n", stderr_says="another secret is read from stdin already")
case("an empty --client-secret where the provider posts it in the body", [*with_value(SWAP, "--client-secret", ""), "--code", CODE], 2,
     stderr_says="the client secret given is empty, and buffer-legacy would send it in the request body as client_secret=")
case("an empty client secret from the environment", SWAP_NO_SECRET, 2, env={"BUFFER_OAUTH_CLIENT_SECRET": ""},
     stderr_says="the client secret given is empty")
case("an empty --client-secret with HTTP Basic: the core's client_secret_required", [*GENERIC, *with_value(SWAP, "--client-secret", ""),
                                                                                     "--code", CODE], 1, "client_secret_required")
case("token-request for a public client: no secret at all", [*CURRENT, *SWAP_NO_SECRET, "--code-verifier", VERIFIER], prints=IN_BODY,
     check=lambda d: (eq("client_secret" in d["body"], False), eq(form(d["body"])["code_verifier"], [VERIFIER])))
case("--code and --code-verifier on the command line warn too", [*CURRENT, *SWAP_NO_SECRET, "--code-verifier", VERIFIER], prints=IN_BODY,
     stderr_says="warning: --code-verifier " + ON_ARGV)

ATTACH_NO_TOKEN = ["attach", "--url", API + "/profiles.json"]
case("--token-file", [*ATTACH_NO_TOKEN, "--token-file", secret_file("t", T + "\n")], secrets=[T], prints={"secret": "headers"},
     check=lambda d: eq(header(d, "Authorization"), "Bearer " + T), stderr_lacks=ON_ARGV)
case("$BUFFER_OAUTH_TOKEN", ATTACH_NO_TOKEN, env={"BUFFER_OAUTH_TOKEN": T}, secrets=[T], prints={"secret": "headers"},
     check=lambda d: eq(header(d, "Authorization"), "Bearer " + T), stderr_lacks=ON_ARGV)
case("--token on the command line warns", ATTACH, prints={"--token": "headers"},
     stderr_says="warning: --token " + ON_ARGV + " and stays in shell history; use --token-file or $BUFFER_OAUTH_TOKEN instead")
case("--refresh-token on the command line warns", REFRESH_REQ, prints={"--refresh-token": "body"}, stderr_says="warning: --refresh-token " + ON_ARGV)
case("attach without a token from anywhere", ATTACH_NO_TOKEN, 2,
     stderr_says="attach needs the token: --token-file FILE, $BUFFER_OAUTH_TOKEN or --token")
case("attach --token 'Bearer ...': drop the prefix", ["attach", "--url", API + "/x", "--token", "Bearer " + T], 2,
     stderr_says="the token starts with 'Bearer ': give the token alone, without the 'Bearer ' prefix")
case("a token file holding 'bearer ...'", ["deauthorize-request", "--token-file", secret_file("tb", "bearer " + T)], 2, secrets=[T],
     stderr_says="without the 'Bearer ' prefix")
case("login --register with a client secret in the environment", ["--provider", "buffer", "login", "--register", "--timeout", "1"], 2,
     env={"BUFFER_OAUTH_CLIENT_SECRET": SECRET}, secrets=[SECRET], stderr_says="--register registers a public client")

# ---------------------------------------------------------------- --version and help
case("--version", ["--version"], check=lambda d: (eq(list(d), ["version"]), eq(bool(re.fullmatch(r"\d+\.\d+\.\d+", d["version"])), True)))
HELP_COLUMN = 44  # the CLI's help formatter puts descriptions here
code, main_help, err, problems = run(["--help"])
subcommands = re.findall(r"^  ([a-z][a-z-]+) ", main_help.partition("Subcommands:")[2], re.M)
report("--help lists the subcommands", [] if len(subcommands) == 20 else [f"{len(subcommands)} subcommands: {subcommands}"], err)
for sub in ["", *subcommands]:
    code, out, err, problems = run([sub, "--help"] if sub else ["--help"])
    options_part, _, footer = out.partition("\nExample:\n")
    lines = options_part.splitlines()
    for i, line in enumerate(lines):
        if not re.match(r"^  [a-z-]", line):
            continue  # a section title, the usage, or the description of a long option below it
        # A name shorter than the column is padded to it, and its help starts there.
        same_line = line[HELP_COLUMN - 1:HELP_COLUMN] == " " and line[HELP_COLUMN:HELP_COLUMN + 1].strip()
        next_line = i + 1 < len(lines) and lines[i + 1].startswith(" " * HELP_COLUMN) and lines[i + 1].strip()
        if not (same_line or next_line):
            problems.append(f"no help for {line.strip()!r}")
    if sub and not re.match(rf"  (\S.*)?\bbuffer-oauth\b.*\b{sub}\b", footer):
        problems.append(f"no example line after 'Example:': {footer!r}")
    report(f"{sub or 'buffer-oauth'} --help: every option explained{', and an example' if sub else ''}",
           problems if code == 0 else [f"exit {code}"], err)

# ---------------------------------------------------------------- parse-* --include: curl -i's output
TOKEN_BODY = json.dumps({"access_token": T, "token_type": "bearer"})
token("--include: status line, headers, body (LF)", f"HTTP/1.1 200 OK\nContent-Type: application/json\nCache-Control: no-store\n\n{TOKEN_BODY}",
      args=["--include"], check=lambda d: eq(d["access_token"], T))
token("--include: CRLF, and a 100 Continue before the answer", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\n"
      "Content-Type: application/json\r\n\r\n" + '{"error":"invalid_grant"}', 1, "token_error", args=["--include"],
      check=lambda d: (eq(d["http_status"], 400), eq(d["error"], "invalid_grant")))
token("--include: HTTP/2 with lowercase names", f"HTTP/2 200 \r\ncontent-type: application/json\r\n\r\n{TOKEN_BODY}", args=["--include"],
      check=lambda d: eq(d["access_token"], T))
token("--include: a proxy's Connection established first", f"HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 201 Created\r\n\r\n{TOKEN_BODY}",
      args=["--include"], check=lambda d: eq(d["access_token"], T))
api("--include: Retry-After read from the headers", [*CURRENT, "--include"],
    "HTTP/2 429 \r\nretry-after: 900\r\n\r\n" + graphql_error("RATE_LIMIT_EXCEEDED", "Too many requests", window="15m"), 1, "rate_limited",
    check=lambda d: (eq(d["retry_after"], 900), eq(d["http_status"], 429)))
token("--include: the body alone", TOKEN_BODY, 1, "malformed_response", args=["--include"],
      check=lambda d: eq("does not start with an HTTP status line" in d["message"], True))
token("--include: a header line without a colon", "HTTP/1.1 200 OK\nno colon here\n\n{}", 1, "malformed_response", args=["--include"],
      check=lambda d: eq("header line 1 of response 1 is not 'Name: value'" in d["message"], True))
token("--include: headers without the empty line", "HTTP/1.1 200 OK\nA: b\n", 1, "malformed_response", args=["--include"])
token("--include: a 100 Continue and nothing after", "HTTP/1.1 100 Continue\r\n\r\n", 1, "malformed_response", args=["--include"])
case("--include with --status", ["parse-token", "--include", "--status", "200"], 2)

# ---------------------------------------------------------------- --curl: the request as a curl command line
# A stand-in for curl on PATH prints the words the shell gives it, so the
# quoting is checked through sh itself; sent_by reads them as curl would.
FAKE_CURL_DIR = tempfile.TemporaryDirectory()
pathlib.Path(FAKE_CURL_DIR.name, "curl").write_text("#!/bin/sh\nprintf '%s\\0' \"$@\"\n")
os.chmod(os.path.join(FAKE_CURL_DIR.name, "curl"), 0o755)
CURL_ENV = {"BUFFER_OAUTH_CLIENT_SECRET": SECRET, "BUFFER_OAUTH_TOKEN": T, "BUFFER_OAUTH_CODE": CODE,
            "BUFFER_OAUTH_CODE_VERIFIER": VERIFIER, "BUFFER_OAUTH_REFRESH_TOKEN": REFRESH_T}


def curl_words(line, env):
    done = subprocess.run(["sh", "-c", line], capture_output=True, timeout=30,
                          env={**os.environ, **env, "PATH": FAKE_CURL_DIR.name + os.pathsep + os.environ["PATH"]})
    return done.stdout.decode().split("\0")[:-1]


def sent_by(words):
    """The request curl makes of these words: the options the CLI writes."""
    method, url, headers, parts = None, None, [], []
    words = iter(words)
    for word in words:
        if word in ("-sS", "-i", "-g"):
            continue
        if word == "--request":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(": ")
            headers.append([name, value])
        elif word == "--user":
            headers.append(["Authorization", "Basic " + base64.b64encode(next(words).encode()).decode()])
        elif word in ("--data-raw", "--data-binary"):
            parts.append(next(words))
        elif word == "--data-urlencode":
            name, _, value = next(words).partition("=")
            parts.append(name + "=" + urllib.parse.quote(value, safe="-._~"))
        else:
            url = word
    return {"method": method or ("POST" if parts else "GET"), "url": url, "headers": headers, "body": "&".join(parts)}


def curl_case(name, args, variables, prints=None):
    """`variables`: the secrets of the run by the variable the curl line reads each from."""
    secret_values = list(variables.values())

    def check(d):
        line = d["curl"]
        for value in secret_values:
            assert not leaks_in("the curl line", line, "a secret", value), f"a secret in {line}"
        sent = sent_by(curl_words(line, variables))
        request = {k: d[k] for k in ("method", "url", "headers", "body")}
        if header(d, "Content-Type") == "application/x-www-form-urlencoded":
            sent["body"], request["body"] = form(sent["body"]), form(request["body"])
        eq(sent, request)
    case(f"--curl: {name}", [*args, "--curl"], prints=prints, check=check)


CS, TK, RT = "BUFFER_OAUTH_CLIENT_SECRET", "BUFFER_OAUTH_TOKEN", "BUFFER_OAUTH_REFRESH_TOKEN"
CD, CV = "BUFFER_OAUTH_CODE", "BUFFER_OAUTH_CODE_VERIFIER"
curl_case("token-request, the secret and code posted", [*SWAP, "--code", CODE, "--code-verifier", VERIFIER],
          {CS: SECRET, CD: CODE, CV: VERIFIER}, prints=IN_BODY)
curl_case("token-request, a code with '&' and '+'", [*SWAP, "--code", CODE + "&x+y"], {CS: SECRET, CD: CODE + "&x+y"}, prints=IN_BODY)
curl_case("token-request, HTTP Basic", [*GENERIC, *SWAP, "--code", CODE], {CS: SECRET, CD: CODE}, prints={"--code": "body"})
curl_case("refresh-request", [*REFRESH_REQ, "--client-secret-file", secret_file("rs", SECRET)], {CS: SECRET, RT: REFRESH_T},
          prints={"--refresh-token": "body"})
curl_case("attach, header", ATTACH, {TK: T}, prints={"--token": "headers"})
curl_case("attach, query with a fragment", ["attach", "--url", API + "/x?a=1'b#f", "--token", T, "--placement", "query"], {TK: T},
          prints={"--token": "url"})
curl_case("attach, form body", ["attach", "--url", API + "/updates/create.json", "--token", T, "--placement", "body", "--method", "POST",
                                "--body", "text=It%27s+'quoted'&profile_ids%5B%5D=4eb8", "--content-type", "application/x-www-form-urlencoded"],
          {TK: T}, prints={"--token": "body"})
curl_case("attach, PUT with a JSON body", ["attach", "--url", API + "/x", "--token", T, "--method", "PUT", "--body", "{\"a\":\"it's\"}",
                                           "--content-type", "application/json"], {TK: T}, prints={"--token": "headers"})
curl_case("deauthorize-request", ["deauthorize-request", "--token", T], {TK: T}, prints={"--token": "headers"})
curl_case("metadata-request", [*CURRENT, "metadata-request", "--oidc"], {})
curl_case("registration-request", [*REG, "--client-name", "It's mine"], {})
curl_case("revocation-request", [*REVOKE, "--client-secret", SECRET], {TK: REFRESH_T, CS: SECRET},
          prints={"--token": "body", "--client-secret": "body"})
case("--curl on a request that fails: the error alone", [*SWAP, "--code", "", "--curl"], 1, "missing_code",
     check=lambda d: eq("curl" in d, False))


class Recorder(http.server.BaseHTTPRequestHandler):
    """Keeps each request (method, path, headers, body) and answers with a token."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.requests.append((self.command, self.path, self.headers, body))
        answer = json.dumps({"access_token": T2, "token_type": "bearer"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


recorder = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
recorder.requests = []
threading.Thread(target=recorder.serve_forever, daemon=True).start()
RECORDER = f"http://127.0.0.1:{recorder.server_port}"
if shutil.which("curl"):
    code, out, err, problems = run(["--allow-insecure-loopback", "--token-endpoint", RECORDER + "/token", *SWAP, "--code", CODE, "--curl"],
                                   prints={"--client-secret": "headers", "--code": "body"})
    printed = json.loads(out)
    done = subprocess.run(["sh", "-c", printed["curl"]], capture_output=True, timeout=30, env={**os.environ, **CURL_ENV})
    code, out, err, leaks = run(["--provider", "generic", "parse-token", "--include"], stdin=done.stdout)
    method, path, headers, body = recorder.requests[-1] if recorder.requests else (None, None, {}, "")
    problems += leaks + [problem for problem, bad in [
        (f"curl: {done.stderr.decode()}", done.returncode != 0),
        (f"sent {method} {path}", (method, path) != ("POST", "/token")),
        (f"Authorization {headers.get('Authorization')}", headers.get("Authorization") != header(printed, "Authorization")),
        (f"body {body}", form(body) != form(printed["body"])),
        (f"parse-token --include on curl's output: {out}", code != 0 or json.loads(out).get("access_token") != T2)] if bad]
    report("--curl's line run by curl sends the request printed; parse-token --include reads its output", problems, err)
else:
    print("SKIP the --curl line run by curl itself: no curl on PATH")
recorder.shutdown()
recorder.server_close()

print(f"{checks - len(failures)}/{checks} checks passed; {invocations_with_secrets} invocations carried secrets")
sys.exit(1 if failures else 0)
