import shutil

import pytest

from core.errors import UnknownRoleError
from core.roles import DATA_DIR, Category, RoleCatalog, default_catalog

REQUIRED = {"software_engineer", "product_manager", "sales", "data_scientist", "ux_designer",
            "customer_success", "marketing"}


def test_every_required_role_is_loaded_with_a_full_question_bank():
    catalog = default_catalog()
    assert REQUIRED <= set(catalog.ids)
    for role in catalog:
        categories = {q.category for q in role.questions}
        assert len(role.questions) >= 12, role.id
        assert {Category.behavioural, Category.technical, Category.situational} <= categories
        assert role.technical_means and role.focus_areas and role.name
        assert len({q.id for q in role.questions}) == len(role.questions)
        assert len({q.text for q in role.questions}) == len(role.questions)


@pytest.mark.parametrize("alias, expected", [
    ("swe", "software_engineer"), ("Software Engineer", "software_engineer"),
    ("pm", "product_manager"), ("Product Manager", "product_manager"), ("SALES", "sales"),
    ("data-scientist", "data_scientist"), ("ux", "ux_designer"), ("csm", "customer_success"),
    ("marketing", "marketing"),
])
def test_roles_resolve_by_id_name_and_alias(alias, expected):
    assert default_catalog().resolve(alias).id == expected


def test_unknown_role_lists_known_roles_and_suggests_the_closest():
    with pytest.raises(UnknownRoleError) as caught:
        default_catalog().resolve("salse")
    error = caught.value
    assert error.suggestion == "sales"
    assert REQUIRED <= set(error.known)
    assert "sales" in error.user_message and "marketing" in error.user_message


def test_nonsense_role_gets_no_misleading_suggestion():
    with pytest.raises(UnknownRoleError) as caught:
        default_catalog().resolve("astronaut zebra")
    assert caught.value.suggestion is None


def test_adding_a_role_is_adding_a_file(tmp_path):
    for path in DATA_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path)
    text = (DATA_DIR / "sales.toml").read_text()
    text = text.replace('id = "sales"', 'id = "recruiter"', 1).replace(
        'name = "Sales"', 'name = "Recruiter"', 1)
    text = text.replace("aliases = [", 'aliases = ["talent partner", ', 1)
    (tmp_path / "recruiter.toml").write_text(text)
    catalog = RoleCatalog.from_directory(tmp_path)
    assert catalog.resolve("talent partner").name == "Recruiter"
    assert len(catalog) == len(default_catalog()) + 1
