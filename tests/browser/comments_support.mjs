// What the comment tests share: a blog with posts to comment on, the comment form read and
// sent over HTTP as a browser would send it, the admin's moderation over HTTP, the comments
// table read straight from the SQLite file, and a trap that notices any script a comment
// manages to run in a page.
import { execFile } from "node:child_process";
import assert from "node:assert/strict";
import { commentDelaySeconds } from "./support.mjs";

// Two posts on one day, in the saved-page format `carnet import page-text` reads
// (src/interop/page_text_parse.cpp). Imported posts are published with comments open.
export const pageText = `12/03/2024

Le port de Misrata

Les navires sont revenus au port de Misrata ce matin.

18:30 Publié dans Libye, Misrata | Lien permanent | Commentaires (0) | | | | |

Syrte sous surveillance

La ville reste calme.

09:15 Publié dans Libye | Lien permanent | Commentaires (0) | | | | |
`;
export const postPaths = [
    "/archive/2024/03/12/le-port-de-misrata.html",
    "/archive/2024/03/12/syrte-sous-surveillance.html",
];

export const owner = {
    email: "moderation@example.org",
    name: "Modération",
    password: "un mot de passe solide",
    role: "owner",
};

// The form must come back at least this long after the page that carried it was served.
export const stampMinAgeMs = commentDelaySeconds * 1000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- HTML, read the way the tests need it --------------------------------------------------

export function decodeEntities(text) {
    return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#39);/gi, (entity, name) => {
        const lower = name.toLowerCase();
        if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
        if (lower.startsWith("#")) return String.fromCodePoint(parseInt(lower.slice(1), 10));
        return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower];
    });
}

// The attributes of one start tag (`<input a="1" b='2' c=3 d>`), values decoded.
export function attributes(tag) {
    const found = {};
    const pattern = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
    const inner = tag.replace(/^<[^\s>]+/, "").replace(/\/?>$/, "");
    for (const match of inner.matchAll(pattern)) {
        const value = match[2] ?? match[3] ?? match[4] ?? "";
        found[match[1].toLowerCase()] = decodeEntities(value);
    }
    return found;
}

// The comment form of a post page: its action and the values of its hidden fields. Fails the
// test, with the page, when there is none.
export function commentForm(html) {
    const form = /<form\b[^>]*\bid="comment-form"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    assert.ok(form, `the page has no comment form:\n${html.slice(0, 2000)}`);
    const formTag = /<form\b[^>]*>/.exec(form[0])[0];
    const hidden = {};
    const fields = new Set();
    for (const tag of form[1].match(/<(input|textarea)\b[^>]*>/g) ?? []) {
        const attrs = attributes(tag);
        if (attrs.name) fields.add(attrs.name);
        if (attrs.type === "hidden" && attrs.name) hidden[attrs.name] = attrs.value ?? "";
    }
    return { action: attributes(formTag).action, method: attributes(formTag).method, hidden, fields };
}

// The value of the first hidden `csrf` field of an admin page.
export function csrfOf(html) {
    const tag = /<input\b[^>]*\bname="csrf"[^>]*>/.exec(html);
    assert.ok(tag, `no csrf field in:\n${html.slice(0, 1000)}`);
    return attributes(tag[0]).value;
}

// ---- HTTP ----------------------------------------------------------------------------------

// A tiny cookie jar: name → value, from Set-Cookie answers, sent back on every request.
export class Client {
    constructor(blog, { forwardedFor } = {}) {
        this.blog = blog;
        this.cookies = new Map();
        this.forwardedFor = forwardedFor;
    }

    async request(path, { method = "GET", form, headers = {}, forwardedFor } = {}) {
        const sent = { ...headers };
        if (this.cookies.size > 0) {
            sent.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
        }
        const address = forwardedFor ?? this.forwardedFor;
        if (address) sent["x-forwarded-for"] = address;
        let body;
        if (form) {
            body = formBody(form);
            sent["content-type"] = "application/x-www-form-urlencoded";
        }
        const response = await fetch(this.blog.url(path), {
            method,
            headers: sent,
            body,
            redirect: "manual",
        });
        for (const cookie of response.headers.getSetCookie()) {
            const [pair, ...options] = cookie.split(";");
            const equals = pair.indexOf("=");
            const name = pair.slice(0, equals).trim();
            const value = pair.slice(equals + 1).trim();
            const expired = options.some((option) => /^\s*max-age=0\s*$/i.test(option));
            if (expired || value === "") this.cookies.delete(name);
            else this.cookies.set(name, value);
        }
        const text = await response.text();
        return { status: response.status, headers: response.headers, text, location: response.headers.get("location") };
    }

    // Logs in as the admin's login form does; the jar then holds the session.
    async login({ email, password }) {
        const form = await this.request("/admin/login");
        assert.equal(form.status, 200);
        const answer = await this.request("/admin/login", {
            method: "POST",
            form: { csrf: csrfOf(form.text), next: "/admin/", email, password },
        });
        assert.equal(answer.status, 303, `login answered ${answer.status}:\n${answer.text.slice(0, 500)}`);
        assert.ok(this.cookies.has("carnet_session"), "the login gave a session cookie");
    }
}

// application/x-www-form-urlencoded, fields in order; an array value repeats the field.
export function formBody(fields) {
    const params = new URLSearchParams();
    const entries = Array.isArray(fields) ? fields : Object.entries(fields);
    for (const [name, value] of entries) {
        for (const one of Array.isArray(value) ? value : [value]) params.append(name, one ?? "");
    }
    return params.toString();
}

