"""What every page test checks: the status, a title, the language, and unique ids."""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup


def get_page(client, url: str, status: int = 200, **kwargs) -> BeautifulSoup:
    """GET a page, check the basics every page must meet, and return it parsed."""
    response = client.get(url, **kwargs)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return check_page(response.get_data(as_text=True), url)


def check_page(html: str, url: str) -> BeautifulSoup:
    """Parse a page and assert its title, lang attribute, single h1 and unique ids."""
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html is not None and soup.html.get("lang") in ("da", "sv"), url
    assert soup.title and soup.title.get_text(strip=True), f"{url}: no title"
    assert len(soup.find_all("h1")) == 1, f"{url}: expected one h1"
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    assert not duplicates, f"{url}: duplicate ids {duplicates}"
    assert not soup.find_all("script", src=False), f"{url}: inline script"
    assert not soup.find_all("style"), f"{url}: inline style element"
    assert not soup.find_all(style=True), f"{url}: inline style attribute"
    return soup


def text_of(soup: BeautifulSoup, selector: str) -> str:
    """The visible text of the first element matching selector."""
    element = soup.select_one(selector)
    assert element is not None, f"nothing matches {selector}"
    return " ".join(element.get_text(" ").split())
