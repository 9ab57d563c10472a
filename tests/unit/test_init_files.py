"""`init --all` writes its layout all or none (planner/ops/init_files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import EcsplanError
from planner.ops.init_files import check_targets, write_files_atomically

LAYOUT = [
    ("services/a/ecspresso.yml", "a\n"),
    ("services/b/ecspresso.yml", "b\n"),
    ("workspace.yml", "services: {}\n"),
]


def _tree(root: Path) -> dict[str, str]:
    """Every file and directory under root (hidden ones too): path -> text, or '/'."""
    return {
        str(p.relative_to(root)): ("/" if p.is_dir() else p.read_text())
        for p in sorted(root.rglob("*"))
    }


def test_writes_every_file_and_leaves_no_staging(tmp_path: Path) -> None:
    written = write_files_atomically(tmp_path / "out", LAYOUT)
    assert written == [tmp_path / "out" / rel for rel, _ in LAYOUT]
    assert _tree(tmp_path / "out") == {
        "services": "/",
        "services/a": "/",
        "services/a/ecspresso.yml": "a\n",
        "services/b": "/",
        "services/b/ecspresso.yml": "b\n",
        "workspace.yml": "services: {}\n",
    }


def test_a_failing_move_puts_everything_back(tmp_path: Path) -> None:
    """The last target cannot be replaced (a non-empty directory is in its way): the files
    moved before it are taken back, the file --force replaced is restored, the directories
    made are removed, and no staging directory is left."""
    (tmp_path / "services/a").mkdir(parents=True)
    (tmp_path / "services/a/ecspresso.yml").write_text("mine\n")
    (tmp_path / "workspace.yml/keep").mkdir(parents=True)
    before = _tree(tmp_path)
    with pytest.raises(OSError):
        write_files_atomically(tmp_path, LAYOUT)
    assert _tree(tmp_path) == before


def test_a_failure_removes_the_directory_it_created(tmp_path: Path) -> None:
    (tmp_path / "workspace.yml/keep").mkdir(parents=True)
    with pytest.raises(OSError):
        write_files_atomically(tmp_path / "new", [*LAYOUT[:2], ("x" * 300, "too long a name")])
    assert not (tmp_path / "new").exists()


def test_existing_files_are_refused_unless_forced(tmp_path: Path) -> None:
    for rel in ("services/a/ecspresso.yml", "services/b/ecspresso.yml", "workspace.yml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("old\n")
    paths = [rel for rel, _ in LAYOUT] + ["services/c/ecspresso.yml"]
    (tmp_path / "services/c").mkdir()
    (tmp_path / "services/c/ecspresso.yml").write_text("old\n")
    with pytest.raises(EcsplanError) as e:
        check_targets(tmp_path, paths)
    assert str(e.value) == (
        f"init: {tmp_path}/services/a/ecspresso.yml, {tmp_path}/services/b/ecspresso.yml, "
        f"{tmp_path}/workspace.yml and 1 more already exist; use --force to overwrite"
    )
    check_targets(tmp_path, paths, force=True)


def test_a_file_where_a_directory_must_be(tmp_path: Path) -> None:
    (tmp_path / "target").write_text("")
    with pytest.raises(EcsplanError, match=r"^init: target directory .*/target is a file$"):
        check_targets(tmp_path / "target", [])
    (tmp_path / "root").mkdir()
    (tmp_path / "root/services").write_text("")
    with pytest.raises(EcsplanError, match=r"services is a file, .*/a/ecspresso.yml needs"):
        check_targets(tmp_path / "root", ["services/a/ecspresso.yml"], force=True)
