/* Search in the static export (flask export-static, app/static_export.py).
 *
 * The export has no server to ask, so the search page loads its language's index
 * (static/search/da.json or sv.json, written from app/core/search.py's index) and searches it the
 * way the app does: every word of the query must be found, scored by how often it occurs against
 * the length of the text and how rare it is, best first, with a snippet around the first match.
 *
 * Stems: the index holds every word of the content with the stem that Python's Snowball stemmer
 * gave it, so a word of the texts is stemmed exactly as on the server, with no stemmer here. A
 * word that the texts never use falls back to prefix matching: the stems of the indexed words
 * that begin with it (typing the start of a word), else the longest indexed stem it begins with,
 * at most a suffix's length shorter (an inflected form the texts happen not to use).
 *
 * The hits are shown with the markup of the app's results page, in its live region. Every text
 * goes in with textContent: nothing from the index or the query is read as HTML.
 */
(function () {
  "use strict";

  var region = document.querySelector(".search-results[data-index]");
  if (!region) {
    return;
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query === null) {
    return; // no search yet: the page already says what to type
  }
  var WORD = /[\p{L}\p{Nl}\p{No}]{2,}|\p{Nd}+/gu;
  var MIN_PREFIX = 3; // a shorter beginning of a word would match half the texts
  var MAX_SUFFIX = 5; // Danish and Swedish endings such as -ernes, -arnas

  var input = document.getElementById("page-search");
  if (input) {
    input.value = query;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // Jinja's truncate(60) as the results page's title uses it (leeway 5, "..." at a space).
  function truncate(text, length) {
    if (Array.from(text).length <= length + 5) {
      return text;
    }
    var cut = Array.from(text).slice(0, length - 3).join("");
    var space = cut.lastIndexOf(" ");
    return (space >= 0 ? cut.slice(0, space) : cut) + "...";
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  // The stems one word of the query stands for (one, for a word of the texts).
  function stemsOf(index, word) {
    if (has(index.words, word)) {
      return [index.words[word]];
    }
    var found = [];
    if (word.length >= MIN_PREFIX) {
      Object.keys(index.words).forEach(function (known) {
        var stem = index.words[known];
        if (known.indexOf(word) === 0 && found.indexOf(stem) < 0) {
          found.push(stem);
        }
      });
    }
    if (found.length) {
      return found;
    }
    var best = "";
    Object.keys(index.postings).forEach(function (stem) {
      if (stem.length >= MIN_PREFIX && word.length - stem.length <= MAX_SUFFIX &&
          word.indexOf(stem) === 0 && stem.length > best.length) {
        best = stem;
      }
    });
    return best ? [best] : [];
  }

  function snippet(index, doc, stems) {
    var text = doc.text;
    var size = index.snippet_chars;
    var matches = [];
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      var stem = index.words[match[0].toLowerCase()];
      if (stem !== undefined && stems.has(stem)) {
        matches.push({ start: match.index, end: match.index + match[0].length, word: match[0] });
      }
    }
    var start = 0;
    var end = Math.min(text.length, size);
    if (matches.length) {
      start = Math.max(0, matches[0].start - Math.floor(size / 3));
      start = start ? text.lastIndexOf(" ", start - 1) + 1 : 0;
      end = Math.min(text.length, start + size);
      if (end < text.length && text.slice(start, end).indexOf(" ") >= 0) {
        end = text.lastIndexOf(" ", end - 1);
      }
    }
    var pieces = [];
    if (start > 0) {
      pieces.push(["… ", false]);
    }
    var cursor = start;
    matches.forEach(function (m) {
      if (m.start < start || m.end > end) {
        return;
      }
      if (m.start > cursor) {
        pieces.push([text.slice(cursor, m.start), false]);
      }
      pieces.push([m.word, true]);
      cursor = m.end;
    });
    if (cursor < end) {
      pieces.push([text.slice(cursor, end), false]);
    }
    if (end < text.length) {
      pieces.push([" …", false]);
    }
    return pieces;
  }

  // Like SearchIndex.search: {problem} for an empty or overlong query, else {hits}.
  function search(index, raw) {
    var normal = raw.split(/\s+/).filter(Boolean).join(" ");
    if (!normal) {
      return { problem: "empty" };
    }
    if (Array.from(normal).length > index.max_length) {
      return { problem: "too_long" };
    }
    var groups = [];
    var seen = {};
    (normal.match(WORD) || []).forEach(function (word) {
      var stems = stemsOf(index, word.toLowerCase());
      var key = stems.join(" ");
      if (!has(seen, key)) {
        seen[key] = true;
        groups.push(stems);
      }
    });
    if (!groups.length) {
      return { hits: [] };
    }
    var total = index.docs.length || 1;
    var scores = null;
    var all = new Set();
    groups.forEach(function (stems) {
      var best = new Map(); // document -> this word's best contribution to its score
      stems.forEach(function (stem) {
        all.add(stem);
        var postings = index.postings[stem] || [];
        var rarity = Math.log(1 + total / postings.length);
        postings.forEach(function (posting) {
          var doc = posting[0];
          var part = posting[1] / Math.sqrt(index.docs[doc].length) * rarity;
          best.set(doc, Math.max(best.get(doc) || 0, part));
        });
      });
      var next = new Map();
      best.forEach(function (part, doc) {
        if (scores === null || scores.has(doc)) {
          next.set(doc, (scores === null ? 0 : scores.get(doc)) + part);
        }
      });
      scores = next;
    });
    var ranked = Array.from(scores.entries()).sort(function (a, b) {
      // A glossary entry first, as the app orders them.
      var glossaryA = index.docs[a[0]].kind === "glossary";
      var glossaryB = index.docs[b[0]].kind === "glossary";
      if (glossaryA !== glossaryB) {
        return glossaryA ? -1 : 1;
      }
      if (a[1] !== b[1]) {
        return b[1] - a[1];
      }
      var x = index.docs[a[0]].title;
      var y = index.docs[b[0]].title;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return {
      hits: ranked.slice(0, index.limit).map(function (pair) {
        var doc = index.docs[pair[0]];
        return { doc: doc, snippet: snippet(index, doc, all) };
      })
    };
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function show(index, result) {
    var messages = index.messages;
    var nodes = [];
    if (result.problem === "empty") {
      nodes.push(element("p", "search-message", messages.empty));
    } else if (result.problem === "too_long") {
      nodes.push(element("p", "search-message", fill(messages.too_long, { max: index.max_length })));
    } else if (!result.hits.length) {
      nodes.push(element("p", "search-message", fill(messages.nothing, { query: query })));
    } else {
      var count = result.hits.length;
      var message = count === 1 ? messages.one : messages.other;
      nodes.push(element("p", "search-message", fill(message, { num: count, query: query })));
      var list = element("ol", "nobullet-list search-hits");
      result.hits.forEach(function (hit) {
        var item = element("li", "search-hit");
        var heading = element("h2", "h3");
        var link = element("a", null, hit.doc.title);
        link.href = hit.doc.url;
        heading.appendChild(link);
        item.appendChild(heading);
        item.appendChild(element("p", "search-kind", index.kinds[hit.doc.kind]));
        var text = element("p", "search-snippet");
        hit.snippet.forEach(function (piece) {
          text.appendChild(piece[1] ? element("mark", null, piece[0]) : document.createTextNode(piece[0]));
        });
        item.appendChild(text);
        list.appendChild(item);
      });
      nodes.push(list);
    }
    region.replaceChildren.apply(region, nodes);
    var dash = document.title.lastIndexOf(" – ");
    var site = dash >= 0 ? document.title.slice(dash) : "";
    var heading = query ? fill(messages.title, { query: truncate(query, 60) }) : null;
    if (heading) {
      document.title = heading + site;
    }
  }

  fetch(region.dataset.index, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("search index: " + response.status);
      }
      return response.json();
    })
    .then(function (index) {
      show(index, search(index, query));
    })
    .catch(function (error) {
      window.console.error(error);
    });
})();
