"""``gosyscall profiles``: every supported release, what its code and its scheduler do."""
from emu.cli.main import main
from emu.profile import names


def test_profiles_lists_each_release_with_its_code_and_runtime(capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    heads = [l for l in out.splitlines() if l and not l.startswith(" ")]
    assert [h.split()[0] for h in heads] == names()
    assert "go1.10 (default)" in out and "the code of go1.22.10" in out and "the code of go1.27.3" in out
    assert out.count("  code:") == out.count("  runtime:") == len(names())
    assert "_Gscan" in out and "m.oldp = p" in out and "R10, R8, R9 zeroed" in out
