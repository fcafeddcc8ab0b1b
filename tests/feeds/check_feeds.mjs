// Reads carnet's feeds from a running server with two independent parsers and compares
// what they understood with what the caller says the blog holds.
//
//   node tests/feeds/check_feeds.mjs PORT expected.json
//
// expected.json: { "feeds": [ { "path": "/list/libye/", "items": [ { "title": "...",
//   "link": "http://...", "date": "2017-10-04T18:19:00Z", "categories": ["..."] } ] } ] }
// where "path" is the page a set of feeds mirrors: its atom.xml, rss.xml and feed.json are
// read. feedparser reads RSS and Atom; feed-extractor reads all three.
// The last line is "N passed, M failed"; the exit status is 1 when anything failed.
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";

import FeedParser from "feedparser";
import { extractFromJson, extractFromXml } from "@extractus/feed-extractor";

const [port, expectedFile] = process.argv.slice(2);
if (!port || !expectedFile) {
    console.error("usage: node check_feeds.mjs PORT expected.json");
    process.exit(2);
}
const expected = JSON.parse(readFileSync(expectedFile, "utf8"));

let passed = 0;
let failed = 0;
function check(ok, what, detail = "") {
    if (ok) {
        passed += 1;
    } else {
        failed += 1;
        console.log(`FAIL ${what}${detail ? `: ${detail}` : ""}`);
    }
}

function asList(value) {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

// feedparser strips HTML tags from every title it reads, whatever the feed says about its
// type (lib/feedparser.js calls stripHtml on item.title): a title that holds "<b>" as text
// comes out without it. Only that parser gets the tag-free version of the expected title.
function withoutTags(text) {
    return text.replace(/<\/?[A-Za-z][^<>]*>/g, "");
}

// Everything a parser gives back, reduced to what the test compares.
function sameItems(feedName, parserName, items, wanted, titleOf = (title) => title) {
    const where = `${feedName} [${parserName}]`;
    check(items.length === wanted.length, `${where} item count`,
          `got ${items.length}, want ${wanted.length}`);
    const count = Math.min(items.length, wanted.length);
    for (let i = 0; i < count; ++i) {
        const got = items[i];
        const want = wanted[i];
        const at = `${where} item ${i}`;
        const title = titleOf(want.title);
        check(got.title === title, `${at} title`,
              `got ${JSON.stringify(got.title)}, want ${JSON.stringify(title)}`);
        check(got.link === want.link, `${at} link`, `got ${got.link}, want ${want.link}`);
        const gotTime = new Date(got.date).getTime();
        check(gotTime === new Date(want.date).getTime(), `${at} date`,
              `got ${got.date}, want ${want.date}`);
        const gotCategories = JSON.stringify([...got.categories].sort());
        const wantCategories = JSON.stringify([...want.categories].sort());
        check(gotCategories === wantCategories, `${at} categories`,
              `got ${gotCategories}, want ${wantCategories}`);
    }
}

function withFeedparser(text) {
    return new Promise((resolve, reject) => {
        const parser = new FeedParser({ normalize: true, addmeta: false });
        const items = [];
        parser.on("error", reject);
        parser.on("readable", () => {
            let item;
            while ((item = parser.read())) {
                items.push({
                    title: item.title,
                    link: item.link,
                    date: item.pubdate ?? item.date,
                    categories: item.categories ?? [],
                });
            }
        });
        parser.on("end", () => resolve(items));
        Readable.from([text]).pipe(parser);
    });
}

// feed-extractor leaves categories out unless asked; its raw entries follow each format.
function extractorCategories(entry) {
    if (entry.tags) return asList(entry.tags).map(String);
    return asList(entry.category).map((category) =>
        typeof category === "object" ? String(category["@_term"] ?? category["#text"] ?? "")
                                     : String(category));
}

function withExtractor(text, kind) {
    const options = {
        descriptionMaxLen: 0,
        getExtraEntryFields: (entry) => ({ categories: extractorCategories(entry) }),
    };
    const feed = kind === "json" ? extractFromJson(JSON.parse(text), options)
                                 : extractFromXml(text, options);
    return asList(feed.entries).map((entry) => ({
        title: entry.title,
        link: entry.link,
        date: entry.published,
        categories: entry.categories,
    }));
}

const formats = [
    { file: "atom.xml", kind: "xml", type: "application/atom+xml", feedparser: true },
    { file: "rss.xml", kind: "xml", type: "application/rss+xml", feedparser: true },
    { file: "feed.json", kind: "json", type: "application/feed+json", feedparser: false },
];

for (const feed of expected.feeds) {
    for (const format of formats) {
        const path = `${feed.path}${format.file}`;
        let text;
        try {
            const response = await fetch(`http://127.0.0.1:${port}${path}`);
            check(response.status === 200, `${path} status`, `got ${response.status}`);
            check((response.headers.get("content-type") ?? "").startsWith(format.type),
                  `${path} content type`, response.headers.get("content-type"));
            text = await response.text();
        } catch (error) {
            check(false, `${path} fetch`, String(error));
            continue;
        }
        if (format.feedparser) {
            try {
                sameItems(path, "feedparser", await withFeedparser(text), feed.items, withoutTags);
            } catch (error) {
                check(false, `${path} [feedparser] parse`, String(error));
            }
        }
        try {
            sameItems(path, "feed-extractor", withExtractor(text, format.kind), feed.items);
        } catch (error) {
            check(false, `${path} [feed-extractor] parse`, String(error));
        }
    }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
