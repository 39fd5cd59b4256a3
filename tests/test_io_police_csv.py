"""The CSV body parser: which bodies go line by line, and that both ways give the same rows."""

from __future__ import annotations

import numpy as np

from vrc_geo.io.police_csv import MAX_LINE, needs_line_parse, parse_by_line, parse_fast


def test_the_line_check_agrees_with_reading_line_by_line():
    """The bulk check (blank lines, carriage returns inside a line, quotes counted per line) agrees with
    looking at each line, on random text with carriage returns and blank lines, a blank first line
    included."""
    rng = np.random.default_rng(3)
    seen = set()
    for _ in range(600):
        body = "".join(rng.choice(list('ab,"\n\r é'), size=int(rng.integers(0, 40))))
        lines = body.split("\n")
        blank = any(line in ("", "\r") for line in lines[:-1])  # the text after the last line feed ends it
        quotes = any(line.count('"') % 2 for line in lines)
        lone_return = any(c == "\r" and i + 1 < len(body) and body[i + 1] != "\n" for i, c in enumerate(body))
        expected = blank or quotes or lone_return
        seen.add((blank, quotes))
        assert needs_line_parse(body.encode("utf-8")) == expected, repr(body)
    assert seen == {(False, False), (False, True), (True, False), (True, True)}
    for long in (b"a" * (MAX_LINE + 1), b"x\n" + b"a" * (MAX_LINE + 1) + b"\ny\n", b"x\n" + b"a" * (MAX_LINE + 1)):
        assert needs_line_parse(long)  # refused line by line, whatever the parser would accept
    assert not needs_line_parse(b"x\n" + b"a" * MAX_LINE + b"\ny\n")


def test_the_fast_and_the_line_parsers_give_the_same_rows_and_line_numbers():
    """A clean body read both ways: the same columns, rows and line numbers (the header is line 1)."""
    body = b"".join(b"a%d,b,c\n" % i for i in range(1000)) + b"short,row\n" + b"z,y,x\n"
    fast, fast_lines, fast_bad = parse_fast(body, width=3)
    slow, slow_lines, slow_bad = parse_by_line(body.decode(), width=3)
    assert [c.to_pylist() for c in fast] == [c.to_pylist() for c in slow]
    assert fast_lines.tolist() == slow_lines.tolist() == [*range(2, 1002), 1003]
    assert [(n, why) for n, _, why in fast_bad] == [(n, why) for n, _, why in slow_bad] == [(1002, "malformed")]


def test_a_carriage_return_inside_a_line_is_read_line_by_line():
    """pyarrow ends a row at a lone carriage return: the row after it would take the wrong line number and
    the broken line would count as two rows. Line by line, it is one malformed row and the next keeps its
    number; Windows line ends are not lone."""
    body = b"a,b,c\nd,e\rf,g\nh,i,j\n"
    assert needs_line_parse(body)
    assert not needs_line_parse(b"a,b,c\r\nd,e,f\r\n") and not needs_line_parse(b"a,b,c\r")
    _, lines, bad = parse_by_line(body.decode(), width=3)
    assert lines.tolist() == [2, 4] and [(n, why) for n, _, why in bad] == [(3, "malformed")]
