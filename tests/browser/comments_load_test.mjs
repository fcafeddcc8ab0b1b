// Comments under load: 50 clients post comments at once for 30 seconds against the real
// server, each comment with a unique marker, some of them invalid on purpose (no name, a body
// over the limit). Afterwards the server is stopped and its database read: every comment that
// was answered 303 is stored exactly once, on the post it was sent to (and, when the answer
// named it, under that id); no comment that got an error is stored; nothing else is.
// Requests are spread over client addresses with X-Forwarded-For (the server trusts the
// loopback as its proxy) so that the per-address rate limit does not send them to spam.
// The request count and rate are printed, not asserted.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Client, openForm, pageText, postPaths, query, sendComment, stampAged } from "./comments_support.mjs";
import { startBlog } from "./support.mjs";

const clients = Number(process.env.COMMENT_LOAD_CLIENTS ?? 50);
const durationMs = Number(process.env.COMMENT_LOAD_SECONDS ?? 30) * 1000;
const markerPattern = /LOAD-c\d+-n\d+/g;

function percentile(sorted, fraction) {
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

test(`${clients} clients post comments for ${durationMs / 1000} s: each success stored once, no error stored`, { timeout: durationMs + 120_000 }, async (t) => {
    const blog = await startBlog(t, { pageText, serveArgs: ["--trusted-proxy", "127.0.0.1"] });
    const posts = await query(blog.db, "select id, slug from posts");
    const postIdOf = (path) => posts.find((post) => path.endsWith(`/${post.slug}.html`)).id;

    // Each client reads its post's form once; a stamp serves many comments on one post.
    let addresses = 0;
    const nextAddress = () => {
        const n = ++addresses;
        return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    };
    const forms = await Promise.all(
        Array.from({ length: clients }, async (_, index) => {
            const postPath = postPaths[index % postPaths.length];
            const client = new Client(blog, { forwardedFor: nextAddress() });
            return { index, client, postPath, opened: await openForm(client, postPath) };
        })
    );
    await stampAged(Math.max(...forms.map((form) => form.opened.servedAt)));

    const sent = [];
    const latencies = [];
    const started = Date.now();
    const deadline = started + durationMs;
    await Promise.all(
        forms.map(async ({ index, client, postPath, opened }) => {
            for (let n = 0; Date.now() < deadline; ++n) {
                const marker = `LOAD-c${index}-n${n}`;
                // One in ten is invalid on purpose: no name, or a body over 10,000 characters.
                const kind = n % 10 === 3 ? "no-name" : n % 10 === 7 ? "too-long" : "valid";
                const typed = {
                    name: kind === "no-name" ? "" : `Lecteur ${index}`,
                    email: n % 2 ? `lecteur${index}@example.org` : "",
                    url: n % 3 ? "" : "https://example.org/lecteur",
                    body: kind === "too-long" ? `${marker} ${"x".repeat(10_050)}` : `Commentaire ${marker}, sous charge.`,
                };
                const record = { marker, kind, postPath, status: 0, id: undefined };
                const before = performance.now();
                try {
                    const answer = await sendComment(client, opened, typed, { forwardedFor: nextAddress() });
                    record.status = answer.status;
                    record.location = answer.location;
                    const id = /#comment-(\d+)$/.exec(answer.location ?? "");
                    if (id) record.id = Number(id[1]);
                } catch (error) {
                    record.error = String(error.cause ?? error);
                }
                latencies.push(performance.now() - before);
                sent.push(record);
            }
        })
    );
    const elapsed = (Date.now() - started) / 1000;

    // Stopped before reading: every write the server acknowledged is in the file.
    assert.equal(await blog.stop(), 0, `the server stopped cleanly:\n${blog.log().slice(-2000)}`);
    const rows = await query(blog.db, "select id, post_id, status, source from comments");

    const histogram = {};
    for (const record of sent) {
        const key = record.error ? "no answer" : String(record.status);
        histogram[key] = (histogram[key] ?? 0) + 1;
    }
    latencies.sort((a, b) => a - b);
    const report =
        `${sent.length} comment requests from ${clients} clients in ${elapsed.toFixed(1)} s: ` +
        `${(sent.length / elapsed).toFixed(0)} requests/s; answers ${JSON.stringify(histogram)}; ` +
        `latency p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms; ` +
        `${rows.length} comments stored (${rows.filter((row) => row.status === "approved").length} approved, ` +
        `${rows.filter((row) => row.status === "spam").length} spam, ${rows.filter((row) => row.status === "pending").length} pending)`;
    console.log(report);
    t.diagnostic(report);

    const stored = new Map();
    for (const row of rows) {
        const markers = row.source.match(markerPattern) ?? [];
        assert.equal(markers.length, 1, `comment ${row.id} holds one marker: ${row.source.slice(0, 100)}`);
        if (!stored.has(markers[0])) stored.set(markers[0], []);
        stored.get(markers[0]).push(row);
    }
    const problems = [];
    const known = new Set();
    for (const record of sent) {
        known.add(record.marker);
        const found = stored.get(record.marker) ?? [];
        if (record.error) {
            // Sent, but no answer came back: it may or may not have been stored, never twice.
            if (found.length > 1) problems.push(`${record.marker} (unanswered) stored ${found.length} times`);
            continue;
        }
        if (record.status === 303) {
            if (record.kind !== "valid") problems.push(`${record.marker} (${record.kind}) was accepted`);
            if (found.length !== 1) {
                problems.push(`${record.marker} answered 303 but stored ${found.length} times`);
                continue;
            }
            if (found[0].post_id !== postIdOf(record.postPath)) problems.push(`${record.marker} stored on post ${found[0].post_id}`);
            if (record.id !== undefined && found[0].id !== record.id) {
                problems.push(`${record.marker} answered ${record.location} but stored as comment ${found[0].id}`);
            }
            if (!/[?&]comment=(approved|held)#comment(s|-\d+)$/.test(record.location ?? "")) {
                problems.push(`${record.marker}: unexpected Location ${record.location}`);
            }
        } else {
            if (found.length !== 0) problems.push(`${record.marker} answered ${record.status} but stored ${found.length} times`);
            if (record.status >= 500 && record.status !== 503) problems.push(`${record.marker}: server error ${record.status}`);
        }
    }
    for (const marker of stored.keys()) if (!known.has(marker)) problems.push(`${marker} stored but never sent`);
    assert.deepEqual(problems.slice(0, 50), [], `${problems.length} storage problems`);
    const unanswered = histogram["no answer"] ?? 0;
    assert.equal(unanswered, 0, `${unanswered} requests got no answer: ${sent.find((record) => record.error)?.error}`);
    assert.ok((histogram["303"] ?? 0) > 0, "some comments were accepted");
});
