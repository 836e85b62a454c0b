#!/usr/bin/env python3
"""Keeps README.md honest: its C++ example compiles against the header (with
-fno-exceptions -fno-rtti -Werror) and its errc table lists exactly the codes
the header defines."""
import pathlib, re, subprocess, sys, tempfile

root = pathlib.Path(__file__).resolve().parent.parent
cxx = sys.argv[1] if len(sys.argv) > 1 else "c++"
readme = (root / "README.md").read_text()
header = (root / "include" / "buffer_oauth.hpp").read_text()

failures = []
# The header's one list of codes: the rows X(name, number, category, "message")
# of the BUFFER_OAUTH_ERRC_LIST macro, up to the first line without a backslash.
errc_list = re.search(r"#define BUFFER_OAUTH_ERRC_LIST\(X\) \\\n((?:.*\\\n)*.*)", header)
header_codes = set(re.findall(r"^\s*X\((\w+),", errc_list.group(1), re.M)) - {"ok"} if errc_list else set()
if not header_codes:
    failures.append("no BUFFER_OAUTH_ERRC_LIST rows found in the header")
errors_section = readme.split("## Errors", 1)[-1].split("\n## ", 1)[0]
readme_codes = set(re.findall(r"^\| `(\w+)` \|", errors_section, re.M))
if header_codes != readme_codes:
    failures.append(f"errc table differs: missing in README {sorted(header_codes - readme_codes)}, "
                    f"unknown in README {sorted(readme_codes - header_codes)}")

example = re.findall(r"```cpp\n(.*?)```", readme, re.S)
if not example:
    failures.append("README has no C++ example")
else:
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "readme_example.cpp"
        src.write_text(example[0] + "\nbo::http_response send(const bo::http_request&) { return {}; }\n"
                       "int main() { return login(\"https://example.com/back?code=x\") ? 1 : 0; }\n")
        cmd = [cxx, "-std=c++17", "-fno-exceptions", "-fno-rtti", "-Wall", "-Wextra", "-Wpedantic",
               "-Wconversion", "-Wshadow", "-Werror", f"-I{root / 'include'}", str(src),
               "-o", str(pathlib.Path(tmp) / "a.out")]
        built = subprocess.run(cmd, capture_output=True, text=True)
        if built.returncode != 0:
            failures.append("README example does not compile:\n" + built.stderr[:2000])
        elif subprocess.run([str(pathlib.Path(tmp) / "a.out")]).returncode != 0:
            failures.append("README example accepted a redirect without state")

for f in failures:
    print("FAIL:", f)
print(f"README: {len(header_codes)} errc documented, example compiled" if not failures else "")
sys.exit(1 if failures else 0)
