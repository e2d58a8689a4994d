"""A PEP 517 build backend for this project alone, in its source tree.

It writes the sdist and the wheel with tarfile and zipfile, so that pip can
build and install the project with no index and no setuptools.
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME, VERSION = "tcodemo", "0.1"
HERE = os.path.dirname(os.path.abspath(__file__))
METADATA = f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n"
ENTRY_POINTS = "[console_scripts]\ntcodemo = tcodemo:main\n"
SOURCES = ["pyproject.toml", "tco_backend.py", f"{NAME}/__init__.py"]


def _read(name):
    with open(os.path.join(HERE, name), "rb") as f:
        return f.read()


def build_sdist(sdist_directory, config_settings=None):
    base = f"{NAME}-{VERSION}"
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"),
                      "w:gz", format=tarfile.PAX_FORMAT) as tar:
        files = [(name, _read(name)) for name in SOURCES]
        files.append(("PKG-INFO", METADATA.encode()))
        for name, data in files:
            info = tarfile.TarInfo(f"{base}/{name}")
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return base + ".tar.gz"


def _digest(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
    return "sha256=" + digest.rstrip(b"=").decode()


def build_wheel(wheel_directory, config_settings=None,
                metadata_directory=None):
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    info = f"{NAME}-{VERSION}.dist-info"
    files = [
        (f"{NAME}/__init__.py", _read(f"{NAME}/__init__.py")),
        (f"{info}/METADATA", METADATA.encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: tco_backend\n"
                          b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/entry_points.txt", ENTRY_POINTS.encode()),
    ]
    record = "".join(f"{path},{_digest(data)},{len(data)}\n"
                     for path, data in files)
    record += f"{info}/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as whl:
        for path, data in files:
            whl.writestr(path, data)
        whl.writestr(f"{info}/RECORD", record)
    return name
