"""The members' guide matches what the tool has (issue 21): the schemas it lists are the
files in schemas/, and the skeleton lines it quotes are the skeleton's."""

from __future__ import annotations

import re

from tests.conftest import DEMO_INPUTS, ROOT
from wgreport.inputs.skeleton import make_skeleton
from wgreport.inputs.validation import load_working_group

GUIDE = (ROOT / "docs" / "members-guide.md").read_text(encoding="utf-8")
WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def test_the_guide_lists_every_schema_and_counts_them() -> None:
    files = sorted(p.name for p in (ROOT / "schemas").glob("*.schema.json"))
    paragraph = GUIDE[GUIDE.index("There are ") :].split("\n\n")[0]
    listed = sorted(set(re.findall(r"`([a-z-]+-v[0-9]+\.schema\.json)`", paragraph)))
    assert listed == files
    assert paragraph.startswith(f"There are {WORDS[len(files)]} schemas in `schemas/`")


def test_the_skeleton_lines_the_guide_quotes_are_the_skeletons() -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    assert wg is not None
    skeleton = make_skeleton(wg, "KR", 2025).splitlines()
    blocks = re.findall(
        r"```yaml\n(.*?)```", GUIDE[: GUIDE.index("### Let your editor help")], re.S
    )
    quoted = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert len(quoted) >= 8
    stripped = {line.strip() for line in skeleton}
    assert [line for line in quoted if line not in stripped] == []


def test_the_readme_command_table_has_each_command_once_and_every_command() -> None:
    from wgreport.cli.main import app

    registered = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    for group in app.registered_groups:
        sub = group.typer_instance
        assert sub is not None
        registered |= {f"{group.name} {c.name}" for c in sub.registered_commands}
        if sub.info.invoke_without_command:
            registered.add(str(group.name))  # the group itself does something (portal)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Commands") :].split("\n\n")[1]
    rows = [line for line in table.splitlines() if line.startswith("| `wgreport ")]
    commands = []
    for row in rows:
        words = row.removeprefix("| `wgreport ").split(" ")
        two = " ".join(words[:2])
        commands.append(two if two in registered else words[0].rstrip("`"))
    assert len(commands) == len(set(commands)), commands
    assert registered == set(commands)
