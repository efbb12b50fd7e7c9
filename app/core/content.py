"""Load the toolbox content: Markdown with YAML front matter, parsed and rendered once."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core import yamlio
from app.core.sheets import validate_download

KINDS = ("steps", "cases", "templates", "pages")
PHASES = ("startup", "design", "implementation")
DIMENSIONS = (
    "welfare_challenge",
    "organisation",
    "target_group",
    "intervention",
    "measurement",
    "payment_model",
    "collaboration",
    "learning",
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)
TAG_RE = re.compile(r"<[^>]+>")

# Fields every file needs, and the extra ones each kind needs.
REQUIRED = {"key": str, "title": str, "summary": str}
REQUIRED_BY_KIND: dict[str, dict[str, type]] = {
    "steps": {"order": int, "phase": str, "dimension": str},
    "cases": {"order": int},
    "templates": {"order": int},
    "pages": {},
}
OPTIONAL = {"templates": list, "order": int, "download": dict}


class ContentError(ValueError):
    """A content file is broken; the message names the file and the reason."""


@dataclass(frozen=True)
class TocEntry:
    """One heading in a page's table of contents."""

    id: str
    title: str
    level: int


@dataclass(frozen=True)
class Page:
    """One rendered content file in one language."""

    kind: str
    lang: str
    slug: str
    key: str
    title: str
    summary: str
    html: str
    text: str
    toc: tuple[TocEntry, ...]
    order: int = 0
    phase: str | None = None
    dimension: str | None = None
    templates: tuple[str, ...] = ()
    download: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    source: str = ""


@dataclass(frozen=True)
class Phase:
    """A phase of the toolbox (start-up, design, implementation) in one language."""

    key: str
    title: str
    summary: str


@dataclass(frozen=True)
class GlossaryEntry:
    """A term with its Danish and Swedish wording and definitions."""

    id: str
    terms: dict[str, str]
    definitions: dict[str, str]


@dataclass
class Library:
    """All content in all languages, indexed for the views."""

    languages: tuple[str, ...]
    pages: dict[tuple[str, str, str], Page] = field(default_factory=dict)
    phases: dict[str, list[Phase]] = field(default_factory=dict)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    _by_key: dict[tuple[str, str, str], Page] = field(default_factory=dict)

    def add(self, page: Page) -> None:
        """Index a page by slug and by key, refusing duplicates."""
        if (page.lang, page.kind, page.key) in self._by_key:
            other = self._by_key[(page.lang, page.kind, page.key)]
            raise ContentError(f"{page.source}: key '{page.key}' is also used by {other.source}")
        self.pages[(page.lang, page.kind, page.slug)] = page
        self._by_key[(page.lang, page.kind, page.key)] = page

    def get(self, lang: str, kind: str, slug: str) -> Page | None:
        """The page at this slug, or None."""
        return self.pages.get((lang, kind, slug))

    def by_key(self, lang: str, kind: str, key: str) -> Page | None:
        """The page with this key in this language, or None."""
        return self._by_key.get((lang, kind, key))

    def translation(self, page: Page, lang: str) -> Page | None:
        """The same page in another language."""
        return self.by_key(lang, page.kind, page.key)

    def list(self, lang: str, kind: str) -> list[Page]:
        """Pages of one kind in one language, in reading order."""
        found = [p for (lg, kd, _), p in self.pages.items() if lg == lang and kd == kind]
        return sorted(found, key=lambda p: (p.order, p.title))

    def steps_by_phase(self, lang: str) -> list[tuple[Phase, list[Page]]]:
        """The toolbox as phases, each with its steps in order."""
        steps = self.list(lang, "steps")
        return [(ph, [s for s in steps if s.phase == ph.key]) for ph in self.phases[lang]]

    def neighbours(self, page: Page) -> tuple[Page | None, Page | None]:
        """The previous and next page of the same kind, in reading order."""
        siblings = self.list(page.lang, page.kind)
        i = siblings.index(page)
        prev = siblings[i - 1] if i > 0 else None
        nxt = siblings[i + 1] if i + 1 < len(siblings) else None
        return prev, nxt


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """Split a Markdown file into its YAML front matter and its body."""
    match = FRONT_MATTER_RE.match(text)
    if not match:
        raise ContentError(f"{source}: missing front matter (a '---' block at the top)")
    import yaml  # as yamlio: only when content is built

    try:
        meta = yamlio.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ContentError(f"{source}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise ContentError(f"{source}: front matter must be a mapping of fields")
    return meta, match.group(2)


def validate_meta(meta: dict[str, Any], kind: str, source: str) -> None:
    """Check that front matter has every field its kind needs, with the right types."""
    required = {**REQUIRED, **REQUIRED_BY_KIND[kind]}
    for name in required:
        if name not in meta or meta[name] in (None, ""):
            raise ContentError(f"{source}: front matter lacks '{name}'")
    for name, typ in {**OPTIONAL, **required}.items():
        if name in meta and not (isinstance(meta[name], typ) and not isinstance(meta[name], bool)):
            raise ContentError(f"{source}: '{name}' must be {typ.__name__}")
    if not KEY_RE.match(meta["key"]):
        raise ContentError(f"{source}: key '{meta['key']}' must be lower-case letters and hyphens")
    if kind == "steps":
        if meta["phase"] not in PHASES:
            raise ContentError(f"{source}: phase '{meta['phase']}' is not one of {PHASES}")
        if meta["dimension"] not in DIMENSIONS:
            raise ContentError(f"{source}: dimension '{meta['dimension']}' is unknown")
    if "download" in meta:
        if kind != "templates":
            raise ContentError(f"{source}: only templates may have a 'download'")
        reason = validate_download(meta["download"], source)
        if reason:
            raise ContentError(f"{source}: {reason}")


def render_markdown(body: str) -> tuple[str, tuple[TocEntry, ...]]:
    """Render Markdown to HTML and collect its h2/h3 headings."""
    # Imported here: only building the content renders Markdown, and a start-up that reads it
    # built (app/core/built.py) saves the import's 20 ms.
    import markdown
    from markdown.extensions.toc import slugify_unicode

    md = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists", "attr_list"],
        extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-3"}},
        output_format="html",
    )
    rendered = md.convert(body)
    toc: list[TocEntry] = []

    def walk(tokens: Iterable[dict[str, Any]]) -> None:
        for token in tokens:
            toc.append(TocEntry(token["id"], html.unescape(token["name"]), token["level"]))
            walk(token["children"])

    walk(md.toc_tokens)  # type: ignore[attr-defined]
    return rendered, tuple(toc)


