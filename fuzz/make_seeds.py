#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the hand-made seed inputs into fuzz/corpus/<target>/seed-*.

Seeds are Buffer's OAuth exchanges as Buffer documents them (the "guide-*"
files), the RFC examples, the exchanges the unit tests check and hostile
inputs (CRLF, NUL, overlong UTF-8, duplicates, deep nesting). Files the
fuzzer added (hash names) are left alone.
Run from anywhere: python3 fuzz/make_seeds.py
"""

import base64
import hashlib
import hmac
import os
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = b"\n~~\n"

T = b"1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"
CID = b"4e9680c0512f7ed322000000"
CODE = b"1/mWot20jTwojsd00jFlaaR45"
RU = b"https://client.example/back"


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def join(*parts):
    return SEP.join(parts)


# ---------------------------------------------------------------- form
def form():
    queries = {
        "guide-code": b"code=" + CODE,
        "encoded-slash": b"code=1%2FmWot20jTwojsd00jFlaaR45",
        "lowercase-hex": b"code=1%2fabc",
        "double-encoded": b"code=1%252FmWot",
        "appendix-b": b"+%25%26%2B%C2%A3%E2%82%AC",
        "lone-percent": b"%",
        "trailing-percent": b"a%",
        "short-escape": b"%4",
        "bad-hex-1": b"%G1",
        "bad-hex-2": b"%zz",
        "nul": b"code=%00",
        "crlf": b"state=%0D%0A",
        "tab": b"state=%09",
        "vt": b"state=%0B",
        "overlong": b"x=%C0%AF",
        "overlong-3": b"x=%E0%80%AF",
        "surrogate": b"x=%ED%A0%80",
        "above-max": b"x=%F4%90%80%80",
        "truncated-utf8": b"x=%E2%82",
        "raw-utf8": "x=é€".encode(),
        "raw-space": b"x=a b",
        "raw-quote": b'x="',
        "raw-lt": b"x=<",
        "raw-backslash": b"x=\\",
        "raw-brackets": b"a[0]=1&b=]",
        "semicolon": b"a=1;b=2",
        "empty-pieces": b"&&a=1&",
        "question-amp": b"?&",
        "name-only": b"code",
        "empty-value": b"code=",
        "empty-name": b"=x",
        "case": b"Code=x",
        "encoded-name-dup": b"code=a&%63ode=b",
        "body-method": b"text=Hi+there&profile_ids%5B%5D=4eb854340acb04e870000010&access_token=" + T,
        "authorize-query": b"client_id=" + CID + b"&redirect_uri=http%3A%2F%2Fexample.com%2Fback&response_type=code",
        "many-pairs": b"a=1&" * 150,
        "plus-in-name": b"a+b=c+d",
        "equals-in-value": b"a==b=c",
    }
    for name, q in queries.items():
        write("form", name, q)
    # Authorize round trip: byte 0 = options, client_id ~~ state ~~ scope.
    write("form", "authorize-buffer", b"\x01" + join(CID, b"xyz", b""))
    write("form", "authorize-generic-pkce", b"\x20" + join(b"client", b"S3cr3t-st4te_~.", b"read write"))
    write("form", "authorize-loopback", b"\x03" + join(CID, b"state with space+&=#%", b""))
    write("form", "authorize-tenant", b"\x05" + join(b"id", b"s", b"openid"))
    write("form", "authorize-ipv6", b"\x07" + join(b"id", b"s", b""))
    write("form", "authorize-without-state", b"\x09" + join(CID, b"", b""))
    write("form", "authorize-state-and-opt-out", b"\x19" + join(CID, b"xyz", b""))
    write("form", "authorize-bad-challenge", b"\x40" + join(CID, b"not-a-challenge", b""))
    write("form", "authorize-bad-scope", b"\x00" + join(CID, b"xyz", b"a  b"))
    write("form", "authorize-scope-quote", b"\x00" + join(CID, b"xyz", b'a"b'))
    write("form", "authorize-ctl-state", b"\x00" + join(CID, b"x\x01y", b""))
    write("form", "authorize-nonascii-id", b"\x00" + join("clïent".encode(), b"xyz", b""))


# ------------------------------------------------------------ redirect
def redirect():
    def r(name, opt, url, state=b"xyz", issuer=b""):
        write("redirect", name, bytes([opt]) + join(url, state, issuer))

    q = RU + b"?"
    r("guide-code", 0, q + b"code=" + CODE + b"&state=xyz")
    r("guide-code-encoded", 0, q + b"code=1%2FmWot20jTwojsd00jFlaaR45&state=xyz")
    r("guide-as-written-no-state", 4, q + b"code=" + CODE)
    r("guide-as-written-state-expected", 0, q + b"code=" + CODE)
    r("double-encoded", 0, q + b"code=1%252FmWot&state=xyz")
    r("state-first", 0, q + b"state=xyz&code=1%2Fabc")
    r("state-mismatch", 0, q + b"code=1%2Fabc&state=evil")
    r("denied", 0, q + b"error=access_denied&error_description=The+user+denied+access+to+your+application&state=xyz")
    r("redirect-uri-mismatch-error", 0, q + b"error=redirect_uri_mismatch&state=xyz")
    r("error-503", 0, q + b"error=503&state=xyz")
    r("unknown-param", 0, q + b"foo=bar&code=1%2Fabc&state=xyz")
    r("repeated-code", 0, q + b"code=a&code=b&state=xyz")
    r("empty-code", 0, q + b"code=&state=xyz")
    r("encoded-name-dup", 0, q + b"code=a&%63ode=b&state=xyz")
    r("state-missing", 0, q + b"code=abc")
    r("state-empty", 0, q + b"code=abc&state=")
    r("state-trailing-space", 0, q + b"code=abc&state=xyz+")
    r("state-case", 0, q + b"code=abc&state=XYZ")
    r("state-twice", 0, q + b"code=abc&state=xyz&state=xyz")
    r("state-unexpected", 4, q + b"code=abc&state=xyz")
    r("error-wrong-state", 0, q + b"error=access_denied&state=evil")
    r("error-quote", 0, q + b"error=a%22b&state=xyz")
    r("error-crlf", 0, q + b"error=a&error_description=x%0D%0Ay&state=xyz")
    r("error-nonascii", 0, q + b"error=a&error_description=%C3%A9&state=xyz")
    r("error-unlisted", 0, q + b"error=foo_bar&state=xyz")
    r("error-uri-js", 0, q + b"error=x&error_uri=javascript:alert(1)&state=xyz")
    r("code-and-error", 0, q + b"code=abc&error=access_denied&state=xyz")
    r("neither", 0, q + b"state=xyz")
    r("fragment-code", 0, RU + b"#code=x&state=xyz")
    r("access-token-query", 0, q + b"access_token=abc&state=xyz")
    r("fragment-kept", 0, q + b"code=abc&state=xyz#_=_")
    r("http-scheme", 0, b"http://client.example/back?code=abc&state=xyz")
    r("host-suffix", 0, b"https://client.example.evil.com/back?code=abc&state=xyz")
    r("userinfo", 0, b"https://client.example@evil.com/back?code=abc&state=xyz")
    r("backslash", 0, b"https://evil.com\\@client.example/back?code=abc&state=xyz")
    r("port", 0, b"https://client.example:8443/back?code=abc&state=xyz")
    r("default-port", 0, b"https://CLIENT.example:443/back?code=abc&state=xyz")
    r("trailing-slash", 0, b"https://client.example/back/?code=abc&state=xyz")
    r("path-case", 0, b"https://client.example/Back?code=abc&state=xyz")
    r("dot-segments", 0, b"https://client.example/back/../back?code=abc&state=xyz")
    r("encoded-path", 0, b"https://client.example/%62ack?code=abc&state=xyz")
    r("tab", 0, b"https://client.example/back?code=a\tb&state=xyz")
    r("lf", 0, b"https://client.example/back?code=a\nb&state=xyz")
    r("leading-space", 0, b"  https://client.example/back?code=abc&state=xyz")
    r("code-ctl", 0, q + b"code=a%01b&state=xyz")
    r("code-one-char", 0, q + b"code=a&state=xyz")
    r("brackets", 0, q + b"code=a[1]&state=xyz")
    r("loopback", 1, b"http://127.0.0.1:51004/cb?code=abc&state=xyz")
    r("loopback-port", 1, b"http://127.0.0.1:51005/cb?code=abc&state=xyz")
    r("tenant", 2, b"https://client.example/back?tenant=7&x=a%20b&code=abc&state=xyz")
    r("tenant-plus", 2, b"https://client.example/back?tenant=7&x=a+b&code=abc&state=xyz")
    r("tenant-missing", 2, q + b"code=abc&state=xyz")
    r("tenant-changed", 2, b"https://client.example/back?tenant=8&x=a%20b&code=abc&state=xyz")
    r("tenant-twice", 2, b"https://client.example/back?tenant=7&tenant=7&x=a%20b&code=abc&state=xyz")
    r("ipv6", 3, b"https://[::1]:8443/cb?code=abc&state=xyz")
    r("ipv6-no-port", 3, b"https://[::1]/cb?code=abc&state=xyz")
    r("iss-ok", 8, q + b"code=abc&state=xyz&iss=https%3A%2F%2Fissuer.example")
    r("iss-missing", 8, q + b"code=abc&state=xyz")
    r("iss-slash", 8, q + b"code=abc&state=xyz&iss=https%3A%2F%2Fissuer.example%2F")
    r("iss-twice", 8, q + b"code=abc&state=xyz&iss=https://issuer.example&iss=https://issuer.example")
    r("iss-unexpected", 0, q + b"code=abc&state=xyz&iss=https://bufferapp.com")
    r("iss-fuzzed", 24, q + b"code=abc&state=xyz&iss=https://bufferapp.com", issuer=b"https://bufferapp.com")
    r("tight-limits", 32, q + b"code=" + CODE + b"&state=xyz")
    r("tight-long-code", 32, q + b"code=" + CODE * 3 + b"&state=xyz")
    r("synth-uri", 64, b"1/ab+c=", b"S t&a=t#e")
    r("synth-form", 192, CODE, b"xyz")
    r("synth-ctl-state", 64, b"abc", b"x\x01")
    r("synth-code-nonascii", 192, "cödé".encode(), b"xyz")


# ----------------------------------------------------------------- json
JSON_DOCS = {
    # RFC 8259 and token-response shapes
    "buffer-escaped-slash-token": b'{"access_token":"1\\/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"}',
    "buffer-null-scope": b'{"access_token":"1/abc","expires_in":3600,"token_type":"bearer","scope":null}',
    "rfc6749-refresh-token": b'{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}',
    "unknown-token-type": b'{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600,"example_parameter":"example_value"}',
    "invalid-grant-expired": b'{"error":"invalid_grant","error_description":"The authorization code has expired"}',
    "escaped-quotes-description": b'{"error":"invalid_request","error_description":"Missing parameter. \\"code\\" is required"}',
    "buffer-envelope-1025": b'{"message":"Whoops, it looks like you\'ve posted that one recently.","code":1025,"success":false}',
    "buffer-deauthorized": b'{"success":true,"message":"Access successfully revoked!"}',
    "nested": b'{"a":[1,2,{"b":null}],"c":{"d":[true,false]},"access_token":"x","e":-1.5e+10}',
    "top-array": b'[{"access_token":"x"}, 1, "s", [], {}]',
    "top-string": b'"x"',
    "top-number": b"-0.0e-0",
    "top-null": b"null",
    "top-true": b" true ",
    "surrogate-pair": b'"\\uD834\\uDD1E"',
    "all-escapes": b'"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC"',
    "escaped-name": b'{"access\\u005ftoken":"a","access_token":"b"}',
    "escaped-null-name": b'{"a":1,"a\\u0000":2}',
    "duplicate-token": b'{"access_token":"a","access_token":"b"}',
    "duplicate-other": b'{"x":1,"x":2}',
    "utf8": '{"é":"€𝄞"}'.encode(),
    "whitespace": b' \t\r\n{ "a" : [ 1 , 2 ] } \n',
    "big-int": b"123456789012345678901234567890",
    "tiny-float": b"1.5e-400",
    "huge-float": b"1e400",
    "huge-float-member": b'{"expires_in":1e400}',
    "neg-exp": b"1e-2147483649",
    "long-fraction": b"0." + b"0" * 300 + b"1",
    "depth-64": b"[" * 64 + b"]" * 64,
    "depth-65": b"[" * 65 + b"]" * 65,
    "depth-300": b'{"a":' * 300 + b"1" + b"}" * 300,
    "deep-unclosed": b"[" * 2000,
    # rejects
    "empty": b"",
    "blank": b" \n\t ",
    "unterminated-escape": b'"\\',
    "short-unicode": b'"\\u12',
    "open-object": b'{"1":1,',
    "nul-after": b"{}\x00",
    "nul-inside": b'"a\x00"',
    "bom": b"\xef\xbb\xbf{}",
    "comment": b"{} // c",
    "block-comment": b"/* c */ {}",
    "single-quote": b"{'a':1}",
    "nan": b"NaN",
    "infinity": b"-Infinity",
    "leading-zero": b"-01",
    "trailing-dot": b"1.",
    "leading-dot": b".1",
    "plus": b"+1",
    "vt": b"\x0b{}",
    "ff": b"\x0c{}",
    "trailing-comma": b'{"a":1,}',
    "trailing-comma-array": b"[1,]",
    "garbage": b"{} x",
    "two-values": b"1 2",
    "lone-high": b'"\\uD800"',
    "lone-low": b'"\\uDD1E\\uD834"',
    "high-then-char": b'"\\uD800\\u0041"',
    "high-then-text": b'"\\uD800abc"',
    "bad-escape": b'"\\x"',
    "raw-tab": b'"a\tb"',
    "invalid-utf8": b'"\xff"',
    "overlong": b'"\xc0\xaf"',
    "encoded-surrogate": b'"\xed\xa0\x80"',
    "truncated-utf8": b'"\xe2\x82"',
    "missing-colon": b'{"a" 1}',
    "number-key": b"{1:1}",
    "tru": b"tru",
    "nul-literal": b"nul",
}


def json_seeds():
    for name, doc in JSON_DOCS.items():
        write("json", name, doc)


# ------------------------------------------------------- token_response
def token_response():
    # byte 0: status index into {200,201,204,299,400,401,403,404,500,503,302,0,100,199,300,-1}
    # byte 1: bits 0-1 Cache-Control variant, bit 2 previous refresh token, bit 3 tight limits
    def t(name, status_index, body, headers=1):
        write("token_response", name, bytes([status_index, headers]) + body)

    t("buffer-escaped-slash-token", 0, JSON_DOCS["buffer-escaped-slash-token"])
    t("buffer-null-scope", 0, JSON_DOCS["buffer-null-scope"])
    t("rfc6749-refresh-token", 0, JSON_DOCS["rfc6749-refresh-token"], headers=5)
    t("unknown-token-type", 0, JSON_DOCS["unknown-token-type"])
    t("no-access-token", 0, b'{"token_type":"bearer"}')
    t("error-only", 0, b'{"error":"invalid_grant"}')
    t("invalid-grant-expired", 4, JSON_DOCS["invalid-grant-expired"])
    t("invalid-client", 4, b'{"error":"invalid_client","error_description":"The client credentials are invalid"}')
    t("error-with-space", 4, b'{"error": "error_message"}')
    t("escaped-quotes-description", 4, JSON_DOCS["escaped-quotes-description"])
    t("buffer-envelope-1025", 4, JSON_DOCS["buffer-envelope-1025"])
    t("buffer-envelope-1001", 6, b'{"success":false,"code":1001,"error":"Access token required."}')
    t("buffer-deauthorized", 0, JSON_DOCS["buffer-deauthorized"])
    t("strict-ok", 0, b'{"access_token":"1/abc","token_type":"bearer","expires_in":3600}', headers=2)
    t("escaped-solidus", 0, b'{"access_token":"\\u0031\\/abc","token_type":"Bearer"}')
    t("token-type-upper", 0, b'{"access_token":"a","token_type":"BEARER"}')
    t("token-type-mac", 0, b'{"access_token":"a","token_type":"mac"}')
    t("token-type-empty", 0, b'{"access_token":"a","token_type":""}')
    t("token-null", 0, b'{"access_token":null}')
    t("token-number", 0, b'{"access_token":1}')
    t("token-array", 0, b'{"access_token":[]}')
    t("token-empty", 0, b'{"access_token":""}')
    t("token-space", 0, b'{"access_token":"a b","token_type":"bearer"}')
    t("token-crlf", 0, b'{"access_token":"a\\r\\nX: y","token_type":"bearer"}')
    t("token-nul", 0, b'{"access_token":"a\\u0000","token_type":"bearer"}')
    t("token-nonascii", 0, '{"access_token":"ä","token_type":"bearer"}'.encode())
    t("token-mid-equals", 0, b'{"access_token":"a=b","token_type":"bearer"}')
    t("token-padding", 0, b'{"access_token":"ab==","token_type":"bearer"}')
    t("dup-token", 0, b'{"access_token":"a","access\\u005ftoken":"b"}')
    t("dup-expires", 0, b'{"access_token":"a","expires_in":1,"expires_in":2}')
    t("dup-type", 0, b'{"access_token":"a","token_type":"bearer","token_type":"bearer"}')
    t("dup-error", 4, b'{"error":"a","error":"b"}')
    t("unknown-nested", 0, b'{"access_token":"a","x":{"access_token":"b","error":"c"},"y":[{"z":1}]}')
    for v in [b"3600", b"0", b"-1", b"3.6e3", b"3600.5", b"1e400", b"123456789012345678901", b'"3600"', b'"36 00"',
              b'"\\u0033600"', b"null", b"true"]:
        t("expires-" + v.decode().replace('"', "q").replace("\\", "b").replace(" ", "_"), 0,
          b'{"access_token":"a","token_type":"bearer","expires_in":' + v + b"}")
    t("top-array", 0, b"[]")
    t("top-string", 0, b'"x"')
    t("top-null", 0, b"null")
    t("error-number", 4, b'{"error":1}')
    t("error-quote", 4, b'{"error":"a\\"b"}')
    t("error-and-token", 0, b'{"access_token":"a","error":"b"}')
    t("buffer-envelope-200", 0, b'{"success":false,"code":1000}')
    t("html-200", 0, b"<html><body>Bad gateway</body></html>")
    t("empty-200", 0, b"")
    t("blank-500", 8, b"  \n")
    t("form-body", 0, b"access_token=1%2Fabc&token_type=bearer")
    t("server-error", 8, b'{"access_token":"a","token_type":"bearer"}')
    t("redirect-302", 10, b'{"access_token":"a","token_type":"bearer"}')
    t("unauthorized", 5, b'{"error":"invalid_token"}')
    t("refresh-null", 0, b'{"access_token":"a","token_type":"bearer","refresh_token":null,"scope":null}')
    t("refresh-same", 0, b'{"access_token":"a","token_type":"bearer","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}', headers=4)
    t("refresh-new", 0, b'{"access_token":"a","token_type":"bearer","refresh_token":"new"}', headers=4)
    t("scope-bad", 0, b'{"access_token":"a","token_type":"bearer","scope":"a  b"}')
    t("deauth-false", 0, b'{"success":false}')
    t("deauth-string", 0, b'{"success":"true"}')
    t("deauth-401", 5, b"")
    t("bom", 0, b"\xef\xbb\xbf" + JSON_DOCS["buffer-escaped-slash-token"])
    t("nul-after", 0, JSON_DOCS["buffer-escaped-slash-token"] + b"\x00x")
    # Tight limits (max_body 256, max_value 16, max_json_depth 3): within, and one over each.
    tight = 9
    t("tight-within", 0, b'{"access_token":"a","token_type":"bearer","refresh_token":"r","expires_in":60}', tight)
    t("tight-long-token", 0, b'{"access_token":"aaaaaaaaaaaaaaaaa","token_type":"bearer"}', tight)
    t("tight-deep", 0, b'{"access_token":"a","token_type":"bearer","x":[[[]]]}', tight)
    t("tight-big-body", 0, b'{"access_token":"a","token_type":"bearer","x":"' + b"y" * 220 + b'"}', tight)


# --------------------------------------------------------------- attach
def attach():
    api = b"https://api.bufferapp.com/1/"

    def a(name, opt, url, method=b"GET", body=b"", ctype=b"", token=T, extra=b""):
        write("attach", name, bytes([opt]) + join(url, method, body, ctype, token, extra))

    a("header-default", 0, api + b"profiles.json")
    a("header-explicit", 1, api + b"profiles.json")
    a("query", 7, api + b"profiles.json")
    a("query-no-opt-in", 3, api + b"profiles.json")
    for suffix, tag in [(b"x", "plain"), (b"x?", "empty-query"), (b"x?a=1", "query"), (b"x#f", "fragment"),
                        (b"x?a=1#f", "query-fragment"), (b"x?a=1&", "trailing-amp")]:
        a("query-" + tag, 7, api + suffix)
    a("query-cache-control", 39, api + b"x", extra=b"private")
    a("query-cache-control-has", 39, api + b"x", extra=b"no-store")
    a("body", 66, api + b"updates/create.json", b"POST",
      b"text=Hi+there&profile_ids%5B%5D=4eb854340acb04e870000010", b"application/x-www-form-urlencoded")
    a("body-charset", 66, api + b"updates/create.json", b"POST", b"a=1",
      b"application/x-www-form-urlencoded; charset=utf-8")
    a("body-no-content-type", 2, api + b"updates/create.json", b"POST")
    a("body-untyped", 2, api + b"updates/create.json", b"POST", b"a=1")
    a("body-get", 66, api + b"x", b"GET", b"a=1", b"application/x-www-form-urlencoded")
    a("body-head", 66, api + b"x", b"head", b"a=1", b"application/x-www-form-urlencoded")
    a("body-json", 66, api + b"x", b"POST", b'{"a":1}', b"application/json")
    a("body-multipart", 66, api + b"x", b"POST", b"--b", b"multipart/form-data; boundary=b")
    a("body-nonascii", 66, api + b"x", b"POST", "a=é".encode(), b"application/x-www-form-urlencoded")
    a("body-token-plus", 66, api + b"x", b"POST", b"a=1", b"application/x-www-form-urlencoded", b"x+y/z")
    a("body-has-token", 65, api + b"x", b"POST", b"access_token=abc", b"application/x-www-form-urlencoded")
    a("body-has-token-encoded", 65, api + b"x", b"POST", b"access%5Ftoken=abc", b"application/x-www-form-urlencoded")
    a("query-has-token", 0, api + b"x?access_token=abc")
    a("authorization-present", 16, api + b"x", extra=b"Bearer other")
    for tok, tag in [(b"a b", "space"), (b"a\r\nX: 1", "crlf"), (b"=a", "leading-eq"), (b"a=b", "mid-eq"),
                     (b"a==", "padding"), (b"", "empty"), ("ä".encode(), "nonascii"), (b"a,b", "comma"),
                     (b"1/abc", "slash")]:
        a("token-" + tag, 0, api + b"x", token=tok)
    a("origin-http", 0, b"http://api.bufferapp.com/1/x")
    a("origin-suffix", 0, b"https://api.bufferapp.com.evil.com/1/x")
    a("origin-port", 0, b"https://api.bufferapp.com:8443/1/x")
    a("origin-default-port", 0, b"https://API.bufferapp.com:443/1/x")
    a("origin-userinfo", 0, b"https://u@api.bufferapp.com/1/x")
    a("origin-other", 0, b"https://evil.example/1/x")
    a("method-bad", 0, api + b"x", b"GE T")
    a("method-empty", 0, api + b"x", b"")
    a("header-crlf", 32, api + b"x", extra=b"no-cache\r\nX: 1")
    a("loopback", 8, b"http://127.0.0.1:8080/api/x", extra=b"")
    a("loopback-query", 12, b"http://127.0.0.1:8080/api/x?a=1#f")
    a("loopback-other-port", 8, b"http://127.0.0.1:8081/api/x")
    a("deauthorize", 128, api + b"x")
    a("deauthorize-query", 135, api + b"x")
    a("deauthorize-generic", 136, b"http://127.0.0.1:8080/api/x")


# ----------------------------------------------------------------- flow
KEY = b"k3y-for-fuzzing-0123456789abcdef!"


def form_encode(s):
    return urllib.parse.quote_plus(s, safe="")


def payload(p, t, c, r, x, n, k, s, v, i="0"):
    fields = [("p", p), ("t", t), ("c", c), ("r", r), ("x", x), ("n", n), ("k", k), ("s", s), ("v", v), ("i", i)]
    return "&".join(f"{a}={form_encode(b)}" for a, b in fields).encode()


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def sign(p):
    head = b"bo1." + b64url(p)
    return head + b"." + b64url(hmac.new(KEY, head, hashlib.sha256).digest())


def flow():
    buffer_t = "https://api.bufferapp.com/1/oauth2/token.json"
    generic_t = "https://auth.example/token"
    cid, ru = CID.decode(), RU.decode()
    state = b64url(b"0123456789abcdef").decode()
    verifier = b64url(bytes(range(32))).decode()
    good_buffer = payload("buffer-legacy", buffer_t, cid, ru, "", "0", "0", state, "")
    good_generic = payload("g", generic_t, cid, ru, "read write", "0", "1", state, verifier)
    # mode 0: as received
    for name, saved in [("saved-buffer", sign(good_buffer)), ("saved-generic", sign(good_generic))]:
        write("flow", "mode0-" + name, b"\x00" + saved)
        write("flow", "mode0-" + name + "-truncated", b"\x00" + saved[:-5])
        flipped = bytearray(saved)
        flipped[10] ^= 1
        write("flow", "mode0-" + name + "-flipped", b"\x00" + bytes(flipped))
    for name, raw in [("empty", b""), ("bo", b"bo"), ("version-2", b"bo2.abc.def"), ("version-x", b"box.abc"),
                      ("prefix-only", b"bo1."), ("two-dots", b"bo1.."), ("no-mac", b"bo1.abc"),
                      ("mac-short", b"bo1.abc.AAAA"), ("other-key", b"bo1." + b64url(good_buffer) + b"." + b64url(b"\0" * 32))]:
        write("flow", "mode0-" + name, b"\x00" + raw)
    write("flow", "mode0-oversized", b"\x00bo1." + b"A" * 33000)
    # mode 1: payloads the harness signs
    write("flow", "mode1-buffer", b"\x01" + good_buffer)
    write("flow", "mode1-generic", b"\x01" + good_generic)
    write("flow", "mode1-reordered", b"\x01" + b"&".join(reversed(good_buffer.split(b"&"))))
    write("flow", "mode1-repeated", b"\x01" + good_buffer + b"&s=x")
    write("flow", "mode1-unknown", b"\x01" + good_buffer + b"&z=1")
    write("flow", "mode1-missing", b"\x01" + good_buffer.rsplit(b"&", 1)[0])
    write("flow", "mode1-bad-flag", b"\x01" + payload("buffer-legacy", buffer_t, cid, ru, "", "2", "0", state, ""))
    write("flow", "mode1-ctl", b"\x01" + good_buffer.replace(b"x=", b"x=%00"))
    write("flow", "mode1-bad-percent", b"\x01" + good_buffer.replace(b"x=", b"x=%zz"))
    write("flow", "mode1-no-state", b"\x01" + payload("buffer-legacy", buffer_t, cid, ru, "", "0", "0", "", ""))
    write("flow", "mode1-pkce-mismatch", b"\x01" + payload("g", generic_t, cid, ru, "", "0", "1", state, ""))
    write("flow", "mode1-other-provider", b"\x01" + payload("other", buffer_t, cid, ru, "", "0", "0", state, ""))
    write("flow", "mode1-empty-pieces", b"\x01&&" + good_buffer + b"&")
    write("flow", "mode1-begun-later", b"\x01" + payload("buffer-legacy", buffer_t, cid, ru, "", "0", "0", state, "", "1"))
    write("flow", "mode1-expired", b"\x01" + payload("buffer-legacy", buffer_t, cid, ru, "", "0", "0", state, "", "-600000"))
    write("flow", "mode1-bad-time", b"\x01" + payload("buffer-legacy", buffer_t, cid, ru, "", "0", "0", state, "", "1e3"))
    # modes 2/3: round trip
    sb, vb = b"0123456789abcdef", bytes(range(32))
    write("flow", "trip-buffer", b"\x22" + join(b"", b"", sb, b"", b"", CODE))
    write("flow", "trip-generic-pkce", b"\x02" + join(b"", b"read write", sb, vb, b"", b"1/abc"))
    write("flow", "trip-generic-no-pkce", b"\x0a" + join(b"", b"", sb, b"", b"", b"a+b/c=d"))
    write("flow", "trip-without-state", b"\x32" + join(b"", b"", b"", b"", b"", b""))
    write("flow", "trip-short-entropy", b"\x22" + join(b"", b"", b"short", b"", b"", b""))
    write("flow", "trip-short-verifier", b"\x06" + join(b"", b"", sb, b"tooshort", b"", b""))
    write("flow", "trip-bad-scope", b"\x02" + join(b"", b'a"b', sb, vb, b"", b""))
    write("flow", "trip-named", b"\x62" + join(b"my provider & co", b"", sb, b"", b"", b""))
    write("flow", "trip-client-id", b"\x22" + join(b"", b"", sb, b"", b"id with space", b""))
    write("flow", "trip-bad-code", b"\x22" + join(b"", b"", sb, b"", b"", b"a\x01b"))


# --------------------------------------------------------- api_response
def api_response():
    # byte 0: status index into {200,201,204,299,400,401,403,404,429,500,502,503,0,100,300,-1}
    # byte 1: bits 0-2 Retry-After {none,120,0,IMF-fixdate,-1,1e3,20 digits,empty},
    #         bits 3-4 WWW-Authenticate {none,invalid_token,insufficient_scope,Basic}
    def a(name, status_index, body, headers=0):
        write("api_response", name, bytes([status_index, headers]) + body)

    def refusal(code):
        return b'{"data": null, "errors": [{"message": "Not allowed", "extensions": {"code": "' + code + b'"}}]}'

    def limited(window):
        return (b'{"errors":[{"message":"Too many requests","extensions":{"code":"RATE_LIMIT_EXCEEDED","window":"'
                + window + b'"}}]}')

    # Buffer's documented answers
    a("buffer-success", 0, b'{"data": {"account": {"id": "5f1", "email": "a@example.com"}}}')
    for code in (b"UNAUTHORIZED", b"FORBIDDEN", b"NOT_FOUND", b"UNEXPECTED"):
        a("buffer-" + code.decode().lower(), 0, refusal(code))
    a("buffer-anonymous", 5, b'{"errors":[{"message":"An authentication JWT or Access Token is required",'
                              b'"extensions":{"code":"UNAUTHENTICATED"}}]}')
    a("buffer-rate-15m", 8, limited(b"15m"), headers=1)
    a("buffer-rate-24h", 8, limited(b"24h"), headers=3)
    a("buffer-rate-30d", 8, limited(b"30d"), headers=4)
    a("buffer-query-limit", 0, b'{"errors":[{"message":"Query is too complex: 1203. Maximum allowed complexity: 1000",'
                               b'"locations":[{"line":1,"column":1}]}]}')
    a("buffer-mutation-error", 0, b'{"data":{"createPost":{"__typename":"InvalidInputError","message":"too long"}}}')
    # hostile
    a("errors-empty", 0, b'{"data":{},"errors":[]}')
    a("errors-object", 0, b'{"errors":{"message":"x"}}')
    a("errors-string-element", 0, b'{"errors":["denied"]}')
    a("code-number", 0, b'{"errors":[{"message":"a","extensions":{"code":1001}}]}')
    a("extensions-string", 0, b'{"errors":[{"message":"a","extensions":"FORBIDDEN"}]}')
    a("no-message", 0, b'{"errors":[{"extensions":{"code":"FORBIDDEN"}}]}')
    a("rate-no-retry-after", 8, b"")
    a("rate-retry-minus-one", 8, limited(b"15m"), headers=4)
    a("rate-retry-exponent", 8, limited(b"15m"), headers=5)
    a("rate-retry-20-digits", 8, limited(b"15m"), headers=6)
    a("rate-in-200", 0, limited(b"15m"), headers=1)
    a("window-too-long", 8, limited(b"1234567890123456"))
    a("duplicate-errors", 0, b'{"errors":[{"message":"a"}],"\\u0065rrors":[{"message":"b"}]}')
    a("duplicate-code", 0, b'{"errors":[{"message":"a","extensions":{"code":"FORBIDDEN","code":"UNAUTHORIZED"}}]}')
    a("data-and-errors", 0, b'{"data":{"a":1},"errors":[{"message":"x","extensions":{"code":"NOT_FOUND"}}]}')
    a("control-in-message", 0, b'{"errors":[{"message":"line\\nforged \\u009b","extensions":{"code":"FORBIDDEN"}}]}')
    a("token-in-message", 0, b'{"errors":[{"message":"token ' + T + b' is invalid","extensions":{"code":"UNAUTHORIZED"}}]}')
    a("many-errors", 0, b'{"errors":[' + b'{"message":"m","extensions":{"code":"FORBIDDEN"}},' * 60 + b'{"message":"x"}]}')
    a("deep-data", 0, b'{"data":' + b"[" * 80 + b"]" * 80 + b"}")
    a("challenge-html", 4, b"<html>no</html>", headers=8)
    a("bad-gateway", 10, b"<html><body>502 Bad Gateway</body></html>")
    a("bom-object", 9, b'\xef\xbb\xbf{"errors":[{"message":"x"}]}')
    a("legacy-envelope-1001", 6, b'{"success":false,"code":1001,"error":"Access token required."}')


# ------------------------------------------------------- metadata
BUFFER_ISSUER = b"https://auth.buffer.com"

# Buffer's discovery documents, as the unit and CLI tests read them.
def discovery_fixture(name):
    with open(os.path.join(HERE, "..", "tests", "cli", "fixtures", name), "rb") as f:
        return f.read()


BUFFER_RFC8414 = discovery_fixture("buffer-oauth-authorization-server.json")
BUFFER_OIDC = discovery_fixture("buffer-openid-configuration.json")

LOOPBACK_DOC = (b'{"issuer": "http://127.0.0.1:3000", "authorization_endpoint": "http://127.0.0.1:3000/auth", '
                b'"token_endpoint": "http://127.0.0.1:3000/token", "response_types_supported": ["code"], '
                b'"code_challenge_methods_supported": ["S256"], "token_endpoint_auth_methods_supported": '
                b'["client_secret_basic"]}')


def metadata():
    # byte 0: bit 0 generic base, bit 1 loopback opt-in, bit 2 OpenID document,
    # bits 4-5 status {200, 404, 201, 500}; then issuer ~~ body
    def m(name, options, body, issuer=BUFFER_ISSUER):
        write("metadata", name, bytes([options]) + join(issuer, body))

    def change(doc, old, new):
        assert doc.count(old) == 1, old
        return doc.replace(old, new)

    m("buffer-rfc8414", 0, BUFFER_RFC8414)
    m("buffer-oidc", 4, BUFFER_OIDC)
    m("buffer-oidc-generic-base", 5, BUFFER_OIDC)
    m("rfc8414-tenant-path", 1, change(BUFFER_OIDC, b'"issuer": "https://auth.buffer.com"',
                                        b'"issuer": "https://as.example/tenant1"'), b"https://as.example/tenant1")
    m("issuer-trailing-slash", 0, BUFFER_RFC8414, b"https://auth.buffer.com/")
    m("issuer-case", 0, BUFFER_RFC8414, b"https://Auth.Buffer.com")
    m("issuer-http", 0, BUFFER_RFC8414, b"http://auth.buffer.com")
    m("issuer-query", 0, BUFFER_RFC8414, b"https://auth.buffer.com?code=1")
    m("issuer-escaped", 0, change(BUFFER_RFC8414, b'"issuer": "https://auth.buffer.com"',
                                  b'"issuer": "https:\\/\\/auth.buffer\\u002ecom"'))
    m("loopback-opt-in", 3, LOOPBACK_DOC, b"http://127.0.0.1:3000")
    m("loopback-no-opt-in", 1, LOOPBACK_DOC, b"http://127.0.0.1:3000")
    m("http-token-endpoint", 0, change(BUFFER_OIDC, b'"token_endpoint": "https', b'"token_endpoint": "http'))
    m("endpoint-fragment", 0, change(BUFFER_OIDC, b"/token/revocation", b"/token/revocation#x"))
    m("endpoint-oauth-query", 0, change(BUFFER_OIDC, b"/auth\"", b"/auth?response_type=token\""))
    m("no-s256", 0, change(BUFFER_RFC8414, b'["S256"]', b'["plain"]'))
    m("no-s256-generic", 1, change(BUFFER_RFC8414, b'["S256"]', b'["plain"]'))
    m("no-code-response-type", 0, change(BUFFER_OIDC, b'"response_types_supported": ["code"]',
                                         b'"response_types_supported": ["token"]'))
    m("no-auth-methods", 0, change(BUFFER_OIDC, b'"token_endpoint_auth_methods_supported": ["client_secret_post", "none"],\n', b""))
    m("unknown-auth-method", 0, change(BUFFER_OIDC, b'["client_secret_post", "none"]', b'["private_key_jwt"]'))
    m("iss-false", 0, change(BUFFER_RFC8414, b'"authorization_response_iss_parameter_supported": true',
                             b'"authorization_response_iss_parameter_supported": false'))
    m("missing-token-endpoint", 0, change(BUFFER_OIDC, b'  "token_endpoint": "https://auth.buffer.com/token",\n', b""))
    m("wrong-type-issuer", 0, change(BUFFER_OIDC, b'"issuer": "https://auth.buffer.com"', b'"issuer": 1'))
    m("wrong-type-array", 0, change(BUFFER_OIDC, b'"response_types_supported": ["code"]',
                                    b'"response_types_supported": "code"'))
    m("duplicate-issuer", 0, change(BUFFER_OIDC, b'"issuer": "https://auth.buffer.com"',
                                    b'"issuer": "https://evil.example", "iss\\u0075er": "https://auth.buffer.com"'))
    m("status-404", 0x10, BUFFER_OIDC)
    m("html", 0, b"<!DOCTYPE html><html><body>Not Found</body></html>")
    m("deep", 0, change(BUFFER_OIDC, b'"claims_parameter_supported": false',
                        b'"claims_parameter_supported": ' + b"[" * 80 + b"]" * 80))
    m("top-array", 0, b"[" + BUFFER_OIDC + b"]")
    m("empty", 0, b"")


# --------------------------------------------------------- registration
def registration():
    # byte 0: status index into {201,200,400,401,429,503,500,204,0,302,202,299,100,-1,201,201}
    # byte 1: bit 0 two redirect URIs sent, bit 1 Retry-After, bit 2 tight limits
    def r(name, status_index, body, options=0, client_name=b"Buffer CLI"):
        write("registration", name, bytes([status_index, options]) + join(body, client_name))

    secret = b"cf136dc3c1fc93f3~1185e5885805d"
    token = b"yTQ3Zy0lS6mKpVvtf~JBIv1QC8yD8tYPn9bIzjTBxDdr"
    buffer = (b'{"application_type":"native","grant_types":["authorization_code","refresh_token"],'
              b'"response_types":["code"],"token_endpoint_auth_method":"none",'
              b'"client_id":"Fk1l8o4ZJ2cW_bQ3vX9mN","client_id_issued_at":1796212800,'
              b'"client_name":"Buffer CLI","redirect_uris":["http://127.0.0.1/callback"],'
              b'"registration_client_uri":"https://auth.buffer.com/reg/Fk1l8o4ZJ2cW_bQ3vX9mN",'
              b'"registration_access_token":"' + token + b'"}')
    r("buffer-public", 0, buffer)
    r("buffer-public-tight", 0, buffer, options=4)
    r("buffer-public-200", 1, buffer)
    r("rfc7591-example", 0, b'{"client_id":"s6BhdRkqt3","client_secret":"' + secret + b'",'
      b'"client_id_issued_at":2893256800,"client_secret_expires_at":2893276800,'
      b'"redirect_uris":["http://[::1]:51004/oauth2redirect/buffer","http://127.0.0.1/callback"],'
      b'"grant_types":["authorization_code","refresh_token"],"client_name":"My Example Client",'
      b'"client_name#ja-Jpan-JP":"\\u30AF\\u30E9\\u30A4\\u30A2\\u30F3\\u30C8\\u540D",'
      b'"token_endpoint_auth_method":"client_secret_basic"}', options=1)
    r("invalid-redirect-uri", 2, b'{"error":"invalid_redirect_uri","error_description":'
      b'"The redirection URI http://sketchy.example.com is not allowed by this server."}')
    r("invalid-client-metadata", 2, b'{"error":"invalid_client_metadata","error_description":"The grant type '
      b"'authorization_code' must be registered along with the response type 'code' but found only "
      b"'implicit' instead.\"}")
    r("error-201", 0, b'{"error":"invalid_software_statement"}')
    r("error-repeats-secret", 2, b'{"error":"' + secret + b'","client_secret":"' + secret + b'"}')
    r("rate-limited", 4, b"", options=2)
    r("bad-gateway", 6, b"<html>Bad gateway</html>")
    r("no-client-id", 0, b'{"token_endpoint_auth_method":"none"}')
    r("client-id-number", 0, b'{"client_id":42}')
    r("client-id-empty", 0, b'{"client_id":""}')
    r("client-id-control", 0, b'{"client_id":"a\\nb"}')
    r("client-id-dup-escaped", 0, b'{"client_id":"a","client\\u005fid":"b"}')
    r("secret-no-expiry", 0, b'{"client_id":"a","client_secret":"' + secret + b'"}')
    r("secret-expiry-negative", 0, b'{"client_id":"a","client_secret":"' + secret + b'","client_secret_expires_at":-1}')
    r("secret-dup", 0, b'{"client_id":"a","client_secret":"x~","client_secret":"' + secret + b'"}')
    r("token-without-uri", 0, b'{"client_id":"a","registration_access_token":"' + token + b'"}')
    r("uri-plain-http", 0, b'{"client_id":"a","registration_access_token":"t","registration_client_uri":"http://x/"}')
    r("redirect-other", 0, b'{"client_id":"a","redirect_uris":["http://localhost/callback"]}')
    r("redirect-escaped", 0, b'{"client_id":"a","redirect_uris":["http:\\/\\/127.0.0.1\\/callback"]}')
    r("auth-basic-no-secret", 0, b'{"client_id":"a","token_endpoint_auth_method":"client_secret_basic"}')
    r("ambiguous", 0, b'{"client_id":"a","access_token":"b","error":"c"}')
    r("envelope", 0, b'{"success":false,"code":1001,"message":"nope"}')
    r("nested", 0, b'{"client_id":"a","x":{"client_id":"b","error":"c"},"y":[[[[1]]]]}', options=4)
    r("overflow-number", 0, b'{"client_id":"a","client_secret_expires_at":1e400}')
    r("bom", 0, b"\xef\xbb\xbf{}")
    r("name-hostile", 0, b'{"client_id":"a"}', client_name=b'Bob"s \\ app","scope":"admin\n\r\t\x00\x01\x7f'
      + "café € 😀".encode())
    r("name-empty", 0, b'{"client_id":"a"}', client_name=b"")
    r("name-overlong", 0, b'{"client_id":"a"}', client_name=b"\xc0\xaf")
    r("name-surrogate", 0, b'{"client_id":"a"}', client_name=b"\xed\xa0\x80")
    r("name-truncated", 0, b'{"client_id":"a"}', client_name=b"caf\xc3")


# ---------------------------------------------------------- credentials
def credentials():
    # byte 0: bits 0-1 mode (0 text, 1 text after "boc1.", 2/3 fields), bit 2
    # tight limits, bit 3 no expires_at, bit 4 Buffer's current provider
    def text(name, opt, body):
        write("credentials", name, bytes([opt]) + body)

    def fields(name, opt, generation, obtained_at, expires_in, access, refresh, scope=b"", token_type=b"bearer",
               script=b""):
        numbers = b"".join(n.to_bytes(8, "little", signed=n < 0) for n in (generation, obtained_at, expires_in))
        write("credentials", name, bytes([opt]) + numbers + join(access, refresh, scope, token_type, script))

    def stored(generation=b"2", obtained=b"1700000000000", expires=b"1700003600000", token_type=b"Bearer",
               scope=b"account%3Aread", access=b"1%2F" + T[2:], refresh=b"1%2Fr3fr3sh"):
        return (b"boc1.generation=" + generation + b"&obtained_at=" + obtained + b"&expires_at=" + expires +
                b"&token_type=" + token_type + b"&scope=" + scope + b"&access_token=" + access +
                b"&refresh_token=" + refresh)

    good = stored()
    text("doc-example", 0, good)
    text("doc-example-current", 0x10, good)
    text("no-expiry", 0, stored(expires=b""))
    text("no-refresh-token", 0, stored(refresh=b""))
    text("no-scope", 0, stored(scope=b""))
    text("negative-times", 0, stored(obtained=b"-5000", expires=b"-1000"))
    text("int64-edges", 0, stored(generation=b"18446744073709551615", obtained=b"-9223372036854775808",
                                  expires=b"9223372036854775807"))
    text("expiry-before-arrival", 0, stored(expires=b"1699999999999"))
    text("generation-negative", 0, stored(generation=b"-1"))
    text("generation-overflow", 0, stored(generation=b"18446744073709551616"))
    text("leading-zeros", 0, stored(generation=b"007"))
    text("plus-sign", 0, stored(obtained=b"+1"))
    text("token-type-mac", 0, stored(token_type=b"mac"))
    text("token-type-case", 0, stored(token_type=b"bEaReR"))
    text("access-token-space", 0, stored(access=b"a+b"))
    text("access-token-padding", 0, stored(access=b"abc%3D%3D"))
    text("access-token-empty", 0, stored(access=b""))
    text("refresh-token-ctl", 0, stored(refresh=b"a%01b"))
    text("scope-double-space", 0, stored(scope=b"a++b"))
    text("scope-quote", 0, stored(scope=b"a%22b"))
    text("bad-percent", 0, stored(refresh=b"%zz"))
    text("nul", 0, stored(scope=b"%00"))
    text("not-utf8", 0, stored(refresh=b"%C0%AF"))
    text("repeated", 0, good + b"&scope=x")
    text("unknown", 0, good + b"&extra=1")
    text("missing", 0, good.rsplit(b"&", 1)[0])
    text("reordered", 0, b"boc1." + b"&".join(reversed(good[5:].split(b"&"))))
    text("empty-pieces", 0, b"boc1.&&" + good[5:] + b"&")
    text("version-2", 0, b"boc2." + good[5:])
    text("version-long", 0, b"boc12345." + good[5:])
    text("no-prefix", 0, good[5:])
    text("empty", 0, b"")
    text("fields-only", 1, good[5:])
    text("tight-limits", 4, good)
    text("tight-limits-encoded", 4, stored(access=b"%2F" * 12, refresh=b"r", scope=b"", expires=b""))
    text("oversized", 0, b"boc1.scope=" + b"a" * 16800)

    # Fields, then the session's script: byte 0 the refresh lead in seconds,
    # then one byte a step: bits 0-2 the event, bits 3-6 the time step
    # (kSteps), bit 7 a stale ticket or an older generation.
    use, answer, lost, reject, adopt = 0, 3, 5, 6, 7

    def step(event, time_pick, flag=0):
        return bytes([event | (time_pick << 3) | (flag << 7)])

    def answered(kind, time_pick=0):  # kind: refresh_answer's pick, bits 4-6
        return bytes([answer | (kind << 4) | (time_pick << 3 & 0x08)])

    hour = b"\x3c" + step(use, 0) + step(use, 8) + answered(0) + step(use, 1) + step(reject, 0) + step(use, 0)
    fields("buffer-hour", 2, 0, 1700000000000, 3600, T, b"1/r3fr3sh", b"", b"bearer", hour)
    fields("current-rotating", 0x12, 7, 1700000000000, 2, b"at-" + T[2:], b"rt-1", b"account:read posts:write",
           b"Bearer", b"\x01" + step(use, 1) + step(use, 3) + answered(1) + step(use, 4) + step(lost, 0)
           + step(use, 0) + answered(3) + step(use, 3))
    fields("lost-then-invalid-grant", 2, 1, 0, 60, T, b"rt", b"", b"bearer",
           b"\x3c" + step(use, 6) + step(lost, 0) + step(use, 0) + answered(3))
    fields("rate-limited", 2, 1, 0, 60, T, b"rt", b"", b"bearer",
           b"\x3c" + step(use, 7) + answered(4) + step(use, 7) + step(use, 3))
    fields("no-expiry-rejected", 0x0a, 3, 0, 0, T, b"rt", b"", b"bearer",
           b"\x3c" + step(use, 8) + step(reject, 0) + step(reject, 0, 1) + step(use, 0) + answered(2)
           + step(reject, 1))
    fields("unreadable-answer", 2, 0, 0, 60, T, b"rt", b"", b"bearer",
           b"\x3c" + step(use, 6) + answered(5) + step(use, 0) + answered(3))
    fields("no-refresh-token", 2, 0, 0, 10, T, b"", b"", b"bearer", b"\x3c" + step(use, 0) + step(use, 8))
    fields("clock-back-and-adopt", 2, 5, 1000, 3600, T, b"rt", b"", b"bearer",
           b"\x3c" + step(use, 9) + step(use, 10) + step(adopt, 1) + step(adopt, 1, 1) + step(use, 0))
    fields("expiry-overflow", 2, 0, 9223372036854775000, 3600, T, b"rt")
    fields("expiry-negative", 2, 0, 0, -1, T, b"rt")
    fields("int64-min-obtained", 2, 0, -9223372036854775808, 0, T, b"rt", b"", b"bearer",
           b"\x00" + step(use, 10) + step(use, 1))
    fields("bad-access-token", 2, 0, 0, 60, b"a b", b"rt")
    fields("bad-token-type", 2, 0, 0, 60, T, b"rt", b"", b"mac")
    fields("tight-encoded-scope", 6, 0, 0, 60, b"1/abc", b"rt", b"%&%&%&%&%&", b"bearer")
    fields("tight-long-token", 6, 0, 0, 60, b"abcdefghijklmnopqrstuvwxy", b"rt")


def main():
    form()
    redirect()
    json_seeds()
    token_response()
    api_response()
    metadata()
    registration()
    attach()
    flow()
    credentials()


if __name__ == "__main__":
    main()
