"""The knowledge base loads, and each kind of curation mistake stops the build
with a message that names the file and the topic."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KNOWLEDGE_DIR, KnowledgeError, load


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def edit_topic(directory: Path, topic: str, **changes) -> Path:
    path = directory / "topics" / f"{topic}.yml"
    data = yaml.safe_load(path.read_text())
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_knowledge_base_loads_with_every_catalogue_topic():
    kb = load()
    assert list(kb.topics) == kb.faq_ids
    assert len(kb.topics) == 27
    for topic in kb.topics.values():
        assert topic.sources and topic.title and topic.answer


def test_every_cited_reference_has_a_well_formed_identifier_or_web_address():
    kb = load()
    cited = {k for t in kb.topics.values() for k in t.sources + tuple(s for a in t.additions for s in a.sources)}
    for key in cited:
        ref = kb.references[key]
        assert ref.link.startswith(("https://", "http://"))
        if ref.pmid:
            assert re.fullmatch(r"\d{6,9}", ref.pmid)
        if ref.doi:
            assert ref.doi.startswith("10.")


def test_short_citation_has_the_documented_form():
    refs = load().references
    assert (
        refs["khanna2009"].short() == "[Khanna G et al., Radiographics 2009](https://pubmed.ncbi.nlm.nih.gov/19605663/)"
    )
    assert refs["cox2018"].short().startswith("[Cox AJ & Ferguson PJ, Curr Opin Rheumatol 2018](https://doi.org/")
    assert refs["jurik2004"].short().startswith("[Jurik AG, Semin Musculoskelet Radiol 2004")
    assert refs["leerling2024"].short().startswith("[Leerling AT et al., Ann Rheum Dis 2024")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"answer": None}, "has no answer"),
        ({"sources": []}, "needs at least one reference"),
        ({"sources": ["nosuchkey2099"]}, "unknown reference key(s): nosuchkey2099"),
        ({"title": None}, "has no short `title`"),
        ({"related": ["not_a_topic"]}, "`related` names unknown topic(s): not_a_topic"),
        ({"reviewed": None}, "needs `reviewed"),
    ],
)
def test_a_broken_topic_stops_the_build_naming_file_and_topic(kb_copy, change, message):
    path = edit_topic(kb_copy, "imaging", **change)
    with pytest.raises(KnowledgeError) as error:
        load(kb_copy)
    assert str(path) in str(error.value)
    assert "[topic imaging]" in str(error.value)
    assert message in str(error.value)


def test_a_topic_outside_the_catalogue_is_refused(kb_copy):
    source = kb_copy / "topics" / "imaging.yml"
    stray = kb_copy / "topics" / "ufo_sightings.yml"
    stray.write_text(source.read_text().replace("id: imaging", "id: ufo_sightings"))
    with pytest.raises(KnowledgeError, match=r"ufo_sightings.yml \[topic ufo_sightings\]: is not a faq topic"):
        load(kb_copy)


def test_a_missing_topic_is_refused(kb_copy):
    (kb_copy / "topics" / "relapse.yml").unlink()
    with pytest.raises(KnowledgeError, match="no answer for topic.*relapse"):
        load(kb_copy)


def test_a_reference_without_a_web_address_is_refused(kb_copy):
    path = kb_copy / "references.yml"
    refs = yaml.safe_load(path.read_text())
    refs["seattlechildrens2021"]["url"] = "unverified"
    path.write_text(yaml.safe_dump(refs))
    with pytest.raises(KnowledgeError, match="'seattlechildrens2021' needs a web address in `url`"):
        load(kb_copy)


def test_a_reference_without_pmid_or_doi_is_cited_by_its_marked_url():
    ref = load().references["gonzalezvazquez2023"]
    assert not ref.identified
    assert ref.short().startswith(
        "[González Vázquez E et al., An Pediatr (Engl Ed) 2023](https://www.analesdepediatria"
    )
    assert ref.short().endswith("(web link only, no PMID or DOI)")


def test_an_addition_for_an_unknown_entity_value_is_refused(kb_copy):
    edit_topic(
        kb_copy, "imaging", additions=[{"when": {"body_site": ["elbow"]}, "text": "x", "sources": ["khanna2009"]}]
    )
    with pytest.raises(KnowledgeError, match=r"\[topic imaging\]: addition for unknown body_site value\(s\): elbow"):
        load(kb_copy)


def test_the_project_does_not_read_the_shared_folder():
    """Users do not have ../shared: nothing the bot runs may refer to it."""
    project = KNOWLEDGE_DIR.parent.parent
    for path in [*project.glob("bot/**/*.py"), *project.glob("actions/*.py"), *project.glob("*.yml")]:
        assert "shared/" not in path.read_text(), path
