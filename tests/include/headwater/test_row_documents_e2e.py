"""End to end with the real all-MiniLM-L6-v2: a landing date of record tables with no free text is searchable.

Three tables (restaurant inspections, pet licences, small-business loans) go through ingest, clean,
chunk and embed; each row becomes a row document; ``headwater search`` then finds the right row
for queries that paraphrase two of its fields, in words none of its values use verbatim.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from headwater.chunk.stage import chunk as chunk_file
from headwater.clean.stage import clean as clean_file
from headwater.cli import main
from headwater.config.settings import Settings
from headwater.embed.stage import embed as embed_file
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"
TABLES = {
    "restaurant_inspections.csv": (
        "inspection_id,business_name,cuisine,neighbourhood,inspection_date,score,critical_violations,passed\n"
        "I-1001,Golden Wok,Chinese,Flushing,2024-03-12,92,0,true\n"
        "I-1002,Sakura House,Japanese,Park Slope,2024-03-15,64,3,false\n"
        "I-1003,Casa Oaxaca,Mexican,Bushwick,2024-04-02,88,1,true\n"
        "I-1004,Bella Napoli,Italian,Astoria,2024-04-20,79,2,true\n"
        "I-1005,Le Petit Bistro,French,Chelsea,2024-05-06,95,0,true\n"
        "I-1006,Tandoor Palace,Indian,Jackson Heights,2024-05-18,58,4,false\n"
    ),
    "pet_licences.csv": (
        "licence_id,pet_name,species,breed,colour,owner_neighbourhood,issued\n"
        "L-1,Max,dog,Beagle,tricolour,Astoria,2024-01-05\n"
        "L-2,Whiskers,cat,Siamese,cream,Chelsea,2024-02-11\n"
        "L-3,Bella,dog,Golden Retriever,golden,Park Slope,2024-02-20\n"
        "L-4,Rocky,dog,German Shepherd,black and tan,Bushwick,2024-03-03\n"
        "L-5,Coco,rabbit,Holland Lop,white,Flushing,2024-03-28\n"
    ),
    "small_business_loans.csv": (
        "loan_id,borrower,industry,city,amount_usd,interest_rate_pct,term_months,approved\n"
        "B-77,Sunrise Bakery,Bakery,Portland,25000,6.5,36,yes\n"
        "B-78,Harbor Freight Lines,Trucking,Seattle,480000,8.25,84,yes\n"
        "B-79,Pixel Forge,Software,Austin,150000,7.0,60,no\n"
        "B-80,Green Thumb Nursery,Garden centre,Denver,60000,5.75,48,yes\n"
        "B-81,Bright Smile Dental,Dental clinic,Boston,220000,6.0,120,yes\n"
    ),
}

# query -> (file, line) of the row it paraphrases (two fields each, no value quoted as written)
QUERIES = {
    "sushi restaurant in Park Slope": ("restaurant_inspections.csv", 3),
    "Indian place in Jackson Heights that failed its inspection": ("restaurant_inspections.csv", 7),
    "licensed Siamese kitty": ("pet_licences.csv", 3),
    "German Shepherd puppy from Bushwick": ("pet_licences.csv", 5),
    "bunny rabbit licence": ("pet_licences.csv", 6),
    "financing for a bakery in Oregon's biggest city": ("small_business_loans.csv", 2),
    "loan to a truck company in Seattle": ("small_business_loans.csv", 3),
    "dentist borrowing money in Boston": ("small_business_loans.csv", 6),
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("rowdocs")
    landing = home / "landing" / DATE
    landing.mkdir(parents=True)
    settings = Settings(home=home, landing_uri=landing.parent.as_uri())
    for name, text in TABLES.items():
        (landing / name).write_text(text, encoding="utf-8")
        ref = FileRef(DATE, name)
        ingest_file((landing / name).read_bytes(), ref, settings)
        clean_file(ref, settings)
        chunk_file(ref, settings)
        embed_file(ref, settings)
    return home


def test_every_row_of_a_record_table_becomes_a_document(home: Path) -> None:
    lay = Layout(home / "data", DATE)
    manifest = read_json(lay.manifest("pet_licences.csv"))
    assert (manifest["text_columns"], manifest["chunks"], manifest["row_documents"], manifest["vectors"]) == ([], 5, 5, 5)
    assert manifest["chunking"]["rows"] == {
        "reason": "auto: no free-text column", "columns": ["pet_name", "species", "breed", "colour", "owner_neighbourhood", "issued"],
        "context": [], "template": False, "documents": 5, "blank_rows": 0, "rows_with_text": 0, "over_token_limit": 0,
    }  # licence_id is an identifier: left out
    chunks = pd.read_parquet(lay.chunks("pet_licences.csv"))
    assert chunks["text"].iloc[1] == (
        "Pet name: Whiskers\nSpecies: cat\nBreed: Siamese\nColour: cream\nOwner neighbourhood: Chelsea\nIssued: 11 February 2024"
    )
    loans = pd.read_parquet(lay.chunks("small_business_loans.csv"))
    assert loans["text"].iloc[0] == (
        "Borrower: Sunrise Bakery\nIndustry: Bakery\nCity: Portland\nAmount usd: 25000\nInterest rate pct: 6.5\nTerm months: 36\nApproved: yes"
    )


def _search(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, home: Path, *args: str) -> list[dict]:
    monkeypatch.setenv("HEADWATER_HOME", str(home))
    capsys.readouterr()
    saved = os.environ.copy()  # the CLI applies the local environment (headwater.localenv) to this process
    try:
        assert main(["search", *args, "--json"]) == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("hybrid", [False, True], ids=["vector", "hybrid"])
def test_headwater_search_finds_the_row_a_paraphrase_describes(home: Path, monkeypatch, capsys, hybrid: bool) -> None:
    found = {}
    for query in QUERIES:
        hits = _search(monkeypatch, capsys, home, query, "-k", "3", *(["--hybrid"] if hybrid else []))
        found[query] = (hits[0]["source_file"].split("/", 1)[1], hits[0]["line"])
        assert hits[0]["column"] == "_row" and hits[0]["strategy"] == "row" and hits[0]["row_id"]
    assert found == QUERIES


def test_search_filters_by_file_date_and_column(home: Path, monkeypatch, capsys) -> None:
    query = "anything in Bushwick"  # a restaurant and a dog live there: the full-text ranking knows the name
    everywhere = _search(monkeypatch, capsys, home, query, "-k", "2", "--hybrid")
    assert {(h["source_file"], h["line"]) for h in everywhere} == {(f"{DATE}/restaurant_inspections.csv", 4), (f"{DATE}/pet_licences.csv", 5)}
    pets = _search(monkeypatch, capsys, home, query, "--file", "pet_licences.csv", "-k", "2", "--hybrid")
    assert [h["source_file"] for h in pets] == [f"{DATE}/pet_licences.csv"] * 2 and pets[0]["line"] == 5
    assert _search(monkeypatch, capsys, home, query, "--date", "2026-11-21") == []
    assert len(_search(monkeypatch, capsys, home, query, "--from", DATE, "--to", DATE, "-k", "16")) == 16
    loans = _search(monkeypatch, capsys, home, query, "--column", "interest_rate_pct", "-k", "10")
    assert {h["source_file"] for h in loans} == {f"{DATE}/small_business_loans.csv"} and len(loans) == 5
    assert {h["source_name"] for h in _search(monkeypatch, capsys, home, query, "--source", "default", "-k", "16")} == {"default"}
    assert _search(monkeypatch, capsys, home, query, "--source", "customers") == []
