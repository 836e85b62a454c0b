#!/usr/bin/env python3
"""Merges Google Benchmark JSON and callgrind dumps into one table.

usage: table.py BENCH_JSON CALLGRIND_DIR N

BENCH_JSON: --benchmark_out of buffer_oauth_bench (medians are used when
repetitions were run). CALLGRIND_DIR: the dumps of `buffer_oauth_bench_driver
run N` under callgrind; each dump's reason is an operation's name.
Instructions per operation = (dump total - empty loop total) / N.
Ratios are ours / theirs: below 1 means ours is faster.
"""
import glob
import json
import re
import sys


def load_bench(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    for b in data["benchmarks"]:
        name = b.get("run_name", b["name"])
        agg = b.get("aggregate_name")
        if agg not in (None, "median"):
            continue
        if agg is None and name in rows and rows[name].get("median"):
            continue
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        rows[name] = {
            "ns": b["cpu_time"] * scale,
            "allocs": b.get("allocs"),
            "mallocs": b.get("mallocs"),
            "median": agg == "median",
        }
    return rows


def load_callgrind(directory, n):
    totals = {}
    for path in glob.glob(directory + "/*"):
        reason = total = None
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"desc: Trigger: Client Request: (.*)", line)
                if m:
                    reason = m.group(1).strip()
                m = re.match(r"totals: (\d+)", line)
                if m:
                    total = int(m.group(1))
        if reason and total is not None:
            totals[reason] = total
    base = totals.get("empty/loop/empty")
    if base is None:
        return {}
    return {k: (v - base) / n for k, v in totals.items() if k != "empty/loop/empty"}


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


INSTRUCTION_TARGETS = [
    ("attach/header", "ours_attach_token", 1200, "attach_token with a prepared api_target, Bearer header"),
    ("attach/query", "ours_attach_token", 1500, "attach_token with a prepared api_target, query"),
    ("redirect/r3", "ours_parse_redirect", 2000, "parse_redirect without a state"),
    ("redirect/r6", "ours_parse_redirect", 2500, "parse_redirect with a state"),
    ("token/t16", "ours_json_read", "simdjson_with_copy", "json_read no slower than simdjson on-demand + copy"),
    ("token/t250", "ours_json_read", "simdjson_with_copy", "json_read no slower than simdjson on-demand + copy"),
    ("token/t16", "ours_parse_token_response", 2000, "parse_token_response, Buffer's answer"),
]


def main():
    bench = load_bench(sys.argv[1])
    instr = load_callgrind(sys.argv[2], int(sys.argv[3])) if len(sys.argv) > 3 else {}
    names = [n for n in bench if not n.startswith("empty/")]
    names += [n for n in instr if n not in bench]
    blocks = {}
    for n in names:
        group, impl = n.rsplit("/", 1)
        blocks.setdefault(group, []).append(impl)

    def get(group, impl, key):
        name = group + "/" + impl
        if key == "instr":
            return instr.get(name)
        return bench.get(name, {}).get(key)

    print("Ratios are ours / this (below 1: ours faster); ns = CPU time (median when repeated),")
    print("instr = callgrind instructions per operation minus the empty loop.")
    for group, impls in blocks.items():
        ours = [i for i in impls if i.startswith("ours_")]
        print()
        head = f"{group:<20} {'impl':<26} {'ns/op':>9} {'instr/op':>9} {'allocs':>6} {'mallocs':>7}"
        for o in ours:
            short = o[len("ours_"):][:14]
            head += f" | {short + ' ns':>17} {'instr':>6}"
        print(head)
        for impl in impls:
            line = (f"{'':<20} {impl:<26} {fmt(get(group, impl, 'ns'), '9.1f')} "
                    f"{fmt(get(group, impl, 'instr'), '9.0f')} {fmt(get(group, impl, 'allocs'), '6.2f')} "
                    f"{fmt(get(group, impl, 'mallocs'), '7.2f')}")
            for o in ours:
                if impl.startswith("ours_"):
                    line += f" | {'':>17} {'':>6}"
                    continue
                rn = ratio(get(group, o, "ns"), get(group, impl, "ns"))
                ri = ratio(get(group, o, "instr"), get(group, impl, "instr"))
                line += f" | {fmt(rn, '17.2f')} {fmt(ri, '6.2f')}"
            print(line)

    # The performance issue's targets: instructions per operation, at most a
    # number or at most another implementation's count in the same run.
    print()
    print("Instruction targets (ours at most the limit):")
    for group, o, limit, text in INSTRUCTION_TARGETS:
        have = get(group, o, "instr")
        bound = limit if isinstance(limit, (int, float)) else get(group, limit, "instr")
        verdict = "-" if have is None or bound is None else ("met" if have <= bound else "MISSED")
        print(f"  {group + '/' + o:<46} {fmt(have, '7.0f')} <= {fmt(bound, '7.0f')}  {verdict:<6} {text}")

    # Ratios against the libraries, judged on instructions and on time.
    print()
    print("Ratio targets (ratio = ours / theirs; instr first, then ns):")
    checks = []
    for group, impls in blocks.items():
        kind = group.split("/")[0]
        if kind == "token":
            for o in ("ours_parse_token_response", "ours_json_read"):
                checks.append((group, o, "nlohmann", 0.1, "10x faster than nlohmann/json"))
                checks.append((group, o, "simdjson_with_copy", 1.0, "no slower than simdjson on-demand + padding copy"))
        elif kind == "redirect":
            for t in ("boost_url_params", "boost_url_encoded"):
                checks.append((group, "ours_parse_redirect", t, 1 / 3, "3x faster than Boost.URL"))
        elif kind == "attach":
            checks.append((group, "ours_attach_token", "floor_memcpy", 2.0, "within 2x of the memcpy floor"))
        elif kind == "session":
            checks.append((group, "ours_session_use", "floor_fields", 2.0, "at most 2x reading the fields"))
    for group, o, t, limit, text in checks:
        ri = ratio(get(group, o, "instr"), get(group, t, "instr"))
        rn = ratio(get(group, o, "ns"), get(group, t, "ns"))
        def verdict(r):
            return "-" if r is None else ("met" if r <= limit else "MISSED")
        print(f"  {group + '/' + o:<42} vs {t:<20} {text:<50} "
              f"instr {fmt(ri, '7.3f')} {verdict(ri):<6}  ns {fmt(rn, '7.3f')} {verdict(rn)}")
    print()
    print("Allocations where nothing must be decoded (target 0):")
    for group, impls in blocks.items():
        for impl in impls:
            if impl.startswith("ours_"):
                a = get(group, impl, "mallocs")
                if a is None:
                    a = get(group, impl, "allocs")
                print(f"  {group + '/' + impl:<42} {fmt(a, '.2f')}")


if __name__ == "__main__":
    main()
