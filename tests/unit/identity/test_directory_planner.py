"""The planner on in-memory records: what an import creates, updates and deactivates."""

from dataclasses import replace

import pytest

from akta.errors import InvalidField
from akta_identity.directory_sync.model import ClassRecord, DirectoryImport, PersonRecord
from akta_identity.directory_sync.planner import StoredDirectory, plan

MOR = PersonRecord("guardian", "G1", "Mette", "Østergaard", national_id="0101801234", source="rows[2]")
FAR = PersonRecord("guardian", "G2", "Jens", "Østergaard", source="rows[3]")
IDA = PersonRecord(
    "pupil", "E1", "Ida", "Østergaard", national_id="1505154321", class_code="3A", guardians=("G1", "G2"), source="rows[4]"
)
LIS = PersonRecord("staff", "S1", "Lis", "Holm", username="lh", source="rows[5]")
CLASS_3A = ClassRecord("3A", "3.A", source="rows[6]")


def _import(*persons, classes=(CLASS_3A,)) -> DirectoryImport:
    return DirectoryImport(tuple(classes), tuple(persons))


def _stored(*persons, classes=(CLASS_3A,)) -> StoredDirectory:
    return StoredDirectory(
        classes={c.code: replace(c, source="") for c in classes},
        persons={p.key: replace(p, source="") for p in persons},
    )


def _summaries(result) -> list[str]:
    return [change.summary() for change in result.changes]


EVERYONE = (MOR, FAR, IDA, LIS)


def test_into_an_empty_directory_everything_is_created_classes_and_guardians_first():
    result = plan(_import(IDA, LIS, MOR, FAR), _stored(classes=()), full=False)

    assert [(c.action, c.kind, c.external_id) for c in result.changes] == [
        ("create", "class", "3A"),
        ("create", "guardian", "G1"),
        ("create", "guardian", "G2"),
        ("create", "staff", "S1"),
        ("create", "pupil", "E1"),
    ]
    assert result.count("create") == 5 and result.unchanged == 0


def test_the_same_import_again_changes_nothing():
    result = plan(_import(*EVERYONE), _stored(*EVERYONE), full=True)

    assert result.changes == ()
    assert result.unchanged == 5


def test_a_pupil_changing_class_is_one_update_and_a_new_class():
    moved = replace(IDA, class_code="4A")
    result = plan(_import(MOR, FAR, moved, LIS), _stored(*EVERYONE), full=False)

    assert _summaries(result) == [
        "create class 4A (4A)",
        "update pupil E1 (Ida Østergaard): class_code 3A -> 4A",
    ]
    [update] = [c for c in result.changes if c.action == "update"]
    assert update.changed_fields == ("class_code",)
    assert update.after is moved


def test_a_class_named_only_on_pupil_rows_keeps_its_stored_name():
    result = plan(_import(MOR, FAR, IDA, classes=()), _stored(MOR, FAR, IDA), full=False)

    assert result.changes == ()


def test_changed_guardians_and_names_are_listed_field_by_field():
    changed = replace(IDA, given_name="Ida Marie", guardians=("G1",))
    result = plan(_import(changed), _stored(*EVERYONE), full=False)

    [update] = result.changes
    assert update.changed_fields == ("given_name", "guardians")
    assert update.summary() == (
        "update pupil E1 (Ida Marie Østergaard): given_name Ida -> Ida Marie, guardians [G1, G2] -> [G1]"
    )


def test_a_changed_national_id_is_reported_without_the_number():
    changed = replace(MOR, national_id="0202801234")
    [update] = plan(_import(changed), _stored(MOR), full=False).changes

    assert update.changed_fields == ("national_id",)
    assert "0202801234" not in update.summary() and "0101801234" not in update.summary()
    assert "national_id changed" in update.summary()


def test_a_full_import_deactivates_who_is_missing_and_a_partial_one_does_not():
    partial = plan(_import(MOR, FAR, IDA), _stored(*EVERYONE), full=False)
    full = plan(_import(MOR, FAR, IDA), _stored(*EVERYONE), full=True)

    assert partial.changes == ()
    assert _summaries(full) == ["deactivate staff S1 (Lis Holm)"]
    assert full.changes[0].after.active is False


def test_a_full_import_deactivates_classes_nobody_names_any_more():
    old_class = ClassRecord("9B", "9.B")
    full = plan(_import(*EVERYONE), _stored(*EVERYONE, classes=(CLASS_3A, old_class)), full=True)
    partial = plan(_import(*EVERYONE), _stored(*EVERYONE, classes=(CLASS_3A, old_class)), full=False)

    assert _summaries(full) == ["deactivate class 9B (9.B)"]
    assert partial.changes == ()


def test_someone_already_deactivated_is_not_deactivated_again():
    gone = replace(LIS, active=False)
    result = plan(_import(MOR, FAR, IDA), _stored(MOR, FAR, IDA, gone), full=True)

    assert result.changes == ()


def test_someone_coming_back_is_reactivated():
    gone = replace(LIS, active=False)
    [update] = plan(_import(LIS), _stored(gone), full=False).changes

    assert (update.action, update.changed_fields) == ("update", ("active",))
    assert update.summary() == "update staff S1 (Lis Holm): active no -> yes"


def test_the_same_external_id_may_be_a_pupil_and_a_guardian():
    guardian_e1 = PersonRecord("guardian", "E1", "Eva", "Berg")
    result = plan(_import(guardian_e1), _stored(*EVERYONE), full=False)

    assert [(c.action, c.kind) for c in result.changes] == [("create", "guardian")]


def test_a_pupil_naming_an_unknown_guardian_is_refused_with_its_row():
    orphan = replace(IDA, guardians=("G1", "G9"))

    with pytest.raises(InvalidField) as raised:
        plan(_import(MOR, orphan), _stored(classes=()), full=False)

    assert raised.value.field == "rows[4].guardians"
    assert "'G9'" in raised.value.detail


def test_a_partial_import_may_name_stored_active_guardians_but_a_full_one_must_contain_them():
    assert plan(_import(IDA), _stored(MOR, FAR), full=False).count("create") == 1

    with pytest.raises(InvalidField, match="in this full import"):
        plan(_import(IDA), _stored(MOR, FAR), full=True)
    with pytest.raises(InvalidField, match="among the active guardians"):
        plan(_import(IDA), _stored(MOR, replace(FAR, active=False)), full=False)