// Reads a post page and its form; resolves to { html, headers, form, servedAt }.
export async function openForm(client, postPath) {
    const servedAt = Date.now();
    const page = await client.request(postPath);
    assert.equal(page.status, 200, `${postPath} answered ${page.status}`);
    return { html: page.text, headers: page.headers, form: commentForm(page.text), servedAt };
}

// Waits until a stamp served at `servedAt` is old enough to be accepted.
export async function stampAged(servedAt) {
    if (stampMinAgeMs === 0) return;
    const wait = servedAt + stampMinAgeMs + 300 - Date.now();
    if (wait > 0) await sleep(wait);
}

// Sends a comment through the form read by openForm: its hidden fields as served (stamp,
// parent, empty honeypot), then what the commenter typed.
export function sendComment(client, opened, typed, options = {}) {
    const fields = { ...opened.form.hidden, homepage: "", ...typed };
    return client.request(opened.form.action, { method: "POST", form: fields, ...options });
}

// "…?comment=approved#comment-<id>" gives { outcome: "approved", id }; "…?comment=held#…"
// gives { outcome: "held" }; anything else fails.
export function commentAnswer(answer, postPath) {
    assert.equal(answer.status, 303, `the comment was answered ${answer.status}:\n${answer.text.slice(0, 800)}`);
    const location = new URL(answer.location, "http://carnet.invalid/");
    assert.equal(location.pathname, postPath);
    const outcome = location.searchParams.get("comment");
    if (outcome === "approved") {
        const id = /^#comment-(\d+)$/.exec(location.hash);
        assert.ok(id, `approved without the comment's anchor: ${answer.location}`);
        return { outcome, id: Number(id[1]) };
    }
    assert.equal(outcome, "held", `unexpected answer ${answer.location}`);
    assert.equal(location.hash, "#comments");
    return { outcome };
}

// The ids listed in an admin comments page (the rows' checkboxes).
export function listedIds(html) {
    return [...html.matchAll(/<input\b[^>]*\bname="ids"[^>]*>/g)].map((tag) => Number(attributes(tag[0]).value));
}

// Every id of one moderation queue, following the list's pages (its `nav.pages` links).
export async function queueIds(admin, blogId, status) {
    const ids = new Set();
    const seen = new Set();
    const queue = [`/admin/blogs/${blogId}/comments?status=${status}`];
    while (queue.length > 0 && seen.size < 100) {
        const path = queue.shift();
        if (seen.has(path)) continue;
        seen.add(path);
        const page = await admin.request(path);
        assert.equal(page.status, 200, `${path} answered ${page.status}`);
        for (const id of listedIds(page.text)) ids.add(id);
        const nav = /<nav class="pages">([\s\S]*?)<\/nav>/.exec(page.text);
        for (const link of nav?.[1].match(/<a\b[^>]*>/g) ?? []) queue.push(attributes(link).href);
    }
    return [...ids];
}

// A bulk action of the moderation page on `ids`; the page's CSRF token is read from the list.
export async function bulk(admin, blogId, action, ids) {
    const list = await admin.request(`/admin/blogs/${blogId}/comments?status=pending`);
    assert.equal(list.status, 200);
    const answer = await admin.request(`/admin/blogs/${blogId}/comments/bulk`, {
        method: "POST",
        form: [["csrf", csrfOf(list.text)], ["action", action], ...ids.map((id) => ["ids", String(id)])],
    });
    assert.equal(answer.status, 303, `bulk ${action} answered ${answer.status}:\n${answer.text.slice(0, 500)}`);
}

// ---- The database --------------------------------------------------------------------------

// Rows of a query on the blog's database, opened read-only by the sqlite3 command (the
// server may be running: WAL lets a reader in).
export function query(db, sql) {
    return new Promise((resolve, reject) => {
        execFile("sqlite3", ["-readonly", "-json", db, sql], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error) return reject(new Error(`sqlite3 failed: ${error.message}\n${stderr}`));
            resolve(stdout.trim() === "" ? [] : JSON.parse(stdout));
        });
    });
}

// ---- The script trap -----------------------------------------------------------------------

// Installed in every page of `context` before the page's own scripts: whatever a hostile
// comment manages to run is recorded. Payloads call window.__xss(marker), alert(marker), set
// document.title or window.__pwned, or fetch another host; the last is seen by openBrowser's
// request watch, the others here.
export async function installTrap(context) {
    await context.addInitScript(() => {
        const hits = [];
        Object.defineProperty(window, "__xssHits", { value: hits });
        window.__xss = (marker) => {
            hits.push(`__xss(${marker})`);
            window.__pwned = marker;
        };
        for (const name of ["alert", "confirm", "prompt", "print"]) {
            const original = window[name];
            window[name] = function (...args) {
                hits.push(`${name}(${args.join(",")})`);
                return original.apply(this, args);
            };
        }
        document.addEventListener("securitypolicyviolation", (event) => {
            hits.push(`csp violation: ${event.violatedDirective} ${event.blockedURI}`);
        });
    });
}

// What the trap saw in `page`, with the title and address it should still have.
export async function trapReport(page, { title, url }) {
    const seen = await page.evaluate(() => ({
        hits: [...(window.__xssHits ?? ["(trap missing)"])],
        pwned: window.__pwned,
        title: document.title,
    }));
    const problems = [...seen.hits];
    if (seen.pwned !== undefined) problems.push(`window.__pwned = ${String(seen.pwned)}`);
    if (title !== undefined && seen.title !== title) problems.push(`title became ${JSON.stringify(seen.title)}`);
    if (url !== undefined && page.url() !== url) problems.push(`the page went to ${page.url()}`);
    return problems;
}
