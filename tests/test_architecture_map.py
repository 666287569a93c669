"""The README's "How it is built" map names every folder of emu/ and only real paths."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## How it is built")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def emu_folders() -> set[str]:
    return {p.name for p in (ROOT / "emu").iterdir()
            if p.is_dir() and any(p.glob("*.py"))}


def test_the_map_names_every_folder_of_emu():
    m = section()
    named = set(re.findall(r"^  (\w+)/ ", m, flags=re.M))
    assert named == emu_folders(), f"map names {sorted(named)}, emu/ has {sorted(emu_folders())}"


def test_every_path_the_map_names_exists():
    m = section()
    missing = [p for p in re.findall(r"`(emu/[\w/.*]+|tests/[\w/.]+|asm/[\w/.]+|runtime_py/[\w/.]+)`", m)
               if "*" not in p and "<" not in p and "goX_Y" not in p and not (ROOT / p).exists()]
    assert not missing, f"the map names paths that do not exist: {missing}"
    files = re.findall(r"\b([a-z_]+\.(?:py|c))\b", m)
    known = {p.name for p in ROOT.rglob("*") if p.suffix in (".py", ".c")}
    assert not [f for f in files if f not in known], [f for f in files if f not in known]
