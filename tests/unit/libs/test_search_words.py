"""Reading a search box and the words of indexed text, the same for every engine."""

from akta.search.words import Term, clean, parse_terms, stem, stems, title_sort_key


def test_words_are_stemmed_as_danish_and_norwegian():
    assert stem("danish", "skoleskiftet") == stem("danish", "skoleskift")
    assert stem("danish", "ansøgningen") == stem("danish", "ansøgning") == stem("danish", "ansøgninger")
    assert stem("norwegian", "søknaden") == stem("norwegian", "søknad") == stem("norwegian", "søknader")
    assert stems("danish", "Skoleskiftet, PPR-udredning; 2024/000123") == ["skoleskift", "ppr", "udredning", "2024", "000123"]


def test_clean_keeps_letters_and_removes_what_no_engine_stores():
    assert clean("a\x00b\x02c\x03d\ud800e\tf\ng") == "a b c d e\tf\ng"
    assert clean("a\u030a") == "å"  # decomposed (as typed on a Mac) becomes one letter


def test_words_phrases_and_exclusions():
    assert parse_terms('skoleskift "ansøgning om orlov" -afslag -"ikke godkendt"') == (
        Term("skoleskift", ("skoleskift",)),
        Term("ansøgning om orlov", ("ansøgning", "om", "orlov")),
        Term("afslag", ("afslag",), excluded=True),
        Term("ikke godkendt", ("ikke", "godkendt"), excluded=True),
    )


def test_punctuation_inside_a_word_makes_a_phrase_of_its_parts():
    [case_number] = parse_terms("2024/000123")
    assert case_number == Term("2024/000123", ("2024", "000123"))
    [hyphenated] = parse_terms("PPR-udredning")
    assert hyphenated.words == ("ppr", "udredning") and not hyphenated.excluded


def test_any_engine_syntax_is_plain_words_or_nothing():
    assert parse_terms('NEAR(a b) * : {title}: "x') == (
        Term("NEAR(a", ("near", "a")), Term("b)", ("b",)), Term("{title}:", ("title",)), Term("x", ("x",)),
    )
    assert parse_terms('" * - -- : ()') == ()
    assert parse_terms("") == ()
    assert parse_terms("skole AND OR NOT orlov")[1:4] == (Term("AND", ("and",)), Term("OR", ("or",)), Term("NOT", ("not",)))


def test_an_open_quote_is_ignored():
    assert parse_terms('"skole orlov') == (Term("skole", ("skole",)), Term("orlov", ("orlov",)))
    assert parse_terms('a "b c" "d') == (Term("a", ("a",)), Term("b c", ("b", "c")), Term("d", ("d",)))


def test_titles_sort_case_insensitively_with_æøå_last():
    titles = ["Åben", "zebra", "Æble", "anden", "Ørsted", "Bil"]
    assert sorted(titles, key=title_sort_key) == ["anden", "Bil", "zebra", "Æble", "Ørsted", "Åben"]
    assert title_sort_key("  Mange   mellemrum ") == "mange mellemrum"
