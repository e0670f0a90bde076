/* Progressive enhancement for the roadmap and the register: filter a table by the values its rows
   carry (data-phase, data-status, ...), as the container's data-tp-filters lists them ("key:Label";
   a key ending in ">" filters by "more than N"). Without JavaScript the whole table shows; nothing
   here is needed to read the plan. */
(function () {
  "use strict";

  function setUp(container) {
    var table = container.parentElement.querySelector("table");
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var noun = container.dataset.tpNoun || "milestones";
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "tp-filter-count";
    var spec = container.dataset.tpFilters || "phase:Phase status:Status owner:Owner";
    var pairs = spec.match(/[a-z]+>?:[^:]+?(?=\s+[a-z]+>?:|$)/g) || [];
    var filters = pairs.map(function (pair) {
      var at = pair.indexOf(":");
      var key = pair.slice(0, at);
      var more = key.charAt(key.length - 1) === ">";
      key = more ? key.slice(0, -1) : key;
      var values = [];
      rows.forEach(function (row) {
        var value = row.dataset[key];
        if (values.indexOf(value) === -1) values.push(value);
      });
      var label = document.createElement("label");
      label.textContent = pair.slice(at + 1).trim();
      var select = document.createElement("select");
      select.dataset.key = key;
      select.add(new Option("All", ""));
      if (more) {
        var most = Math.max.apply(null, values.map(Number).concat([0]));
        select.dataset.more = "yes";
        for (var n = 0; n < most; n += 1) select.add(new Option(n + (n === 1 ? " time" : " times"), String(n)));
      } else {
        values.sort();
        values.forEach(function (value) { select.add(new Option(value, value)); });
      }
      select.addEventListener("change", apply);
      label.appendChild(select);
      container.appendChild(label);
      return select;
    });
    container.appendChild(status);
    container.hidden = false;

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var match = filters.every(function (select) {
          var value = row.dataset[select.dataset.key];
          if (!select.value) return true;
          return select.dataset.more ? Number(value) > Number(select.value) : value === select.value;
        });
        row.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = "Showing " + shown + " of " + rows.length + " " + noun + ".";
    }
    apply();
  }

  document.querySelectorAll("[data-tp-filters]").forEach(setUp);
})();

/* Material's menu drawer and search are checkboxes that CSS opens and closes. Material writes
   autocomplete="off" on them so that a browser coming back to a page does not restore them checked,
   with the menu or the search open again; HTML does not allow that attribute on a checkbox, so the
   build removes it (techplan/site/markup.py) and this keeps its promise: whenever a page is shown,
   freshly loaded or back from the back/forward cache, the two start closed. A toggle the reader
   has already used on this load is theirs and stays as it is. */
(function () {
  "use strict";

  var toggles = Array.prototype.slice.call(document.querySelectorAll("input[data-md-toggle]"));
  var used = [];
  toggles.forEach(function (toggle) {
    toggle.addEventListener("change", function () { used.push(toggle); });
  });
  window.addEventListener("pageshow", function (event) {
    toggles.forEach(function (toggle) {
      // click(), as Material's own setToggle does, so Material hears the change and closes it properly.
      if (toggle.checked && (event.persisted || used.indexOf(toggle) === -1)) toggle.click();
    });
    used = [];
  });
})();

/* Material's language selector takes every <link rel="alternate"> in a page for another language
   version of the site and fetches the sitemap.xml beside it (mkdocs-material issue 8576). Ours are
   the page's Atom feeds: rel="alternate" with an Atom type is how feed readers find a feed, and many
   look for exactly that value, so it stays in the HTML. But a phase's feed sits in the phase's
   folder, where there is no sitemap, so every page of a phase asked for one and got a 404. So the
   feed links step out of Material's sight while it looks, when the document is ready, and come
   straight back: Material's bundle runs before this script, so its DOMContentLoaded listener runs
   before the one added here. */
(function () {
  "use strict";

  if (document.readyState !== "loading") return;
  var feeds = Array.prototype.slice.call(document.querySelectorAll('link[rel="alternate"][type="application/atom+xml"]'));
  feeds.forEach(function (link) { link.removeAttribute("rel"); });
  document.addEventListener("DOMContentLoaded", function () {
    feeds.forEach(function (link) { link.setAttribute("rel", "alternate"); });
  }, {once: true});
})();

/* Material wraps each table in a box that scrolls sideways when the table is wider than the
   window: on a phone, a measure's data or the register. A reader on a keyboard scrolls such a box
   only if it can take focus (WCAG 2.1.1; axe's scrollable-region-focusable). One that holds a link
   already can; one that holds only text is made a stop in the tab order, named by its table's
   caption or the heading it is under, for as long as it scrolls. Material adds the boxes when the
   document is ready, and again after each instant navigation: its document$ says when. */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  function update(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex") && !box.querySelector(FOCUSABLE)) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name(box));
      box.dataset.tpScrolls = "";
    } else if (!scrolls && "tpScrolls" in box.dataset) {
      ["tabindex", "role", "aria-label", "data-tp-scrolls"].forEach(function (attribute) { box.removeAttribute(attribute); });
    }
  }

  // The table's caption; else the heading it is under (without its permalink's mark).
  function name(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = box;
    while (node && !/^H[1-6]$/.test(node.tagName)) node = node.previousElementSibling || node.parentElement;
    var heading = node ? node.textContent.replace(/\u00b6/g, "").trim() : "";
    return heading ? "Table under \u201c" + heading + "\u201d" : "Table";
  }

  function watch() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".md-typeset__scrollwrap"));
    if (!("ResizeObserver" in window)) return boxes.forEach(update);
    // Observing a box reports its size at once, and again whenever it changes.
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { update(entry.target); });
    });
    boxes.forEach(function (box) { observer.observe(box); });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(watch);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
