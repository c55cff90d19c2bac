#!/usr/bin/env python3
"""Fetch the pkuseg "default" segmentation model for spacy-pkuseg, offline at run time.

spacy-pkuseg ships no model and downloads its named models from GitHub when
they are first used, which fails here. The original ``pkuseg==0.0.25`` package
on PyPI carries the general-purpose mixed-domain model in
``pkuseg/models/default/`` (features.pkl, weights.npz; 183 MB unpacked),
which ``spacy_pkuseg.pkuseg(<dir>)`` and spaCy's Chinese tokenizer load by
path. This script obtains that model once, at install time:

1. If DEST already holds both files with the checksums below, it does nothing.
2. Otherwise it runs ``pip download`` for the pinned pkuseg 0.0.25 archive
   (the cp37 manylinux1 wheel, chosen because downloading a wheel needs no
   build step, while ``pip download`` of the sdist runs its setup.py, which
   fails without numpy and a newer setuptools; the model files in the wheel and
   in the sdist are byte-identical), with ``--require-hashes``. ``--archive``
   uses an archive you already have instead (the wheel or the sdist
   pkuseg-0.0.25.tar.gz), e.g. from a local mirror, with no network at all.
3. It extracts the two model files (and the package's LICENSE), checks their
   SHA-256 and size, and moves them into DEST atomically.

Standard library and pip only. Exit status 0 on success, 1 with a message on
failure.

    python scripts/fetch_pkuseg_model.py                 # -> models/pkuseg_default/
    python scripts/fetch_pkuseg_model.py --dest DIR
    python scripts/fetch_pkuseg_model.py --archive pkuseg-0.0.25.tar.gz
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "models" / "pkuseg_default"

PACKAGE = "pkuseg==0.0.25"

# Archives of pkuseg 0.0.25 on PyPI whose model files we know (sha256 of the archive).
ARCHIVES = {
    "pkuseg-0.0.25-cp37-cp37m-manylinux1_x86_64.whl":
        "6fc2f97d0f66cc6722cf772e65dbcde1b01d8cc53b66ac4aa7bce639de79588f",
    "pkuseg-0.0.25.tar.gz":
        "dd012bf93689721c9574bc2b2ba98fb4ac22790cec0af354a78e217828b81e91",
}
WHEEL = "pkuseg-0.0.25-cp37-cp37m-manylinux1_x86_64.whl"
PIP_WHEEL_ARGS = ["--only-binary", ":all:", "--platform", "manylinux1_x86_64",
                  "--python-version", "3.7", "--implementation", "cp", "--abi", "cp37m"]

# Files to install: name in DEST -> (path inside wheel, path inside sdist, sha256, size).
MODEL_FILES = {
    "features.pkl": ("pkuseg/models/default/features.pkl",
                     "pkuseg-0.0.25/pkuseg/models/default/features.pkl",
                     "265dcf5534a11d6429776f7e7450a9eef8e075b1a4bedb82ef996994d9c721ac",
                     76848940),
    "weights.npz": ("pkuseg/models/default/weights.npz",
                    "pkuseg-0.0.25/pkuseg/models/default/weights.npz",
                    "95d1632a1fed45993b5006d8ba85939cb110fae71313987673582d24669811dd",
                    105745354),
}
# The wheel carries an MIT LICENSE (the sdist does not; its PKG-INFO says
# "License :: Other/Proprietary License"). Copied when present, not required.
LICENSE_IN_WHEEL = "pkuseg-0.0.25.dist-info/LICENSE"


class FetchError(Exception):
    pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def model_present(dest: Path) -> bool:
    for name, (_, _, digest, size) in MODEL_FILES.items():
        p = dest / name
        if not p.is_file() or p.stat().st_size != size or sha256_file(p) != digest:
            return False
    return True


def pip_download(workdir: Path) -> Path:
    req = workdir / "requirements.txt"
    req.write_text(f"{PACKAGE} --hash=sha256:{ARCHIVES[WHEEL]}\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
           "--disable-pip-version-check", *PIP_WHEEL_ARGS, "-r", str(req), "-d", str(workdir)]
    print("fetch_pkuseg_model: " + " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise FetchError("pip download failed (is PyPI reachable? you can pass --archive "
                         "with a copy of %s or pkuseg-0.0.25.tar.gz):\n%s"
                         % (WHEEL, proc.stdout[-3000:]))
    path = workdir / WHEEL
    if not path.is_file():
        raise FetchError(f"pip download did not produce {WHEEL}:\n{proc.stdout[-3000:]}")
    return path


def open_members(archive: Path):
    """Yield (dest name, file object) for the model files and the license, if present."""
    if archive.name.endswith(".whl") or zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            names = set(z.namelist())
            for name, (in_wheel, _, _, _) in MODEL_FILES.items():
                if in_wheel not in names:
                    raise FetchError(f"{archive.name} has no {in_wheel}")
                with z.open(in_wheel) as f:
                    yield name, f
            if LICENSE_IN_WHEEL in names:
                with z.open(LICENSE_IN_WHEEL) as f:
                    yield "LICENSE", f
    else:
        with tarfile.open(archive, "r:*") as t:
            for name, (_, in_sdist, _, _) in MODEL_FILES.items():
                try:
                    member = t.getmember(in_sdist)
                except KeyError:
                    raise FetchError(f"{archive.name} has no {in_sdist}") from None
                f = t.extractfile(member)
                if f is None:
                    raise FetchError(f"{in_sdist} in {archive.name} is not a regular file")
                with f:
                    yield name, f


def install(archive: Path, dest: Path) -> None:
    digest = sha256_file(archive)
    if digest not in ARCHIVES.values():
        raise FetchError(f"{archive} has sha256 {digest}, which is not one of the pinned "
                         f"pkuseg 0.0.25 archives {sorted(ARCHIVES)}")
    dest.mkdir(parents=True, exist_ok=True)
    staged = []
    try:
        for name, src in open_members(archive):
            part = dest / f".{name}.part"
            h = hashlib.sha256()
            size = 0
            with open(part, "wb") as out:
                for block in iter(lambda: src.read(1 << 20), b""):
                    h.update(block)
                    size += len(block)
                    out.write(block)
            staged.append((part, dest / name))
            if name in MODEL_FILES:
                want = MODEL_FILES[name][2:]
                if (h.hexdigest(), size) != want:
                    raise FetchError(f"{name} from {archive.name}: sha256 {h.hexdigest()} size "
                                     f"{size}, expected {want[0]} size {want[1]}")
        for part, final in staged:
            os.replace(part, final)
    finally:
        for part, _ in staged:
            if part.exists():
                part.unlink()
    (dest / "SOURCE.json").write_text(json.dumps({
        "package": PACKAGE,
        "archive": archive.name,
        "archive_sha256": digest,
        "files": {n: {"sha256": v[2], "size": v[3]} for n, v in MODEL_FILES.items()},
        "model": "pkuseg default (general model trained on mixed-domain data), "
                 "https://github.com/lancopku/pkuseg-python",
        "load_with": "spacy_pkuseg.pkuseg(<this dir>) or "
                     "nlp.tokenizer.initialize(pkuseg_model=<this dir>)",
    }, indent=2) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dest", type=Path, default=DEFAULT_DEST,
                    help=f"target directory (default: {DEFAULT_DEST.relative_to(ROOT)})")
    ap.add_argument("--archive", type=Path,
                    help="use this pkuseg 0.0.25 wheel or sdist instead of running pip download")
    ap.add_argument("--download-dir", type=Path,
                    help="keep the downloaded wheel here (default: a temporary directory)")
    ap.add_argument("--force", action="store_true", help="reinstall even if the model is present")
    args = ap.parse_args(argv)
    dest = args.dest.resolve()
    try:
        if not args.force and model_present(dest):
            print(f"fetch_pkuseg_model: {dest} already holds the verified pkuseg default model")
            return 0
        if args.archive:
            if not args.archive.is_file():
                raise FetchError(f"no such archive: {args.archive}")
            install(args.archive.resolve(), dest)
        elif args.download_dir:
            args.download_dir.mkdir(parents=True, exist_ok=True)
            cached = args.download_dir / WHEEL
            archive = cached if cached.is_file() and sha256_file(cached) == ARCHIVES[WHEEL] \
                else pip_download(args.download_dir)
            install(archive, dest)
        else:
            with tempfile.TemporaryDirectory(prefix="pkuseg-") as tmp:
                install(pip_download(Path(tmp)), dest)
        if not model_present(dest):
            raise FetchError(f"{dest} does not verify after installation")
    except (FetchError, OSError, zipfile.BadZipFile, tarfile.TarError) as e:
        print(f"fetch_pkuseg_model: error: {e}", file=sys.stderr)
        return 1
    total = sum(v[3] for v in MODEL_FILES.values())
    print(f"fetch_pkuseg_model: installed pkuseg default model in {dest} ({total / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
