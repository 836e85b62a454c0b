#!/usr/bin/env python3
"""Keeps README.md honest: its C++ example compiles against the header (with
-fno-exceptions -fno-rtti -Werror), its errc table lists exactly the codes the
header defines, each with the header's number and category, and it explains
exactly the header's categories."""
import pathlib, re, subprocess, sys, tempfile

root = pathlib.Path(__file__).resolve().parent.parent
cxx = sys.argv[1] if len(sys.argv) > 1 else "c++"
readme = (root / "README.md").read_text()
header = (root / "include" / "buffer_oauth.hpp").read_text()

failures = []
# The header's one list of codes: the rows X(name, number, category, "message")
# of the BUFFER_OAUTH_ERRC_LIST macro, up to the first line without a backslash.
errc_list = re.search(r"#define BUFFER_OAUTH_ERRC_LIST\(X\) \\\n((?:.*\\\n)*.*)", header)
header_rows = re.findall(r"^\s*X\((\w+),\s*(\d+),\s*(\w+),", errc_list.group(1), re.M) if errc_list else []
header_codes = {name: (number, category) for name, number, category in header_rows if name != "ok"}
if not header_codes:
    failures.append("no BUFFER_OAUTH_ERRC_LIST rows found in the header")
categories = re.search(r"enum class errc_category[^{]*\{(.*?)\};", header, re.S)
header_categories = set(re.findall(r"^\s*(\w+)(?: = \d+)?,", categories.group(1), re.M)) if categories else set()

errors_section = readme.split("## Errors", 1)[-1].split("\n## ", 1)[0]
readme_rows = re.findall(r"^\| `(\w+)` \| (\d+) \| (\w+) \|", errors_section, re.M)
readme_codes = {name: (number, category) for name, number, category in readme_rows}
if len(readme_codes) != len(readme_rows):
    failures.append("the README errc table lists a code twice")
if header_codes != readme_codes:
    for name in sorted(header_codes.keys() | readme_codes.keys()):
        if header_codes.get(name) != readme_codes.get(name):
            failures.append(f"errc {name}: header (number, category) {header_codes.get(name)}, "
                            f"README {readme_codes.get(name)}")
readme_categories = set(re.findall(r"^- `(\w+)`:", errors_section, re.M)) | {"none"}
if header_categories != readme_categories:
    failures.append(f"errc categories differ: header {sorted(header_categories)}, README {sorted(readme_categories)}")

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
