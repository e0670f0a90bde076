/* Tests of the compare page's script (techplan/theme/assets/javascripts/techplan-compare.js):
   diffing, wording, block extraction and rendering, in Node with no DOM and no packages.
   Run: node --test tests/js/compare.test.js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const compare = require(path.join(__dirname, "..", "..", "techplan", "theme", "assets", "javascripts", "techplan-compare.js"));

// A small seeded random number generator (mulberry32), so failures can be reproduced.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The length of a longest common subsequence, by the textbook table.
function lcsLength(a, b) {
  let previous = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [0];
    for (let j = 1; j <= b.length; j += 1) {
      row.push(a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]));
    }
    previous = row;
  }
  return previous[b.length];
}

// Check opcodes are a correct edit script from a to b; return how many elements they keep.
function checkOpcodes(a, b, opcodes) {
  let i = 0;
  let j = 0;
  let kept = 0;
  const rebuilt = [];
  for (const [tag, i1, i2, j1, j2] of opcodes) {
    assert.equal(i1, i, "opcodes cover a in order");
    assert.equal(j1, j, "opcodes cover b in order");
    assert.ok(i2 >= i1 && j2 >= j1 && (i2 > i1 || j2 > j1), "no empty opcode");
    if (tag === "equal") {
      assert.deepEqual(a.slice(i1, i2), b.slice(j1, j2), "equal runs are equal");
      kept += i2 - i1;
      rebuilt.push(...a.slice(i1, i2));
    } else {
      assert.equal(tag, i2 === i1 ? "insert" : j2 === j1 ? "delete" : "replace");
      rebuilt.push(...b.slice(j1, j2));
    }
    i = i2;
    j = j2;
  }
  assert.equal(i, a.length);
  assert.equal(j, b.length);
  assert.deepEqual(rebuilt, b, "applying the edit script gives the target");
  return kept;
}

// A fake DOM element: el("p", {class: "x"}, "text", el(...)).
function el(tag, attributes, ...children) {
  return {
    nodeType: 1,
    tagName: tag.toUpperCase(),
    childNodes: children.map((child) => (typeof child === "string" ? { nodeType: 3, nodeValue: child } : child)),
    getAttribute: (name) => (attributes && name in attributes ? attributes[name] : null),
  };
}

test.describe("tokenize", () => {
  test.it("splits words, single punctuation characters and runs of whitespace", () => {
    assert.deepEqual(compare.tokenize("Don't stop—it’s 2024,  ok?"), [
      "Don't", " ", "stop", "—", "it’s", " ", "2024", ",", "  ", "ok", "?",
    ]);
    assert.deepEqual(compare.tokenize("café naïve\u00a0x_y"), ["café", " ", "naïve", "\u00a0", "x_y"]);
    assert.deepEqual(compare.tokenize("a''b"), ["a", "'", "'", "b"]);
  });

  test.it("never loses a character", () => {
    const rand = random(1);
    const alphabet = "ab c.,'’\n\t\u00a0é—1_😀<&";
    for (let round = 0; round < 300; round += 1) {
      let text = "";
      for (let n = Math.floor(rand() * 30); n > 0; n -= 1) text += Array.from(alphabet)[Math.floor(rand() * Array.from(alphabet).length)];
      assert.equal(compare.tokenize(text).join(""), text);
    }
  });
});

test.describe("diffSequences", () => {
  test.it("handles empty and identical sequences", () => {
    assert.deepEqual(compare.diffSequences([], []), []);
    assert.deepEqual(compare.diffSequences(["a"], []), [["delete", 0, 1, 0, 0]]);
    assert.deepEqual(compare.diffSequences([], ["a"]), [["insert", 0, 0, 0, 1]]);
    assert.deepEqual(compare.diffSequences(["a", "b"], ["a", "b"]), [["equal", 0, 2, 0, 2]]);
    assert.deepEqual(compare.diffSequences(["a"], ["b"]), [["replace", 0, 1, 0, 1]]);
  });

  test.it("finds a longest common subsequence on the classic example", () => {
    const a = "abcabba".split("");
    const b = "cbabac".split("");
    assert.equal(checkOpcodes(a, b, compare.diffSequences(a, b)), 4);
  });

  test.it("gives a correct, minimal edit script on random inputs", () => {
    const rand = random(42);
    for (let round = 0; round < 2000; round += 1) {
      const size = 1 + Math.floor(rand() * 6); // small alphabets make many matches and ties
      const make = () => Array.from({ length: Math.floor(rand() * 25) }, () => String.fromCharCode(97 + Math.floor(rand() * size)));
      const a = make();
      const b = rand() < 0.3 ? a.filter(() => rand() < 0.8) : make();
      const kept = checkOpcodes(a, b, compare.diffSequences(a, b));
      assert.equal(kept, lcsLength(a, b), `minimal for ${a.join("")} -> ${b.join("")}`);
    }
  });

  test.it("copes with long sequences", () => {
    const rand = random(7);
    const a = Array.from({ length: 3000 }, () => String(Math.floor(rand() * 50)));
    const b = a.map((x) => (rand() < 0.05 ? "new" : x)).filter(() => rand() < 0.97);
    const kept = checkOpcodes(a, b, compare.diffSequences(a, b));
    assert.ok(kept > 2500);
  });
});

test.describe("wordDiff", () => {
  const join = (parts, keep) => parts.filter((part) => part.type === "equal" || part.type === keep).map((part) => part.text).join("");

  test.it("marks an inserted word", () => {
    assert.deepEqual(compare.wordDiff("We will publish a plan.", "We will publish a new plan."), [
      { type: "equal", text: "We will publish a " },
      { type: "insert", text: "new " },
      { type: "equal", text: "plan." },
    ]);
  });

  test.it("marks a deleted word", () => {
    assert.deepEqual(compare.wordDiff("Every trust will have records.", "Every trust will have records"), [
      { type: "equal", text: "Every trust will have records" },
      { type: "delete", text: "." },
    ]);
  });

  test.it("marks a replaced word, deletion first", () => {
    assert.deepEqual(compare.wordDiff("Due in March 2024.", "Due in June 2024."), [
      { type: "equal", text: "Due in " },
      { type: "delete", text: "March" },
      { type: "insert", text: "June" },
      { type: "equal", text: " 2024." },
    ]);
  });

  test.it("treats punctuation as its own token", () => {
    assert.deepEqual(compare.wordDiff("Records, shared", "Records; shared"), [
      { type: "equal", text: "Records" },
      { type: "delete", text: "," },
      { type: "insert", text: ";" },
      { type: "equal", text: " shared" },
    ]);
  });

  test.it("keeps words with apostrophes whole", () => {
    assert.deepEqual(compare.wordDiff("It's done", "It’s done"), [
      { type: "delete", text: "It's" },
      { type: "insert", text: "It’s" },
      { type: "equal", text: " done" },
    ]);
  });

  test.it("never loses or duplicates text", () => {
    const rand = random(3);
    const words = ["the", "plan", "data", "care", ",", ".", " ", "  ", "\n", "NHS", "it's", "—"];
    const sentence = () => Array.from({ length: Math.floor(rand() * 40) }, () => words[Math.floor(rand() * words.length)]).join(rand() < 0.5 ? " " : "");
    for (let round = 0; round < 500; round += 1) {
      const a = sentence();
      const b = rand() < 0.5 ? sentence() : a.replace(/plan/g, "roadmap");
      const parts = compare.wordDiff(a, b);
      assert.equal(join(parts, "delete"), a);
      assert.equal(join(parts, "insert"), b);
    }
  });
});

test.describe("redline", () => {
  const p = (text) => ({ kind: "p", text });
  const h2 = (text) => ({ kind: "h2", text });

  test.it("pairs an edited paragraph and diffs it word by word", () => {
    const old = [h2("Aims"), p("We will connect every trust to the shared record by 2024."), p("Unrelated text stays.")];
    const now = [h2("Aims"), p("We will connect every trust to the national shared record by 2025."), p("Unrelated text stays.")];
    const segments = compare.redline(old, now);
    assert.deepEqual(segments.map((s) => s.status), ["equal", "changed", "equal"]);
    assert.equal(compare.countChanges(segments), 1);
    assert.ok(segments[1].parts.some((part) => part.type === "insert" && part.text === "national "));
  });

  test.it("does not pair unrelated paragraphs, or blocks of different kinds", () => {
    const old = [p("Patients will book appointments online by the end of next year.")];
    const now = [p("Staff training budgets rise from April, funded centrally."), { kind: "li", text: "Patients will book appointments online by the end of next year." }];
    assert.deepEqual(compare.redline(old, now).map((s) => s.status), ["deleted", "inserted", "inserted"]);
  });

  test.it("keeps every block in order", () => {
    const old = [h2("A"), p("one two three"), p("four"), p("five six")];
    const now = [h2("A"), p("one two three four"), p("seven"), p("five six"), h2("B")];
    const segments = compare.redline(old, now);
    const text = (keep) => segments.filter((s) => s.status !== keep).map((s) => s.parts.filter((x) => x.type !== (keep === "inserted" ? "insert" : "delete")).map((x) => x.text).join(""));
    assert.deepEqual(text("inserted"), old.map((b) => b.text));
    assert.deepEqual(text("deleted"), now.map((b) => b.text));
  });

  test.it("measures similarity by words in order", () => {
    assert.equal(compare.similarity("a b c", "a b c"), 1);
    assert.equal(compare.similarity("a b c d", "a b x y"), 0.5);
    assert.ok(compare.similarity("one two", "three four five six", 0.5) <= 0.5);
  });
});

test.describe("extractBlocks", () => {
  test.it("reads blocks as redline.extract_blocks does", () => {
    const article = el(
      "article",
      { id: "content" },
      el("div", { class: "tp-revision-banner" }, el("p", null, "Revision v2 of 1 July 2020.")),
      el("h1", { id: "vision" }, "Vision ", el("a", { class: "headerlink", href: "#vision" }, "¶")),
      "\n",
      el("p", null, "Our   plan,\n with ", el("strong", null, "bold"), " words", el("br"), "and a break."),
      el("ul", null,
        el("li", null, "Parent item ", el("ul", null, el("li", null, "Child one"), el("li", null, "Child two")), " tail"),
        el("li", null, el("span", { class: "tp-status" }, el("span", { class: "tp-visually-hidden" }, "Status: "), "Done"))),
      el("table", null,
        el("thead", null, el("tr", null, "\n", el("th", null, "Id"), "\n", el("th", null, "Title"), "\n")),
        el("tbody", null, el("tr", null, el("td", null, "M1.1"), el("td", null, ""), el("td", null, "Agree | values")))),
      el("script", null, "var x = '<p>not text</p>';"),
      el("svg", null, el("text", null, "chart label")),
      el("dl", null, el("dt", null, "Term"), el("dd", null, "Meaning")),
      el("figure", null, el("img", { alt: "x" }), el("figcaption", null, "A caption")),
      el("p", null, "   ")
    );
    assert.deepEqual(compare.extractBlocks(article), [
      { kind: "h1", text: "Vision" },
      { kind: "p", text: "Our plan, with bold words and a break." },
      { kind: "li", text: "Parent item" },
      { kind: "li", text: "Child one" },
      { kind: "li", text: "Child two" },
      { kind: "li", text: "tail" },
      { kind: "li", text: "Done" },
      { kind: "tr", text: "Id | Title" },
      { kind: "tr", text: "M1.1 | | Agree | values" },
      { kind: "dt", text: "Term" },
      { kind: "dd", text: "Meaning" },
      { kind: "figcaption", text: "A caption" },
    ]);
  });
});

test.describe("dates and values", () => {
  test.it("formats dates and months the GOV.UK way", () => {
    assert.equal(compare.formatDate("2024-03-01"), "1 March 2024");
    assert.equal(compare.formatDate("2020-07-01T10:00:00+01:00"), "1 July 2020");
    assert.equal(compare.formatMonth("2024-03-31"), "March 2024");
  });

  test.it("formats values as format_value does", () => {
    assert.equal(compare.formatValue(83, "percent"), "83%");
    assert.equal(compare.formatValue(83.5, "percent"), "83.5%");
    assert.equal(compare.formatValue(1234567, "count"), "1,234,567");
    assert.equal(compare.formatValue(1, "minutes"), "1 minute");
    assert.equal(compare.formatValue(15, "minutes"), "15 minutes");
    assert.equal(compare.formatValue(2.25, "score"), "2.25");
    assert.equal(compare.formatValue(3.1, "days"), "3.1 days");
    assert.equal(compare.formatNumber(1234.5), "1,234.5");
    assert.equal(compare.formatNumber(-1234567.891), "-1,234,567.89");
    assert.equal(compare.formatNumber(0.125), "0.12"); // Python rounds a tie to even
    assert.equal(compare.formatNumber(0.375), "0.38");
    assert.equal(compare.formatNumber(2.675), "2.67"); // 2.675 is really 2.67499999...
    assert.equal(compare.formatNumber(0.999), "1");
    assert.equal(compare.formatNumber(-0.001), "-0");
    assert.equal(compare.formatNumber(1e21), "1,000,000,000,000,000,000,000");
  });

  test.it("describes shifts in the unit people would use", () => {
    assert.equal(compare.describeShift("2021-06-30", "2021-09-30"), "3 months");
    assert.equal(compare.describeShift("2021-09-30", "2021-06-30"), "3 months");
    assert.equal(compare.describeShift("2021-01-31", "2021-02-28"), "1 month"); // month end to month end
    assert.equal(compare.describeShift("2021-01-30", "2021-02-28"), "29 days");
    assert.equal(compare.describeShift("2021-01-01", "2021-01-15"), "2 weeks");
    assert.equal(compare.describeShift("2021-01-01", "2021-01-08"), "1 week");
    assert.equal(compare.describeShift("2021-01-01", "2021-01-02"), "1 day");
    assert.equal(compare.describeShift("2020-01-01", "2021-03-01"), "1 year and 2 months");
    assert.equal(compare.describeShift("2020-01-01", "2022-01-01"), "2 years");
    assert.equal(compare.describeShift("2020-01-05", "2020-04-20"), "about 3 months"); // 106 days
    assert.equal(compare.describeShift("2020-02-29", "2021-02-28"), "1 year"); // both month ends
    assert.equal(compare.describeShift("2020-01-10", "2020-03-01"), "51 days");
  });
});

test.describe("diffData", () => {
  const milestone = (fields) => ({
    id: "M1.2", title: "Agree the values", phase: 1, owner: "Plan team", due: "2021-06-30",
    status: "in-progress", depends_on: ["M1.1"], summary: "Agree the plan's values.", ...fields,
  });
  const measure = (fields) => ({
    id: "K1", title: "Trusts with records", theme: "digital-maturity", unit: "percent", description: "",
    baseline: { date: "2020-03-31", value: 60 }, target: { date: "2024-03-31", value: 100 },
    actuals: [{ date: "2021-03-31", value: 65 }], source: "Survey", ...fields,
  });
  const texts = (old, now) => compare.diffData(old, now).map((c) => c.text);

  test.it("says nothing when nothing changed", () => {
    const data = { milestones: [milestone({})], measures: [measure({})] };
    assert.deepEqual(compare.diffData(data, JSON.parse(JSON.stringify(data))), []);
  });

  test.it("describes milestone changes in datadiff.py's words", () => {
    const old = { milestones: [milestone({})], measures: [] };
    const now = {
      milestones: [milestone({
        title: "Agree our values", due: "2021-09-30", status: "at-risk", owner: "Board",
        depends_on: ["M1.3", "M1.4"], summary: "Agree the  plan's\nvalues.",
      })],
      measures: [],
    };
    assert.deepEqual(texts(old, now), [
      "M1.2 retitled from “Agree the values” to “Agree our values”.",
      "M1.2 due date moved from 30 June 2021 to 30 September 2021: 3 months later.",
      "M1.2 status changed from in progress to at risk.",
      "M1.2 owner changed from Plan team to Board.",
      "M1.2 now depends on M1.3 and M1.4 and no longer depends on M1.1.",
    ]);
    const due = compare.diffData(old, now)[1];
    assert.deepEqual(due, { record: "M1.2", kind: "due", text: due.text, before: "2021-06-30", after: "2021-09-30", days: 92 });
  });

  test.it("describes earlier dates, rewording, additions and removals, in natural id order", () => {
    const old = { milestones: [milestone({ id: "M1.10" }), milestone({ id: "M1.2" }), milestone({ id: "M2.1", due: "2022-01-20" })], measures: [] };
    const now = {
      milestones: [
        milestone({ id: "M2.1", due: "2022-01-06", summary: "A new summary." }),
        milestone({ id: "M1.3", title: "Publish", due: "2022-03-31", owner: "NHSX" }),
        milestone({ id: "M1.10" }),
      ],
      measures: [],
    };
    assert.deepEqual(texts(old, now), [
      "M1.2 removed: “Agree the values”, which was due 30 June 2021.",
      "M1.3 added: “Publish”, due 31 March 2022, owned by NHSX.",
      "M2.1 due date moved from 20 January 2022 to 6 January 2022: 2 weeks earlier.",
      "M2.1 summary reworded.",
    ]);
  });

  test.it("describes measure changes in datadiff.py's words", () => {
    const old = { milestones: [], measures: [measure({}), measure({ id: "K2", title: "Old measure" })] };
    const now = {
      milestones: [],
      measures: [
        measure({
          title: "Trusts with electronic records", unit: "minutes",
          baseline: { date: "2020-03-31", value: 1 }, target: { date: "2025-03-31", value: 100 },
          actuals: [{ date: "2021-03-31", value: 66.5 }, { date: "2022-03-31", value: 1234 }],
        }),
        measure({ id: "K3", title: "New measure", actuals: [] }),
      ],
    };
    assert.deepEqual(texts(old, now), [
      "K1 retitled from “Trusts with records” to “Trusts with electronic records”.",
      "K1 unit changed from percent to minutes.",
      "K1 baseline changed from 60% in March 2020 to 1 minute in March 2020.",
      "K1 target changed from 100% by March 2024 to 100 minutes by March 2025.",
      "K1 actual for March 2021 corrected from 65% to 66.5 minutes.",
      "K1 actual added: 1,234 minutes for March 2022.",
      "K2 removed: “Old measure”.",
      "K3 added: “New measure”.",
    ]);
    const removed = compare.diffData(
      { milestones: [], measures: [measure({})] },
      { milestones: [], measures: [measure({ actuals: [] })] }
    );
    assert.deepEqual(removed.map((c) => c.text), ["K1 actual for March 2021 removed (was 65%)."]);
  });

  test.it("sorts ids naturally", () => {
    assert.deepEqual(["M1.10", "M2", "M1.2", "M1.1.5", "M1"].sort(compare.compareIds), ["M1", "M1.1.5", "M1.2", "M1.10", "M2"]);
  });
});

test.describe("compareRevisions", () => {
  // A fake site: three revisions, four pages; records which URLs were read.
  const index = {
    revisions: [
      { name: "v1", title: "Launch", date: "2020-07-01T10:00:00+01:00", url: "revisions/v1/", data: "revisions/v1/data.json", redline: "revisions/v1/changes/" },
      { name: "v2", title: "Update", date: "2021-01-10T10:00:00+00:00", url: "revisions/v2/", data: "revisions/v2/data.json", redline: "revisions/v2/changes/" },
      { name: "v3", title: "Same data", date: "2021-02-10T10:00:00+00:00", url: "revisions/v3/", data: "revisions/v3/data.json", redline: "revisions/v3/changes/" },
    ],
    pages: ["index.md", "a.md", "b.md", "c.md"],
    versions: [
      { url: "revisions/v1/pages/", title: "Home", page: "index.md" },
      { url: "revisions/v1/pages/a/", title: "Page A", page: "a.md" },
      { url: "revisions/v2/pages/a/", title: "Page A <new>", page: "a.md" },
      { url: "revisions/v1/pages/b/", title: "Page B", page: "b.md" },
      { url: "revisions/v2/pages/c/", title: "Page C", page: "c.md" },
    ],
    table: [[0, 1, 3, -1], [0, 2, -1, 4], [0, 2, -1, 4]],
  };
  const blocks = {
    "revisions/v1/pages/a/": [{ kind: "h1", text: "Page A" }, { kind: "p", text: "Old words here." }],
    "revisions/v2/pages/a/": [{ kind: "h1", text: "Page A" }, { kind: "p", text: "New words here." }],
    "revisions/v1/pages/b/": [{ kind: "p", text: "B text" }],
    "revisions/v2/pages/c/": [{ kind: "p", text: "C text" }],
  };
  const data = {
    "revisions/v1/data.json": { milestones: [{ id: "M1.1", title: "One", owner: "Team", due: "2021-06-30", status: "planned", depends_on: [], summary: "" }], measures: [] },
    "revisions/v2/data.json": { milestones: [{ id: "M1.1", title: "One", owner: "Team", due: "2021-06-30", status: "done", depends_on: [], summary: "" }], measures: [] },
  };
  data["revisions/v3/data.json"] = data["revisions/v2/data.json"];
  const source = (read) => ({
    index: async () => index,
    json: async (url) => (read.push(url), data[url]),
    blocks: async (url) => (read.push(url), blocks[url]),
  });

  test.it("reads only the pages that differ, and marks new and removed pages", async () => {
    const read = [];
    const result = await compare.compareRevisions(source(read), "v1", "v2");
    assert.deepEqual(read.filter((url) => url.includes("/pages/")).sort(), [
      "revisions/v1/pages/a/", "revisions/v1/pages/b/", "revisions/v2/pages/a/", "revisions/v2/pages/c/",
    ]);
    assert.deepEqual(result.pages.map((p) => [p.page, p.status, p.url]), [
      ["a.md", "changed", "revisions/v2/pages/a/"],
      ["b.md", "removed", "revisions/v1/pages/b/"],
      ["c.md", "new", "revisions/v2/pages/c/"],
    ]);
    assert.deepEqual(result.dataChanges.map((c) => c.text), ["M1.1 status changed from planned to done."]);
    assert.equal(result.reversed, false);
  });

  test.it("compares in either order", async () => {
    const result = await compare.compareRevisions(source([]), "v2", "v1");
    assert.equal(result.reversed, true);
    assert.deepEqual(result.pages.map((p) => p.status), ["changed", "new", "removed"]);
    assert.deepEqual(result.dataChanges.map((c) => c.text), ["M1.1 status changed from done to planned."]);
  });

  test.it("reads nothing else for identical revisions or the same one twice", async () => {
    const read = [];
    const same = await compare.compareRevisions(source(read), "v2", "v2");
    assert.equal(same.same, true);
    assert.deepEqual(read, []);
    const identical = await compare.compareRevisions(source(read), "v2", "v3");
    assert.deepEqual([identical.pages, identical.dataChanges], [[], []]);
    assert.match(compare.comparisonHtml(identical), /These two revisions are the same\./);
    assert.match(compare.comparisonHtml(same), /You chose revision v2 twice/);
  });

  test.it("rejects an unknown revision", async () => {
    await assert.rejects(compare.compareRevisions(source([]), "v1", "v9"), /revision v9 is not in the list/);
  });

  test.it("renders the result with every piece of text escaped", async () => {
    const result = await compare.compareRevisions(source([]), "v1", "v2");
    result.dataChanges.push({ text: "<script>alert(1)</script>" });
    result.pages[0].segments.push({ kind: "p", status: "inserted", parts: [{ type: "insert", text: "<img src=x onerror=alert(1)>" }] });
    const html = compare.comparisonHtml(result, (url) => "/site/" + url);
    assert.ok(!html.includes("<script>") && !html.includes("<img"));
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.ok(html.includes('<h2 class="tp-compare__heading" tabindex="-1">Changes from revision v1 to revision v2</h2>'));
    assert.ok(html.includes("Inserted text</ins> is underlined, <del>deleted text</del> is struck through; screen readers announce each as inserted or deleted."));
    assert.ok(html.includes('<a href="/site/revisions/v2/pages/a/">Page A &lt;new&gt;</a>'));
    assert.ok(html.includes("Page B</a> <span class=\"tp-redline-status\">(page removed)</span>"));
    assert.ok(html.includes("Page C</a> <span class=\"tp-redline-status\">(new page)</span>"));
    assert.ok(html.includes('<h4 class="tp-block tp-block--heading tp-block--equal">Page A</h4>'));
    assert.ok(html.includes('<ins><span class="tp-visually-hidden">[inserted: </span>&lt;img src=x onerror=alert(1)&gt;<span class="tp-visually-hidden">]</span></ins>'));
  });

  test.it("folds runs of unchanged blocks but keeps headings", () => {
    const equal = (kind, text) => ({ kind, status: "equal", parts: [{ type: "equal", text }] });
    const html = compare.segmentsHtml([
      equal("p", "one"), equal("li", "two"), equal("h2", "Heading"), equal("p", "three"),
      { kind: "p", status: "changed", parts: [{ type: "equal", text: "a " }, { type: "delete", text: "b" }, { type: "insert", text: "c" }] },
    ]);
    assert.equal(html, [
      '<details class="tp-unchanged"><summary>2 unchanged blocks</summary><p class="tp-block tp-block--p">one</p><p class="tp-block tp-block--li">two</p></details>',
      '<h4 class="tp-block tp-block--heading tp-block--equal">Heading</h4>',
      '<details class="tp-unchanged"><summary>1 unchanged block</summary><p class="tp-block tp-block--p">three</p></details>',
      '<p class="tp-block tp-block--p tp-block--changed">a <del><span class="tp-visually-hidden">[deleted: </span>b<span class="tp-visually-hidden">]</span></del>' +
        '<ins><span class="tp-visually-hidden">[inserted: </span>c<span class="tp-visually-hidden">]</span></ins></p>',
    ].join("\n"));
  });

  test.it("explains a failure and points to the redlines", () => {
    const html = compare.errorHtml("revisions/v1/data.json could not be read (404 Not Found)", "tp-compare-fallback");
    assert.ok(html.includes('<a href="#tp-compare-fallback">what changed in each revision</a>'));
    assert.ok(html.includes("The revisions could not be compared: revisions/v1/data.json could not be read (404 Not Found). Try again"));
  });
});
