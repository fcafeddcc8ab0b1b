// The demo blog of `make run` (scripts/run-demo), served from a temporary folder: the same
// title, subtitle, language, time zone and front page (demo/front-page.txt), and a writer
// for the admin. The page tests (valid HTML, Lighthouse) look at what a visitor of the demo
// sees, and find their addresses in its pages rather than knowing them beforehand.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { startBlog } from "./support.mjs";

const sourceDir = fileURLToPath(new URL("../../", import.meta.url));

export const demoWriter = {
    email: "redaction@demo.invalid",
    name: "La rédaction",
    password: "un mot de passe pour les tests",
    role: "owner",
};

// Resolves to the blog startBlog gives; the test's hooks stop it.
export function startDemoBlog(t, options = {}) {
    return startBlog(t, {
        title: "Chroniques du littoral",
        subtitle: "Le port, la ville et la région, jour après jour",
        locale: "fr",
        timezone: "Europe/Paris",
        pageTextFile: join(sourceDir, "demo/front-page.txt"),
        users: [demoWriter],
        ...options,
    });
}

// GET `path` of `blog`; fails the test unless it answers `status`. Resolves to the body.
export async function fetchPage(blog, path, { status = 200, headers = {} } = {}) {
    const response = await fetch(blog.url(path), { headers, redirect: "manual" });
    const html = await response.text();
    assert.equal(response.status, status, `${path} answered ${response.status}:\n${html.slice(0, 500)}`);
    return html;
}

// The addresses a page links to that match `pattern` (a RegExp with one group: the path).
export function linksIn(html, pattern) {
    return [...html.matchAll(pattern)].map((match) => match[1]);
}

// The demo's addresses, read from its home page: { post, day, month, category, searchWord }.
export function demoAddresses(home) {
    const posts = linksIn(home, /href="(\/archive\/\d{4}\/\d{2}\/\d{2}\/[^"\/]+\.html)"/g);
    assert.ok(posts.length > 0, "the home page links to posts");
    const post = posts[0];
    const day = post.replace(/[^\/]+\.html$/, "");
    const months = linksIn(home, /href="(\/archive\/\d{4}\/\d{2}\/)"/g);
    assert.ok(months.length > 0, "the home page links to a month");
    const categories = linksIn(home, /href="(\/list\/[^"\/]+\/)"/g);
    assert.ok(categories.length > 0, "the home page links to a category");
    // The longest word of the first post's title: the search finds at least that post.
    const title = /<h[1-6] class="post-title"><a [^>]*>([^<]+)<\/a>/.exec(home);
    assert.ok(title, "the home page shows post titles");
    const searchWord = title[1].split(/[^\p{L}]+/u).sort((a, b) => b.length - a.length)[0];
    return { post, day, month: months[0], category: categories[0], searchWord };
}
