// What the XSS suites share: the checks run in Chromium on a page that shows hostile
// comments, and the walk through every page of a post's comments. xss_test.mjs sends the
// corpus through the comment form; remote_xss_test.mjs as fediverse replies and webmentions.
import assert from "node:assert/strict";

import { decodeEntities, trapReport } from "./comments_support.mjs";

// Runs `work` on every item, at most `limit` at a time.
export async function pool(items, limit, work) {
    const results = new Array(items.length);
    let next = 0;
    const runners = Array.from({ length: limit }, async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index], index);
        }
    });
    await Promise.all(runners);
    return results;
}

// An http(s) URL with nothing that could be taken for the end of an attribute: kept as the
// author's link when the comment is stored.
export function isPlainUrl(value) {
    return /^https?:\/\/[\x21-\x7e]+$/.test(value) && !/["'<>`\\]/.test(value);
}

// Reads, in the page, what each comment shows and anything a comment holds that it must not.
export function readComments() {
    const allowedBody = {
        P: [], EM: [], STRONG: [], CODE: [], PRE: [], DEL: [], BLOCKQUOTE: [], UL: [],
        OL: ["start"], LI: [], HR: [], BR: [], A: ["href", "rel"],
    };
    const allowedAuthor = { A: ["href", "rel"] };
    const check = (root, allowed, schemes, problems) => {
        for (const element of root.querySelectorAll("*")) {
            const names = allowed[element.tagName];
            if (!names) {
                problems.push(`<${element.tagName.toLowerCase()}>`);
                continue;
            }
            for (const attribute of element.attributes) {
                if (!names.includes(attribute.name)) problems.push(`${element.tagName.toLowerCase()}[${attribute.name}]`);
            }
            if (element.tagName === "A") {
                const protocol = new URL(element.href, location.href).protocol;
                if (!schemes.includes(protocol)) problems.push(`a[href=${element.getAttribute("href")}]`);
            }
        }
    };
    return [...document.querySelectorAll("article.comment")].map((article) => {
        const problems = [];
        const author = article.querySelector(":scope > header .comment-author, :scope > .comment-meta .comment-author");
        const body = article.querySelector(":scope > .comment-body");
        if (!author) problems.push("no .comment-author");
        if (!body) problems.push("no .comment-body");
        if (author) check(author, allowedAuthor, ["http:", "https:"], problems);
        if (body) check(body, allowedBody, ["http:", "https:", "mailto:"], problems);
        const link = author?.querySelector("a");
        return {
            id: Number(article.id.replace(/^comment-/, "")),
            author: author?.innerText ?? "",
            body: body?.innerText ?? "",
            href: link ? link.getAttribute("href") : null,
            problems,
        };
    });
}

// What a whole page holds that no comment may bring: script other than the theme's, frames,
// plugins, handlers, a base or a refresh.
export function readPageProblems() {
    const problems = [];
    for (const script of document.scripts) {
        const src = script.getAttribute("src");
        if (src !== null) {
            if (new URL(script.src).origin !== location.origin || !src.startsWith("/theme/")) problems.push(`script src=${src}`);
        } else if (script.type === "application/ld+json") {
            try {
                JSON.parse(script.textContent);
            } catch {
                problems.push("JSON-LD block broken");
            }
        } else {
            problems.push(`inline script: ${script.textContent.slice(0, 60)}`);
        }
    }
    for (const element of document.querySelectorAll("iframe, frame, object, embed, base, meta[http-equiv], svg, math, img, video, audio, link[rel=import]")) {
        if (element.tagName === "META" && !/refresh/i.test(element.getAttribute("http-equiv"))) continue;
        if (element.tagName === "IMG" && !element.closest("article.comment")) continue;
        if (element.tagName === "svg" && !element.closest("article.comment")) continue;
        problems.push(`<${element.tagName.toLowerCase()}> ${element.outerHTML.slice(0, 80)}`);
    }
    for (const element of document.querySelectorAll("*")) {
        for (const attribute of element.attributes) {
            if (attribute.name.startsWith("on")) problems.push(`${element.tagName.toLowerCase()}[${attribute.name}]`);
            if (attribute.name === "style" && element.closest("article.comment")) problems.push(`style in a comment`);
        }
    }
    return problems;
}

// The title a page's HTML gives, as document.title reads it, before any script could change it.
export function servedTitle(html) {
    const match = /<title>([\s\S]*?)<\/title>/.exec(html);
    return match ? decodeEntities(match[1]).replace(/\s+/g, " ").trim() : "";
}

// Opens `url` in `page`, lets a frame go by (a failed image fires its handler after the
// load), and returns the answer and the trap's findings.
export async function visit(page, url) {
    const response = await page.goto(url, { waitUntil: "load" });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));
    const title = servedTitle(await response.text());
    return { response, problems: await trapReport(page, { title, url }) };
}

// The pages of a post's comments: the post page, then every other page its comment
// navigation links to.
export async function commentPages(page, browser, firstUrl) {
    const shown = [];
    const seen = new Set();
    const queue = [firstUrl];
    while (queue.length > 0) {
        const url = queue.shift();
        if (seen.has(url)) continue;
        seen.add(url);
        const { response, problems } = await visit(page, url);
        assert.equal(response.status(), 200, url);
        assert.deepEqual(problems, [], `script ran on ${url}`);
        assert.deepEqual(await page.evaluate(readPageProblems), [], `forbidden markup on ${url}`);
        shown.push(...(await page.evaluate(readComments)));
        const links = await page.locator(".comments-nav a").evaluateAll((anchors) => anchors.map((a) => a.href));
        for (const link of links) queue.push(new URL(link).href.replace(/#.*$/, ""));
    }
    seen.delete(firstUrl);
    browser.assertClean();
    return { shown, pages: seen.size + 1 };
}
