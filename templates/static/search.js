// The search page (templates/search.html): Pagefind's UI in #search, searching at once
// for the words of ?q=, which the search box on every page sends. pagefind-ui.js, from
// the bundle the build made, is loaded before this file (both deferred, in order).
"use strict";
(function () {
  var root = document.getElementById("search");
  if (!root || typeof PagefindUI === "undefined") {
    return;
  }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: root.dataset.bundle,
    // result URLs are already under the site's path (/news/…): add nothing to them
    baseUrl: "/",
    showImages: false,
    showSubResults: false,
    autofocus: true,
  });
  // Pagefind's input is labelled by its title only: give it a real accessible name
  var input = root.querySelector("input");
  if (input && !input.getAttribute("aria-label")) {
    input.setAttribute("aria-label", "Search " + document.title.split(" · ").pop());
  }
  var params = new URLSearchParams(window.location.search);
  var words = params.get("q");
  if (words) {
    ui.triggerSearch(words);
  }
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
