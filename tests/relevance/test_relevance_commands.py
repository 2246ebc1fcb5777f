"""label, labels export/import, train, rescore and relevance eval, end to end on an SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from relevance_support import EVAL_DIR, LEXICON, REPO

from monitor.cli import main
from monitor.dedup import DuplicateDetector
from monitor.relevance.model import load_model
from monitor.settings import DedupSettings
from monitor.store import Store
from monitor.types import NewItem, Relevance

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def project_rows() -> list[dict[str, object]]:
    rows = []
    for path in sorted(EVAL_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            rows.append(
                {
                    "id": r["id"],
                    "title": r.get("title", ""),
                    "text": r["text"],
                    "lang": r["lang"],
                    "source": path.stem,
                    "label": 1 if r["relevant"] else 0,
                    "split": "train",
                }
            )
    return rows


class Cli:
    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str], **relevance: str) -> None:
        self.folder, self.capsys = folder, capsys
        self.db = folder / "monitor.db"
        self.write(**relevance)

    def write(self, **relevance: str) -> None:
        rel = {"lexicon": str(LEXICON), "training": [str(self.folder / "train.jsonl")], **relevance}
        lines = [
            "[database]",
            f'url = "sqlite:///{self.db}"',
            "[sources]",
            'feeds = ["feeds.toml"]',
            f'seeds = "{REPO / "seeds"}"',
            "[relevance]",
            *(f"{k} = {json.dumps(v)}" for k, v in rel.items()),
            "[log]",
            'level = "WARNING"',
        ]
        (self.folder / "monitor.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (self.folder / "feeds.toml").write_text("", encoding="utf-8")

    def run(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["--config", str(self.folder / "monitor.toml"), *args])
        out, err = self.capsys.readouterr()
        return code, out, err


def add_item(store: Store, item_id: str, title: str, text: str) -> None:
    fp = DuplicateDetector(DedupSettings(), store.fingerprint_index).fingerprint(text)
    item = NewItem(
        id=item_id,
        feed_id=None,
        url=f"https://example.org/{item_id}",
        canonical_url=f"https://example.org/{item_id}",
        entry_id=None,
        title=title,
        authors=(),
        published_at=NOW,
        fetched_at=NOW,
        language="en",
        text=text,
        text_source="page",
        content_hash=fp.content_hash,
        relevance=Relevance(0.0, False, (), ()),
        lexicon_version="old",
        duplicate_of=None,
        duplicate_reason="",
        story_id=item_id,
    )
    assert store.add_item(item, fp)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    rows = project_rows()
    test_line = {**rows[0], "id": "held-out", "split": "test", "label": 1}
    (tmp_path / "train.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*rows, test_line]),
        encoding="utf-8",
    )
    c = Cli(tmp_path, capsys)
    code, _, err = c.run("init")
    assert code == 0, err
    store = Store(f"sqlite:///{c.db}")
    add_item(
        store,
        "item-ttp",
        "TTP attack on police post in Bannu",
        "BANNU: Militants of the banned Tehreek-e-Taliban Pakistan attacked a police post.",
    )
    add_item(
        store,
        "item-gold",
        "Gold prices rise in Karachi",
        "KARACHI: Gold prices rose by Rs500 per tola on Monday, traders said.",
    )
    store.close()
    return c


def test_label_writes_the_triage_label(cli: Cli) -> None:
    code, out, _ = cli.run("label", "item-gold", "not-relevant", "--note", "market news")
    assert code == 0 and out.strip() == "item-gold: not_relevant (market news)"
    store = Store(f"sqlite:///{cli.db}")
    item = store.item("item-gold")
    store.close()
    assert item is not None and item.triage.label == "not_relevant"
    assert item.triage.note == "market news"
    code, out, err = cli.run("label", "nope", "relevant")
    assert code == 1 and out == "" and err.strip() == "monitor: error: no stored item 'nope'"


def test_labels_move_between_databases(cli: Cli, tmp_path: Path) -> None:
    cli.run("label", "item-ttp", "relevant")
    exported = tmp_path / "labels.jsonl"
    code, out, _ = cli.run("labels", "export", "-o", str(exported))
    assert code == 0 and "exported 1 labels" in out
    row = json.loads(exported.read_text(encoding="utf-8"))
    assert set(row) == {"id", "label", "note", "title", "text", "language", "source"}
    assert (row["id"], row["label"], row["language"]) == ("item-ttp", "relevant", "en")

    other = tmp_path / "other"
    other.mkdir()
    second = Cli(other, cli.capsys)
    assert second.run("init")[0] == 0
    foreign = {
        "id": "from-elsewhere",
        "label": "not_relevant",
        "note": "sport",
        "title": "Cricket",
        "text": "Pakistan beat Afghanistan.",
        "language": "en",
        "source": "desk",
    }
    (tmp_path / "more.jsonl").write_text(json.dumps(foreign) + "\n", encoding="utf-8")
    code, out, err = second.run("labels", "import", str(exported), str(tmp_path / "more.jsonl"))
    assert code == 0, err
    assert out.strip() == (
        "imported 2 labels: 0 on stored items, 2 kept for items this database does not hold; "
        "0 borderline skipped"
    )
    code, out, _ = second.run("labels", "export")
    back = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert back["from-elsewhere"]["note"] == "sport" and back["item-ttp"]["label"] == "relevant"
    # A label for a stored item goes to its triage.
    code, out, _ = cli.run("labels", "import", str(tmp_path / "more.jsonl"), str(exported))
    assert "1 on stored items, 1 kept" in out


def test_bad_import_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "item-ttp", "label": "relevant"}\n{"id": "x", "label": "maybe"}\n')
    code, out, err = cli.run("labels", "import", str(bad))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and f"{bad}:2" in err and "label must be" in err
    assert cli.run("labels", "export")[1] == ""


def test_train_then_rescore_then_eval(cli: Cli, tmp_path: Path) -> None:
    cli.run("label", "item-ttp", "relevant")
    cli.run("label", "item-gold", "not-relevant")
    model_path = tmp_path / "model-v2.json"
    code, out, err = cli.run("train", "-o", str(model_path))
    assert code == 0, err
    n = len(project_rows()) + 2  # the test-split line is never trained on
    assert out.startswith(f"trained on {n} items") and "2 stored labels" in out
    model = load_model(model_path)
    assert model.training["stored_labels"] == 2 and model.training["items"] == n
    assert model.version in out

    cli.write(model=str(model_path))
    code, out, err = cli.run("rescore")
    assert code == 0, err
    assert out.startswith("rescored 2 items; 1 decision changed (1 now relevant")
    store = Store(f"sqlite:///{cli.db}")
    item = store.item("item-ttp")
    store.close()
    assert item is not None and item.relevance.relevant and "ttp" in item.relevance.tags
    assert item.relevance.entities.groups == ("TTP",)
    assert item.relevance.evidence[0].where and item.relevance.evidence[0].facet

    code, out, err = cli.run("relevance", "eval", str(tmp_path / "train.jsonl"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("overall") and "AUC=" in lines[0]
    for section in ("-- by language", "-- by source", "-- by tag", "-- reliability"):
        assert any(line.startswith(section) for line in lines)
    assert any(line.startswith("ur ") for line in lines)
    assert any(line.startswith("ttp ") for line in lines)


def test_train_without_data_is_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "train.jsonl").write_text("", encoding="utf-8")
    code, out, err = cli.run("train", "--no-stored", "-o", str(tmp_path / "m.json"))
    assert code == 1 and out == "" and "cannot train: training needs at least" in err
    assert not (tmp_path / "m.json").exists()
