/* The shared redline golden cases (tests/golden/redline/*.json), through the compare page's
   script; tests/test_redline.py runs the same files through techplan/compare/redline.py.
   Run: node --test tests/js/ */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const compare = require(path.join(__dirname, "..", "..", "techplan", "theme", "assets", "javascripts", "techplan-compare.js"));
const folder = path.join(__dirname, "..", "golden", "redline");
const files = fs.readdirSync(folder).filter((name) => name.endsWith(".json")).sort();

test.it("finds the golden cases", () => {
  assert.ok(files.length >= 8, files.join(", "));
});

for (const name of files) {
  const { about, cases } = JSON.parse(fs.readFileSync(path.join(folder, name), "utf8"));
  test.describe(`${name}: ${about}`, () => {
    cases.forEach((example, number) => {
      test.it(`case ${number + 1}`, () => {
        if (typeof example.old === "string") {
          const parts = compare.wordDiff(example.old, example.new);
          assert.deepEqual(parts, example.parts);
          if ("html" in example) assert.equal(compare.partsHtml(parts), example.html);
        } else {
          const blocks = (list) => list.map(([kind, text]) => ({ kind, text }));
          assert.deepEqual(compare.redline(blocks(example.old), blocks(example.new)), example.segments);
        }
      });
    });
  });
}
