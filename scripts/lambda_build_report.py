#!/usr/bin/env python3
"""Writes what `make build` made into docs/BENCHMARKS.md: how long the arm64 release build took on
this machine, and each bootstrap's size, raw and zipped as Lambda takes it (the budget is 6 MB
zipped). The section sits between two markers, so `make bench` (scripts/bench-report.py, which
rewrites the rest of the file) keeps it, and a later `make build` replaces it.

    lambda_build_report.py LAMBDA_DIR SECONDS PROFILE_DESCRIPTION [BENCHMARKS.md]
"""
import io
import os
import sys
import time
import zipfile

START = "<!-- make build: start -->"
END = "<!-- make build: end -->"
ZIP_BUDGET_BYTES = 6 * 1000 * 1000
MIB = 1024 * 1024


def zipped_size(path):
    """Bytes of a zip holding the file as `bootstrap` (deflate level 9)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(path, "rb") as binary:
            archive.writestr(info, binary.read())
    return buffer.tell()


def machine():
    cores = os.cpu_count()
    try:
        load = open("/proc/loadavg").read().split()[:3]
    except OSError:
        load = ["?"] * 3
    return f"{cores} cores, load average at the end {' '.join(load)}"


def section(lambda_dir, seconds, profile):
    rows = []
    for name in sorted(os.listdir(lambda_dir)):
        bootstrap = os.path.join(lambda_dir, name, "bootstrap")
        if os.path.isfile(bootstrap):
            rows.append((name, os.path.getsize(bootstrap), zipped_size(bootstrap)))
    if not rows:
        sys.exit(f"lambda-build-report: no bootstraps under {lambda_dir}")
    over = [name for name, _, zipped in rows if zipped > ZIP_BUDGET_BYTES]
    largest = max(rows, key=lambda r: r[2])
    lines = [
        START,
        "## Lambda build (`make build`, arm64)",
        "",
        f"Written by `make build` (scripts/lambda_build_report.py) on {time.strftime('%Y-%m-%d', time.gmtime())}: "
        f"`cargo lambda build --release --arm64` of all {len(rows)} functions took "
        f"**{seconds / 60:.1f} minutes** ({machine()}). Profile: {profile}.",
        "",
        f"Largest zipped: `{largest[0]}` {largest[2] / 1e6:.2f} MB "
        + ("(every function within the 6 MB budget)." if not over else f"(over the 6 MB budget: {', '.join(over)})."),
        "",
        "| function | bootstrap arm64 (MiB) | zipped arm64 (MB) |",
        "|---|---|---|",
    ]
    for name, raw, zipped in rows:
        mark = " **over budget**" if zipped > ZIP_BUDGET_BYTES else ""
        lines.append(f"| `{name}` | {raw / MIB:.2f} | {zipped / 1e6:.2f}{mark} |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def replace_section(markdown_path, text):
    try:
        current = open(markdown_path).read()
    except FileNotFoundError:
        current = "# Benchmarks\n"
    if START in current and END in current:
        before = current[: current.index(START)]
        after = current[current.index(END) + len(END) :].lstrip("\n")
        updated = before + text + ("\n" + after if after else "")
    elif "\n## Method and caveats" in current:
        at = current.index("\n## Method and caveats")
        updated = current[: at + 1] + text + "\n" + current[at + 1 :]
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    with open(markdown_path, "w") as markdown:
        markdown.write(updated)


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    lambda_dir, seconds, profile = argv[0], float(argv[1]), argv[2]
    markdown_path = argv[3] if len(argv) == 4 else "docs/BENCHMARKS.md"
    text = section(lambda_dir, seconds, profile)
    replace_section(markdown_path, text)
    print(text)
    print(f"lambda-build-report: wrote the make build section of {markdown_path}")


if __name__ == "__main__":
    main(sys.argv[1:])