def parse_page(text: str, *, kind: str, lang: str, slug: str, source: str) -> Page:
    """Parse and render one content file."""
    if not SLUG_RE.match(slug):
        raise ContentError(f"{source}: file name must be lower-case ASCII words and hyphens")
    meta, body = split_front_matter(text, source)
    validate_meta(meta, kind, source)
    if re.search(r"^# ", body, re.MULTILINE):
        raise ContentError(f"{source}: use '##' headings; the title comes from front matter")
    rendered, toc = render_markdown(body)
    plain = html.unescape(TAG_RE.sub(" ", rendered))
    return Page(
        kind=kind,
        lang=lang,
        slug=slug,
        key=meta["key"],
        title=meta["title"].strip(),
        summary=meta["summary"].strip(),
        html=rendered,
        text=" ".join(plain.split()),
        toc=toc,
        order=meta.get("order", 0),
        phase=meta.get("phase"),
        dimension=meta.get("dimension"),
        templates=tuple(meta.get("templates") or ()),
        download=meta.get("download"),
        source=source,
    )


def _load_yaml(path: Path) -> Any:
    import yaml  # as yamlio: only when content is built

    try:
        return yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot be read as YAML: {exc}") from exc


def load_phases(path: Path) -> list[Phase]:
    """Read one language's phases file."""
    data = _load_yaml(path)
    if not isinstance(data, list):
        raise ContentError(f"{path}: must be a list of phases")
    phases = []
    for item in data:
        if not isinstance(item, dict) or not {"key", "title", "summary"} <= item.keys():
            raise ContentError(f"{path}: every phase needs key, title and summary")
        if item["key"] not in PHASES:
            raise ContentError(f"{path}: phase '{item['key']}' is not one of {PHASES}")
        phases.append(Phase(item["key"], item["title"], item["summary"]))
    if [p.key for p in phases] != list(PHASES):
        raise ContentError(f"{path}: must list the phases {PHASES} in that order")
    return phases


def load_glossary(path: Path, languages: tuple[str, ...]) -> list[GlossaryEntry]:
    """Read the glossary: every entry has a term and a definition in every language."""
    if not path.exists():
        return []
    data = _load_yaml(path)
    if not isinstance(data, list):
        raise ContentError(f"{path}: must be a list of terms")
    entries, seen = [], set()
    for i, item in enumerate(data):
        where = f"{path}: entry {i + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ContentError(f"{where}: needs an 'id'")
        if item["id"] in seen:
            raise ContentError(f"{where}: id '{item['id']}' is used twice")
        seen.add(item["id"])
        terms, definitions = {}, {}
        for lang in languages:
            text = item.get(lang)
            if not isinstance(text, dict) or not text.get("term") or not text.get("definition"):
                raise ContentError(f"{where} ('{item['id']}'): needs term and definition in {lang}")
            terms[lang] = str(text["term"]).strip()
            definitions[lang] = str(text["definition"]).strip()
        entries.append(GlossaryEntry(item["id"], terms, definitions))
    return entries


def check_parity(library: Library) -> None:
    """Every page must exist in every language, under the same key."""
    for kind in KINDS:
        keys = {lang: {p.key: p for p in library.list(lang, kind)} for lang in library.languages}
        for mine in keys.values():
            for other, theirs in keys.items():
                for key in mine.keys() - theirs.keys():
                    raise ContentError(f"{mine[key].source}: key '{key}' has no {other} version")


def load_library(root: Path, languages: tuple[str, ...]) -> Library:
    """Load, validate and render all content below root; raise ContentError on the first fault."""
    library = Library(languages=languages)
    for lang in languages:
        library.phases[lang] = load_phases(root / lang / "phases.yaml")
        for kind in KINDS:
            for path in sorted((root / lang / kind).glob("*.md")):
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise ContentError(f"{path}: cannot be read: {exc}") from exc
                library.add(
                    parse_page(text, kind=kind, lang=lang, slug=path.stem, source=str(path))
                )
    check_parity(library)
    library.glossary = load_glossary(root / "glossary.yaml", languages)
    return library
