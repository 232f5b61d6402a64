"""Check requirements.lock against a vendored list of known vulnerabilities, offline.

pip-audit cannot work on this machine: the package index it reaches is a mirror without the
per-release JSON that carries PyPI's `vulnerabilities`, and OSV (api.osv.dev) does not resolve.
So the advisories below are vendored: published advisories (PyPA advisory-db / GitHub / the
projects' security releases) for the packages in the lock, as reviewed on REVIEWED. What this
checks: every line of the lock is an exact `name==version` pin, and no pin falls in a range
listed here. What it does not check: advisories published after REVIEWED, or for a package or
range not listed (a new dependency needs its advisories added here). Where online, also run
`pip-audit -r requirements.lock --no-deps --disable-pip`.

Run: python -m tests.security.advisories [requirements.lock]
"""

import re
import sys
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REVIEWED = "2026-11-26"
LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")

# (package, affected versions, advisory, what it is)
ADVISORIES = [
    ("django", ">=5.2a1,<5.2.1", "CVE-2025-32873", "strip_tags() denial of service"),
    ("django", ">=5.2a1,<5.2.2", "CVE-2025-48432", "log injection through request.path"),
    ("django", ">=5.2a1,<5.2.6", "CVE-2025-57833", "SQL injection in FilteredRelation aliases"),
    ("django", ">=5.2a1,<5.2.7", "CVE-2025-59681", "SQL injection in annotate() aliases"),
    ("django", ">=5.2a1,<5.2.7", "CVE-2025-59682", "archive extraction path traversal"),
    ("django", ">=5.2a1,<5.2.8", "CVE-2025-64459", "SQL injection through Q(_connector=)"),
    ("django", ">=5.2a1,<5.2.8", "CVE-2025-64458", "redirect denial of service on Windows"),
    ("django", "<4.2.26", "CVE-2025-64459", "SQL injection (older series)"),
    ("djangorestframework", "<3.15.2", "CVE-2024-21520", "XSS in the browsable API"),
    ("gunicorn", "<22.0.0", "CVE-2024-1135", "request smuggling (Transfer-Encoding)"),
    ("gunicorn", "<23.0.0", "CVE-2024-6827", "request smuggling (TE.CL)"),
    ("cryptography", "<42.0.0", "CVE-2023-50782", "RSA decryption timing oracle"),
    ("cryptography", "<42.0.4", "CVE-2024-26130", "NULL dereference with PKCS#12"),
    ("cryptography", ">=42.0.0,<44.0.1", "CVE-2024-12797", "bundled OpenSSL RPK auth"),
    ("requests", "<2.32.0", "CVE-2024-35195", "verify=False sticks to the connection"),
    ("requests", "<2.32.4", "CVE-2024-47081", ".netrc credentials leak"),
    ("urllib3", "<2.2.2", "CVE-2024-37891", "Proxy-Authorization kept on redirects"),
    ("urllib3", "<2.5.0", "CVE-2025-50181", "redirects not disabled by retries"),
    ("urllib3", "<2.6.0", "CVE-2025-66418", "unbounded decompression chain"),
    ("idna", "<3.7", "CVE-2024-3651", "encode() denial of service"),
    ("certifi", "<2024.7.4", "CVE-2024-39689", "GLOBALTRUST root certificates"),
    ("werkzeug", "<3.0.3", "CVE-2024-34069", "debugger remote code execution"),
    ("werkzeug", "<3.0.6", "CVE-2024-49767", "multipart resource exhaustion"),
    ("werkzeug", "<3.1.4", "CVE-2025-66221", "safe_join() Windows device names"),
    ("redis", "<4.5.4", "CVE-2023-28858", "cancelled async command leaks a response"),
    ("pyyaml", "<5.4", "CVE-2020-14343", "full_load() arbitrary code execution"),
    ("pygments", "<2.15.0", "CVE-2022-40896", "ReDoS in lexers"),
    ("sqlparse", "<0.5.0", "CVE-2024-4340", "recursion error on nested lists"),
    ("markdown-it-py", "<2.2.0", "CVE-2023-26303", "crash on malformed input"),
    ("jinja2", "<3.1.6", "CVE-2025-27516", "sandbox escape through |attr"),
    ("setuptools", "<78.1.1", "CVE-2025-47273", "path traversal in PackageIndex"),
]


def pins(text: str) -> tuple[dict[str, Version], list[str]]:
    """The lock's pins by canonical name, and the lines that are not exact pins."""
    found, loose = {}, []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        if match is None:
            loose.append(line)
        else:
            found[canonicalize_name(match[1])] = Version(match[2])
    return found, loose


def problems(text: str) -> list[str]:
    """Every loose pin and every pin inside an advisory's range, one line each."""
    found, loose = pins(text)
    report = [f"not an exact pin: {line}" for line in loose]
    for package, affected, advisory, summary in ADVISORIES:
        version = found.get(canonicalize_name(package))
        if version is not None and SpecifierSet(affected, prereleases=True).contains(version):
            report.append(f"{package}=={version}: {advisory} ({summary}), affects {affected}")
    return report


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else LOCK
    report = problems(path.read_text())
    for line in report:
        print(line)
    count = len(pins(path.read_text())[0])
    print(
        f"{path.name}: {count} pins against {len(ADVISORIES)} vendored advisories "
        f"(reviewed {REVIEWED}): {'FAILED' if report else 'none affected'}"
    )
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
