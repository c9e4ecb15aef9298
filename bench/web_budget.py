"""How much the web app makes a browser download: the chat view's initial JS + CSS, gzipped.

"Initial" is what index.html loads before any user action: its entry script, the chunks
it preloads (`modulepreload`) and its stylesheets. Everything else is a lazy chunk
(syntax highlighting, the settings dialog...), listed separately. Sizes are gzip level 9,
which is what the server sends (src/scalechat/api/web.py).

    .venv/bin/python bench/web_budget.py                 # the build in src/scalechat/static (make web)
    .venv/bin/python bench/web_budget.py --dir /tmp/web  # another build
    .venv/bin/python bench/web_budget.py --json out.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_KB = 220.0
AIM_KB = 200.0

_REFERENCE = re.compile(r"""<(?:script|link)\b[^>]*?(?:src|href)="(/assets/[^"]+)"[^>]*>""")


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def measure(build: Path) -> dict[str, object]:
    index = (build / "index.html").read_text()
    initial = sorted(set(_REFERENCE.findall(index)))
    initial_files = [build / ref.lstrip("/") for ref in initial if ref.endswith((".js", ".css"))]
    all_files = sorted(p for p in (build / "assets").iterdir() if p.suffix in (".js", ".css"))
    lazy_files = [p for p in all_files if p not in initial_files]

    def rows(files: list[Path]) -> list[dict[str, object]]:
        return [
            {"file": p.name, "bytes": p.stat().st_size, "gzip_bytes": gzipped_size(p)}
            for p in sorted(files, key=lambda f: -f.stat().st_size)
        ]

    initial_rows = rows(initial_files)
    initial_gzip = sum(int(str(r["gzip_bytes"])) for r in initial_rows)
    return {
        "build": str(build),
        "initial": initial_rows,
        "initial_gzip_kb": round(initial_gzip / 1024, 1),
        "budget_kb": BUDGET_KB,
        "within_budget": initial_gzip / 1024 <= BUDGET_KB,
        "lazy": rows(lazy_files),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ROOT / "src" / "scalechat" / "static")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not (args.dir / "index.html").is_file():
        sys.stderr.write(f"no build in {args.dir}: run `make web`\n")
        return 2
    result = measure(args.dir)
    out = sys.stdout
    out.write(f"initial JS + CSS for the chat view (gzip -9), build {result['build']}\n")
    for row in result["initial"]:  # type: ignore[attr-defined]
        out.write(f"  {row['file']:<48} {row['bytes'] / 1024:8.1f} KB  {row['gzip_bytes'] / 1024:7.1f} KB gz\n")
    verdict = "within" if result["within_budget"] else "OVER"
    out.write(
        f"  {'total':<48} {'':>8}     {result['initial_gzip_kb']:7.1f} KB gz"
        f"  ({verdict} the {BUDGET_KB:.0f} KB budget; aim {AIM_KB:.0f})\n"
    )
    out.write("lazy chunks (loaded on demand)\n")
    for row in result["lazy"]:  # type: ignore[attr-defined]
        out.write(f"  {row['file']:<48} {row['bytes'] / 1024:8.1f} KB  {row['gzip_bytes'] / 1024:7.1f} KB gz\n")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
