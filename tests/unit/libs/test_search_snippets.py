"""Snippets are escaped HTML whose only tags are the <mark>s around matches."""

import re

from akta.search.snippets import START, STOP, marked_to_html, snippet


def test_an_engines_marks_become_mark_tags_and_everything_else_is_escaped():
    marked = f"<script>x</script> & {START}skole{STOP} \"q\" 'a' {START}open"
    assert marked_to_html(marked) == (
        "&lt;script&gt;x&lt;/script&gt; &amp; <mark>skole</mark> &quot;q&quot; &#x27;a&#x27; open"
    )
    assert marked_to_html(f"{STOP}a{START}{START}b{STOP}") == "a<mark>b</mark>"
    assert marked_to_html("  several\n\n lines ") == "several lines"


def test_the_snippet_is_the_stretch_with_most_matches():
    words = [f"ord{index}" for index in range(100)]
    words[60] = words[64] = "Skole"
    words[10] = "skole"
    html = snippet(" ".join(words), lambda word: word == "skole", size=10)
    assert html.startswith("… ord55 ") and html.endswith(" …")
    assert html.count("<mark>Skole</mark>") == 2


def test_the_snippet_escapes_the_text_and_marks_only_words():
    html = snippet("<b>Skole</b> & skole-sag", lambda word: word == "skole")
    assert html == "&lt;b&gt;<mark>Skole</mark>&lt;/b&gt; &amp; <mark>skole</mark>-sag"
    assert not re.search(r"<(?!/?mark>)", html)


def test_without_matches_it_is_the_start_of_the_text():
    assert snippet("første " + "ord " * 100, lambda word: False, size=5) == "første ord ord ord ord …"
    assert snippet("", lambda word: True) == ""
    assert snippet("  <> ", lambda word: True) == "&lt;&gt;"
