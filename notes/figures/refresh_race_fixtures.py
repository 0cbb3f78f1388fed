#!/usr/bin/env python3
"""Keeps race fixtures in step with the reference they were planted in.

Each fixture under grader/src/test/resources/fixtures/races/<lab>/<mutant>/ is a whole copy of a
student file with one planted race. When the given code of that file changes on main, the copy goes
stale: it would grade the old given code, or not compile. For a fixture whose race lives inside the
file's student-owned blocks (// BEGIN SOLUTION ... // END SOLUTION, // BEGIN REMOVE ... // END
REMOVE), as lab-05's and lab-07's do, the fixture is the reference's file with other blocks, so it
can be rebuilt from the reference.

  notes/figures/refresh_race_fixtures.py [PATH...]           lists the fixtures under PATH (default:
                                                             all) whose code outside the blocks differs
                                                             from the reference's, with how many lines
  notes/figures/refresh_race_fixtures.py --write PATH...     rewrites those under PATH: the reference's
                                                             file with the fixture's blocks put back in

Some fixtures plant part of their race outside the blocks (lab-02's shared-build-scratch adds a
field): they always differ by those few lines, and --write would remove their race. Rewrite only
fixtures whose race is in the blocks, then grade them again (notes/figures/race_mutants.sh). A
fixture whose blocks no longer pair with the reference's (a block added or removed) is reported and
left alone: re-plant it by hand.
"""
import difflib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "grader/src/test/resources/fixtures/races"
BLOCK = re.compile(r"^[ \t]*// BEGIN (SOLUTION|REMOVE)\b.*?^[ \t]*// END \1\b[^\n]*\n", re.M | re.S)


def split(text):
    """The text between the blocks, and the blocks."""
    blocks = [m.group(0) for m in BLOCK.finditer(text)]
    given = []
    last = 0
    for m in BLOCK.finditer(text):
        given.append(text[last:m.start()])
        last = m.end()
    given.append(text[last:])
    return given, blocks


def main(args):
    write = "--write" in args
    paths = [pathlib.Path(a).resolve() for a in args if a != "--write"] or [FIXTURES]
    if write and paths == [FIXTURES]:
        print("--write needs the fixtures to rewrite (see the comment at the top)")
        return 2
    differ = 0
    for fixture in sorted(FIXTURES.glob("lab-*/*/**/*.java")):
        if not any(fixture == p or p in fixture.parents for p in paths):
            continue
        rel = fixture.relative_to(FIXTURES)
        reference = ROOT.joinpath(*rel.parts[2:])
        if not reference.exists():
            print(f"{rel}: no reference file {reference.relative_to(ROOT)}")
            differ += 1
            continue
        ref_given, ref_blocks = split(reference.read_text())
        fix_given, fix_blocks = split(fixture.read_text())
        if fix_given == ref_given:
            continue
        differ += 1
        if len(fix_blocks) != len(ref_blocks):
            print(f"{rel}: {len(fix_blocks)} student blocks against the reference's {len(ref_blocks)}: re-plant by hand")
            continue
        if write:
            fixture.write_text(ref_given[0] + "".join(b + g for b, g in zip(fix_blocks, ref_given[1:])))
            print(f"{rel}: rewritten over the reference's given code")
        else:
            lines = sum(1 for _ in difflib.unified_diff("".join(fix_given).splitlines(), "".join(ref_given).splitlines(), n=0)
                        if _[:1] in "+-" and _[:3] not in ("+++", "---"))
            print(f"{rel}: {lines} lines outside the blocks differ from the reference's")
    return 1 if differ and not write else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
