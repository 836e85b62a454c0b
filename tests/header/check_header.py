#!/usr/bin/env python3
"""The core header's promises to a compiler: below C++17 it stops with one
#error that says which standard to use (MSVC's _MSVC_LANG included), and
users' aggregate initialisation of its public structs is clean under
-Wmissing-field-initializers. Usage: check_header.py CXX"""
import pathlib, subprocess, sys, tempfile

here = pathlib.Path(__file__).resolve().parent
include = here.parent.parent / "include"
cxx = sys.argv[1] if len(sys.argv) > 1 else "c++"
wanted = "buffer_oauth.hpp needs C++17 or later: compile with -std=c++17"
failures = []


def compile_only(source, *flags):
    return subprocess.run([cxx, *flags, f"-I{include}", "-fsyntax-only", str(source)], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    includer = pathlib.Path(tmp) / "includes_core.cpp"
    includer.write_text("#include <buffer_oauth.hpp>\n")
    for std in ("-std=c++11", "-std=c++14"):
        built = compile_only(includer, std)
        errors = [line for line in built.stderr.splitlines() if ": error:" in line]
        if built.returncode == 0:
            failures.append(f"{std}: the header compiled")
        elif len(errors) != 1 or wanted not in errors[0]:
            failures.append(f"{std}: expected one error saying '{wanted}', got:\n{built.stderr[:1500]}")
    # MSVC without /Zc:__cplusplus keeps __cplusplus at 199711L; its _MSVC_LANG names the standard.
    msvc = subprocess.run([cxx, "-std=c++14", "-D_MSVC_LANG=201703L", f"-I{include}", "-E", str(includer)],
                          capture_output=True, text=True)
    if wanted in msvc.stderr:
        failures.append("_MSVC_LANG 201703L: the #error fired although MSVC compiles C++17")

for std in ("-std=c++17", "-std=c++20", "-std=c++2b"):
    built = compile_only(here / "partial_aggregates.cpp", std, "-Wall", "-Wextra", "-Wpedantic", "-Wconversion",
                         "-Wshadow", "-Wmissing-field-initializers", "-Werror")
    if built.returncode != 0:
        failures.append(f"{std}: partial aggregate initialisation warns:\n{built.stderr[:2000]}")

for f in failures:
    print("FAIL:", f)
if not failures:
    print(f"{cxx}: one #error below C++17; public structs clean under -Wmissing-field-initializers")
sys.exit(1 if failures else 0)
