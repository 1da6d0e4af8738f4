"""The names uploads keep: any language's letters, never a path or a control character."""

import unicodedata

import pytest

from akta_docstore.content import ContentRejected, InvalidFilename, clean_filename


@pytest.mark.parametrize(
    "name",
    ["Ærø_søknad ÅÄÖ.pdf", "Møde: referat (udkast) #2.docx", "Ōsaka 大阪.txt", "a" * 251 + ".pdf", ".bashrc", "console.log"],
)
def test_ordinary_names_are_kept(name):
    assert clean_filename(name) == name


def test_names_are_normalised_to_nfc_and_stripped():
    decomposed = unicodedata.normalize("NFD", " Åse Ödegård søknad.pdf\t")
    assert len(decomposed) == len(" Åse Ödegård søknad.pdf\t") + 3
    assert clean_filename(decomposed) == "Åse Ödegård søknad.pdf"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "the file has no name"),
        (None, "the file has no name"),
        ("   ", "the file has no name"),
        (".", "'.' is not a file name"),
        ("..", "'..' is not a file name"),
        ("../../etc/passwd", "a file name cannot contain / or \\ (give the name without a folder)"),
        ("C:\\Users\\anna\\brev.docx", "a file name cannot contain / or \\ (give the name without a folder)"),
        ("brev\x00.pdf", "the file name contains control characters"),
        ("brev\n.pdf", "the file name contains control characters"),
        ("brev\x85.pdf", "the file name contains control characters"),
        ("faktura\u202efdp.exe", "the file name contains control characters"),
        ("brev\udcc3.pdf", "the file name contains control characters"),
        ("a" * 296 + ".pdf", "the file name is 300 characters long; at most 255 are allowed"),
        ("CON", "'CON' is a device name on Windows and cannot be saved there; rename the file"),
        ("nul.txt", "'nul.txt' is a device name on Windows and cannot be saved there; rename the file"),
        ("com1.tar.gz", "'com1.tar.gz' is a device name on Windows and cannot be saved there; rename the file"),
    ],
)
def test_names_that_break_a_rule_are_refused(name, message):
    with pytest.raises(InvalidFilename) as rejected:
        clean_filename(name)
    assert rejected.value.message == message
    assert (rejected.value.code, rejected.value.field) == ("invalid_filename", "filename")
    assert isinstance(rejected.value, ContentRejected)


def test_the_length_limit_counts_characters_not_bytes():
    name = "ø" * 251 + ".pdf"
    assert len(name.encode()) > 255
    assert clean_filename(name) == name
