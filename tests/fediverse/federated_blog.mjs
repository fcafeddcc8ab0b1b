// A blog for the federation tests: served on a loopback port its base URL names, so that its
// actor's ids are addresses a peer can fetch, fetching from loopback itself
// (--allow-loopback-fetch), with a signed-in admin client.

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";

import { runCarnet, startServer, tempDir } from "../browser/support.mjs";
import { Client, csrfOf } from "../browser/comments_support.mjs";

export const owner = { email: "owner@example.org", name: "Owner", password: "un mot de passe assez long" };

export function freePort() {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.once("error", reject);
        probe.listen(0, "127.0.0.1", () => {
            const { port } = probe.address();
            probe.close(() => resolve(port));
        });
    });
}

// The blog, with its comment policy set (held for the writer by default).
export async function startFederatedBlog(t, { policy = "all_held", serveArgs = [] } = {}) {
    const dir = tempDir(t);
    const db = join(dir, "blog.db");
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    await runCarnet(["init", "--db", db, "--title", "Le carnet", "--base-url", origin, "--locale", "fr"]);
    await runCarnet(
        ["user", "add", "--db", db, "--email", owner.email, "--name", owner.name, "--password-stdin", "--role", "owner"],
        { input: `${owner.password}\n` }
    );
    const server = await startServer(t, db, [
        "--listen",
        `127.0.0.1:${port}`,
        "--allow-loopback-fetch",
        "--delivery-retry-seconds",
        "1",
        ...serveArgs,
    ]);
    const blog = { db, ...server, url: (path = "/") => new URL(path, origin).href };
    const admin = new Client(blog);
    await admin.login(owner);
    const settings = await admin.request("/admin/blogs/1/settings");
    assert.equal(settings.status, 200);
    const saved = await admin.request("/admin/blogs/1/settings", {
        method: "POST",
        form: {
            csrf: csrfOf(settings.text),
            title: "Le carnet",
            locale: "fr",
            time_zone: "Europe/Paris",
            theme: "classique",
            base_url: origin,
            posts_per_page: "10",
            close_comments_after_days: "0",
            comment_policy: policy,
        },
    });
    assert.equal(saved.status, 303, saved.text.slice(0, 500));
    return { ...blog, admin, actor: `${origin}/actor` };
}

// Publishes a post through the admin; resolves to its public address.
export async function publish(blog, title, source) {
    const form = await blog.admin.request("/admin/blogs/1/posts/new");
    assert.equal(form.status, 200);
    const saved = await blog.admin.request("/admin/blogs/1/posts", {
        method: "POST",
        form: { csrf: csrfOf(form.text), title, source, status: "published", comments_open: "on" },
    });
    assert.equal(saved.status, 303, saved.text.slice(0, 500));
    const home = await fetch(blog.url("/")).then((answer) => answer.text());
    const link = new RegExp(`<a href="(/archive/[^"]+)" rel="bookmark">${title}</a>`).exec(home);
    assert.ok(link, `"${title}" is not on the home page:\n${home.slice(0, 2000)}`);
    return blog.url(link[1]);
}
