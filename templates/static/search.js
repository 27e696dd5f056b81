// The search page (templates/search.html): Pagefind's UI in #search, searching at once
// for the words of ?q=, which the search box on every page sends. pagefind-ui.js, from
// the bundle the build made, is loaded before this file (both deferred, in order).
// Every word the UI shows comes from the page, in its language: data-strings (Pagefind's
// own keys), data-label (the box's name) and data-results (the plural forms of "N results").
"use strict";
(function () {
  var root = document.getElementById("search");
  if (!root || typeof PagefindUI === "undefined") {
    return;
  }
  var strings = JSON.parse(root.dataset.strings || "{}");
  var results = JSON.parse(root.dataset.results || "null");
  // Pagefind knows one form for 1 result and one for the rest; a language may have more
  // (Arabic has six). It writes this marked text, which the page then rewrites in the form
  // that the count takes (countMessages below).
  var MARK = "\u2063";
  if (results) {
    strings.one_result = strings.many_results = MARK + "[COUNT]" + MARK + "[SEARCH_TERM]";
  }
  // The count as Pagefind writes it (in the page's digits) back to a number.
  var lang = document.documentElement.lang || "en";
  var digits = {};
  for (var d = 0; d < 10; d += 1) {
    digits[new Intl.NumberFormat(lang).format(d)] = d;
  }
  function countOf(text) {
    var n = 0;
    for (var i = 0; i < text.length; i += 1) {
      if (text[i] in digits) {
        n = n * 10 + digits[text[i]];
      }
    }
    return n;
  }
  // The form of "N results" for a count: the page has it for 0 to 199; past that, the
  // form of 100 plus the last two digits (plural rules look at n % 100 at most).
  function formFor(n) {
    var at = n < 200 ? n : 100 + (n % 100);
    return results.forms[Number(results.index.charAt(at))];
  }
  function countMessages() {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.data.charAt(0) === MARK) {
        var parts = node.data.split(MARK);
        var shown = parts[1];
        var term = parts.slice(2).join(MARK);
        node.data = formFor(countOf(shown))
          .replace("[COUNT]", function () {
            return shown;
          })
          .replace("[SEARCH_TERM]", function () {
            return term;
          });
      }
    }
  }
  if (results) {
    new MutationObserver(countMessages).observe(root, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  }

  var params = new URLSearchParams(window.location.search);
  var words = params.get("q");
  // bundles: where this language's index is, first the one the UI starts from, then the
  // others it searches too (a big site's index is in shards: pagefind/shards.json)
  function start(bundles) {
    var merged = bundles.slice(1).map(function (path) {
      return { bundlePath: path, baseUrl: "/" };
    });
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: bundles.length ? bundles[0] : root.dataset.bundle,
      mergeIndex: merged,
      // result URLs are already under the site's path (/news/…): add nothing to them
      baseUrl: "/",
      showImages: false,
      showSubResults: false,
      autofocus: true,
      translations: strings,
    });
    // Pagefind's input is labelled by its title only: give it a real accessible name
    var input = root.querySelector("input");
    if (input && !input.getAttribute("aria-label") && root.dataset.label) {
      input.setAttribute("aria-label", root.dataset.label);
    }
    if (words) {
      ui.triggerSearch(words);
    }
  }
  fetch(root.dataset.bundle + "shards.json")
    .then(function (response) {
      return response.ok ? response.json() : {};
    })
    .catch(function () {
      return {};
    })
    .then(function (shards) {
      var key = lang.toLowerCase();
      start(shards[key] || shards[key.split("-")[0]] || []);
    });

  // the address follows the words, so a search can be bookmarked or shared
  root.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("input[type=text], input[type=search]")) {
      return;
    }
    var value = event.target.value.trim();
    if (value) {
      params.set("q", value);
    } else {
      params.delete("q");
    }
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  });
})();
