#!/usr/bin/env python3
"""Keeps README.md honest: each C++ block is a file of examples/readme/
(named by the `<!-- file: PATH -->` line above it) and equals it byte for
byte, every program there is shown, its errc table lists exactly the codes
the header defines, each with the header's number and category, and it
explains exactly the header's categories. The files are the source of truth:
CMake builds them and the e2e suite readme_examples runs them."""
import pathlib, re, sys

root = pathlib.Path(__file__).resolve().parent.parent
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

examples = root / "examples" / "readme"
cpp_blocks = re.findall(r"^```cpp\n", readme, re.M)
shown = re.findall(r"^<!-- file: (\S+) -->\n```cpp\n(.*?)^```$", readme, re.S | re.M)
if len(shown) != len(cpp_blocks):
    failures.append(f"{len(cpp_blocks) - len(shown)} C++ block(s) without a '<!-- file: PATH -->' line above")
for path, text in shown:
    file = root / path
    if file.parent != examples or not file.is_file():
        failures.append(f"README shows {path}, which is not a file of examples/readme/")
    elif file.read_text() != text:
        failures.append(f"README's block for {path} differs from the file: copy the file into the README")
# Every program and what it includes, except the tests' hook local_provider.hpp.
wanted = {f"examples/readme/{f.name}" for f in examples.iterdir() if f.suffix in (".cpp", ".hpp")}
missing = wanted - {"examples/readme/local_provider.hpp"} - {path for path, _ in shown}
if missing:
    failures.append(f"README does not show {sorted(missing)}")

for f in failures:
    print("FAIL:", f)
print(f"README: {len(header_codes)} errc documented, {len(shown)} example files shown as they are" if not failures else "")
sys.exit(1 if failures else 0)
